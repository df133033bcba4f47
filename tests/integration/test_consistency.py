"""The consistency check finds every difference between the serial ledger, the stock and the logs."""

import pytest

import frappe

from serial_tracking.api import check_consistency
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP, TRANSIT, codes


@pytest.fixture
def item():
	return f.make_item("ST-CHECKED").name


def messages(item_code):
	return [d["message"] for d in check_consistency(item_code)]


def test_documents_leave_the_ledger_consistent(item):
	sn = codes("CHK", 3)
	f.receive(sn, item=item)
	f.stock_entry("Material Transfer", [(item, 1, sn[:1], MAIN, SHOP)])
	f.delivery_note([(item, 1, sn[1:2], MAIN)])
	dn = f.delivery_note([(item, 1, sn[2:], MAIN)])
	dn.cancel()
	assert messages(item) == []


def test_serials_in_transit_count_at_the_transit_warehouse(item):
	sn = codes("CHT", 2)
	f.receive(sn, item=item)
	f.stock_entry("Material Transfer", [(item, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	assert messages(item) == []
	frappe.db.set_value("Serial Number", sn[0], "status", "Missing", update_modified=False)
	assert messages(item)[0] == f"Item {item} at {TRANSIT}: 1 SN codes in stock, but the stock ledger holds 2"


def test_a_serial_moved_behind_the_ledger_is_reported_twice(item):
	sn = codes("CHX", 2)
	f.receive(sn, item=item)
	frappe.db.set_value("Serial Number", sn[0], "warehouse", SHOP, update_modified=False)
	assert messages(item) == [
		f"Item {item} at {MAIN}: 1 SN codes in stock, but the stock ledger holds 2",
		f"Item {item} at {SHOP}: 1 SN codes in stock, but the stock ledger holds 0",
		f"{sn[0]} of item {item} is stored as In Stock @ {SHOP}, but its circulation log says In Stock @ {MAIN}",
	]


def test_stock_received_before_the_switch_shows_until_registered():
	f.make_item("ST-LATE", sn_tracking=0)
	f.purchase_receipt([("ST-LATE", 2, None, MAIN)])
	item = frappe.get_doc("Item", "ST-LATE")
	item.sn_tracking = 1
	item.save()
	assert messages("ST-LATE") == [
		f"Item ST-LATE at {MAIN}: 0 SN codes in stock, but the stock ledger holds 2"
	]


def test_only_managers_check():
	from tests.integration.factory import user_with

	frappe.set_user(user_with(["Stock User"]))
	with pytest.raises(frappe.PermissionError, match="Only Stock Manager, System Manager may do this"):
		check_consistency()


def test_a_warranty_the_log_does_not_explain_is_reported():
	"""A sale with a warranty, a return ending it, a resale: consistent; then a warranty end written
	behind the ledger, and one taken away, are each reported with both dates."""
	item = f.make_item("ST-CHECKED-WARRANTY", warranty_period="365").name
	sn = codes("CHW", 2)
	f.receive(sn, item=item)
	dn = f.delivery_note([(item, 2, sn, MAIN)])
	f.delivery_note([(item, -1, sn[:1], MAIN)], is_return=True, return_against=dn.name)
	f.delivery_note([(item, 1, sn[:1], MAIN)])
	assert messages(item) == []
	logged = frappe.db.get_value("Serial Number", sn[1], "warranty_expiry_date")
	assert logged
	frappe.db.set_value("Serial Number", sn[1], "warranty_expiry_date", "2099-01-31", update_modified=False)
	frappe.db.set_value("Serial Number", sn[0], "warranty_expiry_date", None, update_modified=False)
	assert messages(item) == [
		f"{sn[0]} of item {item} has a warranty until none, but its circulation log says"
		f" {frappe.utils.formatdate(logged)}",
		f"{sn[1]} of item {item} has a warranty until {frappe.utils.formatdate('2099-01-31')}, but its"
		f" circulation log says {frappe.utils.formatdate(logged)}",
	]
