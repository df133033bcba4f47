"""The benchmark's targets as ratios measured side by side in one run.

``bench --site SITE serial-tracking-benchmark --part ratios`` (every round rolled back):

- receipts and deliveries of 1,000 serials, submitted and cancelled, for an item tracked by this
  app, one with ERPNext's serials and an untracked one, at least :data:`.ratios.RATIO_RUNS`
  rounds: each kind's own cost is its median less the untracked item's, and ERPNext's own cost
  over the app's is the first target;
- the same at 10,000 serials for the app and the untracked item, beside the floor: the bare
  set-based statements the ledger must make for such a document (:func:`floor`), timed on the
  real ``tabSerial Number`` and ``tabSerial Circulation Log`` with their indexes.
"""

import statistics
import time
from collections.abc import Callable

import frappe
from frappe.utils import now_datetime, nowdate, nowtime

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.devtools import benchmark, ratios
from serial_tracking.devtools.benchmark import (
	APP,
	CANCEL,
	DELIVERY,
	RECEIPT,
	SUBMIT,
	UNTRACKED,
	Place,
)
from serial_tracking.stock.ledger import (
	_EACH,
	_OWN_LOG,
	_SHARED_LOG,
	_SHARED_STATE,
	_STATE_FIELDS,
	LOG_FIELDS,
	_columns,
	json_rows,
	json_table,
)

#: Rows per statement of the floor's lists: an ``in`` list or a ``values`` list of this many rows.
FLOOR_CHUNK = 1000
#: The two forms of the floor's statements: lists of literal values (in chunks), and one statement
#: joining the rows given as a JSON parameter, as the ledger writes. The floor is the faster.
LISTS = "lists"
JOINED = "joined"
FORMS = (LISTS, JOINED)


def run(place: Place, runs: int, progress: Callable[[str], None]) -> str:
	"""The ratio targets' table and verdicts."""
	rounds = max(runs, ratios.RATIO_RUNS)
	progress(f"{ratios.RATIO_SIZE:,} serials, three kinds of item, {rounds} rounds")
	figures = benchmark.run(place, (ratios.RATIO_SIZE,), rounds, progress)
	progress(f"{ratios.FLOOR_SIZE:,} serials, the app and the untracked item, {runs} rounds")
	figures |= benchmark.run(
		place, (ratios.FLOOR_SIZE,), runs, progress, modes=(APP, UNTRACKED), big_runs=runs
	)
	progress(f"the floor at {ratios.FLOOR_SIZE:,} serials, {rounds} rounds")
	forms = floor(place, ratios.FLOOR_SIZE, rounds)
	floors = {key: min(by_form.values()) for key, by_form in forms.items()}
	sizes = (ratios.RATIO_SIZE, ratios.FLOOR_SIZE)
	lines = [
		benchmark.render(figures, sizes, rounds, floors=floors, big_runs=runs),
		"",
		f"Floor at {ratios.FLOOR_SIZE:,} serials: the bare writes, timed on the real tables (ms, medians"
		f" of {rounds} rounds; the floor is the faster form):",
		"",
		"| Document | Action | Literal lists, 1,000 rows a statement | Joined to a JSON parameter"
		" (the ledger's form) | Floor |",
		"|---|---|---|---|---|",
	]
	for (doctype, action), by_form in forms.items():
		lines.append(
			f"| {doctype} | {action} | {by_form[LISTS]:,.0f} | {by_form[JOINED]:,.0f} "
			f"| {floors[doctype, action]:,.0f} |"
		)
	return "\n".join(lines)


