"""The whitelisted methods: results, refusals and permissions."""

import pytest

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import LAPTOP, MAIN, PHONE, SHOP, codes, other_company, user_with

METHODS = [
	(api.parse_codes, {"text": "A1"}),
	(api.generate_codes, {"count": 1}),
	(api.in_stock, {"item_code": PHONE, "warehouse": MAIN}),
	(api.history, {"serial_no": "A1"}),
	(api.item_stock, {"item_code": PHONE}),
	(api.register_serials, {"item_code": PHONE, "warehouse": MAIN, "codes": "A1"}),
	(api.set_tracking, {"items": [PHONE], "enable": 0}),
	(api.convert_from_erpnext_serials, {"items": [PHONE]}),
	(api.check_consistency, {"item_code": PHONE}),
]


def recorded_without_company(serials):
	"""Serials and their log as kept before they carried their company: only the warehouses tell it."""
	for doctype, field in (("Serial Number", "name"), ("Serial Circulation Log", "serial_no")):
		if frappe.get_meta(doctype).has_field("company"):
			frappe.db.set_value(doctype, {field: ("in", serials)}, "company", None)


def unregistered(qty, warehouse):
	"""Units of the phone received without codes (the purchase policy is Optional)."""
	f.purchase_receipt([(PHONE, qty, None, warehouse)])


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


def test_a_user_of_one_warehouse_sees_nothing_of_another(restricted):
	here, there = codes("UPM", 2), codes("UPS", 2)
	f.receive(here)
	f.receive(there, warehouse=SHOP)
	assert {MAIN, SHOP} <= {r["warehouse"] for r in api.item_stock(PHONE)}
	frappe.set_user(restricted("main", "Warehouse", MAIN))
	assert [r["warehouse"] for r in api.item_stock(PHONE)] == [MAIN]
	assert set(here) <= set(api.in_stock(PHONE, MAIN))
	with pytest.raises(frappe.PermissionError, match=f"You are not permitted to read Warehouse {SHOP}"):
		api.in_stock(PHONE, SHOP)
	assert [r["operation"] for r in api.history(here[0])] == ["Receive"]
	with pytest.raises(frappe.PermissionError, match=f"Serial Number {there[0]}"):
		api.history(there[0])


def test_a_user_of_another_company_sees_nothing(restricted):
	here, sold = codes("UPC", 1), codes("UPD", 1)
	f.receive(here + sold)
	f.delivery_note([(PHONE, 1, sold, MAIN)])
	recorded_without_company(here + sold)
	company = other_company()
	frappe.set_user(restricted("elsewhere", "Company", company))
	assert api.item_stock(PHONE) == []
	with pytest.raises(frappe.PermissionError, match=f"Warehouse {MAIN}"):
		api.in_stock(PHONE, MAIN)
	with pytest.raises(frappe.PermissionError, match=f"Warehouse {MAIN}"):
		api.history(here[0])
	assert api.history(sold[0]) == []


def test_a_manager_of_one_warehouse_registers_and_checks_only_there(restricted):
	unregistered(1, MAIN)
	unregistered(1, SHOP)
	assert {d["warehouse"] for d in api.check_consistency(PHONE)} >= {MAIN, SHOP}
	frappe.set_user(restricted("main-manager", "Warehouse", MAIN, roles=("Stock User", "Stock Manager")))
	with pytest.raises(frappe.PermissionError, match=f"Warehouse {SHOP}"):
		api.register_serials(PHONE, SHOP, "UPR0001")
	assert api.register_serials(PHONE, MAIN, "UPR0002")["registered"] == ["UPR0002"]
	assert {d["warehouse"] for d in api.check_consistency(PHONE)} <= {MAIN, None}
	assert SHOP not in {d["warehouse"] for d in api.check_consistency()}


def test_a_user_of_another_item_gets_nothing_of_this_one(restricted):
	sn = codes("UPI", 1)
	f.receive(sn)
	unregistered(1, MAIN)
	frappe.set_user(restricted("laptop", "Item", LAPTOP, roles=("Stock User", "Stock Manager")))
	for method, args in (
		(api.item_stock, (PHONE,)),
		(api.in_stock, (PHONE, MAIN)),
		(api.register_serials, (PHONE, MAIN, "UPI0002")),
		(api.check_consistency, (PHONE,)),
	):
		with pytest.raises(frappe.PermissionError, match=f"Item {PHONE}"):
			method(*args)
	with pytest.raises(frappe.PermissionError, match=f"Serial Number {sn[0]}"):
		api.history(sn[0])
	assert PHONE not in {d["item_code"] for d in api.check_consistency()}


