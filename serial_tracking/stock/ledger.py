"""The serial ledger in the database: read states, apply a plan, void a document.

Every function issues a fixed number of statements, whatever the number of
serials: one read of all codes (locked when about to write), one insert of new
serials, one update of changed ones, one insert of log rows.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.query_builder.functions import Count
from frappe.utils import now_datetime

from serial_tracking.constants import (
	ITEM_FLAG,
	ITEM_FORMAT,
	ITEM_FORMAT_LENGTH,
	ITEM_FORMAT_PATTERN,
	LOG,
	SERIAL,
)
from serial_tracking.core.codes import key
from serial_tracking.core.plan import Step
from serial_tracking.core.states import (
	FROM_SUPPLIER,
	NOT_MOVEMENTS,
	TO_CUSTOMER,
	Deciding,
	Movement,
	Operation,
	State,
	Status,
	rebuilt,
)
from serial_tracking.core.voiding import LoggedMovement, voided_statements
from serial_tracking.messages import SerialTrackingError
from serial_tracking.stock.timing import posted_at

#: A serial's state as the core knows it (besides its code and item).
_MOVED = (
	"status",
	"warehouse",
	"voucher_type",
	"voucher_no",
	"supplier",
	"customer",
	"purchase_date",
	"delivery_date",
	"movement_seq",
	"posted_at",
	"company",
	"warranty_expiry_date",
)
_STATE_FIELDS = ("name", "item_code", *_MOVED)


#: The statuses at which a warehouse holds a serial: In Stock, or In Transit at a transit warehouse.
HELD = (Status.IN_STOCK.value, Status.IN_TRANSIT.value)


_STATUSES = {status.value: status for status in Status}


def _state(row: tuple) -> State:
	"""A serial's state from a row of :data:`_STATE_FIELDS`, in that order."""
	(
		name,
		item_code,
		status,
		warehouse,
		voucher_type,
		voucher_no,
		supplier,
		customer,
		purchase_date,
		delivery_date,
		sequence,
		posted_at,
		company,
		warranty_expiry_date,
	) = row
	return State(
		code=name,
		item_code=item_code,
		status=_STATUSES[status] if status else None,
		warehouse=warehouse,
		voucher_type=voucher_type,
		voucher_no=voucher_no,
		supplier=supplier,
		customer=customer,
		purchase_date=str(purchase_date) if purchase_date else None,
		delivery_date=str(delivery_date) if delivery_date else None,
		sequence=sequence or 0,
		posted_at=posted_at,
		company=company,
		warranty_expiry_date=str(warranty_expiry_date) if warranty_expiry_date else None,
	)


def read_states(codes: list[str], *, lock: bool = False, creating: bool = True) -> dict[str, State]:
	"""Current states of the known codes among ``codes``, by code key; locked for update on ``lock``.

	Only serials that exist are locked: a locking read of a code that does not
	exist yet would lock the gap where it would go (REPEATABLE READ), and two
	receipts of different new codes would then deadlock on their inserts. A new
	code that another document creates meanwhile collides on insert instead
	(see :func:`apply_steps`). A document that makes no serial (``creating``
	False: a sale, a transfer) skips that first read; a code it names that does
	not exist is refused, and its gap lock only delays a receipt of that code
	until the refusal is rolled back.
	"""
	if not codes:
		return {}
	if lock and creating:
		existing = [r[0] for r in select_in(SERIAL, ("name",), "name", codes)]
		if not existing:
			return {}
		codes = sorted(existing, key=key)
	rows = select_in(SERIAL, _STATE_FIELDS, "name", codes, for_update=lock)
	return {key(row[0]): _state(row) for row in rows}


def select_in(doctype: str, fields, column: str, values: list[str], for_update=False, as_dict=False):
	"""``select fields from doctype where column in values`` as one parameterised statement.

	The values travel as one JSON parameter, joined to the table by its index:
	on the hot path a query builder renders a thousand values in Python more
	slowly than the database answers, and MariaDB turns a long ``in`` list into
	a table it may join by scanning the whole of ``doctype`` (locking every row
	it reads ``for_update``). A value longer than a name (140 characters) names
	no row and is left out.
	"""
	values = [v for v in dict.fromkeys(values) if v and len(v) <= _NAME_LENGTH]
	if not values:
		return []
	columns = ", ".join(f"t.`{f}`" for f in fields)
	return frappe.db.sql(
		f"select {columns} from {json_table(('value',))} v straight_join `tab{doctype}` t on t.`{column}` = v.`value`"
		+ (" for update" if for_update else ""),
		(json_rows([[v] for v in values]),),
		as_dict=as_dict,
	)


