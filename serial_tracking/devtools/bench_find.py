"""Times of the Serial Number Search report's first page and of the full xlsx export.

``run(sizes)`` bulk-inserts that many serials (one transaction per size, rolled back after, so the
site keeps nothing) and times, as Administrator, the report's ``execute`` (the page of 500 rows and
the status summary) without filters and with each main filter, and the xlsx of every match. It
returns the figures as a markdown table. ``insert_serials`` is also what the tests use to make many
serials quickly.
"""

import time
from datetime import datetime, timedelta
from functools import partial

import frappe
from frappe.utils import now_datetime

from serial_tracking.constants import SERIAL
from serial_tracking.core.states import Status

SIZES = (10_000, 100_000)
STATUSES = tuple(s.value for s in Status)


def insert_serials(
	count: int,
	prefix: str,
	*,
	item_code: str = "BENCH-FIND",
	warehouses: tuple[str | None, ...] = (None,),
	statuses: tuple[str, ...] = ("In Stock",),
	company: str | None = None,
	posted_at: datetime | None = None,
	**values,
) -> list[str]:
	"""``count`` Serial Number rows made in bulk (no document, no log): ``{prefix}{n:07d}``.

	Warehouses and statuses go round in turn; a serial not In Stock / In Transit / Missing has no
	warehouse, as a stock document would leave it. ``values``: other fields, the same for all.
	"""
	now = now_datetime()
	posted_at = posted_at or now
	user = frappe.session.user
	fields = [
		"name",
		"serial_no",
		"item_code",
		"status",
		"warehouse",
		"company",
		"posted_at",
		"movement_seq",
		"creation",
		"modified",
		"owner",
		"modified_by",
		*values,
	]
	codes, rows = [], []
	extra = tuple(values.values())
	held = {"In Stock", "In Transit", "Missing"}
	for n in range(count):
		code = f"{prefix}{n:07d}"
		status = statuses[n % len(statuses)]
		warehouse = warehouses[n % len(warehouses)] if status in held else None
		codes.append(code)
		rows.append(
			(
				code,
				code,
				item_code,
				status,
				warehouse,
				company,
				posted_at,
				1,
				now,
				now,
				user,
				user,
				*extra,
			)
		)
	frappe.db.bulk_insert(SERIAL, fields, rows, chunk_size=5000)
	return codes


def insert_erpnext_serials(count: int, prefix: str, warehouses: tuple[str | None, ...]) -> list[str]:
	"""``count`` of ERPNext's own ``Serial No`` rows made in bulk, spread as ``insert_serials`` does."""
	now = now_datetime()
	user = frappe.session.user
	fields = [
		"name",
		"serial_no",
		"item_code",
		"status",
		"warehouse",
		"creation",
		"modified",
		"owner",
		"modified_by",
	]
	statuses = ("Active", "Delivered", "Inactive", "Expired")
	codes, rows = [], []
	for n in range(count):
		code = f"{prefix}{n:07d}"
		status = statuses[n % len(statuses)]
		warehouse = warehouses[n % len(warehouses)] if status == "Active" else None
		codes.append(code)
		rows.append((code, code, "BENCH-FIND-ERP", status, warehouse, now, now, user, user))
	frappe.db.bulk_insert("Serial No", fields, rows, chunk_size=5000)
	return codes


def _erpnext_page(filters: dict) -> None:
	"""What ERPNext's Serial No list shows for ``filters``: its first 500 rows (newest first, the
	list's default order) and how many match."""
	fields = ["name", "item_code", "status", "warehouse", "customer", "purchase_document_no"]
	frappe.get_list(
		"Serial No", filters=filters, fields=fields, order_by="modified desc", limit_page_length=500
	)
	frappe.get_list("Serial No", filters=filters, fields=["count(name) as total"], limit_page_length=0)


def _timed(action) -> float:
	start = time.perf_counter()
	action()
	return time.perf_counter() - start


def run(sizes=SIZES) -> str:
	"""The figures as a markdown table; nothing is kept on the site."""
	warehouses = tuple(
		frappe.get_all("Warehouse", filters={"is_group": 0}, pluck="name", limit=3, order_by="name")
	) or (None,)
	lines = [
		"| serials | first page, no filter | exact code | prefix (1/10) | status | warehouse | xlsx of all (rows) |",
		"|---:|---:|---:|---:|---:|---:|---:|",
	]
	erpnext_lines = [
		"| serials | no filter | exact code | prefix (1/10) | status | warehouse |",
		"|---:|---:|---:|---:|---:|---:|",
	]
	for size in sizes:
		figures, erpnext, rows, plans = _measure(size, warehouses)
		lines.append(
			f"| {size:,} | {_ms(figures['none'])} | {_ms(figures['exact'])} | {_ms(figures['prefix'])}"
			f" | {_ms(figures['status'])} | {_ms(figures['warehouse'])}"
			f" | {figures['xlsx']:.1f} s ({rows:,}) |"
		)
		erpnext_lines.append(
			f"| {size:,} | "
			+ " | ".join(
				f"{_ms(erpnext[k])} ({_ratio(erpnext[k], figures[k])})"
				for k in ("none", "exact", "prefix", "status", "warehouse")
			)
			+ " |"
		)
	lines += [
		"",
		"ERPNext's own Serial No list with as many serials (first 500 rows and the count;"
		" in brackets how many times the time above):",
		"",
		*erpnext_lines,
	]
	lines += ["", f"Index of each lookup's page statement (EXPLAIN, {sizes[-1]:,} serials):", ""]
	lines += ["| lookup | index (key) | rows examined (estimate) |", "|---|---|---:|"]
	lines += [f"| {name} | {key} | {rows_:,} |" for name, (key, rows_) in plans.items()]
	table = "\n".join(lines)
	print(table)
	return table