def floor(place: Place, size: int, rounds: int) -> dict[tuple[str, str], dict[str, float]]:
	"""Median ms of the bare writes of a receipt and a delivery of ``size`` serials, submitted and
	cancelled (latest first), by (doctype, action) and form (:data:`FORMS`). Each round makes both
	forms, one after the other (alternating which first), each in a transaction rolled back.

	The same work as the ledger's, minus its reading and checking: the statements are made before
	the clock starts (their values escaped, or their JSON made), and the clock times only the
	database running them.

	- receipt, submit: insert ``size`` serials, insert their ``size`` log rows;
	- delivery, submit: update the ``size`` serials' state, insert their ``size`` log rows;
	- delivery, cancel: mark its log rows cancelled, update the serials' state back;
	- receipt, cancel: mark its log rows cancelled, delete the serials.
	"""
	samples: dict[tuple[str, str], dict[str, list[float]]] = {}
	for number in range(rounds):
		for form in FORMS if number % 2 == 0 else tuple(reversed(FORMS)):
			with benchmark._rolled_back([]):
				cursor = frappe.db._cursor
				for key, statements in _floor_statements(place, size, form):
					start = time.perf_counter()
					for statement, values in statements:
						# Straight to the driver: Frappe's own handling of a statement (its patterns
						# run over the text) is Python work, not the database's.
						cursor.execute(statement, values or None)
					samples.setdefault(key, {}).setdefault(form, []).append(time.perf_counter() - start)
	return {
		key: {form: statistics.median(found) * 1000 for form, found in by_form.items()}
		for key, by_form in samples.items()
	}


