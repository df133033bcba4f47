"""The per-item switch, its guards, the bulk switch and registration of serials already in stock."""

import pytest

import frappe

from serial_tracking.api import item_stock, register_serials, set_tracking
from serial_tracking.messages import SerialGuardError, SerialTrackingError
from serial_tracking.stock import bulk
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP, serial


def plain_item(code, **values):
	return f.make_item(code, sn_tracking=0, **values)


def switch_on(code):
	item = frappe.get_doc("Item", code)
	item.sn_tracking = 1
	item.save()


@pytest.mark.parametrize(
	"values, reason",
	[
		({"is_stock_item": 0}, "is not a stock item"),
		({"has_batch_no": 1}, "uses batch numbers"),
		({"has_expiry_date": 1, "has_batch_no": 1}, "has an expiry date or shelf life"),
		({"shelf_life_in_days": 30}, "has an expiry date or shelf life"),
		({"has_serial_no": 1}, r"already uses serial numbers of ERPNext \(Has Serial No\)"),
	],
)
def test_guards_refuse_the_switch_naming_item_and_reason(values, reason):
	with pytest.raises(SerialGuardError, match=f"Item ST-GUARD {reason}"):
		f.make_item("ST-GUARD", sn_tracking=1, **values)


def test_guard_refuses_a_template_with_variants():
	if not frappe.db.exists("Item Attribute", "ST Colour"):
		frappe.get_doc(
			{
				"doctype": "Item Attribute",
				"attribute_name": "ST Colour",
				"item_attribute_values": [{"attribute_value": "Black", "abbr": "BLK"}],
			}
		).insert()
	with pytest.raises(
		SerialGuardError, match="Item ST-GUARD is a template with variants; switch on its variants"
	):
		f.make_item("ST-GUARD", sn_tracking=1, has_variants=1, attributes=[{"attribute": "ST Colour"}])


def test_guard_refuses_a_product_bundle():
	plain_item("ST-BUNDLE", is_stock_item=0)
	frappe.get_doc(
		{
			"doctype": "Product Bundle",
			"new_item_code": "ST-BUNDLE",
			"items": [{"item_code": f.PLAIN, "qty": 1}],
		}
	).insert()
	item = frappe.get_doc("Item", "ST-BUNDLE")
	item.sn_tracking = 1
	with pytest.raises(SerialGuardError) as refused:
		item.save()
	assert "Item ST-BUNDLE is not a stock item<br>Item ST-BUNDLE is a product bundle" in str(refused.value)


def test_guard_refuses_a_switched_on_item_taking_up_batches():
	item = f.make_item("ST-LATER", sn_tracking=1)
	item.has_batch_no = 1
	with pytest.raises(SerialGuardError, match="Item ST-LATER uses batch numbers"):
		item.save()


def test_guard_refuses_negative_or_fractional_stock(settings):
	plain_item("ST-NEG")
	frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 1)
	f.delivery_note([("ST-NEG", 2, None, MAIN)])
	with pytest.raises(
		SerialGuardError, match=f"Item ST-NEG has a negative quantity -2.0 at warehouse {MAIN}"
	):
		switch_on("ST-NEG")
	if not frappe.db.exists("UOM", "ST Gram"):
		frappe.get_doc({"doctype": "UOM", "uom_name": "ST Gram", "must_be_whole_number": 0}).insert()
	plain_item("ST-FRAC", stock_uom="ST Gram")
	f.purchase_receipt([("ST-FRAC", 1.5, None, MAIN)])
	with pytest.raises(
		SerialGuardError, match=f"Item ST-FRAC has a fractional quantity 1.5 at warehouse {MAIN}"
	):
		switch_on("ST-FRAC")


