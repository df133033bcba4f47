"""Replacing a customer's unit under a Warranty Claim: the faulty unit back into a chosen warehouse,
a new one Sold to the claim's customer keeping the faulty unit's warranty end, by two Stock Entries
linked to the claim; refusals leave nothing behind; cancelling latest first puts everything back."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.api import replace_unit, trace
from serial_tracking.finding import authenticity
from serial_tracking.messages import ReplacementRefused, SerialTrackingError
from serial_tracking.stock import consistency_check
from tests.integration import factory as f
from tests.integration.factory import COMPANY, CUSTOMER, MAIN, SHOP, codes, user_with

#: Items of this test's own: a year's warranty, and another item.
ITEM, OTHER = "ST-REPLACE-YEAR", "ST-REPLACE-OTHER"
ELSEWHERE = "ST Replace Customer"


@pytest.fixture
def items():
	for code in (ITEM, OTHER):
		if not frappe.db.exists("Item", code):
			f.make_item(code, warranty_period="365")
	f.customer(ELSEWHERE)


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


def sold(prefix: str, item=ITEM, customer=CUSTOMER, count=1):
	"""Units received 40 days ago and sold to ``customer`` 30 days ago; their codes."""
	sn = codes(prefix, count)
	f.purchase_receipt([(item, count, sn, MAIN)], posting_date=day(-40))
	f.delivery_note([(item, count, sn, MAIN)], posting_date=day(-30), customer=customer)
	return sn


def in_stock(prefix: str, item=ITEM, warehouse=MAIN, count=1):
	sn = codes(prefix, count)
	f.purchase_receipt([(item, count, sn, warehouse)], posting_date=day(-40))
	return sn


def claim(item=ITEM, customer=CUSTOMER, status="Open"):
	return frappe.get_doc(
		{
			"doctype": "Warranty Claim",
			"status": status,
			"complaint_date": nowdate(),
			"customer": customer,
			"complaint": "Does not switch on",
			"item_code": item,
			"company": COMPANY,
		}
	).insert()


def state(code):
	return frappe.db.get_value(
		"Serial Number",
		code,
		["status", "warehouse", "customer", "warranty_expiry_date", "voucher_no"],
		as_dict=True,
	)


def entries() -> int:
	return frappe.db.count("Stock Entry")


def assert_consistent(*items):
	for item in items or (ITEM,):
		assert consistency_check.check(item) == []


def test_the_faulty_unit_comes_back_and_the_new_one_goes_to_the_customer_with_its_warranty(items):
	[faulty] = sold("RPLOK")
	[new] = in_stock("RPLNEW")
	end = str(state(faulty).warranty_expiry_date)
	wc = claim()
	made = replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	receipt = frappe.get_doc("Stock Entry", made["receipt"])
	issue = frappe.get_doc("Stock Entry", made["issue"])
	assert (receipt.purpose, receipt.docstatus, receipt.warranty_claim) == ("Material Receipt", 1, wc.name)
	assert (issue.purpose, issue.docstatus, issue.warranty_claim) == ("Material Issue", 1, wc.name)
	assert (receipt.items[0].swapped_with, issue.items[0].swapped_with) == (new, faulty)
	back, out = state(faulty), state(new)
	assert (back.status, back.warehouse, back.warranty_expiry_date) == ("In Stock", SHOP, None)
	assert back.customer == CUSTOMER  # who had it is kept, as by a sales return
	assert (out.status, out.warehouse, out.customer) == ("Sold", None, CUSTOMER)
	assert str(out.warranty_expiry_date) == end
	logged = frappe.get_all(
		"Serial Circulation Log",
		filters={"voucher_no": ("in", [receipt.name, issue.name])},
		fields=["serial_no", "operation", "party_type", "party"],
		order_by="serial_no",
	)
	assert {(r.serial_no, r.operation, r.party_type, r.party) for r in logged} == {
		(faulty, "Sales Return", "Customer", CUSTOMER),
		(new, "Sell", "Customer", CUSTOMER),
	}
	answer = authenticity.check(new)
	assert answer["known"] and str(answer["warranty_until"]) == end
	assert_consistent()


def story(code) -> str:
	return trace(serial_no=code)["lives"][-1]["summary"].lower()


def test_both_units_lives_tell_the_replacement(items):
	[faulty] = sold("RPLLIFE")
	[new] = in_stock("RPLLIFEN")
	wc = claim()
	replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	told = story(faulty)
	assert f"returned under claim {wc.name} on".lower() in told and f"replaced by {new}".lower() in told
	told = story(new)
	assert f"given to {CUSTOMER} under claim {wc.name} on".lower() in told
	assert f"in place of {faulty}, warranty until".lower() in told
	step = trace(serial_no=new)["lives"][-1]["story"][0]
	assert (step["warranty_claim"], step["swapped_with"]) == (wc.name, faulty)


def test_a_reader_of_the_units_who_may_not_read_the_claim_is_not_told_its_name(items):
	[faulty] = sold("RPLHIDE")
	[new] = in_stock("RPLHIDEN")
	wc = claim()
	replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	frappe.set_user(user_with(["Stock User"]))
	told = story(new)
	assert "under a warranty claim on" in told and wc.name.lower() not in told


def test_cancelling_the_issue_then_the_receipt_puts_both_units_back(items):
	[faulty] = sold("RPLCAN")
	[new] = in_stock("RPLCANN")
	faulty_before, new_before = state(faulty), state(new)
	made = replace_unit(claim().name, new, SHOP, faulty_code=faulty)
	frappe.get_doc("Stock Entry", made["issue"]).cancel()
	assert state(new) == new_before
	assert_consistent()
	frappe.get_doc("Stock Entry", made["receipt"]).cancel()
	assert state(faulty) == faulty_before
	assert_consistent()


def test_each_entry_moves_only_its_unit_and_a_later_movement_holds_it_back(items):
	"""The receipt may go first (each entry moves one unit of its own); once the returned unit has
	moved on, its receipt waits for that movement to be cancelled."""
	[faulty] = sold("RPLLATER")
	[new] = in_stock("RPLLATERN")
	faulty_before = state(faulty)
	made = replace_unit(claim().name, new, SHOP, faulty_code=faulty)
	moved = f.stock_entry("Material Transfer", [(ITEM, 1, [faulty], SHOP, MAIN)])
	receipt = frappe.get_doc("Stock Entry", made["receipt"])
	with pytest.raises(SerialTrackingError, match="cancel them first"):
		receipt.cancel()
	moved.cancel()
	frappe.get_doc("Stock Entry", made["receipt"]).cancel()
	assert state(faulty) == faulty_before
	assert state(new).status == "Sold"
	assert_consistent()


@pytest.mark.parametrize(
	"case, message",
	[
		("new_sold", "New unit: RPLBADN0001 is not in stock: it is Sold"),
		("new_unknown", "New unit: RPLBADX0001 is not a known SN code"),
		("new_other_item", "New unit: RPLBADN0001 belongs to item ST-REPLACE-OTHER, not ST-REPLACE-YEAR"),
		(
			"faulty_other_customer",
			"Faulty unit: RPLBAD0001 was sold to ST Replace Customer, not to ST Customer",
		),
		("faulty_in_stock", "Faulty unit: RPLBAD0001 was not sold: it is In Stock"),
		("same_code", "RPLBAD0001 is the faulty unit"),
		("claim_closed", "is Closed: units are replaced only under an open claim"),
		("claim_without_customer", "names no customer"),
	],
)
def test_a_replacement_that_cannot_happen_is_refused_and_leaves_nothing(items, case, message):
	customer = ELSEWHERE if case == "faulty_other_customer" else CUSTOMER
	if case == "faulty_in_stock":
		[faulty] = in_stock("RPLBAD")
	else:
		[faulty] = sold("RPLBAD", customer=customer)
	new = "RPLBADX0001" if case == "new_unknown" else faulty if case == "same_code" else None
	if new is None:
		[new] = in_stock("RPLBADN", item=OTHER if case == "new_other_item" else ITEM)
		if case == "new_sold":
			f.delivery_note([(ITEM, 1, [new], MAIN)], customer=ELSEWHERE)
	wc = claim(status="Closed" if case == "claim_closed" else "Open")
	if case == "claim_without_customer":
		frappe.db.set_value("Warranty Claim", wc.name, "customer", None)
	count, faulty_before, new_before = entries(), state(faulty), state(new)
	with pytest.raises(ReplacementRefused, match=message):
		replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	assert (entries(), state(faulty), state(new)) == (count, faulty_before, new_before)
	assert_consistent(ITEM, OTHER)


def test_a_refused_second_entry_leaves_no_first_one(items, monkeypatch):
	"""The new unit sold meanwhile (between the check and the issue): the issue is refused under
	lock, and the receipt already submitted is rolled back with it."""
	from serial_tracking.stock import replacement

	[faulty] = sold("RPLRACE")
	[new] = in_stock("RPLRACEN")
	checked = replacement._checked

	def then_sold(*args):
		found = checked(*args)
		f.delivery_note([(ITEM, 1, [new], MAIN)], customer=ELSEWHERE)
		return found

	monkeypatch.setattr(replacement, "_checked", then_sold)
	wc = claim()
	count, before = entries(), state(faulty)
	with pytest.raises(SerialTrackingError, match="not in stock"):
		replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	assert (entries(), state(faulty)) == (count, before)
	assert state(new).status == "Sold"
	assert_consistent()


@pytest.mark.parametrize("roles", [["Maintenance User"], ["Stock User"]])
def test_a_user_who_may_not_make_stock_entries_or_write_the_claim_is_refused(items, roles):
	[faulty] = sold("RPLPERM")
	[new] = in_stock("RPLPERMN")
	wc = claim()
	count = entries()
	frappe.set_user(user_with(roles))
	with pytest.raises(frappe.PermissionError):
		replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	frappe.set_user("Administrator")
	assert (entries(), state(faulty).status, state(new).status) == (count, "Sold", "In Stock")


def test_a_service_desk_user_replaces_a_unit(items):
	"""Writing the claim (Maintenance User) and making Stock Entries (Stock User) is enough."""
	[faulty] = sold("RPLDESK")
	[new] = in_stock("RPLDESKN")
	wc = claim()
	frappe.set_user(user_with(["Maintenance User", "Stock User"]))
	made = replace_unit(wc.name, new, SHOP, faulty_code=faulty)
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Stock Entry", made["issue"], "docstatus") == 1
	assert state(new).customer == CUSTOMER


def test_an_issue_made_by_hand_keeps_a_warranty_only_of_a_unit_the_claim_took_back(items):
	"""A claim's Material Issue made over REST or by hand, naming a sold unit it replaces that never
	came back under the claim, is refused: it would give the new unit that unit's warranty."""
	[faulty] = sold("RPLHF")
	[new] = in_stock("RPLHN")
	wc = claim()
	issue = f.stock_entry(
		"Material Issue", [(ITEM, 1, [new], MAIN, None)], submit=False, warranty_claim=wc.name
	)
	issue.items[0].swapped_with = faulty
	before = entries()
	with pytest.raises(
		frappe.ValidationError, match=f"{faulty} did not come back under warranty claim {wc.name}"
	):
		issue.save()
	assert entries() == before
	assert state(new).status == "In Stock"
