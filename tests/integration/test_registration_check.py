"""The live check of the item's registration dialog (serial_tracking.api.check_registration): what
registering would say of each code, nothing written."""

import secrets

import pytest

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP


@pytest.fixture
def item():
	"""An item switched on with 3 units at the main warehouse and none registered."""
	code = f"ST-REGC-{secrets.token_hex(3).upper()}"
	f.make_item(code, sn_tracking=0)
	f.purchase_receipt([(code, 3, None, MAIN)])
	doc = frappe.get_doc("Item", code)
	doc.sn_tracking = 1
	doc.save()
	return code


def test_each_code_is_judged_as_registering_would(item):
	sold = f"{item}-SOLD"
	f.receive([sold])
	f.delivery_note([(f.PHONE, 1, [sold], MAIN)])
	good = f"{item}-1"
	answer = api.check_registration(item, MAIN, f"{good} {good.lower()} {sold} a\u0007b")
	assert answer["required"] == 3
	assert answer["operation"] == "Registration"
	assert [(c["code"], c["ok"], c["entry"]) for c in answer["codes"]] == [
		(good, True, 1),
		(good.lower(), False, 2),
		(sold, False, 3),
		("a\u0007b", False, 4),
	]
	assert "entered twice" in answer["codes"][1]["reason"]
	assert sold in answer["codes"][2]["reason"]
	assert not frappe.db.exists("Serial Number", good)


def test_more_codes_than_units_without_one_are_said(item):
	answer = api.check_registration(item, MAIN, " ".join(f"{item}-{n}" for n in range(4)))
	assert answer["problems"] == [
		f"Warehouse {MAIN} holds 3 of item {item}: 0 SN codes are in stock there, so at most 3 more can be registered, not 4"
	]
	assert api.check_registration(item, MAIN, "")["problems"] == []


def test_a_user_of_another_warehouse_is_refused(item, restricted):
	frappe.set_user(restricted("regc", "Warehouse", SHOP, roles=("Stock Manager",)))
	with pytest.raises(frappe.PermissionError):
		api.check_registration(item, MAIN, f"{item}-1")
