"""Time of 1,000 barcode labels in one ``print_labels`` call: PDF on an A4 sheet and on a roll, and ZPL.

``run(count)`` bulk-inserts ``count`` serials (in a transaction rolled back after, their label
files deleted, so the site keeps nothing) and times, as Administrator, the whole call: reading
and checking the serials, rendering, and saving the private File. Returns a markdown table.
"""

import time

import frappe

from serial_tracking.api.labels import print_labels
from serial_tracking.devtools.bench_find import insert_serials

CASES = (
	("A4 3 x 8", "pdf"),
	("A4 4 x 12", "pdf"),
	("Roll 50 x 25 mm", "pdf"),
	("Roll 50 x 25 mm", "zpl"),
)


def run(count: int = 1000) -> str:
	frappe.set_user("Administrator")
	rows = []
	try:
		codes = insert_serials(count, "BL-", item_code="BENCH-LABEL")
		for layout, kind in CASES:
			started = time.perf_counter()
			url = print_labels(codes=codes, layout=layout, format=kind)["file_url"]
			seconds = time.perf_counter() - started
			file = frappe.get_doc("File", {"file_url": url})
			rows.append((layout, kind.upper(), file.file_size, seconds))
			file.delete(ignore_permissions=True)
	finally:
		frappe.db.rollback()
	lines = [
		f"{count:,} labels in one `print_labels` call (codes `BL-0000000`..., read, checked, rendered, saved):",
		"",
		"| layout | format | file size | seconds | ms a label |",
		"|---|---|---:|---:|---:|",
	]
	lines += [
		f"| {layout} | {kind} | {size / 1024:,.0f} KiB | {seconds:.1f} | {seconds * 1000 / count:.1f} |"
		for layout, kind, size, seconds in rows
	]
	return "\n".join(lines)
