"""A clerk: a process of its own that submits one draft on one web server over HTTP, at the same instant
as the others (a barrier). It imports neither Frappe nor the app, so that it starts in a moment and
shares nothing with the test's process but the barrier and the queue of answers."""

import time
import traceback
from typing import NamedTuple

import requests

from tests.scaleout.clients import refusal

#: Seconds a clerk waits for the others at the barrier, and for its answer.
TIMEOUT = 120


class Answer(NamedTuple):
	clerk: int
	url: str
	doctype: str
	name: str
	#: The HTTP status; 0 when the clerk itself broke (``said`` is then its traceback).
	status: int
	#: The refusal's error class and message, when refused.
	said: str


def submit(number: int, url: str, token: str, doctype: str, name: str, barrier, answers) -> None:
	"""Wait for the other clerks, then submit the draft ``doctype`` ``name`` on the server at ``url``."""
	try:
		barrier.wait(TIMEOUT)
		response = requests.put(
			f"{url}/api/resource/{doctype}/{name}",
			json={"docstatus": 1},
			headers={"Authorization": token, "Accept": "application/json"},
			timeout=TIMEOUT,
		)
		said = ""
		if not response.ok:
			exception, message = refusal(response)
			said = f"{exception}: {message}"
		answers.put(Answer(number, url, doctype, name, response.status_code, said))
	except BaseException:
		barrier.abort()
		answers.put(Answer(number, url, doctype, name, 0, traceback.format_exc()))


def submit_all(number: int, url: str, token: str, drafts: list[tuple[str, str]], barrier, answers) -> None:
	"""Wait for the other clerks, then submit the drafts one after the other on the server at ``url``;
	answers ``(number, statuses, seconds)``."""
	try:
		session = requests.Session()
		session.headers.update({"Authorization": token, "Accept": "application/json"})
		barrier.wait(TIMEOUT)
		started = time.monotonic()
		statuses = [
			session.put(
				f"{url}/api/resource/{doctype}/{name}", json={"docstatus": 1}, timeout=TIMEOUT
			).status_code
			for doctype, name in drafts
		]
		answers.put((number, statuses, time.monotonic() - started))
	except BaseException:
		barrier.abort()
		answers.put((number, [0], traceback.format_exc()))
