"""Callers of a served site over HTTP: token users made in-process on the site, and what a call answers."""

import json

import requests

#: Roles of the clerks: they save and submit receipts, sales and counts.
CLERK_ROLES = [
	"Stock Manager",
	"Stock User",
	"Sales User",
	"Sales Manager",
	"Purchase User",
	"Purchase Manager",
	"Accounts User",
	"Accounts Manager",
]


def token_user(frappe, email: str, roles: list[str]) -> str:
	"""A user with ``roles`` and a fresh API secret, committed; its ``Authorization`` header."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.set("roles", [])
	user.add_roles(*roles)
	secret = frappe.generate_hash(length=15)
	user.reload()
	user.api_key = user.api_key or frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.clear_cache(user=email)
	return f"token {user.api_key}:{secret}"


def drop_user(frappe, email: str) -> None:
	frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()


class Client:
	"""One token user calling one served site."""

	def __init__(self, url: str, authorization: str):
		self.url = url
		self.session = requests.Session()
		self.session.headers.update({"Accept": "application/json", "Authorization": authorization})

	def post(self, method: str, **args) -> requests.Response:
		return self.session.post(f"{self.url}/api/method/{method}", json=args, timeout=120)

	def get(self, method: str, **args) -> requests.Response:
		return self.session.get(f"{self.url}/api/method/{method}", params=args, timeout=120)


def message(response: requests.Response):
	assert response.ok, f"{response.status_code} {response.text[:2000]}"
	return response.json().get("message")


def refusal(response: requests.Response) -> tuple[str, str]:
	"""A refused call's error class and message, after checking it is one of Frappe's or the app's
	own refusals (a 4xx), never a raw database or Python error."""
	assert 400 <= response.status_code < 500, f"{response.status_code} {response.text[:2000]}"
	body = response.json()
	exception = body.get("exception") or f"frappe.exceptions.{body.get('exc_type')}"
	assert exception.startswith(("frappe.exceptions.", "serial_tracking.messages.")), exception
	messages = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages", "[]"))]
	return exception.split(":")[0], " ".join(messages)