#: The length of a name column (a serial's code).
_NAME_LENGTH = 140


def held_at_places(places: set[tuple[str, str]], *, lock: bool = False) -> dict[tuple[str, str], list[State]]:
	"""The serials held at each (item, warehouse): In Stock, or In Transit at a transit warehouse."""
	if not places:
		return {}
	table = frappe.qb.DocType(SERIAL)
	where = Criterion.any(
		[(table.item_code == item) & (table.warehouse == wh) for item, wh in sorted(places)]
	)
	query = (
		frappe.qb.from_(table)
		.select(*(table[f] for f in _STATE_FIELDS))
		.where(where & table.status.isin(HELD))
		.orderby(table.name)
	)
	if lock:
		query = query.for_update()
	found: dict[tuple[str, str], list[State]] = {}
	for row in query.run():
		state = _state(row)
		found.setdefault((state.item_code, state.warehouse), []).append(state)
	return found


def held_at(item_code: str, warehouse: str, *, lock: bool = False) -> int:
	"""Serials of an item a warehouse holds (as :func:`in_stock_counts`); a locking read on ``lock``."""
	table = frappe.qb.DocType(SERIAL)
	query = (
		frappe.qb.from_(table)
		.select(Count("*"))
		.where((table.item_code == item_code) & (table.warehouse == warehouse) & table.status.isin(HELD))
	)
	if lock:
		query = query.for_update()
	return query.run()[0][0]


def states_of_items(items: list[str]) -> list[State]:
	"""Every known serial of these items."""
	if not items:
		return []
	table = frappe.qb.DocType(SERIAL)
	query = (
		frappe.qb.from_(table).select(*(table[f] for f in _STATE_FIELDS)).where(table.item_code.isin(items))
	)
	return [_state(row) for row in query.run()]


def states_of_codes(codes: list[str], items: list[str]) -> list[State]:
	"""The serials of these codes that are of these items, in code order (a few: joined by key)."""
	if not codes or not items:
		return []
	wanted = set(items)
	rows = select_in(SERIAL, _STATE_FIELDS, "name", codes)
	return sorted((_state(row) for row in rows if row[1] in wanted), key=lambda state: state.code)


def movements_of_items(items: list[str], codes: list[str] | None = None) -> dict[str, list[Movement]]:
	"""The active movements of every serial of these items (or of the serials of ``codes`` only), by
	code, oldest first (two at one sequence in the order of their names, whichever the read)."""
	if not items or codes == []:
		return {}
	# a movement as _movement reads it: what a cancellation reads of one, with its serial, item and source
	fields = ("serial_no", "item_code", "from_warehouse", *_LATEST)
	if codes is None:
		log = frappe.qb.DocType(LOG)
		rows = (
			frappe.qb.from_(log)
			.select(*(log[f] for f in fields))
			.where(log.item_code.isin(items) & (log.is_cancelled == 0))
			.orderby(log.serial_no)
			.orderby(log.sequence)
			.orderby(log.name)
			.run(as_dict=True)
		)
	else:
		# joined by the serial's history index, as the other reads of a few codes
		rows = frappe.db.sql(
			f"select {', '.join(f'l.`{f}`' for f in fields)} from {json_table(('code',))} c"
			f" straight_join `tab{LOG}` l on l.`serial_no` = c.`code` and l.`is_cancelled` = 0"
			" where l.`item_code` in %s order by l.`serial_no`, l.`sequence`, l.`name`",
			(json_rows([[code] for code in dict.fromkeys(codes)]), tuple(items)),
			as_dict=True,
		)
	found: dict[str, list[Movement]] = {}
	for row in rows:
		found.setdefault(row.serial_no, []).append(_movement(row))
	return found


def in_stock_counts(items: list[str]) -> dict[tuple[str, str], int]:
	"""Serials a warehouse holds, per (item, warehouse): In Stock there, or In Transit at a transit
	warehouse (which holds the units on their way in ERPNext's stock)."""
	if not items:
		return {}
	table = frappe.qb.DocType(SERIAL)
	rows = (
		frappe.qb.from_(table)
		.select(table.item_code, table.warehouse, Count("*"))
		.where(table.item_code.isin(items) & table.status.isin(HELD))
		.groupby(table.item_code, table.warehouse)
		.run()
	)
	return {(item, warehouse): count for item, warehouse, count in rows}


