"""Time of one scan into a Serial Count that already holds many scans.

``run(scans)`` makes, in one transaction rolled back after (the site keeps nothing), an item with
``scans`` + ``tries`` serials In Stock at one warehouse, a count of that warehouse and item holding
``scans`` scans (inserted in bulk), then times ``tries`` calls of ``serial_tracking.api.count_scan``
of one new code each (the answer with its live summary) and of ``count_summary``. Returns the
figures as markdown.

    bench --site SITE execute serial_tracking.devtools.bench_count.run --kwargs "{'scans': 20000}"
"""

import statistics
import time

import frappe
from frappe.utils import now_datetime

from serial_tracking import api
from serial_tracking.devtools.bench_find import insert_serials
from serial_tracking.stock.count_basics import SCAN

ITEM = "BENCH-COUNT"


def _place() -> tuple[str, str]:
	warehouse = frappe.get_all(
		"Warehouse",
		filters={"is_group": 0, "warehouse_type": ("!=", "Transit")},
		fields=["name", "company"],
		order_by="name",
		limit=1,
	)[0]
	if not frappe.db.exists("Item", ITEM):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": ITEM,
				"item_group": "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"sn_tracking": 1,
			}
		).insert()
	return warehouse.name, warehouse.company


def run(scans: int = 20_000, tries: int = 50) -> str:
	frappe.set_user("Administrator")
	try:
		warehouse, company = _place()
		codes = insert_serials(
			scans + tries, "BCNT-", item_code=ITEM, warehouses=(warehouse,), company=company
		)
		count = frappe.get_doc(
			{"doctype": "Serial Count", "warehouse": warehouse, "items": [{"item_code": ITEM}]}
		)
		count.insert()
		_insert_scans(count, codes[:scans])
		scan_times, summary_times = [], []
		for code in codes[scans:]:
			start = time.perf_counter()
			answer = api.count_scan(count.name, code)
			scan_times.append(time.perf_counter() - start)
			assert answer["results"][0]["kind"] == "counted" and answer["results"][0]["new"]
		for _n in range(10):
			start = time.perf_counter()
			api.count_summary(count.name)
			summary_times.append(time.perf_counter() - start)
		totals = answer["summary"]["totals"]
		assert totals["scanned"] == scans + tries, totals
	finally:
		frappe.db.rollback()
	ms = lambda values: f"{statistics.median(values) * 1000:.0f} ms (slowest {max(values) * 1000:.0f} ms)"  # noqa: E731
	return "\n".join(
		[
			f"| Serial Count with {scans:,} scans | time |",
			"|---|---|",
			f"| `count_scan` of one new code, answer and live summary ({tries} scans) | {ms(scan_times)} |",
			f"| `count_summary` (summary and the codes to look at) | {ms(summary_times)} |",
		]
	)


def _insert_scans(count, codes: list[str]) -> None:
	"""The count's scans of ``codes``, each counted, inserted in bulk."""
	now, user = now_datetime(), frappe.session.user
	fields = ["name", "serial_count", "warehouse", "company", "code", "item_code", "kind"]
	fields += ["scanned_by", "scanned_at", "creation", "modified", "owner", "modified_by"]
	rows = [
		(
			frappe.generate_hash(length=20),
			count.name,
			count.warehouse,
			count.company,
			code,
			ITEM,
			"counted",
			user,
			now,
			now,
			now,
			user,
			user,
		)
		for code in codes
	]
	frappe.db.bulk_insert(SCAN, fields, rows, chunk_size=5000)
