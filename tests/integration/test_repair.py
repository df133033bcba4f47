"""Spare parts fitted into a customer's unit at a Maintenance Visit: one Material Issue of the parts
linked to the visit; the parts' lives say which unit they went into, the unit's which parts it
received; refusals leave nothing behind, and cancelling the issue puts the parts back."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.api import fit_parts, trace
from serial_tracking.messages import RepairRefused
from serial_tracking.stock import consistency_check
from tests.integration import factory as f
from tests.integration.factory import COMPANY, CUSTOMER, MAIN, SHOP, codes, user_with

UNIT, BATTERY, SCREEN = "ST-REPAIR-UNIT", "ST-REPAIR-BATTERY", "ST-REPAIR-SCREEN"
ELSEWHERE = "ST Repair Customer"
TECHNICIAN = "ST Technician"


@pytest.fixture
def items():
	for code in (UNIT, BATTERY, SCREEN):
		if not frappe.db.exists("Item", code):
			f.make_item(code, item_name=code.rsplit("-", 1)[1].lower(), warranty_period="365")
	f.customer(ELSEWHERE)
	if not frappe.db.exists("Sales Person", TECHNICIAN):
		frappe.get_doc(
			{"doctype": "Sales Person", "sales_person_name": TECHNICIAN, "parent_sales_person": "Sales Team"}
		).insert()


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


def unit_sold(prefix: str, customer=CUSTOMER) -> str:
	[code] = codes(prefix, 1)
	f.purchase_receipt([(UNIT, 1, [code], MAIN)], posting_date=day(-40))
	f.delivery_note([(UNIT, 1, [code], MAIN)], posting_date=day(-30), customer=customer)
	return code


def parts(prefix: str, item=BATTERY, count=1, warehouse=MAIN) -> list[str]:
	found = codes(prefix, count)
	f.purchase_receipt([(item, count, found, warehouse)], posting_date=day(-20))
	return found


def visit(customer=CUSTOMER):
	return frappe.get_doc(
		{
			"doctype": "Maintenance Visit",
			"customer": customer,
			"mntc_date": nowdate(),
			"completion_status": "Fully Completed",
			"maintenance_type": "Breakdown",
			"company": COMPANY,
			"purposes": [{"item_code": UNIT, "service_person": TECHNICIAN, "work_done": "Battery replaced"}],
		}
	).insert()


def status(code):
	return frappe.db.get_value("Serial Number", code, ["status", "warehouse"])


def story(code) -> str:
	return trace(serial_no=code)["lives"][0]["summary"].lower()


def test_two_parts_fitted_then_cancelled(items):
	unit = unit_sold("RPRUNIT")
	[battery] = parts("RPRBAT")
	[screen] = parts("RPRSCR", item=SCREEN)
	mv = visit()
	made = fit_parts(mv.name, unit, [battery, screen], MAIN)
	issue = frappe.get_doc("Stock Entry", made["issue"])
	assert (issue.purpose, issue.docstatus, issue.maintenance_visit) == ("Material Issue", 1, mv.name)
	assert {(r.item_code, r.sn_codes, r.fitted_into) for r in issue.items} == {
		(BATTERY, battery, unit),
		(SCREEN, screen, unit),
	}
	assert status(battery) == ("Issued", None) and status(screen) == ("Issued", None)
	assert frappe.db.get_value("Serial Number", unit, "status") == "Sold"
	assert f"fitted into {unit} on".lower() in story(battery) and f"(visit {mv.name})".lower() in story(
		battery
	)
	told = story(unit)
	assert f"battery {battery} fitted on".lower() in told and f"screen {screen} fitted on".lower() in told
	assert trace(serial_no=unit)["lives"][0]["figures"]["days_with_customers"] == 30
	for item in (UNIT, BATTERY, SCREEN):
		assert consistency_check.check(item) == []
	issue.cancel()
	assert status(battery) == ("In Stock", MAIN) and status(screen) == ("In Stock", MAIN)
	assert "fitted" not in story(unit)
	for item in (BATTERY, SCREEN):
		assert consistency_check.check(item) == []


@pytest.mark.parametrize(
	"case, message",
	[
		("part_elsewhere", "RPRBADP0001 is in stock at ST Shop - WP, not at ST Main - WP"),
		("part_unknown", "RPRBADX0001 is not a known SN code"),
		("part_issued", "RPRBADP0001 is not in stock: it is Issued"),
		("unit_other_customer", "Unit: RPRBADU0001 was sold to ST Repair Customer, not to ST Customer"),
		("unit_in_stock", "Unit: RPRBADU0001 was not sold: it is In Stock"),
		("unit_unknown", "Unit: RPRBADY0001 is not a known SN code"),
		("twice", "RPRBADP0001 is entered twice"),
	],
)
def test_parts_that_cannot_be_fitted_are_refused_and_leave_nothing(items, case, message):
	if case == "unit_in_stock":
		[unit] = codes("RPRBADU", 1)
		f.purchase_receipt([(UNIT, 1, [unit], MAIN)])
	elif case == "unit_unknown":
		unit = "RPRBADY0001"
	else:
		unit = unit_sold("RPRBADU", customer=ELSEWHERE if case == "unit_other_customer" else CUSTOMER)
	[part] = parts("RPRBADP", warehouse=SHOP if case == "part_elsewhere" else MAIN)
	if case == "part_issued":
		f.stock_entry("Material Issue", [(BATTERY, 1, [part], MAIN, None)])
	asked = {"part_unknown": ["RPRBADX0001"], "twice": [part, part.lower()]}.get(case, [part])
	mv = visit()
	count, before = frappe.db.count("Stock Entry"), status(part)
	with pytest.raises(RepairRefused, match=message):
		fit_parts(mv.name, unit, asked, MAIN)
	assert (frappe.db.count("Stock Entry"), status(part)) == (count, before)


def test_a_user_who_may_not_write_the_visit_is_refused(items):
	unit = unit_sold("RPRPERM")
	[part] = parts("RPRPERMP")
	mv = visit()
	frappe.set_user(user_with(["Stock User"]))
	with pytest.raises(frappe.PermissionError):
		fit_parts(mv.name, unit, [part], MAIN)
	frappe.set_user("Administrator")
	assert status(part) == ("In Stock", MAIN)