def managed_items(item_codes: set[str]) -> set[str]:
	if not item_codes:
		return set()
	return set(frappe.get_all("Item", filters={"name": ("in", list(item_codes)), ITEM_FLAG: 1}, pluck="name"))


#: What a document's plan reads of each SN-tracked item besides its flag: its warranty period and its
#: SN code format.
TRACKED_ITEM_FIELDS = ("name", "warranty_period", ITEM_FORMAT, ITEM_FORMAT_LENGTH, ITEM_FORMAT_PATTERN)


def tracked_items(item_codes: set[str]) -> dict[str, dict]:
	"""The SN-tracked items among ``item_codes``, each with :data:`TRACKED_ITEM_FIELDS`; one statement
	(a document's items are read once for everything its plan needs of them)."""
	if not item_codes:
		return {}
	rows = frappe.get_all(
		"Item", filters={"name": ("in", list(item_codes)), ITEM_FLAG: 1}, fields=list(TRACKED_ITEM_FIELDS)
	)
	return {row.name: row for row in rows}


def warranty_days(items: dict[str, dict]) -> dict[str, int]:
	"""Each item's warranty period in days (ERPNext's Item field, free text), from the rows of
	:func:`tracked_items`: items without a positive whole number of days are left out."""
	found = {}
	for name, row in items.items():
		days = _days(row.get("warranty_period") or "")
		if days:
			found[name] = days
	return found


def _days(value) -> int:
	"""Whole days written as digits, or 0 (the patch filling older sales reads them alike)."""
	text = str(value).strip()
	return int(text) if text.isascii() and text.isdigit() else 0


def first_warranties(codes: list[str]) -> dict[str, str]:
	"""Per code (by key) already sold to a customer with a warranty, the end of the warranty its
	first such sale gave, among its active log rows (one statement)."""
	codes = [c for c in dict.fromkeys(codes) if c and len(c) <= _NAME_LENGTH]
	if not codes:
		return {}
	customer = [o.value for o in TO_CUSTOMER]
	marks = ", ".join(["%s"] * len(customer))
	rows = frappe.db.sql(
		"select l.`serial_no`, l.`warranty_expiry_date` from ("
		f" select p.`serial_no`, min(p.`sequence`) first from {json_table(('value',))} v"
		f" straight_join `tab{LOG}` p on p.`serial_no` = v.`value`"
		f" where p.`is_cancelled` = 0 and p.`operation` in ({marks}) and p.`party_type` = %s"
		" and p.`warranty_expiry_date` is not null group by p.`serial_no`) f"
		f" join `tab{LOG}` l on l.`serial_no` = f.`serial_no` and l.`sequence` = f.first and l.`is_cancelled` = 0",
		(json_rows([[c] for c in codes]), *customer, "Customer"),
	)
	return {key(code): str(until) for code, until in rows}


def latest_sale_warranties(codes: list[str]) -> dict[str, str | None]:
	"""Per code (by key) ever sold to a customer, the warranty end its latest active sale gave (None:
	none), whatever came after it (a return ends the unit's warranty, not what its sale gave); one
	statement."""
	codes = [c for c in dict.fromkeys(codes) if c and len(c) <= _NAME_LENGTH]
	if not codes:
		return {}
	customer = [o.value for o in TO_CUSTOMER]
	marks = ", ".join(["%s"] * len(customer))
	rows = frappe.db.sql(
		"select l.`serial_no`, l.`warranty_expiry_date` from ("
		f" select p.`serial_no`, max(p.`sequence`) latest from {json_table(('value',))} v"
		f" straight_join `tab{LOG}` p on p.`serial_no` = v.`value`"
		f" where p.`is_cancelled` = 0 and p.`operation` in ({marks}) and p.`party_type` = %s"
		" group by p.`serial_no`) f"
		f" join `tab{LOG}` l on l.`serial_no` = f.`serial_no` and l.`sequence` = f.latest and l.`is_cancelled` = 0",
		(json_rows([[c] for c in codes]), *customer, "Customer"),
	)
	return {key(code): str(until) if until else None for code, until in rows}


