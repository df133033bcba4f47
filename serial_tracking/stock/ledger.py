"""The serial ledger in the database: read states, apply a plan, void a document.

Every function issues a fixed number of statements, whatever the number of
serials: one read of all codes (locked when about to write), one insert of new
serials, one upsert of changed ones, one bulk insert of log rows.
"""

from contextlib import contextmanager
from dataclasses import replace

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.query_builder.functions import Count
from frappe.utils import now_datetime

from serial_tracking.constants import ITEM_FLAG, LOG, SERIAL
from serial_tracking.core.codes import key
from serial_tracking.core.plan import Step
from serial_tracking.core.states import Movement, Operation, State, Status, replay
from serial_tracking.core.voiding import LoggedMovement
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
)
_STATE_FIELDS = ("name", "item_code", *_MOVED)
#: Fields a movement changes on a serial (the upsert's update list).
_CHANGED = (*_MOVED, "modified", "modified_by")
_LOG_FIELDS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
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
)


#: The statuses at which a warehouse holds a serial: In Stock, or In Transit at a transit warehouse.
HELD = (Status.IN_STOCK.value, Status.IN_TRANSIT.value)


def _state(row) -> State:
	return State(
		code=row.name,
		item_code=row.item_code,
		status=Status(row.status) if row.status else None,
		warehouse=row.warehouse,
		voucher_type=row.voucher_type,
		voucher_no=row.voucher_no,
		supplier=row.supplier,
		customer=row.customer,
		purchase_date=str(row.purchase_date) if row.purchase_date else None,
		delivery_date=str(row.delivery_date) if row.delivery_date else None,
		sequence=row.movement_seq or 0,
		posted_at=row.posted_at,
		company=row.company,
	)


def read_states(codes: list[str], *, lock: bool = False) -> dict[str, State]:
	"""Current states of the known codes among ``codes``, by code key; locked for update on ``lock``.

	Only serials that exist are locked: a locking read of a code that does not
	exist yet would lock the gap where it would go (REPEATABLE READ), and two
	receipts of different new codes would then deadlock on their inserts. A new
	code that another document creates meanwhile collides on insert instead
	(see :func:`apply_steps`).
	"""
	if not codes:
		return {}
	if lock:
		existing = [r[0] for r in _select(SERIAL, ("name",), "name", codes)]
		if not existing:
			return {}
		codes = sorted(existing, key=key)
	rows = _select(SERIAL, _STATE_FIELDS, "name", codes, for_update=lock)
	return {key(row.name): _state(row) for row in rows}


def _select(doctype: str, fields, column: str, values: list[str], tail: str = "", for_update=False):
	"""``select fields from doctype where column in values`` as one parameterised statement.

	Like :func:`_insert`, on the hot path: a query builder renders a thousand
	values in Python more slowly than the database answers. The statement text
	depends only on the module's constant names and the number of values.
	"""
	columns = ", ".join(f"`{f}`" for f in fields)
	marks = ", ".join(["%s"] * len(values))
	return frappe.db.sql(
		f"select {columns} from `tab{doctype}` where `{column}` in ({marks}){tail}"
		+ (" for update" if for_update else ""),
		list(values),
		as_dict=len(fields) > 1,
	)


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
	for row in query.run(as_dict=True):
		found.setdefault((row.item_code, row.warehouse), []).append(_state(row))
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
	return [_state(row) for row in query.run(as_dict=True)]


