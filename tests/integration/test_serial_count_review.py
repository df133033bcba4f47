"""Reviewing a Serial Count before posting: its scans by kind, taking scans out, and the figures of
what posting will do."""

import pytest

import frappe

from serial_tracking import api
from serial_tracking.stock import count_review
from serial_tracking.stock.count_basics import SCAN, CountError
from tests.integration import factory as f


def _count(warehouse=f.MAIN, items=()) -> str:
	doc = frappe.get_doc(
		{"doctype": "Serial Count", "warehouse": warehouse, "items": [{"item_code": i} for i in items]}
	)
	doc.insert()
	return doc.name


def _warehouse(name: str) -> str:
	found = frappe.db.get_value("Warehouse", {"warehouse_name": name, "company": f.COMPANY})
	if found:
		return found
	return (
		frappe.get_doc({"doctype": "Warehouse", "warehouse_name": name, "company": f.COMPANY}).insert().name
	)


@pytest.fixture
def world():
	"""Item A: 4 units at MAIN, 2 at SHOP, 1 at BACK, 1 sold; item B: 1 unit at MAIN (not counted)."""
	run = frappe.generate_hash(length=6).upper()
	a, b = f"ST-CNTR-{run}-A", f"ST-CNTR-{run}-B"
	f.make_item(a)
	f.make_item(b)
	back = _warehouse("ST Back")
	code = lambda n: f"{run}-A{n}"  # noqa: E731
	f.purchase_receipt(
		[
			(a, 5, [code(n) for n in range(1, 6)], f.MAIN),
			(a, 2, [code(6), code(7)], f.SHOP),
			(a, 1, [code(8)], back),
			(b, 1, [f"{run}-B1"], f.MAIN),
		]
	)
	f.delivery_note([(a, 1, [code(5)], f.MAIN)])
	return {"run": run, "a": a, "b": b, "back": back, "code": code, "b1": f"{run}-B1"}


def test_the_scans_are_listed_by_kind_latest_first_and_bounded(world):
	code = world["code"]
	name = _count(items=[world["a"]])
	api.count_scan(name, code(1))
	api.count_scan(name, code(2))
	api.count_scan(name, "\n".join([code(6), code(5), world["b1"], f"{world['run']}-NOPE"]))
	listed = api.count_scans(name)
	assert listed["totals"] == {
		"counted": 2,
		"misplaced": 1,
		"sold": 1,
		"returned": 0,
		"issued": 0,
		"missing": 0,
		"in_transit": 0,
		"wrong_item": 1,
		"unknown": 1,
	}
	assert [s["code"] for s in listed["scans"]["counted"]] == [code(2), code(1)]
	assert listed["scans"]["misplaced"][0]["warehouse"] == f.SHOP
	assert listed["scans"]["unknown"][0]["code"] == f"{world['run']}-NOPE"
	one = api.count_scans(name, kind="counted", limit=1)
	assert list(one["scans"]) == ["counted"] and len(one["scans"]["counted"]) == 1
	assert one["totals"]["counted"] == 2
	with pytest.raises(frappe.ValidationError):
		api.count_scans(name, kind="nonsense")


def test_removing_the_unknown_codes_lets_the_count_post(world):
	code = world["code"]
	name = _count(items=[world["a"]])
	api.count_scan(name, "\n".join([code(1), code(2), f"{world['run']}-X1", f"{world['run']}-X2"]))
	with pytest.raises(CountError, match="take the scans out first"):
		api.post_count(name)
	answer = api.count_remove_scans(name, kind="unknown")
	assert (answer["removed"], answer["left"]) == (2, 0)
	assert frappe.db.count(SCAN, {"serial_count": name}) == 2
	# one scan by its code
	assert api.count_remove_scans(name, codes=[code(2)])["removed"] == 1
	assert frappe.db.get_all(SCAN, {"serial_count": name}, pluck="code") == [code(1)]
	with pytest.raises(CountError):
		api.count_remove_scans(name, codes=[code(1)], kind="unknown")
	made = api.post_count(name)
	assert made["status"] == "Posted"
	with pytest.raises(CountError, match="already posted"):
		api.count_remove_scans(name, codes=[code(1)])
	assert frappe.db.count(SCAN, {"serial_count": name}) == 1


