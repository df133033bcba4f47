"""Converting from ERPNext's serials through the API and its background job, racing a sale, and
with its worker killed: tests that commit (other connections see only committed data), each on an
item of its own that it removes afterwards."""

import os
import signal
import time

import pytest

import frappe

from serial_tracking.api import convert_from_erpnext_serials
from serial_tracking.stock import consistency_check, conversion
from tests.integration import racing
from tests.integration.factory import COMPANY, CUSTOMER, MAIN, SHOP, user_with
from tests.integration.jobs import Published, queued_job, run_as_a_worker
from tests.integration.test_conversion import erp_row, erp_trade

pytestmark = pytest.mark.commits


def received(item: str, codes: list[str], warehouse=MAIN):
	"""An item on ERPNext's serials, its units received; committed."""
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": item,
			"item_name": item,
			"item_group": "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"has_serial_no": 1,
			"sn_tracking": 0,
			"item_defaults": [{"company": COMPANY, "default_warehouse": MAIN}],
		}
	).insert()
	erp_trade("Purchase Receipt", [erp_row(codes, warehouse, 100, item=item)], -3)
	frappe.db.commit()


def remove(item: str) -> None:
	"""Everything the item's test made, removed from the site: its documents (cancelling them is
	what the conversion refuses), ledgers and serials."""
	frappe.db.rollback()
	vouchers = frappe.db.sql(
		"select distinct voucher_type, voucher_no from `tabStock Ledger Entry` where item_code = %s", (item,)
	)
	for doctype, name in vouchers:
		child = {"Stock Entry": "Stock Entry Detail"}.get(doctype, f"{doctype} Item")
		frappe.db.delete(child, {"parent": name})
		frappe.db.delete(doctype, {"name": name})
		frappe.db.delete("GL Entry", {"voucher_no": name})
		frappe.db.delete("Payment Ledger Entry", {"voucher_no": name})
		frappe.db.delete("Repost Item Valuation", {"voucher_no": name})
	for draft in frappe.get_all("Delivery Note Item", filters={"item_code": item}, pluck="parent"):
		frappe.db.delete("Delivery Note", {"name": draft})
		frappe.db.delete("Delivery Note Item", {"parent": draft})
	bundles = frappe.get_all("Serial and Batch Bundle", filters={"item_code": item}, pluck="name")
	frappe.db.delete("Serial and Batch Entry", {"parent": ("in", bundles or [""])})
	for doctype in (
		"Serial and Batch Bundle",
		"Stock Ledger Entry",
		"Serial No",
		"Serial Circulation Log",
		"Serial Number",
		"Bin",
	):
		frappe.db.delete(doctype, {"item_code": item})
	frappe.db.delete("Comment", {"reference_doctype": "Item", "reference_name": item})
	frappe.db.delete("Notification Log", {"document_type": "Item", "document_name": item})
	frappe.db.delete("Item", {"name": item})
	frappe.db.commit()


@pytest.fixture
def item():
	code = f"ST-CVJ-{frappe.generate_hash(length=6).upper()}"
	yield code
	remove(code)


def test_the_api_tells_the_dry_run_then_converts_in_a_job_with_progress(item):
	codes = [f"{item}-{n}" for n in range(1, 6)]
	received(item, codes)
	report = convert_from_erpnext_serials([item])
	assert report["items"][0]["arrivals"] == [{"status": "In Stock", "warehouse": MAIN, "count": 5}]
	assert not frappe.db.exists("Serial Number", codes[0])
	answer = convert_from_erpnext_serials([item], dry_run=0)
	frappe.db.commit()
	assert answer["items"] == [item] and answer["job"]
	with Published() as published:
		run_as_a_worker(queued_job(answer["job"]))
		messages = published.messages()
	frappe.db.rollback()
	assert frappe.db.get_value("Item", item, ["has_serial_no", "sn_tracking"]) == (0, 1)
	assert frappe.db.count("Serial Number", {"item_code": item, "status": "In Stock"}) == 5
	assert consistency_check.check(item) == []
	progress = [m["message"] for m in messages if m["event"] == "progress"]
	assert [round(p["percent"]) for p in progress] == [5, 40, 80, 100]
	assert progress[0]["description"] == f"Reading ERPNext's serial numbers of item {item} (item 1 of 1)"
	subjects = frappe.get_all(
		"Notification Log", filters={"document_name": item, "for_user": "Administrator"}, pluck="subject"
	)
	assert subjects == [f"Item {item} converted to SN codes"]
	# asked again: the job says it is converted already, and nothing changes
	answer = convert_from_erpnext_serials([item], dry_run=0)
	frappe.db.commit()
	run_as_a_worker(queued_job(answer["job"]))
	frappe.db.rollback()
	subjects = frappe.get_all(
		"Notification Log",
		filters={"document_name": item, "for_user": "Administrator"},
		pluck="subject",
		order_by="creation desc",
	)
	assert (
		subjects[0]
		== f"Item {item} not converted: Item {item} is not converted:\nItem {item} is already converted: it tracks SN codes"
	)


def test_only_a_manager_who_reads_every_warehouse_of_the_item_converts_it(item, restricted_user):
	received(item, [f"{item}-1"], MAIN)
	erp_trade("Purchase Receipt", [erp_row([f"{item}-2"], SHOP, 100, item=item)], -2)
	frappe.db.commit()
	frappe.set_user(user_with(["Stock User"]))
	with pytest.raises(frappe.PermissionError):
		convert_from_erpnext_serials([item])
	frappe.set_user(restricted_user)
	report = convert_from_erpnext_serials([item, "ST-NO-SUCH-ITEM"])
	assert [r["refusals"] for r in report["items"]] == [
		[f"You may not read every warehouse that holds item {item}: it cannot be converted by you"],
		["Item ST-NO-SUCH-ITEM does not exist or you may not change it"],
	]
	answer = convert_from_erpnext_serials([item], dry_run=0)
	assert answer["job"] is None and answer["items"] == []


