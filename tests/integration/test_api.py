"""The whitelisted methods: results, refusals and permissions."""

import pytest

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, codes

METHODS = [
	(api.parse_codes, {"text": "A1"}),
	(api.generate_codes, {"count": 1}),
	(api.in_stock, {"item_code": PHONE, "warehouse": MAIN}),
	(api.history, {"serial_no": "A1"}),
	(api.item_stock, {"item_code": PHONE}),
	(api.register_serials, {"item_code": PHONE, "warehouse": MAIN, "codes": "A1"}),
	(api.set_tracking, {"items": [PHONE], "enable": 0}),
]


def user_with(roles):
	email = "st-" + "-".join(r.lower().replace(" ", "") for r in roles) + "@example.com"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "ST", "send_welcome_email": 0}
		)
		user.insert()
		user.add_roles(*roles)
	return email


@pytest.mark.parametrize("method, args", METHODS, ids=[m.__name__ for m, _ in METHODS])
def test_guests_get_nothing(method, args):
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(method)
	with pytest.raises(frappe.PermissionError):
		method(**args)


@pytest.mark.parametrize("method, args", METHODS, ids=[m.__name__ for m, _ in METHODS])
def test_users_without_stock_roles_get_nothing(method, args):
	frappe.set_user(user_with(["Accounts User"]))
	with pytest.raises(frappe.PermissionError):
		method(**args)


def test_stock_user_reads_but_cannot_register_or_switch():
	sn = codes("API", 2)
	f.receive(sn)
	frappe.set_user(user_with(["Stock User"]))
	assert api.in_stock(PHONE, MAIN) == sorted(set(api.in_stock(PHONE, MAIN)))
	assert set(sn) <= set(api.in_stock(PHONE, MAIN))
	assert api.history(sn[0])[0]["operation"] == "Receive"
	with pytest.raises(frappe.PermissionError):
		api.register_serials(PHONE, MAIN, "NEW1")
	with pytest.raises(frappe.PermissionError):
		api.set_tracking([PHONE], 0)


def test_parse_codes_reports_each_problem_with_its_entry():
	result = api.parse_codes("Ａ1, B2\nB2 C<")
	assert result["codes"] == ["A1", "B2"] and result["entered"] == 4
	assert [(p["reason"], p["position"], p["message"]) for p in result["problems"]] == [
		("duplicate", 3, "Entry 3: B2 is entered twice (first at entry 2)"),
		("invalid_character", 4, "Entry 4: C< contains <, which an SN code may not contain"),
	]


def test_generate_codes_and_its_refusals():
	assert api.generate_codes(count=3, prefix="G-", start=9, width=3)["codes"] == ["G-009", "G-010", "G-011"]
	refused = api.generate_codes(count=5, start=98, width=2)
	assert refused["codes"] == []
	assert refused["problems"][0]["message"] == "The number 102 does not fit in a width of 2 digits"
	assert api.generate_codes(count=1, increment=0)["problems"][0]["message"] == (
		"The increment must be a positive whole number, not 0"
	)
	assert (
		api.generate_codes(count=1001)["problems"][0]["message"]
		== "The count must be between 1 and 1000, not 1001"
	)


def test_history_is_newest_first_and_marks_cancelled():
	sn = codes("HIS", 1)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn, MAIN)])
	dn.cancel()
	rows = api.history(sn[0])
	assert [(r["operation"], r["is_cancelled"]) for r in rows] == [("Sell", 1), ("Receive", 0)]


def test_settings_validate_limits():
	settings = frappe.get_single("Serial Tracking Settings")
	settings.max_length = 141
	with pytest.raises(frappe.ValidationError, match="Longest SN code must be between 1 and 140 characters"):
		settings.save()
	settings = frappe.get_single("Serial Tracking Settings")
	settings.max_per_operation = 0
	with pytest.raises(frappe.ValidationError, match="Most SN codes per document must be at least 1"):
		settings.save()


def test_settings_defaults_follow_the_document_map():
	settings = frappe.get_single("Serial Tracking Settings")
	assert (settings.purchase_policy, settings.sales_policy, settings.sales_return_policy) == (
		"Optional",
		"Required",
		"Required",
	)
	assert (settings.max_length, settings.max_per_operation) == (100, 1000)
