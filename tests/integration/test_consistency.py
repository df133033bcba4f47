"""The consistency check finds every difference between the serial ledger, the stock and the logs."""

import pytest

import frappe

from serial_tracking.api import check_consistency
from serial_tracking.stock import consistency_check
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


def _latest_row(code, sequence_from_end=0):
	return frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": code, "is_cancelled": 0},
		order_by="sequence desc",
		pluck="name",
	)[sequence_from_end]


def _log(code, sequence_from_end=0, **values):
	frappe.db.set_value(
		"Serial Circulation Log", _latest_row(code, sequence_from_end), values, update_modified=False
	)


def _stored(code, **values):
	frappe.db.set_value("Serial Number", code, values, update_modified=False)


def test_the_database_names_every_serial_the_replay_reports():
	"""Serials in every status, then each changed behind the ledger in its own way (its stored state,
	or its log): the check finds each, as the replay of every serial's whole log does, and the
	database names no other serial but those whose rows it cannot order or match as Python does."""
	item = f.make_item("ST-CHECKED-SQL", warranty_period="365").name
	other = f.make_item("ST-CHECKED-SQL-OTHER").name
	sn = codes("CHQ", 21)
	f.receive(sn, item=item)
	moved = [sn[i] for i in (2, 3, 14, 15, 16, 19)]
	f.stock_entry("Material Transfer", [(item, len(moved), moved, MAIN, SHOP)])
	transit = [sn[4], sn[5], sn[20]]
	f.stock_entry("Material Transfer", [(item, 3, transit, MAIN, TRANSIT)], add_to_transit=1)
	dn = f.delivery_note([(item, 4, sn[6:10], MAIN)])
	f.delivery_note([(item, -2, sn[8:10], MAIN)], is_return=True, return_against=dn.name)
	f.stock_entry("Material Issue", [(item, 1, sn[10:11], MAIN, None)])
	assert consistency_check.replay_suspects([item]) == []
	assert consistency_check.check(item) == []

	expected = {}

	def changed(number, kind):
		expected[sn[number]] = kind

	_stored(sn[1], status="Sold")
	changed(1, "replay")
	_stored(sn[2], warehouse=MAIN)
	changed(2, "replay")
	_log(sn[3], is_cancelled=1)  # the transfer to the shop
	changed(3, "replay")
	_stored(sn[4], status="In Stock")  # at the transit warehouse
	changed(4, "replay")
	# its move out to the transit warehouse logged as a transfer into it, which leaves a unit In
	# Transit as its log row says: nothing to report; one whose row says In Stock is not where it was
	_log(sn[5], operation="Transfer")
	_log(sn[20], operation="Transfer", status_after="In Stock")
	changed(20, "replay")
	_stored(sn[6], warranty_expiry_date="2099-01-31")
	changed(6, "warranty")
	_log(sn[7], party_type=None)  # a sale to no customer gives no warranty
	changed(7, "warranty")
	_stored(sn[8], warranty_expiry_date="2099-01-31")  # returned: its warranty ended
	changed(8, "warranty")
	_log(sn[9], is_cancelled=1)  # the sales return
	changed(9, "replay")
	_stored(sn[10], warehouse=MAIN)  # issued, yet at a warehouse
	changed(10, "replay")
	for name in frappe.get_all("Serial Circulation Log", {"serial_no": sn[11]}, pluck="name"):
		frappe.db.set_value("Serial Circulation Log", name, "is_cancelled", 1, update_modified=False)
	changed(11, "replay")
	_log(sn[12], operation="Issue")
	changed(12, "replay")
	# a code correction on top of the log is no movement: nothing to report
	latest = frappe.get_doc("Serial Circulation Log", _latest_row(sn[13]))
	correction = frappe.copy_doc(latest)
	correction.update(
		{
			"operation": "Code Correction",
			"sequence": latest.sequence + 1,
			"to_warehouse": SHOP,
			"status_after": "Sold",
		}
	)
	correction.db_insert()
	# its receipt logged under the code in small letters: the database cannot tell, the replay finds
	# nothing to report (its transfer alone leads to where it is)
	_log(sn[14], 1, serial_no=sn[14].lower())
	_log(sn[15], to_warehouse=MAIN)
	changed(15, "replay")
	# its transfer at the same sequence as its receipt: which came last is the replay's to say
	_log(sn[16], sequence=1)
	_stored(sn[17], status="")
	changed(17, "replay")
	_stored(sn[18], warehouse=MAIN.lower())  # one byte off: not where its log says
	changed(18, "replay")
	_log(sn[19], item_code=other)  # its transfer logged for another item
	changed(19, "replay")

	suspects = consistency_check.replay_suspects([item])
	assert set(suspects) == set(expected) | {sn[14], sn[16]}
	found = consistency_check.check(item)
	reference = consistency_check.stock_check([item]) + consistency_check.full_replay_check([item])

	assert found == reference
	replayed = {d.code: d.kind for d in found if d.kind != "stock"}
	assert {code: kind for code, kind in replayed.items() if code != sn[16]} == expected