@pytest.fixture
def restricted_user():
	email = "st-conv-main-only@example.com"
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "ST", "send_welcome_email": 0}
		).insert()
		frappe.get_doc("User", email).add_roles("Stock Manager", "Stock User", "Item Manager")
		frappe.get_doc(
			{"doctype": "User Permission", "user": email, "allow": "Warehouse", "for_value": MAIN}
		).insert()
		frappe.db.commit()
	yield email
	frappe.set_user("Administrator")


# Racing a sale: each outcome is whole


def _draft_sale(job):
	item, code = job
	return frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": COMPANY,
			"customer": CUSTOMER,
			"currency": "USD",
			"items": [erp_row([code], MAIN, item=item)],
		}
	).insert()


def _converting(job):
	return job


def _convert(job):
	item, _code = job
	conversion.convert(item)


def test_a_conversion_racing_a_sale_of_the_item_leaves_both_ledgers_whole(item):
	codes = [f"{item}-{n}" for n in range(1, 4)]
	received(item, codes)
	outcomes = racing.race(
		[
			racing.Session(_draft_sale, racing.delayed_submit, [(item, codes[0])]),
			racing.Session(_converting, _convert, [(item, codes[0])]),
		]
	)
	racing.no_raw_errors(outcomes)
	sale, converted = outcomes[0]
	print(racing.summary(outcomes))
	flags = frappe.db.get_value("Item", item, ["has_serial_no", "sn_tracking"])
	if converted.kind == racing.DONE:
		assert flags == (0, 1)
		assert consistency_check.check(item) == []
		# the sale went first and the conversion read it, or it met the converted item and was refused
		expected = {racing.DONE: "Sold", racing.REFUSED: "In Stock"}[sale.kind]
		assert frappe.db.get_value("Serial Number", codes[0], "status") == expected
		if sale.kind == racing.REFUSED:
			assert f"Item {item} was converted to SN codes" in sale.detail
	else:
		# the sale held the item: the conversion is refused, the item unchanged
		assert "is being converted, or its stock moved, by another user" in converted.detail
		assert sale.kind == racing.DONE
		assert flags == (1, 0) and not frappe.db.exists("Serial Number", {"item_code": item})


def _convert_slowly(item: str, site: str, sites_path: str) -> None:
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	conversion.convert(item)
	time.sleep(30)  # killed before it commits
	frappe.db.commit()


def test_a_killed_conversion_leaves_the_item_unchanged(item):
	codes = [f"{item}-{n}" for n in range(1, 301)]
	received(item, codes)
	worker = racing.processes().Process(
		target=_convert_slowly, args=(item, frappe.local.site, frappe.local.sites_path)
	)
	worker.start()
	try:
		# its uncommitted serials, as the database holds them: the conversion is under way
		frappe.db.sql("set session transaction isolation level read uncommitted")
		frappe.db.rollback()
		deadline = time.monotonic() + 60
		while frappe.db.count("Serial Number", {"item_code": item}) < len(codes):
			assert time.monotonic() < deadline and worker.is_alive()
			time.sleep(0.2)
		os.kill(worker.pid, signal.SIGKILL)
		worker.join(10)
	finally:
		frappe.db.sql("set session transaction isolation level repeatable read")
		frappe.db.rollback()
	deadline = time.monotonic() + 30
	while frappe.db.count("Serial Number", {"item_code": item}) and time.monotonic() < deadline:
		time.sleep(0.2)
		frappe.db.rollback()
	assert frappe.db.count("Serial Number", {"item_code": item}) == 0
	assert frappe.db.get_value("Item", item, ["has_serial_no", "sn_tracking"]) == (1, 0)
	# and it converts afterwards, once the database has let the killed session's lock go
	deadline = time.monotonic() + 60
	while True:
		try:
			conversion.convert(item)
			break
		except conversion.ConversionBusy:
			frappe.db.rollback()
			assert time.monotonic() < deadline
			time.sleep(0.5)
	frappe.db.commit()
	assert frappe.db.count("Serial Number", {"item_code": item}) == 300


def test_the_job_checks_again_what_the_user_may_convert(item, restricted_user):
	received(item, [f"{item}-1"], MAIN)
	frappe.set_user(restricted_user)
	answer = convert_from_erpnext_serials([item], dry_run=0)
	frappe.db.commit()
	assert answer["items"] == [item]
	# before the job runs, the item comes to a warehouse the user may not read
	frappe.set_user("Administrator")
	erp_trade("Purchase Receipt", [erp_row([f"{item}-2"], SHOP, 100, item=item)], -2)
	frappe.db.commit()
	run_as_a_worker(queued_job(answer["job"]))
	frappe.db.rollback()
	assert frappe.db.get_value("Item", item, ["has_serial_no", "sn_tracking"]) == (1, 0)
	assert not frappe.db.exists("Serial Number", {"item_code": item})
	subjects = frappe.get_all(
		"Notification Log", filters={"document_name": item, "for_user": restricted_user}, pluck="subject"
	)
	assert subjects == [
		f"Item {item} not converted: Item {item} is not converted:\n"
		f"You may not read every warehouse that holds item {item}: it cannot be converted by you"
	]
