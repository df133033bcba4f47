"""The SN Code of after-sales documents over real HTTP: ``sn_code_details`` answers only about a unit
the user may read, the same refusal for a unit behind a wall as for no unit at all, and a Warranty Claim
posted through REST is filled and judged as in Desk."""

import secrets

import pytest

from tests.integration import factory
from tests.rest.conftest import URL, _token_user, message, refusal

MAIN, PHONE, LAPTOP = factory.MAIN, factory.PHONE, factory.LAPTOP
DETAILS = "serial_tracking.api.sn_code_details"
CLAIM = "Warranty Claim"


@pytest.fixture(scope="module")
def units(site):
	"""A phone sold to the first customer, one to the second, and a laptop sold to the first."""
	frappe = site
	uid = secrets.token_hex(3).upper()
	phones, laptop = factory.codes(f"RAS{uid}-P", 2), factory.codes(f"RAS{uid}-L", 1)
	made = [
		factory.purchase_receipt([(PHONE, 2, phones, MAIN), (LAPTOP, 1, laptop, MAIN)]),
		factory.delivery_note([(PHONE, 1, phones[:1], MAIN), (LAPTOP, 1, laptop, MAIN)]),
		factory.delivery_note([(PHONE, 1, phones[1:], MAIN)], customer=factory.CUSTOMER2),
	]
	frappe.db.commit()
	yield {"mine": phones[0], "theirs": phones[1], "laptop": laptop[0]}
	frappe.db.delete(CLAIM, {"sn_code": ("in", [*phones, *laptop])})
	for doc in reversed(made):
		doc.reload()
		if doc.docstatus == 1:
			doc.cancel()
	frappe.db.commit()


@pytest.fixture(scope="module")
def desk_users(site):
	"""Service desk users who read stock: one allowed only the first customer, one only laptops."""
	frappe = site
	roles = ["Stock User", "Maintenance User"]
	made = {
		"customer": _token_user(
			frappe, "st-rest-desk-customer@example.com", roles, [("Customer", factory.CUSTOMER)]
		),
		"item": _token_user(frappe, "st-rest-desk-item@example.com", roles, [("Item", LAPTOP)]),
	}
	yield made
	for client in made.values():
		frappe.db.delete("User Permission", {"user": client.name})
		frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


def _claim(code: str, customer: str | None) -> dict:
	return {
		"doctype": CLAIM,
		"status": "Open",
		"complaint_date": None,
		"customer": customer,
		"sn_code": code,
		"complaint": "screen flicker",
		"company": factory.COMPANY,
	}


def test_the_fill_answers_a_get_about_a_unit_the_user_may_read(units, desk_users):
	answer = message(desk_users["customer"].get(DETAILS, sn_code=units["mine"]))
	assert (answer["item_code"], answer["customer"]) == (PHONE, factory.CUSTOMER)
	assert answer["sn_code"] == units["mine"]


@pytest.mark.parametrize("user, hidden", [("customer", "theirs"), ("item", "mine")])
def test_a_unit_behind_a_wall_is_answered_as_no_unit_at_all(units, desk_users, user, hidden):
	client = desk_users[user]
	code = units[hidden]
	behind = client.get(DETAILS, sn_code=code)
	nothing = client.get(DETAILS, sn_code=f"{code}-NONE")
	assert behind.status_code == nothing.status_code == 403
	assert refusal(behind).replace(code, "CODE") == refusal(nothing).replace(f"{code}-NONE", "CODE")
	for secret in (factory.CUSTOMER2, PHONE, "Sold"):
		assert secret not in behind.text


def test_users_without_a_stock_role_and_guests_are_refused(units, users):
	for client in (users["outsider"], users["guest"]):
		response = client.get(DETAILS, sn_code=units["mine"])
		assert response.status_code == 403, response.text[:500]
		assert PHONE not in response.text and factory.CUSTOMER not in response.text


def test_a_claim_posted_through_rest_is_filled_and_judged(site, units, desk_users):
	client = desk_users["customer"]
	url = f"{URL}/api/resource/{CLAIM}"
	made = client.session.post(url, json=_claim(units["mine"], None), timeout=120)
	assert made.ok, made.text[:1000]
	data = made.json()["data"]
	assert (data["item_code"], data["customer"]) == (PHONE, factory.CUSTOMER)
	# the other customer's unit, claimed for this customer: refused, the other customer unnamed
	refused = client.session.post(url, json=_claim(units["theirs"], factory.CUSTOMER), timeout=120)
	assert refused.status_code == 403
	assert factory.CUSTOMER2 not in refused.text
	# a unit it may read, of another item than the claim names
	wrong = _claim(units["laptop"], factory.CUSTOMER) | {"item_code": PHONE}
	response = client.session.post(url, json=wrong, timeout=120)
	assert response.status_code == 417, response.text[:500]
	assert f"is a unit of item {LAPTOP}, not of item {PHONE}" in refusal(response)
	site.db.rollback()
	stored = site.get_all(CLAIM, filters={"sn_code": ("in", list(units.values()))}, pluck="sn_code")
	assert stored == [units["mine"]]


def test_a_bad_argument_is_a_refusal_naming_it(units, users):
	response = users["manager"].get(DETAILS, sn_code=units["mine"], on="tomorrow")
	assert response.status_code == 417
	assert "Date must be a date" in refusal(response)
	response = users["manager"].post(DETAILS, sn_code=["x"])
	assert "SN Code must be an SN code" in refusal(response)
	assert message(users["manager"].get(DETAILS, sn_code=units["laptop"]))["item_code"] == LAPTOP