def returned_under_claim(codes: list[str], claim: str) -> frozenset[str]:
	"""The codes (by key) that a submitted Material Receipt of this warranty claim took back (an
	active movement of its); one statement."""
	codes = [c for c in dict.fromkeys(codes) if c and len(c) <= _NAME_LENGTH]
	if not codes or not claim:
		return frozenset()
	rows = frappe.db.sql(
		f"select distinct l.`serial_no` from {json_table(('value',))} v"
		f" straight_join `tab{LOG}` l on l.`serial_no` = v.`value`"
		" join `tabStock Entry` e on e.`name` = l.`voucher_no`"
		" where l.`voucher_type` = 'Stock Entry' and l.`is_cancelled` = 0 and e.`docstatus` = 1"
		" and e.`purpose` = 'Material Receipt' and e.`warranty_claim` = %s",
		(json_rows([[c] for c in codes]), claim),
	)
	return frozenset(key(code) for (code,) in rows)


def transit_warehouses(warehouses: set[str]) -> set[str]:
	if not warehouses:
		return set()
	return set(
		frappe.get_all(
			"Warehouse", filters={"name": ("in", list(warehouses)), "warehouse_type": "Transit"}, pluck="name"
		)
	)


def apply_steps(steps: list[Step]) -> None:
	"""Write a checked plan: new serials, changed serials, and one log row per step."""
	if not steps:
		return
	now = now_datetime()
	user = frappe.session.user
	new = [s.after for s in steps if s.before is None or s.before.status is None]
	changed = [s.after for s in steps if s.before is not None and s.before.status is not None]
	_write_states(new, now, user, insert=True)
	_write_states(changed, now, user)
	write_log(steps, now)


def insert_states(states: list[State]) -> None:
	"""Insert new serials in their states, set-based (an item's conversion from ERPNext's serials)."""
	_write_states(states, now_datetime(), frappe.session.user, insert=True)


#: Most rows one statement writes (the JSON parameter stays a few MB).
_CHUNK = 50_000
#: Column types in the JSON tables of the writes; every other column is a name (text).
_TYPES = {
	"sequence": "int",
	"group": "int",
	"row_no": "int",
	"posting_date": "date",
	"purchase_date": "date",
	"delivery_date": "date",
	"warranty_expiry_date": "date",
	"posting_time": "time(6)",
	"posted_at": "datetime(6)",
}
#: What each serial of a write has of its own; the rest (:data:`_SHARED_STATE`) many serials share.
_EACH = ("code", "sequence", "group")
_SHARED_STATE = ("item_code", *(f for f in _MOVED if f != "movement_seq"))
#: A Serial Circulation Log row as a movement writes it (:func:`write_log`): the serial, its place
#: in the serial's history, whether it is cancelled, and the movement. A code correction also names
#: the code before it (``previous_code``, :mod:`serial_tracking.stock.code_correction`).
LOG_FIELDS = (
	"serial_no",
	"item_code",
	"operation",
	"sequence",
	"is_cancelled",
	"voucher_type",
	"voucher_no",
	"voucher_detail_no",
	"row_no",
	"posting_date",
	"posting_time",
	"status_before",
	"from_warehouse",
	"status_after",
	"to_warehouse",
	"party_type",
	"party",
	"company",
	"warranty_expiry_date",
)
#: What each log row of a write has of its own; the rest (:data:`_SHARED_LOG`) many rows share.
_OWN_LOG = ("serial_no", "sequence", "is_cancelled")
_SHARED_LOG = tuple(f for f in LOG_FIELDS if f not in _OWN_LOG)


def json_table(fields: tuple[str, ...]) -> str:
	"""A JSON_TABLE over one parameter, a JSON array of arrays (one per row), with these columns.

	Reads join it first with ``straight_join``: MariaDB knows nothing of a JSON table's rows and, on
	a column with many empty values (a log's previous codes), may plan to scan the other table
	instead (20 s on a site of three million log rows)."""
	columns = ", ".join(f"`{f}` {_TYPES.get(f, 'varchar(140)')} path '$[{i}]'" for i, f in enumerate(fields))
	return f"json_table(%s, '$[*]' columns (`ord` for ordinality, {columns}))"


def json_rows(rows: list) -> str:
	return json.dumps(rows, separators=(",", ":"), ensure_ascii=False, default=str)