def _floor_statements(place: Place, size: int, form: str):
	"""(doctype, action) and its statements with their values, in ``form`` (:data:`FORMS`), in the
	order a round makes them."""
	suffix = frappe.generate_hash(length=10).upper()
	codes = [f"STF{suffix}-{n:05d}" for n in range(1, size + 1)]
	item, receipt, delivery = f"STF-{suffix}", f"STF-PR-{suffix}", f"STF-DN-{suffix}"
	now, user, today, at = now_datetime(), frappe.session.user, nowdate(), nowtime()
	received = {
		"item_code": item,
		"status": "In Stock",
		"warehouse": place.warehouse,
		"voucher_type": RECEIPT,
		"voucher_no": receipt,
		"supplier": f"Supplier {suffix}",
		"customer": None,
		"purchase_date": today,
		"delivery_date": None,
		"movement_seq": 1,
		"posted_at": now,
		"company": place.company,
		"warranty_expiry_date": None,
	}
	delivered = {
		**received,
		"status": "Delivered",
		"warehouse": None,
		"voucher_type": DELIVERY,
		"voucher_no": delivery,
		"customer": f"Customer {suffix}",
		"delivery_date": today,
		"movement_seq": 2,
	}
	joined_tables = f"{json_table(_EACH)} e join {json_table(_SHARED_STATE)} g on g.`ord` = e.`group` + 1"

	def insert_serials():
		if form == JOINED:
			columns = ("name", "serial_no", "creation", "owner", "docstatus", *_SHARED_STATE)
			return [
				(
					f"insert into `tab{SERIAL}` ({_columns(columns)}, `movement_seq`, `modified`,"
					f" `modified_by`) select e.`code`, e.`code`, %s, %s, 0, {_columns(_SHARED_STATE, 'g')},"
					f" e.`sequence`, %s, %s from {joined_tables} order by e.`ord`",
					(
						now,
						user,
						now,
						user,
						json_rows([(code, 1, 0) for code in codes]),
						json_rows([[received[f] for f in _SHARED_STATE]]),
					),
				)
			]
		columns = ("name", "serial_no", "creation", "modified", "owner", "modified_by", "docstatus")
		columns += tuple(f for f in _STATE_FIELDS if f != "name")
		return _inserts(
			SERIAL,
			columns,
			[
				(code, code, now, now, user, user, 0, *(received[f] for f in _STATE_FIELDS if f != "name"))
				for code in codes
			],
		)

	def update_serials(state):
		if form == JOINED:
			assigned = ", ".join(f"s.`{f}` = g.`{f}`" for f in _SHARED_STATE if f != "item_code")
			return [
				(
					f"update `tab{SERIAL}` s join {joined_tables} on s.`name` = e.`code`"
					f" set {assigned}, s.`movement_seq` = e.`sequence`, s.`modified` = %s,"
					" s.`modified_by` = %s",
					(
						json_rows([(code, state["movement_seq"], 0) for code in codes]),
						json_rows([[state[f] for f in _SHARED_STATE]]),
						now,
						user,
					),
				)
			]
		moved = [f for f in _STATE_FIELDS if f not in ("name", "item_code")]
		assigned = ", ".join(f"`{f}` = {_literal(state[f])}" for f in moved)
		return [
			(
				f"update `tab{SERIAL}` set {assigned}, `modified` = {_literal(now)}, `modified_by` ="
				f" {_literal(user)} where `name` in ({', '.join(_literal(c) for c in chunk)})",
				(),
			)
			for chunk in _chunks(codes)
		]

	def delete_serials():
		if form == JOINED:
			return [
				(
					f"delete s from {json_table(('code',))} e straight_join `tab{SERIAL}` s"
					" on s.`name` = e.`code`",
					(json_rows([[code] for code in codes]),),
				)
			]
		return [
			(f"delete from `tab{SERIAL}` where `name` in ({', '.join(_literal(c) for c in chunk)})", ())
			for chunk in _chunks(codes)
		]

	def insert_log(voucher_type, voucher, before, after, party_type, party, sequence):
		prefix = frappe.generate_hash(length=10)
		values = {
			"item_code": item,
			"operation": "Receive" if voucher_type == RECEIPT else "Sell",
			"sequence": sequence,
			"is_cancelled": 0,
			"voucher_type": voucher_type,
			"voucher_no": voucher,
			"voucher_detail_no": frappe.generate_hash(length=10),
			"row_no": 1,
			"posting_date": today,
			"posting_time": at,
			"status_before": before["status"] if before else None,
			"from_warehouse": before["warehouse"] if before else None,
			"status_after": after["status"],
			"to_warehouse": after["warehouse"],
			"party_type": party_type,
			"party": party,
			"company": place.company,
			"warranty_expiry_date": None,
		}
		if form == JOINED:
			return [
				(
					f"insert into `tab{LOG}` (`name`, `creation`, `modified`, `owner`, `modified_by`,"
					f" `docstatus`, {_columns(_OWN_LOG)}, {_columns(_SHARED_LOG)})"
					f" select concat(%s, e.`ord`), %s, %s, %s, %s, 0, e.`code`, e.`sequence`, 0,"
					f" {_columns(_SHARED_LOG, 'g')} from {json_table(_EACH)} e join"
					f" {json_table(_SHARED_LOG)} g on g.`ord` = e.`group` + 1 order by e.`ord`",
					(
						prefix,
						now,
						now,
						user,
						user,
						json_rows([(code, sequence, 0) for code in codes]),
						json_rows([[values[f] for f in _SHARED_LOG]]),
					),
				)
			]
		columns = ("name", "creation", "modified", "owner", "modified_by", "docstatus", *LOG_FIELDS)
		return _inserts(
			LOG,
			columns,
			[
				(
					f"{prefix}{n}",
					now,
					now,
					user,
					user,
					0,
					*({**values, "serial_no": code}[f] for f in LOG_FIELDS),
				)
				for n, code in enumerate(codes, start=1)
			],
		)

	def void(voucher_type, voucher):
		return (
			f"update `tab{LOG}` set `is_cancelled` = 1, `modified` = %s, `modified_by` = %s"
			" where `voucher_type` = %s and `voucher_no` = %s and `is_cancelled` = 0",
			(now, user, voucher_type, voucher),
		)

	yield (
		(RECEIPT, SUBMIT),
		insert_serials() + insert_log(RECEIPT, receipt, None, received, "Supplier", received["supplier"], 1),
	)
	yield (
		(DELIVERY, SUBMIT),
		update_serials(delivered)
		+ insert_log(DELIVERY, delivery, received, delivered, "Customer", delivered["customer"], 2),
	)
	yield (DELIVERY, CANCEL), [void(DELIVERY, delivery), *update_serials(received)]
	yield (RECEIPT, CANCEL), [void(RECEIPT, receipt), *delete_serials()]


def _chunks(values: list) -> list[list]:
	return [values[start : start + FLOOR_CHUNK] for start in range(0, len(values), FLOOR_CHUNK)]


def _inserts(doctype: str, columns: tuple[str, ...], rows: list[tuple]) -> list[tuple[str, tuple]]:
	names = ", ".join(f"`{c}`" for c in columns)
	return [
		(
			f"insert into `tab{doctype}` ({names}) values "
			+ ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in chunk),
			(),
		)
		for chunk in _chunks(rows)
	]


def _literal(value) -> str:
	if value is None:
		return "NULL"
	if isinstance(value, int):
		return str(value)
	return frappe.db.escape(str(value), percent=False)