def test_switching_on_with_stock_needs_registration_then_sells():
	plain_item("ST-OLD")
	f.purchase_receipt([("ST-OLD", 3, None, MAIN), ("ST-OLD", 1, None, SHOP)])
	switch_on("ST-OLD")
	with pytest.raises(SerialTrackingError, match="OLD1 is not a known SN code"):
		f.delivery_note([("ST-OLD", 1, ["OLD1"], MAIN)])
	assert [(r["warehouse"], r["qty"], r["registered"], r["missing"]) for r in item_stock("ST-OLD")] == [
		(MAIN, 3, 0, 3),
		(SHOP, 1, 0, 1),
	]
	assert register_serials("ST-OLD", MAIN, "OLD1 OLD2")["count"] == 2
	assert serial("OLD1").status == "In Stock"
	log = frappe.get_all(
		"Serial Circulation Log", filters={"serial_no": "OLD1"}, fields=["operation", "voucher_type"]
	)
	assert [(r.operation, r.voucher_type) for r in log] == [("Registration", "Item")]
	with pytest.raises(
		SerialTrackingError,
		match=(
			f"Warehouse {MAIN} holds 3 of item ST-OLD: 2 SN codes are in stock there, so at most 1 more can be registered, not 2"
		),
	):
		register_serials("ST-OLD", MAIN, "OLD3 OLD4")
	assert not frappe.db.exists("Serial Number", "OLD3")
	f.delivery_note([("ST-OLD", 1, ["OLD1"], MAIN)])
	assert serial("OLD1").status == "Sold"


def test_registration_refuses_bad_input_and_stores_nothing():
	plain_item("ST-REG")
	f.purchase_receipt([("ST-REG", 5, None, MAIN)])
	switch_on("ST-REG")
	for text, message in (
		("", "No SN code entered"),
		("   \n\t ", "No SN code entered"),
		("R1 R1", "R1 is entered twice"),
		("R1 序列", "contains the non-ASCII character"),
		("R1 " + "X" * 101, "an SN code has at most 100"),
	):
		with pytest.raises(SerialTrackingError, match=message):
			register_serials("ST-REG", MAIN, text)
		assert not frappe.db.exists("Serial Number", "R1")
	with pytest.raises(SerialGuardError, match="Item ST-PLAIN does not track SN codes"):
		register_serials(f.PLAIN, MAIN, "R9")


def test_more_than_the_limit_is_refused():
	plain_item("ST-MANY")
	switch_on("ST-MANY")
	with pytest.raises(SerialTrackingError, match="1001 SN codes entered; at most 1000 are allowed at once"):
		register_serials("ST-MANY", MAIN, "\n".join(f"M{i}" for i in range(1001)))


def test_serial_number_made_by_hand_goes_through_registration():
	plain_item("ST-HAND")
	f.purchase_receipt([("ST-HAND", 1, None, MAIN)])
	switch_on("ST-HAND")
	doc = frappe.get_doc(
		{"doctype": "Serial Number", "serial_no": "ＨＡＮＤ１", "item_code": "ST-HAND", "warehouse": MAIN}
	)
	doc.insert()
	assert doc.name == "HAND1" and doc.status == "In Stock"
	assert frappe.db.count("Serial Circulation Log", {"serial_no": "HAND1", "operation": "Registration"}) == 1
	with pytest.raises(SerialTrackingError, match="at most 0 more can be registered, not 1"):
		frappe.get_doc(
			{"doctype": "Serial Number", "serial_no": "HAND2", "item_code": "ST-HAND", "warehouse": MAIN}
		).insert()


def test_manager_moves_and_deletes_a_serial_with_rules():
	plain_item("ST-EDIT")
	f.purchase_receipt([("ST-EDIT", 1, None, MAIN), ("ST-EDIT", 1, None, SHOP)])
	switch_on("ST-EDIT")
	register_serials("ST-EDIT", MAIN, "EDIT1")
	doc = frappe.get_doc("Serial Number", "EDIT1")
	doc.warehouse = SHOP
	doc.save()
	log = frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": "EDIT1"},
		fields=["operation", "from_warehouse", "to_warehouse"],
		order_by="sequence",
	)
	assert [(r.operation, r.from_warehouse, r.to_warehouse) for r in log] == [
		("Registration", None, MAIN),
		("Adjustment", MAIN, SHOP),
	]
	frappe.delete_doc("Serial Number", "EDIT1")
	assert not frappe.db.exists("Serial Circulation Log", {"serial_no": "EDIT1"})
	sn = f.codes("DEL", 1)
	pr = f.receive(sn)
	with pytest.raises(
		SerialGuardError, match=f"{sn[0]} cannot be deleted: Purchase Receipt {pr.name} moved it"
	):
		frappe.delete_doc("Serial Number", sn[0])