def test_removing_at_once_is_bounded(world, monkeypatch):
	code = world["code"]
	name = _count(items=[world["a"]])
	api.count_scan(name, "\n".join(f"{world['run']}-U{n}" for n in range(5)))
	monkeypatch.setattr(count_review, "REMOVED_AT_ONCE", 3)
	assert api.count_remove_scans(name, kind="unknown") | {"summary": None} == {
		"removed": 3,
		"left": 2,
		"summary": None,
	}
	assert api.count_remove_scans(name, kind="unknown")["left"] == 0
	with pytest.raises(CountError):
		api.count_remove_scans(name, codes=[code(n) for n in range(1, 5)])


def test_a_user_who_may_not_read_the_count_may_not_take_scans_out(world):
	name = _count(items=[world["a"]])
	api.count_scan(name, world["code"](1))
	user = f"st-cntr-{world['run'].lower()}@example.com"
	frappe.get_doc(
		{"doctype": "User", "email": user, "first_name": "Counter", "roles": [{"role": "Stock User"}]}
	).insert()
	for doctype, value in (("Company", f.COMPANY), ("Warehouse", f.SHOP)):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": doctype, "for_value": value}
		).insert()
	frappe.clear_cache(user=user)
	frappe.set_user(user)
	try:
		with pytest.raises(frappe.PermissionError):
			api.count_remove_scans(name, codes=[world["code"](1)])
		with pytest.raises(frappe.PermissionError):
			api.count_scans(name)
		with pytest.raises(frappe.PermissionError):
			api.count_preview(name)
	finally:
		frappe.set_user("Administrator")
	assert frappe.db.count(SCAN, {"serial_count": name}) == 1


def test_the_preview_states_what_posting_will_move_and_make_missing(world):
	code = world["code"]
	name = _count(items=[world["a"]])
	# found in place 1, 2; not scanned 3, 4 (Missing); misplaced 6 (SHOP) and 8 (BACK); sold 5 found.
	api.count_scan(
		name, "\n".join([code(1), code(2), code(6), code(8), code(5), world["b1"], "NOPE-" + world["run"]])
	)
	preview = api.count_preview(name)
	assert preview["counted"] == 2
	assert preview["misplaced"] == 2
	assert preview["moved_from"] == sorted(
		[{"warehouse": f.SHOP, "qty": 1}, {"warehouse": world["back"], "qty": 1}],
		key=lambda r: r["warehouse"],
	)
	assert preview["found_again"] == 1
	assert preview["missing"] == 2
	assert preview["unknown"] == 1
	assert preview["ignored"] == 1
	assert preview["scanned"] == 7
	api.count_remove_scans(name, kind="unknown")
	frappe.db.set_value("Serial Count", name, "bring_misplaced", 0)
	left = api.count_preview(name)
	assert (left["misplaced"], left["left_elsewhere"], left["unknown"]) == (0, 2, 0)
	frappe.db.set_value("Serial Count", name, "bring_misplaced", 1)
	api.post_count(name)
	# what the preview said is what posting did
	assert [frappe.db.get_value("Serial Number", code(n), "status") for n in (3, 4)] == ["Missing"] * 2
	assert {frappe.db.get_value("Serial Number", code(n), "warehouse") for n in (1, 2, 5, 6, 8)} == {f.MAIN}


def test_a_unit_of_a_customer_the_user_may_not_read_is_not_named_in_the_scan_list(world):
	"""A user allowed one customer: a unit sold to another, scanned by someone else, is not listed;
	scanned by the user, it is listed as not counted here, without its item."""
	code = world["code"]
	name = _count(items=[world["a"]])
	api.count_scan(name, code(5))  # sold to the test customer
	f.customer("ST Other Customer")
	user = f"st-cntc-{world['run'].lower()}@example.com"
	frappe.get_doc(
		{"doctype": "User", "email": user, "first_name": "Counter", "roles": [{"role": "Stock User"}]}
	).insert()
	for doctype, value in (("Company", f.COMPANY), ("Customer", "ST Other Customer")):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": doctype, "for_value": value}
		).insert()
	frappe.clear_cache(user=user)
	frappe.set_user(user)
	try:
		listed = api.count_scans(name)
		assert code(5) not in frappe.as_json(listed["scans"])
		api.count_remove_scans(name, codes=[code(5)])
		api.count_scan(name, code(5))
		[mine] = api.count_scans(name)["scans"]["wrong_item"]
		assert (mine["code"], mine["item_code"]) == (code(5), None)
	finally:
		frappe.set_user("Administrator")
