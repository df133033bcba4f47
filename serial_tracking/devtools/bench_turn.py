"""How long a small document waits while a big one posts: ERPNext alone, and with the posting turn.

``bench --site SITE serial-tracking-benchmark --part turn`` (a development site: the documents are
committed, each in its own process as two users would submit them, and cancelled afterwards).

Each round submits, in one process, a Material Receipt of ``rows`` rows of untracked items (with
the app: and one row of an SN-tracked item, so that it takes the posting turn) and, in another, a
receipt of one unit (with the app: one SN code) of another item, once the big one is past its
validation and posting. The small one's time is compared with the same receipt submitted alone.
"""

import multiprocessing
import statistics
import time

import frappe

from serial_tracking.devtools.benchmark import Place

PREFIX = "BENCH-TURN-"
#: Seconds the big document's validation takes at most: the small one starts after it.
VALIDATION_MARGIN = 1.0


def _items(rows: int) -> list[str]:
	"""The untracked items of the big receipt, and the tracked and untracked ones of the others."""
	names = [f"{PREFIX}{n:04d}" for n in range(rows)]
	existing = set(frappe.get_all("Item", filters={"name": ("like", f"{PREFIX}%")}, pluck="name"))
	wanted = [(name, 0) for name in names] + [(f"{PREFIX}SN-BIG", 1), (f"{PREFIX}SN", 1), (f"{PREFIX}ONE", 0)]
	for name, tracked in wanted:
		if name not in existing:
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": name,
					"item_name": name,
					"item_group": "All Item Groups",
					"stock_uom": "Nos",
					"is_stock_item": 1,
					"valuation_rate": 10,
					"sn_tracking": tracked,
				}
			).insert()
	frappe.db.commit()
	return names


def _receipt(place: Place, rows: list[tuple[str, str | None]], run: str):
	"""A draft Material Receipt dated when it is submitted: rows of (item, SN code or None)."""
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"company": place.company,
			"purpose": "Material Receipt",
			"stock_entry_type": "Material Receipt",
			"remarks": run,
			"items": [
				{
					"item_code": item,
					"qty": 1,
					"transfer_qty": 1,
					"conversion_factor": 1,
					"basic_rate": 10,
					"t_warehouse": place.warehouse,
					"sn_codes": code or "",
				}
				for item, code in rows
			],
		}
	).insert()
	frappe.db.commit()
	return doc.name


def _submit(site: str, sites_path: str, name: str, delay: float, results) -> None:
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		time.sleep(delay)
		start = time.monotonic()
		frappe.get_doc("Stock Entry", name).submit()
		frappe.db.commit()
		results.put((name, time.monotonic() - start))
	finally:
		frappe.destroy()


def _race(big: str, small: str, delay: float) -> tuple[float, float]:
	context = multiprocessing.get_context("spawn")
	results = context.Queue()
	site, path = frappe.local.site, frappe.local.sites_path
	workers = [
		context.Process(target=_submit, args=(site, path, big, 0, results)),
		context.Process(target=_submit, args=(site, path, small, delay, results)),
	]
	for worker in workers:
		worker.start()
	for worker in workers:
		worker.join(3600)
	times = dict(results.get(timeout=10) for _ in workers)
	return times[big], times[small]


def _alone(name: str) -> float:
	start = time.monotonic()
	frappe.get_doc("Stock Entry", name).submit()
	frappe.db.commit()
	return time.monotonic() - start


def _validation(place: Place, rows: list[tuple[str, str | None]]) -> float:
	"""How long the big receipt takes before it posts (validation), rolled back."""
	start = time.monotonic()
	doc = frappe.get_doc("Stock Entry", _receipt(place, rows, "validation"))
	doc.run_method("validate")
	took = time.monotonic() - start
	frappe.db.rollback()
	frappe.delete_doc("Stock Entry", doc.name, force=True)
	frappe.db.commit()
	return took


def run(place: Place, rows: int = 1000, runs: int = 3, progress=None) -> str:
	progress = progress or (lambda line: None)
	names = _items(rows)
	made, lines = [], []
	for mode in ("ERPNext alone (untracked items)", "with the app (one SN row, one SN code)"):
		tracked = mode.startswith("with")
		big_rows = [(name, None) for name in names]
		waits, alone, bigs = [], [], []
		for number in range(runs):
			run_id = frappe.generate_hash(length=6).upper()
			if tracked:
				big_rows = [*big_rows[:rows], (f"{PREFIX}SN-BIG", f"BT{run_id}-B")]
			small_rows = [(f"{PREFIX}SN", f"BT{run_id}-S")] if tracked else [(f"{PREFIX}ONE", None)]
			delay = _validation(place, big_rows) + VALIDATION_MARGIN
			big = _receipt(place, big_rows, run_id)
			small = _receipt(place, small_rows, run_id)
			big_took, small_took = _race(big, small, delay)
			lone = _receipt(
				place, [(item, f"{code}A" if code else None) for item, code in small_rows], run_id
			)
			alone.append(_alone(lone))
			waits.append(small_took)
			bigs.append(big_took)
			made += [big, small, lone]
			progress(f"{mode}, round {number + 1}: big {big_took:.1f} s, small {small_took:.1f} s")
		lines.append(
			f"| {mode} | {statistics.median(bigs):.1f} s | {statistics.median(waits):.1f} s"
			f" | {statistics.median(alone):.2f} s |"
		)
	for name in reversed(made):
		doc = frappe.get_doc("Stock Entry", name)
		if doc.docstatus == 1:
			doc.cancel()
			frappe.db.commit()
	head = (
		f"A receipt of {rows:,} rows, and a receipt of one unit of another item submitted once the big one"
		f" is past its validation (medians of {runs} rounds):\n\n"
		"| | big receipt | one unit, submitted meanwhile | one unit, alone |\n|---|---|---|---|\n"
	)
	return head + "\n".join(lines) + "\n"