def test_bulk_switch_reports_each_refusal():
	plain_item("ST-B1")
	plain_item("ST-B2", has_batch_no=1)
	plain_item("ST-B3", is_stock_item=0)
	result = set_tracking(["ST-B1", "ST-B2", "ST-B3"], 1)
	assert result["queued"] is False and result["done"] == ["ST-B1"], result
	assert result["switched"] == ["ST-B1"] and result["already"] == []
	assert [(r["item_code"], r["reason"]) for r in result["refused"]] == [
		("ST-B2", "Item ST-B2 uses batch numbers"),
		("ST-B3", "Item ST-B3 is not a stock item"),
	]
	assert frappe.db.get_value("Item", "ST-B1", "sn_tracking") == 1
	assert set_tracking(["ST-B1"], 0)["done"] == ["ST-B1"]
	assert frappe.db.get_value("Item", "ST-B1", "sn_tracking") == 0


def test_bulk_switch_tells_switched_from_already_on_and_counts_the_units_without_codes():
	"""Items already on are not counted as switched; every item now on says how many units in stock
	no SN code stands for, per item, summed over its warehouses."""
	plain_item("ST-B4")
	plain_item("ST-B5")
	plain_item("ST-B6", has_batch_no=1)
	# stock arrives while the items are off: no serial stands for it
	f.purchase_receipt([("ST-B4", 30, None, MAIN), ("ST-B4", 17, None, SHOP), ("ST-B5", 2, None, MAIN)])
	switch_on("ST-B5")
	register_serials("ST-B5", MAIN, "B5-0001")
	result = set_tracking(["ST-B4", "ST-B5", f.PHONE, "ST-B6"], 1)
	assert result["switched"] == ["ST-B4"]
	assert result["already"] == ["ST-B5", f.PHONE]
	assert result["done"] == ["ST-B4", "ST-B5", f.PHONE]
	assert result["refused"] == [{"item_code": "ST-B6", "reason": "Item ST-B6 uses batch numbers"}]
	without = {m["item_code"]: (m["units"], m["warehouses"]) for m in result["without_codes"]}
	assert without["ST-B4"] == (47, 2) and without["ST-B5"] == (1, 1)
	assert "ST-B6" not in without
	# registering the units leaves nothing to say
	register_serials("ST-B5", MAIN, "B5-0002")
	assert "ST-B5" not in {m["item_code"] for m in set_tracking(["ST-B5"], 1)["without_codes"]}
	# switching off reports what was off already, and no units
	off = set_tracking(["ST-B4", "ST-B3-NONE"], 0)
	assert off["switched"] == ["ST-B4"] and off["without_codes"] == []
	assert off["refused"][0]["item_code"] == "ST-B3-NONE"
	assert set_tracking(["ST-B4"], 0)["already"] == ["ST-B4"]


def test_bulk_switch_past_the_threshold_is_a_background_job(monkeypatch):
	queued = {}
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kw: queued.update(method=method, **kw))
	items = [f"ST-X{i}" for i in range(bulk.IN_REQUEST + 1)]
	result = set_tracking(items, 1)
	assert result["queued"] is True and result["count"] == len(items)
	assert queued["method"] is bulk.switch_in_background and queued["items"] == items
	plain_item("ST-J1")
	progress = []
	out = bulk.switch(["ST-J1", "ST-NOPE"], True, lambda n, total: progress.append((n, total)))
	assert out["done"] == ["ST-J1"] and out["refused"][0]["item_code"] == "ST-NOPE"
	assert progress == [(2, 2)]


def test_registration_names_an_unknown_warehouse():
	with pytest.raises(SerialGuardError, match="Warehouse Nowhere - WP does not exist"):
		register_serials(f.PHONE, "Nowhere - WP", "W1")