def movements_of_items(items: list[str]) -> dict[str, list[Movement]]:
	"""The active movements of every serial of these items, by code, oldest first."""
	if not items:
		return {}
	log = frappe.qb.DocType(LOG)
	fields = ("serial_no", "item_code", "operation", "from_warehouse", "to_warehouse", "voucher_type")
	more = ("voucher_no", "posting_date", "posting_time", "party_type", "party", "company", "status_after")
	rows = (
		frappe.qb.from_(log)
		.select(*(log[f] for f in (*fields, *more)))
		.where(log.item_code.isin(items) & (log.is_cancelled == 0))
		.orderby(log.serial_no)
		.orderby(log.sequence)
		.run(as_dict=True)
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
	# In one order in every session: two documents creating the same codes wait, never deadlock.
	new = sorted(
		(s for s in steps if s.before is None or s.before.status is None), key=lambda s: key(s.after.code)
	)
	changed = [s for s in steps if s.before is not None and s.before.status is not None]
	if new:
		_insert(
			SERIAL,
			["name", "serial_no", "creation", "owner", "docstatus", "item_code", *_CHANGED],
			[
				(
					s.after.code,
					s.after.code,
					now,
					user,
					0,
					s.after.item_code,
					*_changed_values(s.after, now, user),
				)
				for s in new
			],
		)
	_upsert([s.after for s in changed], now, user)
	write_log(steps, now)


def write_log(steps: list[Step], now=None) -> None:
	"""One log row per step, in one statement."""
	now = now or now_datetime()
	user = frappe.session.user
	_insert(LOG, _LOG_FIELDS, [_log_values(s, now, user) for s in steps])


def _changed_values(state: State, now, user) -> tuple:
	return (
		state.status.value if state.status else None,
		state.warehouse,
		state.voucher_type,
		state.voucher_no,
		state.supplier,
		state.customer,
		state.purchase_date,
		state.delivery_date,
		state.sequence,
		state.posted_at,
		state.company,
		now,
		user,
	)


def _upsert(states: list[State], now, user) -> None:
	"""Set the movement fields of existing serials, all in one statement."""
	_insert(
		SERIAL,
		("name", *_CHANGED),
		[(s.code, *_changed_values(s, now, user)) for s in states],
		update=_CHANGED,
	)


#: Rows per INSERT statement; a document has at most a few thousand.
_CHUNK = 5000


def _insert(doctype: str, fields, rows: list[tuple], update=()) -> None:
	"""Insert many rows in one parameterised statement (per 5,000 rows).

	On this hot path a query builder renders every value in Python, which costs
	more than the database's work; here the statement text depends only on the
	module's constant field names and the row count, and every value is a
	parameter. ``update``: on a duplicate name, set these fields from the new row.
	"""
	if not rows:
		return
	columns = ", ".join(f"`{f}`" for f in fields)
	placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
	tail = ""
	if update:
		tail = " on duplicate key update " + ", ".join(f"`{f}` = values(`{f}`)" for f in update)
	for start in range(0, len(rows), _CHUNK):
		chunk = rows[start : start + _CHUNK]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({columns}) values {', '.join([placeholders] * len(chunk))}{tail}",
			[value for row in chunk for value in row],
		)


def _log_values(step: Step, now, user) -> tuple:
	m, before, after = step.movement, step.before, step.after
	return (
		frappe.generate_hash(length=12),
		now,
		now,
		user,
		user,
		0,
		after.code,
		m.item_code,
		m.operation.value,
		after.sequence,
		0,
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
	)


# Voiding


def voucher_codes(voucher_type: str, voucher_no: str) -> list[str]:
	"""The serials a document's active log rows moved."""
	log = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(log)
		.select(log.serial_no)
		.distinct()
		.where((log.voucher_type == voucher_type) & (log.voucher_no == voucher_no) & (log.is_cancelled == 0))
		.run()
	)
	return [r[0] for r in rows]


#: What voiding and replaying need of a log row.
_ACTIVE_FIELDS = (
	"name",
	"creation",
	*(
		f
		for f in _LOG_FIELDS[6:]
		if f not in ("is_cancelled", "voucher_detail_no", "row_no", "status_before")
	),
)


def active_log(codes: list[str]) -> list[frappe._dict]:
	"""Every active log row of ``codes``, oldest first."""
	if not codes:
		return []
	return _select(
		LOG, _ACTIVE_FIELDS, "serial_no", codes, " and `is_cancelled` = 0 order by `serial_no`, `sequence`"
	)


def logged(rows: list) -> list[LoggedMovement]:
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


def void(voided: list[str], rows: list, locked: dict[str, State]) -> None:
	"""Mark the log rows named in ``voided`` cancelled and put their serials back as the rest of
	``rows`` (every active log row of those serials) say."""
	now = now_datetime()
	user = frappe.session.user
	log = frappe.qb.DocType(LOG)
	(
		frappe.qb.update(log)
		.set(log.is_cancelled, 1)
		.set(log.modified, now)
		.set(log.modified_by, user)
		.where(log.name.isin(voided) & (log.is_cancelled == 0))
		.run()
	)
	gone_rows = set(voided)
	remaining: dict[str, list[Movement]] = {}
	for r in rows:
		if r.name not in gone_rows:
			remaining.setdefault(key(r.serial_no), []).append(_movement(r))
	restored, gone = [], []
	for code_key, state in locked.items():
		previous = replay(remaining.get(code_key, []))
		if previous is None:
			gone.append(state.code)
		else:
			restored.append(_keep_identity(previous, state))
	_upsert(restored, now, user)
	if gone:
		serial = frappe.qb.DocType(SERIAL)
		frappe.qb.from_(serial).delete().where(serial.name.isin(gone)).run()


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
	)


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
		_busy(SerialTrackingError)
	except Exception as e:
		if frappe.db.is_duplicate_entry(e):
			_busy(SerialTrackingError)
		raise


def _busy(error):
	frappe.throw(
		_(
			"Another document is moving the same SN codes at this moment; nothing was saved. Please try again."
		),
		error,
		title=_("SN codes busy"),
	)