#: Most distinct groups of shared values in one statement: the database finds each row's group
#: by scanning them.
_GROUPS = 64


def _batches(items: list, shared: Callable) -> Iterator[tuple[list, list[tuple], list[int]]]:
	"""``items`` cut into batches of one statement each, at most :data:`_CHUNK` items sharing at most
	:data:`_GROUPS` distinct ``shared(item)`` values: each batch with its distinct values and each
	item's number among them."""
	if not items:
		return
	values = [shared(item) for item in items]
	distinct = list(dict.fromkeys(values))
	if len(distinct) <= _GROUPS and len(items) <= _CHUNK:
		number = {v: n for n, v in enumerate(distinct)}
		yield items, distinct, [number[v] for v in values]
		return
	members: dict[tuple, list] = {}
	for item, value in zip(items, values, strict=True):
		members.setdefault(value, []).append(item)
	batch, groups, index = [], [], []
	for value, group in members.items():
		for start in range(0, len(group), _CHUNK):
			part = group[start : start + _CHUNK]
			if batch and (len(groups) == _GROUPS or len(batch) + len(part) > _CHUNK):
				yield batch, groups, index
				batch, groups, index = [], [], []
			groups.append(value)
			batch.extend(part)
			index.extend([len(groups) - 1] * len(part))
	if batch:
		yield batch, groups, index


def _write_states(states: list[State], now, user, *, insert: bool = False) -> None:
	"""Set the state of existing serials, or insert new ones (``insert``).

	A document moves its serials in few distinct ways, so the values serials
	share travel once per group and each serial sends only its code, its
	movement counter and its group, all as two JSON parameters: one statement
	per 50,000 serials and 64 distinct groups, whatever the number of serials,
	and the database does the per-row work (a thousand rows of values escaped
	one by one in Python cost more than the write itself).
	"""
	for batch, groups, index in _batches(states, _shared_state):
		rows = [(s.code, s.sequence, g) for s, g in zip(batch, index, strict=True)]
		if insert:
			# In one order in every session: two documents creating the same codes wait, never deadlock.
			rows.sort(key=lambda row: key(row[0]))
		each = json_rows(rows)
		shared = json_rows(groups)
		tables = f"{json_table(_EACH)} e join {json_table(_SHARED_STATE)} g on g.`ord` = e.`group` + 1"
		if insert:
			columns = ("name", "serial_no", "creation", "owner", "docstatus", *_SHARED_STATE)
			frappe.db.sql(
				f"insert into `tab{SERIAL}` ({_columns(columns)}, `movement_seq`, `modified`, `modified_by`)"
				f" select e.`code`, e.`code`, %s, %s, 0, {_columns(_SHARED_STATE, 'g')},"
				f" e.`sequence`, %s, %s from {tables} order by e.`ord`",
				(now, user, now, user, each, shared),
			)
		else:
			assigned = ", ".join(f"s.`{f}` = g.`{f}`" for f in _SHARED_STATE if f != "item_code")
			frappe.db.sql(
				f"update `tab{SERIAL}` s join {tables} on s.`name` = e.`code`"
				f" set {assigned}, s.`movement_seq` = e.`sequence`, s.`modified` = %s, s.`modified_by` = %s",
				(each, shared, now, user),
			)


def _shared_state(state: State) -> tuple:
	return (
		state.item_code,
		state.status.value if state.status else None,
		state.warehouse,
		state.voucher_type,
		state.voucher_no,
		state.supplier,
		state.customer,
		state.purchase_date,
		state.delivery_date,
		state.posted_at,
		state.company,
		state.warranty_expiry_date,
	)


def _columns(fields, alias: str = "") -> str:
	prefix = f"{alias}." if alias else ""
	return ", ".join(f"{prefix}`{f}`" for f in fields)


