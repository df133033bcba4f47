"""What a Stock User allowed one warehouse (a User Permission) may read of Serial Counts: the scans
of a count of another warehouse are not in any list of scans, and a scan or summary of a count of
their own warehouse does not say where a misplaced unit is when that warehouse is not theirs."""

import pytest

import frappe

from serial_tracking import api
from serial_tracking.stock.count_basics import SCAN
from tests.integration import factory as f


def _count(warehouse: str, item: str) -> str:
	doc = frappe.get_doc({"doctype": "Serial Count", "warehouse": warehouse, "items": [{"item_code": item}]})
	doc.insert()
	return doc.name


@pytest.fixture
def counts():
	"""A count of MAIN and one of SHOP, each with a unit of its own scanned; a user allowed MAIN."""
	run = frappe.generate_hash(length=6).upper()
	item = f"ST-CNTP-{run}"
	f.make_item(item)
	main, shop, away = f"{run}-M1", f"{run}-S1", f"{run}-S2"
	f.purchase_receipt([(item, 1, [main], f.MAIN), (item, 2, [shop, away], f.SHOP)])
	names = {"main": _count(f.MAIN, item), "shop": _count(f.SHOP, item)}
	api.count_scan(names["main"], main)
	api.count_scan(names["shop"], shop)
	user = f"st-cntp-{run.lower()}@example.com"
	frappe.get_doc(
		{"doctype": "User", "email": user, "first_name": "Counter", "roles": [{"role": "Stock User"}]}
	).insert()
	for doctype, value in (("Company", f.COMPANY), ("Warehouse", f.MAIN)):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": doctype, "for_value": value}
		).insert()
	frappe.clear_cache(user=user)
	return {"user": user, "counts": names, "main": main, "shop": shop, "away": away}


def test_a_user_of_one_warehouse_lists_only_the_scans_of_its_counts(counts):
	names = counts["counts"]
	shop_scan = frappe.db.get_value(SCAN, {"serial_count": names["shop"]}, "name")
	frappe.set_user(counts["user"])
	filters = {"serial_count": ("in", list(names.values()))}
	listed = frappe.get_list(SCAN, filters=filters, pluck="code")
	assert listed == [counts["main"]]
	# Desk's report view and the REST resource's list read through the same query
	assert frappe.client.get_list(SCAN, filters=filters, fields=["code"], limit_page_length=0) == [
		{"code": counts["main"]}
	]
	assert not frappe.has_permission(SCAN, "read", doc=shop_scan)
	with pytest.raises(frappe.PermissionError):
		frappe.client.get(SCAN, shop_scan)


def test_a_misplaced_unit_scanned_by_a_user_of_one_warehouse_is_not_said_to_be_at_another(counts):
	main_count = counts["counts"]["main"]
	frappe.set_user(counts["user"])
	answer = api.count_scan(main_count, counts["away"])
	[result] = answer["results"]
	assert (result["kind"], result["warehouse"]) == ("misplaced", None)
	assert f.SHOP not in frappe.as_json(answer)
	summary = api.count_summary(main_count)
	assert summary["codes"]["misplaced"] == [counts["away"]]
	assert f.SHOP not in frappe.as_json(summary)
	# A user who may read the other warehouse is told where the unit is.
	frappe.set_user("Administrator")
	api.count_unscan(main_count, counts["away"])
	assert api.count_scan(main_count, counts["away"])["results"][0]["warehouse"] == f.SHOP


def test_a_manager_of_one_warehouse_brings_no_unit_from_another_and_is_told_which(counts):
	"""Posting would move the misplaced unit out of a warehouse the user may not read: refused naming
	the code, not that warehouse (Frappe's refusal of the transfer would name it), nothing posted."""
	main_count = counts["counts"]["main"]
	api.count_scan(main_count, counts["away"])
	frappe.get_doc("User", counts["user"]).add_roles("Stock Manager")
	frappe.set_user(counts["user"])
	with pytest.raises(frappe.PermissionError) as refusal:
		api.post_count(main_count)
	assert counts["away"] in str(refusal.value) and "another warehouse" in str(refusal.value)
	assert f.SHOP not in str(refusal.value)
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Serial Count", main_count, ["docstatus", "status"]) == (0, "Draft")
	assert frappe.db.get_value("Serial Number", counts["away"], "warehouse") == f.SHOP
	# left where it is, the count posts
	frappe.set_user(counts["user"])
	assert api.post_count(main_count, leave=[counts["away"]])["status"] == "Posted"
	assert frappe.db.get_value("Serial Number", counts["away"], "warehouse") == f.SHOP


def test_a_manager_of_one_item_posts_no_count_of_the_items_they_may_not_read(counts):
	"""A count without an item list counts every SN-tracked item held at its warehouse: a user who may
	read only some of them is refused (their summary showed them none of the others), naming none."""
	other = f"ST-CNTP-{frappe.generate_hash(length=6).upper()}"
	f.make_item(other)
	f.purchase_receipt([(other, 1, [f"{other}-1"], f.MAIN)])
	mine = frappe.db.get_value("Serial Number", counts["main"], "item_code")
	user = counts["user"]
	frappe.db.delete("User Permission", {"user": user})
	frappe.get_doc({"doctype": "User Permission", "user": user, "allow": "Item", "for_value": mine}).insert()
	frappe.get_doc("User", user).add_roles("Stock Manager")
	frappe.clear_cache(user=user)
	frappe.set_user(user)
	whole = frappe.get_doc({"doctype": "Serial Count", "warehouse": f.MAIN}).insert().name
	api.count_scan(whole, counts["main"])
	assert {line["item_code"] for line in api.count_summary(whole)["summary"]["items"]} == {mine}
	with pytest.raises(frappe.PermissionError) as refusal:
		api.post_count(whole)
	assert "items you are not permitted to read" in str(refusal.value) and other not in str(refusal.value)
	assert frappe.db.get_value("Serial Count", whole, "docstatus") == 0
	assert frappe.db.get_value("Serial Number", f"{other}-1", "status") == "In Stock"
	# a count of their own item posts
	assert api.post_count(counts["counts"]["main"])["status"] == "Posted"


def test_a_manager_of_one_warehouse_cannot_cancel_a_count_that_brought_units_from_another(counts):
	"""The count's transfer of a misplaced unit out of a warehouse the user may not read is cancelled
	with the count: refused before anything is cancelled, the transfer named by its type only."""
	main_count = counts["counts"]["main"]
	api.count_scan(main_count, counts["away"])
	posted = api.post_count(main_count)
	assert "Stock Entry" in {d["document_type"] for d in posted["documents"]}
	frappe.get_doc("User", counts["user"]).add_roles("Stock Manager")
	frappe.set_user(counts["user"])
	with pytest.raises(frappe.PermissionError) as refusal:
		api.cancel_count(main_count)
	assert "a Stock Entry you may not see" in str(refusal.value) and f.SHOP not in str(refusal.value)
	assert frappe.db.get_value("Serial Count", main_count, "docstatus") == 1
	assert frappe.db.get_value("Serial Number", counts["away"], "warehouse") == f.MAIN
	plan = api.cancel_plan("Serial Count", main_count)
	assert not plan["may_cancel_all"] and not plan["documents"][0]["may_cancel"]
	frappe.set_user("Administrator")
	assert api.cancel_plan("Serial Count", main_count)["may_cancel_all"]
	assert api.cancel_count(main_count)["status"] == "Cancelled"
	assert frappe.db.get_value("Serial Number", counts["away"], "warehouse") == f.SHOP
