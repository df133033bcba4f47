"""Time of an xlsx import of 10,000 and 100,000 SN codes, as the background job runs it.

``run(sizes)`` makes, per size and in one transaction rolled back after (the site keeps nothing; a
commit attempted meanwhile stops the run), an SN-tracked item and a warehouse Bin holding that many
units, fills the template (every row with a code and a carton of 50 units), saves it as a private
File, and times the job's work: reading the file, checking every row and storing the serials, their
log and the cartons (``xlsx_import.read`` and ``xlsx_import.register``, what ``import_in_background``
runs between setting the user and notifying them). Returns a markdown table.
"""

import io
import os
import time

from openpyxl import load_workbook

import frappe

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.exchange import xlsx_import

SIZES = (10_000, 100_000)
ITEM = "BENCH-IMPORT"
#: Units per carton in the file.
PER_CARTON = 50
TARGET_SECONDS = 60


def run(sizes=SIZES) -> str:
	frappe.set_user("Administrator")
	warehouse = frappe.get_all(
		"Warehouse", filters={"is_group": 0, "warehouse_type": ("!=", "Transit")}, pluck="name", limit=1
	)[0]
	lines = [
		"| rows | fill the template | read | check and store | import (read + check + store) | rows/s |",
		"|---:|---:|---:|---:|---:|---:|",
	]
	for size in sizes:
		figures = _one(size, warehouse)
		total = figures["read"] + figures["store"]
		lines.append(
			f"| {size:,} | {figures['fill']:.1f} s | {figures['read']:.1f} s | {figures['store']:.1f} s"
			f" | {total:.1f} s | {size / total:,.0f} |"
		)
	table = "\n".join(lines)
	print(table)
	return table


def _one(size: int, warehouse: str) -> dict[str, float]:
	frappe.db.rollback()
	refuse = frappe.db.commit
	frappe.db.commit = _no_commit
	path = None
	try:
		_item_with_stock(size, warehouse)
		started = time.perf_counter()
		content = _filled(size, warehouse)
		file = frappe.get_doc(
			{"doctype": "File", "file_name": f"bench-import-{size}.xlsx", "is_private": 1, "content": content}
		)
		file.insert(ignore_permissions=True)
		path = file.get_full_path()
		fill = time.perf_counter() - started
		before = frappe.db.count(SERIAL), frappe.db.count(LOG)
		started = time.perf_counter()
		rows, problems = xlsx_import.read(file)
		read = time.perf_counter() - started
		started = time.perf_counter()
		registered = xlsx_import.register(rows, problems, ("File", file.name))
		store = time.perf_counter() - started
		after = frappe.db.count(SERIAL), frappe.db.count(LOG)
		assert registered == size and after == (before[0] + size, before[1] + size), (registered, after)
	finally:
		frappe.db.rollback()
		frappe.db.commit = refuse
		if path and os.path.exists(path):
			os.remove(path)
	return {"fill": fill, "read": read, "store": store}


def _item_with_stock(size: int, warehouse: str) -> None:
	if not frappe.db.exists("Item", ITEM):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": ITEM,
				"item_name": ITEM,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}) or "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"sn_tracking": 1,
			}
		).insert(ignore_permissions=True)
	frappe.db.delete("Bin", {"item_code": ITEM, "warehouse": warehouse})
	frappe.get_doc(
		{"doctype": "Bin", "item_code": ITEM, "warehouse": warehouse, "actual_qty": size}
	).db_insert()


def _filled(size: int, warehouse: str) -> bytes:
	"""The template filled in as a person would, row under row."""
	book = load_workbook(io.BytesIO(xlsx_import.template()))
	sheet = book.worksheets[0]
	for n in range(size):
		sheet.append([ITEM, ITEM, warehouse, f"BI-{n:07d}", f"BIC-{n // PER_CARTON:06d}"])
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def _no_commit(*args, **kwargs):
	raise RuntimeError("the import benchmark must not commit")