def write_log(steps: list[Step], now=None) -> None:
	"""One log row per step, as :func:`_write_states` writes serials (one statement)."""
	now = now or now_datetime()
	user = frappe.session.user
	for batch, groups, index in _batches(steps, _shared_log):
		each = json_rows([(s.after.code, s.after.sequence, g) for s, g in zip(batch, index, strict=True)])
		frappe.db.sql(
			f"insert into `tab{LOG}` (`name`, `creation`, `modified`, `owner`, `modified_by`, `docstatus`,"
			f" {_columns(_OWN_LOG)}, {_columns(_SHARED_LOG)})"
			f" select concat(%s, e.`ord`), %s, %s, %s, %s, 0, e.`code`, e.`sequence`, 0,"
			f" {_columns(_SHARED_LOG, 'g')}"
			f" from {json_table(_EACH)} e join {json_table(_SHARED_LOG)} g on g.`ord` = e.`group` + 1 order by e.`ord`",
			# The log's names: one random prefix per statement, numbered within it.
			(frappe.generate_hash(length=10), now, now, user, user, each, json_rows(groups)),
		)


def _shared_log(step: Step) -> tuple:
	m, before, after = step.movement, step.before, step.after
	return (
		m.item_code,
		m.operation.value,
		m.voucher_type,
		m.voucher_no,
		m.voucher_detail_no,
		m.row or 0,
		m.posting_date,
		m.posting_time,
		before.status.value if before and before.status else None,
		before.warehouse if before else None,
		after.status.value if after.status else None,
		after.warehouse,
		m.party_type,
		m.party,
		m.company,
		after.warranty_expiry_date,
	)


# Voiding


@dataclass(frozen=True)
class Voiding:
	"""What cancelling a document writes, found under lock before ERPNext's own cancel work."""

	voucher_type: str
	voucher_no: str
	#: Log rows of statements made after the document, voided with it.
	statements: list[str]
	#: The serials' states before the document moved them.
	restored: list[State]
	#: Serials the document made: removed.
	gone: list[str]


def voucher_serials(voucher_type: str, voucher_no: str) -> dict[str, tuple[int, int | None]]:
	"""Per serial a document's active log rows moved (by its code): the sequence of the document's
	first movement of it, and the serial's movement counter as this transaction reads it (None: the
	serial is not found)."""
	rows = frappe.db.sql(
		f"select l.`serial_no`, min(l.`sequence`), max(s.`movement_seq`) from `tab{LOG}` l"
		f" left join `tab{SERIAL}` s on s.`name` = l.`serial_no`"
		" where l.`voucher_type` = %s and l.`voucher_no` = %s and l.`is_cancelled` = 0"
		" group by l.`serial_no`",
		(voucher_type, voucher_no),
	)
	return {code: (start, sequence) for code, start, sequence in rows}


def lock_serials(codes: list[str]) -> dict[str, State]:
	"""The code, item and movement counter of these serials, locked for update, by code key."""
	if not codes:
		return {}
	rows = select_in(
		SERIAL, ("name", "item_code", "movement_seq"), "name", sorted(codes, key=key), for_update=True
	)
	return {
		key(name): State(code=name, item_code=item_code, sequence=sequence or 0)
		for name, item_code, sequence in rows
	}


def moved_meanwhile(serials: dict[str, tuple[int, int | None]], locked: dict[str, State]) -> bool:
	"""Whether another transaction changed these serials (renamed, moved or removed one) after this
	one first read them (:func:`voucher_serials`) and before it got their locks: the log this
	transaction reads is then its earlier snapshot, and voiding from it would mark rows cancelled
	without restoring the serial. Compared on each serial's movement counter, which every movement
	and every correction raises."""
	seen = {key(code): sequence for code, (_start, sequence) in serials.items() if sequence is not None}
	return seen != {k: s.sequence for k, s in locked.items()}


_STARTS = ("code", "sequence")


def _starts(serials: dict[str, tuple[int, int | None]]) -> str:
	return json_rows([(code, start) for code, (start, _sequence) in serials.items()])


def later_movements(
	voucher_type: str, voucher_no: str, serials: dict[str, tuple[int, int | None]]
) -> list[LoggedMovement]:
	"""The active log rows of other documents and statements that moved the document's serials
	after it did (usually none), in one statement."""
	rows = frappe.db.sql(
		f"select l.`name`, l.`serial_no`, l.`sequence`, l.`voucher_type`, l.`voucher_no`, l.`operation`,"
		f" l.`creation` from {json_table(_STARTS)} o straight_join `tab{LOG}` l on l.`serial_no` = o.`code`"
		" and l.`is_cancelled` = 0 and l.`sequence` > o.`sequence`"
		" where not (l.`voucher_type` = %s and l.`voucher_no` = %s)",
		(_starts(serials), voucher_type, voucher_no),
		as_dict=True,
	)
	return [
		LoggedMovement(
			r.serial_no,
			r.sequence,
			r.voucher_type,
			r.voucher_no,
			(r.creation,),
			Operation(r.operation),
			r.name,
		)
		for r in rows
	]


