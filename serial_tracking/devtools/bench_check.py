"""Time of ``check_row`` (the SN dialog's live check) on a Delivery Note row of 1,000 SN codes.

``run(place, runs)`` makes an SN-tracked item and 1,000 serials In Stock at the place's warehouse
(in bulk, as ``bench_find.insert_serials`` does), an unsaved Delivery Note as Desk holds it (temporary
names, its row's quantity 1,000), and times ``serial_tracking.api.check_row`` as a request runs it:
the document as JSON, permissions, the plan over every code; the median of ``runs`` calls after one
warm-up, and the SQL statements of one call. Everything is rolled back: the site keeps nothing.
"""

import json
import statistics
import time

import frappe
from frappe.utils import nowdate, nowtime
from frappe.utils.nestedset import get_root_of

from serial_tracking.devtools.bench_find import insert_serials

COUNT = 1000
#: What the dialog needs of the check to stay live at a scanner.
TARGET_MS = 150


def run(place, runs: int = 5, count: int = COUNT) -> str:
	"""The figures as a markdown table and a line for the target."""
	from serial_tracking import api
	from serial_tracking.devtools.benchmark import BenchmarkError

	def refuse_commit(*args, **kwargs):
		raise BenchmarkError("a commit was attempted during the check benchmark; nothing was kept")

	frappe.db.rollback()
	frappe.db.commit = refuse_commit
	try:
		suffix = frappe.generate_hash(length=10).upper()
		item = _item(suffix)
		codes = insert_serials(
			count, f"BENCHC-{suffix}-", item_code=item, warehouses=(place.warehouse,), company=place.company
		)
		doc = json.dumps(_delivery(place, item, count))
		text = "\n".join(codes)
		row = "new-delivery-note-item-1"
		result = api.check_row(doc, row, text)  # warm-up: modules and metadata loaded once
		good = sum(1 for c in result["codes"] if c["ok"])
		if good != count or result["problems"]:
			raise BenchmarkError(f"check_row found {good} of {count} codes good: {result['problems'][:3]}")
		queries = _statements(lambda: api.check_row(doc, row, text))
		times = []
		for _ in range(runs):
			start = time.perf_counter()
			api.check_row(doc, row, text)
			times.append((time.perf_counter() - start) * 1000)
	finally:
		del frappe.db.commit
		frappe.db.rollback()
	median = statistics.median(times)
	verdict = "met" if median < TARGET_MS else "MISSED"
	return "\n".join(
		[
			"| codes on the row | check_row, median (ms) | fastest (ms) | slowest (ms) | SQL statements |",
			"|---:|---:|---:|---:|---:|",
			f"| {count:,} | {median:.0f} | {min(times):.0f} | {max(times):.0f} | {queries} |",
			"",
			f"Target: check_row with {count:,} codes under {TARGET_MS} ms: {median:.0f} ms, {verdict}"
			f" (median of {runs}).",
		]
	)


def _item(suffix: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": f"STC-{suffix}",
				"item_name": f"Benchmark {suffix}",
				"item_group": get_root_of("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"valuation_rate": 100,
				"sn_tracking": 1,
			}
		)
		.insert()
		.name
	)


def _delivery(place, item: str, count: int) -> dict:
	"""A new Delivery Note as Desk holds it before the first save."""
	customer = frappe.get_all("Customer", pluck="name", limit=1)
	return {
		"doctype": "Delivery Note",
		"name": "new-delivery-note-1",
		"__islocal": 1,
		"docstatus": 0,
		"company": place.company,
		"customer": customer[0] if customer else None,
		"currency": place.currency,
		"posting_date": nowdate(),
		"posting_time": nowtime(),
		"items": [
			{
				"doctype": "Delivery Note Item",
				"name": "new-delivery-note-item-1",
				"__islocal": 1,
				"idx": 1,
				"item_code": item,
				"qty": count,
				"stock_qty": count,
				"conversion_factor": 1,
				"uom": "Nos",
				"stock_uom": "Nos",
				"warehouse": place.warehouse,
				"rate": 100,
			}
		],
	}


def _statements(call) -> int:
	"""SQL statements one call issues."""
	counted = []
	sql = frappe.db.sql

	def counting(*args, **kwargs):
		counted.append(1)
		return sql(*args, **kwargs)

	frappe.db.sql = counting
	try:
		call()
	finally:
		del frappe.db.sql
	return len(counted)
