"""Time of converting one item of 10,000 and 100,000 ERPNext serial numbers to SN codes.

``run(sizes)`` makes, per size and in one transaction rolled back after (the site keeps nothing; a
commit attempted meanwhile stops the run), an item on ERPNext's serial numbers with the records
ERPNext keeps for it, written set-based as ERPNext's own documents leave them: receipts of 1,000
serials each (a bundle, its entries, a stock ledger entry with its running quantity and value),
a tenth of the serials transferred to a second warehouse, three tenths sold in deliveries of 500,
the serials' ``Serial No`` records and the documents' parties. Then it times the dry run
(``conversion.dry_run``) and the conversion as the background job runs it (``conversion.convert``:
lock, read, plan, write serials and log, valuation queues, switch, consistency check). Returns a
markdown table.

Run with ``bench --site SITE serial-tracking-benchmark --part convert``.
"""

import time
from datetime import datetime, timedelta

import frappe
from frappe.utils import now_datetime

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.stock import consistency_check, conversion

SIZES = (10_000, 100_000)
ITEM = "BENCH-CONVERT"
PER_RECEIPT = 1_000
PER_SALE = 500
TARGET_SECONDS = 120


def run(sizes=SIZES) -> str:
	frappe.set_user("Administrator")
	company = (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name", limit=1)[0]
	)
	warehouses = frappe.get_all(
		"Warehouse",
		filters={"is_group": 0, "warehouse_type": ("!=", "Transit"), "company": company},
		pluck="name",
		order_by="name",
		limit=2,
	)
	lines = [
		"| serials | ERPNext's records | movements | dry run | conversion | serials/s |",
		"|---:|---:|---:|---:|---:|---:|",
	]
	for size in sizes:
		figures = _one(size, company, warehouses)
		lines.append(
			f"| {size:,} | {figures['fill']:.1f} s | {figures['movements']:,} | {figures['dry_run']:.1f} s"
			f" | {figures['convert']:.1f} s | {size / figures['convert']:,.0f} |"
		)
	table = "\n".join(lines)
	print(table)
	return table


def _no_commit():
	raise AssertionError("the benchmark commits nothing")


def _one(size: int, company: str, warehouses: list[str]) -> dict:
	frappe.db.rollback()
	refuse = frappe.db.commit
	frappe.db.commit = _no_commit
	try:
		started = time.perf_counter()
		item = _records(size, company, warehouses)
		fill = time.perf_counter() - started
		started = time.perf_counter()
		report = conversion.dry_run(item)
		dry_run = time.perf_counter() - started
		assert report["convertible"], report["refusals"][:5]
		started = time.perf_counter()
		done = conversion.convert(item)
		convert = time.perf_counter() - started
		assert done["serials"] == size
		assert frappe.db.count(SERIAL, {"item_code": item}) == size
		assert frappe.db.count(LOG, {"item_code": item}) == done["movements"]
		assert consistency_check.check(item) == []
	finally:
		frappe.db.rollback()
		frappe.db.commit = refuse
	return {"fill": fill, "dry_run": dry_run, "convert": convert, "movements": done["movements"]}


