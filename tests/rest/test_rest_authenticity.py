"""The public authenticity check over real HTTP as Guest: the API's answers, its rate limit, and the
page /sn-check, present only while the check is switched on, its input shown escaped."""

import secrets

import pytest
import requests

from serial_tracking.api.authenticity import LIMIT
from tests.hostile import corpus
from tests.integration import factory
from tests.rest.conftest import URL, message, refusal
from tests.rest.test_hostile import judge

METHOD = "serial_tracking.api.check_authenticity"
SETTINGS = "Serial Tracking Settings"
NOT_KNOWN = {"known": False, "item_name": None, "warranty_until": None}
#: An item of this test's own, with a year's warranty.
ITEM = "ST-REST-AUTHENTIC"


def _switch(frappe, on: bool) -> None:
	frappe.db.set_single_value(SETTINGS, "public_check", int(on))
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def _forget_calls(frappe) -> None:
	"""The rate limiter's counts of the check, for every address."""
	frappe.cache.delete_keys(f"rl:{METHOD}:")


@pytest.fixture(scope="module")
def units(site):
	"""A unit sold to a customer and one in stock; the check switched on, as it was afterwards."""
	frappe = site
	if not frappe.db.exists("Item", ITEM):
		factory.make_item(ITEM, item_name="REST Authentic Phone", warranty_period="365")
	uid = secrets.token_hex(3).upper()
	# "&": a character of codes that HTML would escape
	sold, held = [f"RAUTH{uid}-S&1"], factory.codes(f"RAUTH{uid}-H", 1)
	docs = [
		factory.purchase_receipt([(ITEM, 2, sold + held, factory.MAIN)]),
		factory.delivery_note([(ITEM, 1, sold, factory.MAIN)]),
	]
	was = frappe.db.get_single_value(SETTINGS, "public_check")
	_switch(frappe, True)
	_forget_calls(frappe)
	yield {"sold": sold[0], "held": held[0]}
	_switch(frappe, bool(was))
	_forget_calls(frappe)
	for doc in reversed(docs):
		doc.reload()
		if doc.docstatus == 1:
			doc.cancel()
	frappe.db.commit()


@pytest.fixture
def guest():
	session = requests.Session()
	session.headers["Accept"] = "application/json"
	return session


def check(guest, code, verb="GET"):
	if verb == "GET":
		return guest.get(f"{URL}/api/method/{METHOD}", params={"code": code}, timeout=60)
	return guest.post(f"{URL}/api/method/{METHOD}", json={"code": code}, timeout=60)


def test_a_sold_unit_is_known_to_a_guest(site, units, guest):
	from frappe.utils import add_days, nowdate

	for verb in ("GET", "POST"):
		assert message(check(guest, units["sold"], verb)) == {
			"known": True,
			"item_name": "REST Authentic Phone",
			"warranty_until": add_days(nowdate(), 365),
		}


def test_unsold_unknown_and_hostile_codes_get_the_same_answer(units, guest):
	for code in (units["held"], "RAUTH-NEVER-0001", "", "<script>alert(1)</script>", "X" * 5000):
		response = check(guest, code, "POST")
		assert message(response) == NOT_KNOWN, code
		assert "<script" not in response.text


def test_with_the_check_off_a_guest_is_refused(site, units, guest):
	_switch(site, False)
	try:
		assert "switched off" in refusal(check(guest, units["sold"]))
	finally:
		_switch(site, True)


def test_the_check_answers_429_past_its_limit_per_address(site, units, guest):
	_forget_calls(site)
	try:
		statuses = [check(guest, units["held"]).status_code for _ in range(LIMIT + 2)]
		assert statuses[:LIMIT] == [200] * LIMIT
		assert statuses[LIMIT:] == [429, 429]
	finally:
		_forget_calls(site)


def test_the_page_is_there_for_a_guest_while_the_check_is_on(site, units):
	page = requests.get(f"{URL}/sn-check", timeout=60)
	assert page.status_code == 200
	assert 'class="sn-check-form"' in page.text and METHOD in page.text
	_switch(site, False)
	try:
		assert requests.get(f"{URL}/sn-check", timeout=60).status_code == 404
	finally:
		_switch(site, True)
	assert requests.get(f"{URL}/sn-check", timeout=60).status_code == 200


def test_a_hostile_code_in_the_address_comes_back_escaped(units):
	hostile = '"><script>alert(1)</script>'
	page = requests.get(f"{URL}/sn-check", params={"code": hostile}, timeout=60)
	assert page.status_code == 200
	assert "<script>alert(1)" not in page.text
	assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_every_hostile_input_gets_the_answer_of_an_unknown_code_or_a_clear_refusal(site, units, guest):
	"""The hostile corpus, wrong types and deep JSON, and twins of a sold code, sent by a guest: "not
	known" (a twin of a sold code: that unit's answer), or a 4xx with a message; never a 500, never the
	input echoed."""
	values = {
		**corpus.texts("RA"),
		**{f"type-{k}": v for k, v in corpus.WRONG_TYPES.items()},
		**corpus.DEEP_JSON,
		**corpus.BIG,
	}
	sold = message(check(guest, units["sold"]))
	twins = corpus.twins(units["sold"])
	failures = []
	for number, (name, value) in enumerate({**values, **twins}.items()):
		if number % (LIMIT // 2) == 0:
			_forget_calls(site)
		response = check(guest, value, "POST")
		try:
			body = judge(response, value)
			if body is not None:
				assert body["message"] == (sold if name in twins else NOT_KNOWN), body["message"]
			for markup in ("<img", "<script", "<svg"):
				assert markup not in response.text, f"{markup} echoed"
		except AssertionError as e:
			failures.append(f"{name}: {str(e).splitlines()[0][:300]}")
	_forget_calls(site)
	assert not failures, "\n".join(failures)