#: What a cancellation reads of the latest earlier movement of a serial, and of the latest from a
#: supplier and to a customer (:class:`~serial_tracking.core.states.Deciding`).
_LATEST = (
	"operation",
	"to_warehouse",
	"voucher_type",
	"voucher_no",
	"posting_date",
	"posting_time",
	"party_type",
	"party",
	"company",
	"status_after",
	"warranty_expiry_date",
)
_PARTY = ("operation", "voucher_type", "voucher_no", "posting_date", "posting_time", "party_type", "party")


def previous_states(serials: dict[str, tuple[int, int | None]]) -> dict[str, State]:
	"""Per serial (by code key) that had a state before the document's first movement of it, that
	state (but its code, item and counter): rebuilt from what decides it
	(:func:`serial_tracking.core.states.deciding`), chosen by the database among the serial's active
	earlier rows, however many. Serials whose deciding rows read alike come back as one row, so a
	document of ten thousand serials from one receipt reads one row."""
	supplier = [o.value for o in FROM_SUPPLIER]
	customer = [o.value for o in TO_CUSTOMER]
	skipped = [o.value for o in NOT_MOVEMENTS]
	marks = lambda values: ", ".join(["%s"] * len(values))  # noqa: E731
	read = [
		*(f"l.`{f}`" for f in _LATEST),
		*(f"s.`{f}`" for f in _PARTY),
		*(f"c.`{f}`" for f in _PARTY),
		"k.`company`",
		"t.`posting_date`",
		"t.`posting_time`",
	]
	role = lambda alias, column: (  # noqa: E731
		f" left join `tab{LOG}` {alias} on {alias}.`serial_no` = d.`serial_no`"
		f" and {alias}.`is_cancelled` = 0 and {alias}.`sequence` = d.`{column}`"
	)
	rows = frappe.db.sql(
		"set statement group_concat_max_len = 4294967295 for"
		f" select group_concat(d.`serial_no` separator '\\n'), {', '.join(read)} from ("
		" select p.`serial_no`, max(p.`sequence`) latest,"
		f" max(case when p.`operation` in ({marks(supplier)}) and p.`party_type` = %s then p.`sequence` end)"
		" supplier,"
		f" max(case when p.`operation` in ({marks(customer)}) and p.`party_type` = %s then p.`sequence` end)"
		" customer,"
		" max(case when p.`company` is not null then p.`sequence` end) company,"
		" max(case when p.`posting_date` is not null then p.`sequence` end) posted"
		f" from {json_table(_STARTS)} o straight_join `tab{LOG}` p on p.`serial_no` = o.`code`"
		" and p.`is_cancelled` = 0 and p.`sequence` < o.`sequence`"
		f" where p.`operation` not in ({marks(skipped)}) group by p.`serial_no`) d"
		f" join `tab{LOG}` l on l.`serial_no` = d.`serial_no` and l.`is_cancelled` = 0 and l.`sequence` = d.latest"
		+ role("s", "supplier")
		+ role("c", "customer")
		+ role("k", "company")
		+ role("t", "posted")
		+ f" group by {', '.join(read)}",
		(*supplier, "Supplier", *customer, "Customer", _starts(serials), *skipped),
	)
	found: dict[str, State] = {}
	width = len(_LATEST)
	for codes, *values in rows:
		latest = _row_movement(dict(zip(_LATEST, values[:width], strict=True)))
		from_supplier = _row_movement(dict(zip(_PARTY, values[width : width + 7], strict=True)))
		to_customer = _row_movement(dict(zip(_PARTY, values[width + 7 : width + 14], strict=True)))
		company, posting_date, posting_time = values[width + 14 :]
		state = rebuilt(
			Deciding(latest, from_supplier, to_customer, company, posted_at(posting_date, posting_time))
		)
		for code in codes.split("\n"):
			found[key(code)] = state
	return found