def _measure(size: int, warehouses: tuple) -> tuple[dict, dict, int, dict]:
	"""(the search's times, ERPNext's list's times, the rows exported, each lookup's index) with
	``size`` serials of each kind inserted and rolled back."""
	from serial_tracking.finding import search

	frappe.db.rollback()
	refuse = frappe.db.commit
	frappe.db.commit = _no_commit
	try:
		stamp = now_datetime() - timedelta(days=3)
		codes = insert_serials(size, "BENCHF-", warehouses=warehouses, statuses=STATUSES, posted_at=stamp)
		# a prefix that one tenth of them share: all digits but the last few
		free = len(str(size - 1)) - 1
		prefix = codes[size // 2][: len(codes[0]) - free] + "*"
		exact = codes[size // 2]
		figures = _search_times(exact, prefix, warehouses[0])
		plans = {name: _index(search, filters) for name, filters in _lookups(exact, prefix, warehouses[0])}
		rows = search.count({"serial_no": "BENCHF-*"})
		erpnext = _erpnext_times(size, exact, prefix, warehouses)
	finally:
		frappe.db.rollback()
		frappe.db.commit = refuse
	return figures, erpnext, rows, plans


def _search_times(exact: str, prefix: str, warehouse: str | None) -> dict[str, float]:
	"""The search report's first page by each filter, and the xlsx of every serial."""
	from serial_tracking.exchange import export
	from serial_tracking.finding import search
	from serial_tracking.serial_tracking.report.serial_number_search.serial_number_search import execute

	execute({"serial_no": exact})  # warm-up: modules and metadata loaded once
	return {
		"none": _timed(partial(execute, {})),
		"exact": _timed(partial(execute, {"serial_no": exact})),
		"prefix": _timed(partial(execute, {"serial_no": prefix})),
		"status": _timed(partial(execute, {"status": ["Sold"]})),
		"warehouse": _timed(partial(execute, {"warehouse": warehouse})) if warehouse else 0,
		"xlsx": _timed(partial(export._xlsx, search.batches({"serial_no": "BENCHF-*"}))),
	}


def _erpnext_times(size: int, exact: str, prefix: str, warehouses: tuple) -> dict[str, float]:
	"""ERPNext's own serials, as many, through its Serial No list (page and count)."""
	erp = insert_erpnext_serials(size, "BENCHE-", warehouses)
	assert len(erp) == size
	erp_exact, erp_prefix = "BENCHE-" + exact[7:], "BENCHE-" + prefix[7:-1] + "%"
	_erpnext_page({"name": erp_exact})  # warm-up
	return {
		"none": _timed(partial(_erpnext_page, {})),
		"exact": _timed(partial(_erpnext_page, {"name": erp_exact})),
		"prefix": _timed(partial(_erpnext_page, {"name": ("like", erp_prefix)})),
		"status": _timed(partial(_erpnext_page, {"status": "Delivered"})),
		"warehouse": _timed(partial(_erpnext_page, {"warehouse": warehouses[0]})) if warehouses[0] else 0,
	}


def _lookups(exact: str, prefix: str, warehouse: str | None):
	yield "exact code", {"serial_no": exact}
	yield "prefix", {"serial_no": prefix}
	yield "status", {"status": ["Missing"]}
	if warehouse:
		yield "warehouse", {"warehouse": warehouse}
	yield "last document", {"voucher_type": "Stock Entry", "voucher_no": "SE-NONE"}
	yield "last movement dates", {"from_date": str(now_datetime().date())}


def _index(search, filters: dict) -> tuple[str | None, int]:
	table = frappe.qb.DocType(SERIAL)
	sql, params = search.query(filters, table.name).orderby(table.name).limit(500).walk()
	plan = frappe.db.sql("explain " + sql, params, as_dict=True)[0]
	return plan["key"], int(plan["rows"] or 0)


def _ratio(theirs: float, ours: float) -> str:
	return f"{theirs / ours:.1f}x" if ours else "-"


def _ms(seconds: float) -> str:
	return f"{seconds * 1000:.0f} ms"


def _no_commit(*args, **kwargs):
	raise RuntimeError("the search benchmark must not commit")