def test_a_manager_who_may_not_read_warehouses_is_told_so():
	"""ERPNext lets Stock User read warehouses, not Stock Manager alone."""
	frappe.set_user(user_with(["Stock Manager"]))
	with pytest.raises(frappe.PermissionError, match=f"You are not permitted to read Warehouse {MAIN}"):
		api.register_serials(PHONE, MAIN, "UPW0001")
	assert api.item_stock(PHONE) == []


def test_unknown_names_are_named():
	with pytest.raises(frappe.DoesNotExistError, match="Warehouse Nowhere does not exist"):
		api.in_stock(PHONE, "Nowhere")
	with pytest.raises(frappe.DoesNotExistError, match="Item NO-SUCH-ITEM does not exist"):
		api.item_stock("NO-SUCH-ITEM")
	with pytest.raises(frappe.MandatoryError, match="Serial Number is required"):
		api.history("")
	assert api.history("NEVER-SEEN") == []


BAD_NUMBERS = [
	(api.generate_codes, {"count": "abc"}, "Count must be a whole number, not 'abc'"),
	(api.generate_codes, {"count": 1, "start": "abc"}, "Start must be a whole number, not 'abc'"),
	(api.generate_codes, {"count": 1, "increment": "1.5"}, "Increment must be a whole number, not '1.5'"),
	(api.generate_codes, {"count": 1, "width": ""}, "Width must be a whole number, not ''"),
	(api.generate_codes, {"count": None}, "Count must be a whole number, not 'None'"),
	(
		api.in_stock,
		{"item_code": PHONE, "warehouse": MAIN, "limit": "ten"},
		"Limit must be a whole number, not 'ten'",
	),
	(api.in_stock, {"item_code": PHONE, "warehouse": MAIN, "limit": 0}, "Limit must be at least 1, not 0"),
	(api.set_tracking, {"items": [PHONE], "enable": "yes"}, "Enable must be a whole number, not 'yes'"),
	(api.set_tracking, {"items": PHONE}, f"Items must be a list of item codes, not '{PHONE}'"),
	(
		api.set_tracking,
		{"items": "<b>x</b>"},
		"Items must be a list of item codes, not '&lt;b&gt;x&lt;/b&gt;'",
	),
	(api.set_tracking, {"items": "[]"}, "Select at least one item"),
]


@pytest.mark.parametrize(
	"method, args, message", BAD_NUMBERS, ids=[f"{m.__name__}-{'-'.join(a)}" for m, a, _ in BAD_NUMBERS]
)
def test_bad_arguments_are_named_with_their_value(method, args, message):
	with pytest.raises(frappe.ValidationError) as refused:
		method(**args)
	assert str(refused.value) == message


def test_numbers_may_come_as_text():
	assert api.generate_codes(count="3", prefix="T-", start=" 9 ", width="3.0")["codes"] == [
		"T-009",
		"T-010",
		"T-011",
	]
	sn = codes("TXT", 2)
	f.receive(sn)
	assert len(api.in_stock(PHONE, MAIN, limit="1")) == 1


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


def test_history_hides_the_sales_to_a_customer_the_user_may_not_read(restricted):
	"""User Permissions on Customer hide, as in a list, a sale to another customer; the rest stays."""
	(unit,) = codes("HCU", 1)
	receipt = f.receive([unit])
	other = f._trade(
		"Delivery Note", f.customer("ST History Other"), [(PHONE, 1, [unit], MAIN)], True, False, None, {}
	)
	f._trade("Delivery Note", "ST History Other", [(PHONE, -1, [unit], MAIN)], True, True, other.name, {})
	mine = f.delivery_note([(PHONE, 1, [unit], MAIN)])
	everything = [r.voucher_no for r in api.history(unit)]
	assert other.name in everything and mine.name in everything
	frappe.set_user(restricted("history-customer", "Customer", f.CUSTOMER))
	seen = [r.voucher_no for r in api.history(unit)]
	assert other.name not in seen
	assert seen[0] == mine.name and seen[-1] == receipt.name


def test_history_without_a_serial_names_what_is_missing():
	with pytest.raises(frappe.MandatoryError, match="Serial Number"):
		api.history()