def _row_movement(values: dict) -> Movement | None:
	"""A logged movement as far as rebuilding a state needs it (no code, item or warehouse it left)."""
	if not values["operation"]:
		return None
	return Movement(
		code="",
		item_code="",
		operation=Operation(values["operation"]),
		to_warehouse=values.get("to_warehouse"),
		voucher_type=values["voucher_type"],
		voucher_no=values["voucher_no"],
		posting_date=str(values["posting_date"]) if values["posting_date"] else None,
		posting_time=str(values["posting_time"]) if values["posting_time"] else None,
		party_type=values["party_type"],
		party=values["party"],
		posted_at=posted_at(values["posting_date"], values["posting_time"]),
		company=values.get("company"),
		to_transit=values.get("status_after") == Status.IN_TRANSIT.value,
		warranty_until=_date(values.get("warranty_expiry_date")),
	)


def voiding(
	voucher_type: str,
	voucher_no: str,
	serials: dict[str, tuple[int, int | None]],
	locked: dict[str, State],
	later: list[LoggedMovement],
) -> Voiding:
	"""What cancelling the document writes, once nothing later blocks it: each serial goes back to
	the state its earlier movements lead to, or away when the document made it."""
	previous = previous_states(serials)
	restored, gone = [], []
	for code_key, state in locked.items():
		before = previous.get(code_key)
		if before is None:
			gone.append(state.code)
		else:
			restored.append(_keep_identity(before, state))
	statements = [row.name for row in voided_statements(later)]
	return Voiding(voucher_type, voucher_no, statements, restored, gone)


def void(voiding: Voiding) -> None:
	"""Mark the document's active log rows (and the statements after it) cancelled and put its
	serials back."""
	now = now_datetime()
	user = frappe.session.user
	log = frappe.qb.DocType(LOG)
	mine = (log.voucher_type == voiding.voucher_type) & (log.voucher_no == voiding.voucher_no)
	if voiding.statements:
		mine = mine | log.name.isin(voiding.statements)
	(
		frappe.qb.update(log)
		.set(log.is_cancelled, 1)
		.set(log.modified, now)
		.set(log.modified_by, user)
		.where(mine & (log.is_cancelled == 0))
		.run()
	)
	_write_states(voiding.restored, now, user)
	if voiding.gone:
		# Joined by index, as the reads: a long ``in`` list may be run as a scan of every serial.
		frappe.db.sql(
			f"delete s from {json_table(('code',))} e straight_join `tab{SERIAL}` s on s.`name` = e.`code`",
			(json_rows([[code] for code in voiding.gone]),),
		)


def _movement(r) -> Movement:
	return Movement(
		code=r.serial_no,
		item_code=r.item_code,
		operation=Operation(r.operation),
		from_warehouse=r.from_warehouse,
		to_warehouse=r.to_warehouse,
		voucher_type=r.voucher_type,
		voucher_no=r.voucher_no,
		posting_date=str(r.posting_date) if r.posting_date else None,
		posting_time=str(r.posting_time) if r.posting_time else None,
		party_type=r.party_type,
		party=r.party,
		posted_at=posted_at(r.posting_date, r.posting_time),
		company=r.company,
		# Replayed as logged: a movement into a transit warehouse left the serial In Transit.
		to_transit=r.status_after == Status.IN_TRANSIT.value,
		warranty_until=_date(r.get("warranty_expiry_date")),
	)


def _date(value) -> str | None:
	return str(value) if value else None


def _keep_identity(previous: State, current: State) -> State:
	"""The replayed state under the serial's stored code, with its movement counter never going back."""
	return replace(previous, code=current.code, item_code=current.item_code, sequence=current.sequence)


@contextmanager
def concurrent_moves_refused():
	"""Another transaction moving the same serials at this moment: a clear refusal, never a raw error.

	Serials that already exist are locked and re-checked, so a second seller
	waits and then finds the serial Sold. Two documents creating the same new
	code can only collide on insert (a duplicate key, a deadlock or a lock wait
	that times out).
	"""
	try:
		yield
	except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
		refuse_busy(SerialTrackingError)
	except Exception as e:
		# An error without arguments (a DoesNotExistError, say) is not the database's.
		if e.args and frappe.db.is_duplicate_entry(e):
			refuse_busy(SerialTrackingError)
		raise


def refuse_busy(error):
	"""The refusal of a document that met another one moving the same serials (as ``error``)."""
	frappe.throw(
		_(
			"Another document is moving the same SN codes at this moment; nothing was saved. Please try again."
		),
		error,
		title=_("SN codes busy"),
	)
