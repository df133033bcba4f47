"""A Serial Count of a whole warehouse of many SN-tracked items posts whole and cancels whole.

ERPNext queues a Stock Reconciliation of more than 100 rows as a background job after the request
commits (``StockReconciliation.submit``); a count's reconciliation of 105 items was left a Draft
while the count said Posted. The count now makes reconciliations of at most 100 rows, every one
submitted with it, and cancels them with it.

CI counts 120 items (110 of them short of a unit: a reconciliation of 110 items, which ERPNext
would have queued); ``ST_BIG_COUNT_ITEMS=1000`` counts 1,000 (README, "Limits we promise"). The
items and the warehouses are made once per site and kept (master data); the units, the count and
its documents live in the test's transaction and are rolled back with it.
"""

import os
import time

import pytest

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.stock import consistency_check, count_posting, count_scanning
from tests.integration import factory as f

ITEMS = int(os.environ.get("ST_BIG_COUNT_ITEMS", 120))
UNITS = 3
PREFIX = "ST-BIGCNT-"
HERE = f"ST Big Count - {f.ABBR}"
SHELF = f"ST Big Count Shelf - {f.ABBR}"
#: Codes per receipt (within the per-document limit).
PER_RECEIPT = 250


@pytest.fixture(scope="module")
def items():
	"""The items and the two warehouses of the test, made once per site and committed."""
	for warehouse in (HERE, SHELF):
		if not frappe.db.exists("Warehouse", warehouse):
			frappe.get_doc(
				{
					"doctype": "Warehouse",
					"warehouse_name": warehouse.rsplit(" - ", 1)[0],
					"company": f.COMPANY,
				}
			).insert()
	names = [f"{PREFIX}{n:04d}" for n in range(ITEMS)]
	existing = set(frappe.get_all("Item", filters={"name": ("like", f"{PREFIX}%")}, pluck="name"))
	for name in names:
		if name not in existing:
			f.make_item(name)
	frappe.db.commit()
	return names


def _receive(items, run):
	"""UNITS new codes of every item at HERE, and one of each of the first five items on SHELF."""
	codes = {item: [f"BC{run}-{n:04d}-{k}" for k in range(UNITS)] for n, item in enumerate(items)}
	for start in range(0, len(items), PER_RECEIPT // UNITS):
		chunk = items[start : start + PER_RECEIPT // UNITS]
		f.stock_entry("Material Receipt", [(item, UNITS, codes[item], None, HERE) for item in chunk])
	shelf = {item: f"BC{run}-SHELF-{n}" for n, item in enumerate(items[:5])}
	f.stock_entry("Material Receipt", [(item, 1, [code], None, SHELF) for item, code in shelf.items()])
	return codes, shelf


def _differences(items):
	return [d for item in items for d in consistency_check.check(item)]


def _status(codes):
	return dict(
		frappe.get_all(SERIAL, filters={"name": ("in", codes)}, fields=["name", "status"], as_list=True)
	)


def test_a_count_of_a_whole_warehouse_of_many_items_posts_whole_and_cancels_whole(items):
	run = frappe.generate_hash(length=6).upper()
	codes, shelf = _receive(items, run)
	# All items but ten have a unit not found; the shelf's units are found here.
	short = items[: ITEMS - 10]
	scanned = [code for item in items for code in codes[item][: UNITS - 1 if item in short else UNITS]]
	scanned += list(shelf.values())
	count = frappe.get_doc({"doctype": "Serial Count", "warehouse": HERE, "bring_misplaced": 1}).insert()
	for start in range(0, len(scanned), 1000):
		count_scanning.scan(count.name, "\n".join(scanned[start : start + 1000]))
	assert count_posting.rows_to_post(count) == ITEMS + len(shelf)

	start = time.monotonic()
	count.submit()
	posted_in = time.monotonic() - start
	count.reload()
	assert (count.docstatus, count.status) == (1, "Posted")
	made = [(d.document_type, d.document_name) for d in count.documents]
	# Every document the count made is submitted with it: none left a Draft for a job to post later.
	assert [frappe.db.get_value(t, n, "docstatus") for t, n in made] == [1] * len(made)
	reconciliations = [n for t, n in made if t == "Stock Reconciliation"]
	rows = [frappe.db.count("Stock Reconciliation Item", {"parent": n}) for n in reconciliations]
	assert sum(rows) == len(short) and max(rows) <= count_posting.RECONCILED_ROWS, rows
	assert [t for t, _n in made].count("Stock Entry") == 1
	missing = [codes[item][UNITS - 1] for item in short]
	assert set(_status(missing).values()) == {"Missing"}
	assert {frappe.db.get_value(SERIAL, code, "warehouse") for code in shelf.values()} == {HERE}
	assert _differences(items) == []

	start = time.monotonic()
	count.cancel()
	cancelled_in = time.monotonic() - start
	assert [frappe.db.get_value(t, n, "docstatus") for t, n in made] == [2] * len(made)
	assert set(_status(missing).values()) == {"In Stock"}
	assert {frappe.db.get_value(SERIAL, code, "warehouse") for code in shelf.values()} == {SHELF}
	assert _differences(items) == []
	print(f"\na count of {ITEMS} items posted in {posted_in:.1f} s and cancelled in {cancelled_in:.1f} s")