def test_only_a_serial_in_stock_is_moved_by_hand():
	sn = f.codes("HMV", 1)
	f.receive(sn)
	f.delivery_note([(f.PHONE, 1, sn, MAIN)])
	doc = frappe.get_doc("Serial Number", sn[0])
	doc.warehouse = SHOP
	with pytest.raises(SerialGuardError, match=f"{sn[0]} is Sold: only a serial in stock can be moved"):
		doc.save()


def test_a_stock_user_may_not_write_a_serial():
	"""The doctype's own permissions: a Stock User reads serials but does not edit them."""
	from tests.integration.factory import user_with

	sn = f.codes("HMU", 1)
	f.receive(sn)
	frappe.set_user(user_with(["Stock User"]))
	doc = frappe.get_doc("Serial Number", sn[0])
	assert doc.has_permission("read") and not doc.has_permission("write")
	doc.warehouse = SHOP
	with pytest.raises(frappe.PermissionError):
		doc.save()


WRITER = "ST Serial Writer"


@pytest.fixture
def serial_writer():
	"""A user whose role was given write on Serial Number (Role Permission Manager) but who is no manager."""
	from frappe.permissions import setup_custom_perms

	from tests.integration.factory import user_with

	if not frappe.db.exists("Role", WRITER):
		frappe.get_doc({"doctype": "Role", "role_name": WRITER, "desk_access": 1}).insert()
	# As Role Permission Manager stores a rule: the standard rules copied, then the new one.
	setup_custom_perms("Serial Number")
	frappe.get_doc(
		{
			"doctype": "Custom DocPerm",
			"parent": "Serial Number",
			"parenttype": "DocType",
			"parentfield": "permissions",
			"role": WRITER,
			"permlevel": 0,
			"read": 1,
			"write": 1,
		}
	).insert(ignore_permissions=True)
	frappe.clear_cache(doctype="Serial Number")
	# This session sees the new rule even if another one refills the shared cache from the database meanwhile.
	frappe.get_meta("Serial Number", cached=False)
	yield user_with(["Stock User", WRITER])
	# Nothing was committed: the rollback drops the rule and the cached metadata that carried it.
	frappe.db.rollback()
	frappe.clear_cache(doctype="Serial Number")


def test_only_a_manager_moves_a_serial_by_hand_whatever_the_doctype_permissions(serial_writer):
	# Room at both warehouses, as in the manager's move above: only the role can refuse the move.
	plain_item("ST-HMW")
	f.purchase_receipt([("ST-HMW", 1, None, MAIN), ("ST-HMW", 1, None, SHOP)])
	switch_on("ST-HMW")
	register_serials("ST-HMW", MAIN, "HMW1")
	frappe.set_user(serial_writer)
	doc = frappe.get_doc("Serial Number", "HMW1")
	# The doctype permission lets the user through, so only the app's role check stands in the way.
	assert doc.has_permission("write")
	doc.warehouse = SHOP
	with pytest.raises(frappe.PermissionError, match="Only Stock Manager, System Manager may do this"):
		doc.save()
	frappe.set_user("Administrator")
	assert serial("HMW1").warehouse == MAIN
	assert frappe.db.count("Serial Circulation Log", {"serial_no": "HMW1"}) == 1


def test_log_rows_are_never_edited_or_deleted():
	sn = f.codes("LOGX", 1)
	pr = f.receive(sn)
	row = frappe.get_doc("Serial Circulation Log", {"voucher_no": pr.name})
	row.row_no = 99
	with pytest.raises(frappe.ValidationError, match="A circulation log row cannot be edited"):
		row.save(ignore_permissions=True)
	with pytest.raises(frappe.ValidationError, match="A circulation log row cannot be deleted"):
		frappe.delete_doc("Serial Circulation Log", row.name, ignore_permissions=True)


def test_bulk_switch_needs_items():
	with pytest.raises(frappe.ValidationError, match="Select at least one item"):
		set_tracking([], 1)