def _records(size: int, company: str, warehouses: list[str]) -> str:
	"""ERPNext's records of an item of ``size`` serials, as its documents leave them."""
	item = f"{ITEM}-{size}"
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": item,
			"item_name": item,
			"item_group": "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"has_serial_no": 1,
			"valuation_method": "FIFO",
		}
	).insert()
	first, second = warehouses
	supplier = frappe.get_all("Supplier", pluck="name", limit=1)[0]
	customer = frappe.get_all("Customer", pluck="name", limit=1)[0]
	codes = [f"BCV{size}-{n:07d}" for n in range(size)]
	start = datetime(2025, 1, 1, 9)
	# (when, voucher type, voucher no, party, warehouse, [(code, qty, rate)])
	movements = []
	for r in range(0, size, PER_RECEIPT):
		chunk = codes[r : r + PER_RECEIPT]
		rate = 100 + (r // PER_RECEIPT) % 5
		movements.append(
			(
				start + timedelta(hours=r // PER_RECEIPT),
				"Purchase Receipt",
				f"BCV-PR-{size}-{r}",
				supplier,
				first,
				[(c, 1, rate) for c in chunk],
			)
		)
	later = start + timedelta(days=30)
	moved = codes[: size // 10]
	for t in range(0, len(moved), PER_RECEIPT):
		chunk = moved[t : t + PER_RECEIPT]
		when = later + timedelta(minutes=t // PER_RECEIPT)
		# the receipt's rate of the chunk's first serial, as ERPNext values the transfer
		value = 100 + (t // PER_RECEIPT) % 5
		vno = f"BCV-SE-{size}-{t}"
		movements.append((when, "Stock Entry", vno, None, first, [(c, -1, value) for c in chunk]))
		movements.append((when, "Stock Entry", vno, None, second, [(c, 1, value) for c in chunk]))
	sold = codes[size // 10 : size // 10 + size * 3 // 10]
	for s in range(0, len(sold), PER_SALE):
		chunk = sold[s : s + PER_SALE]
		when = later + timedelta(days=1, minutes=s // PER_SALE)
		movements.append(
			(when, "Delivery Note", f"BCV-DN-{size}-{s}", customer, first, [(c, -1, 0) for c in chunk])
		)
	_write(item, company, movements, codes, moved, sold, second)
	return item


def _write(item, company, movements, codes, moved, sold, second) -> None:
	now = now_datetime()
	user = frappe.session.user
	common = {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": 1}
	value_of = {}
	places = {}
	ledger, bundles, entries = [], [], []
	for number, (when, vtype, vno, _party, warehouse, moves) in enumerate(
		sorted(movements, key=lambda m: m[0])
	):
		bundle = f"BCV-SABB-{item}-{number}"
		qty = sum(q for _c, q, _r in moves)
		difference = 0.0
		for code, q, rate in moves:
			if q > 0:
				value_of[code] = rate
			difference += q * value_of[code]
		held_qty, held_value = places.get(warehouse, (0, 0.0))
		held_qty, held_value = held_qty + qty, held_value + difference
		places[warehouse] = (held_qty, held_value)
		made = now + timedelta(microseconds=number)
		ledger.append(
			{
				**common,
				"creation": made,
				"name": f"BCV-SLE-{item}-{number}",
				"item_code": item,
				"warehouse": warehouse,
				"company": company,
				"posting_date": when.date(),
				"posting_time": when.time(),
				"posting_datetime": when,
				"voucher_type": vtype,
				"voucher_no": vno,
				"voucher_detail_no": f"{vno}-1",
				"actual_qty": qty,
				"qty_after_transaction": held_qty,
				"incoming_rate": difference / qty if qty > 0 else 0,
				"valuation_rate": held_value / held_qty if held_qty else 0,
				"stock_value": held_value,
				"stock_value_difference": difference,
				"stock_queue": "[]",
				"is_cancelled": 0,
				"serial_and_batch_bundle": bundle,
				"stock_uom": "Nos",
			}
		)
		bundles.append(
			{
				**common,
				"name": bundle,
				"item_code": item,
				"has_serial_no": 1,
				"warehouse": warehouse,
				"company": company,
				"voucher_type": vtype,
				"voucher_no": vno,
				"voucher_detail_no": f"{vno}-1",
				"type_of_transaction": "Inward" if qty > 0 else "Outward",
				"total_qty": qty,
				"total_amount": difference,
				"posting_date": when.date(),
				"posting_time": when.time(),
				"is_cancelled": 0,
			}
		)
		for idx, (code, q, _rate) in enumerate(moves, start=1):
			entries.append(
				{
					**common,
					"name": f"{bundle}-{idx}",
					"parent": bundle,
					"parenttype": "Serial and Batch Bundle",
					"parentfield": "entries",
					"idx": idx,
					"serial_no": code,
					"qty": q,
					"warehouse": warehouse,
					"incoming_rate": value_of[code],
				}
			)
	_insert("Stock Ledger Entry", ledger)
	_insert("Serial and Batch Bundle", bundles)
	_insert("Serial and Batch Entry", entries)
	gone = set(sold)
	there = set(moved)
	_insert(
		"Serial No",
		[
			{
				**common,
				"docstatus": 0,
				"name": code,
				"serial_no": code,
				"item_code": item,
				"company": company,
				"status": "Delivered" if code in gone else "Active",
				"warehouse": None if code in gone else second if code in there else ledger[0]["warehouse"],
			}
			for code in codes
		],
	)
	vouchers = {(m[1], m[2], m[3]) for m in movements}
	for vtype, vno, party in vouchers:
		if vtype in ("Purchase Receipt", "Delivery Note"):
			field = "supplier" if vtype == "Purchase Receipt" else "customer"
			frappe.db.sql(
				f"insert into `tab{vtype}` (`name`, `{field}`, `company`, `is_return`, `docstatus`, `creation`,"
				" `modified`, `owner`, `modified_by`) values (%s, %s, %s, 0, 1, %s, %s, %s, %s)",
				(vno, party, company, now, now, user, user),
			)
	for warehouse, (qty, value) in places.items():
		frappe.db.sql(
			"insert into `tabBin` (`name`, `item_code`, `warehouse`, `actual_qty`, `stock_value`,"
			" `valuation_rate`, `creation`, `modified`, `owner`, `modified_by`) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
			(f"BCV-BIN-{item}-{warehouse}", item, warehouse, qty, value, value / qty, now, now, user, user),
		)


def _insert(doctype: str, rows: list[dict]) -> None:
	fields = list(rows[0])
	for start in range(0, len(rows), 10_000):
		frappe.db.bulk_insert(
			doctype, fields, [tuple(r[f] for f in fields) for r in rows[start : start + 10_000]]
		)
