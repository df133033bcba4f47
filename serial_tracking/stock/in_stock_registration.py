"""Registration of serials already in stock, and a manager's corrections and deletions.

These are a manager's statements of where units are, logged against the Item
(``STATEMENT_VOUCHER``); their movements are planned by the core like any
document's. Registration never leaves more serials at a warehouse than the
warehouse holds of the item: the item's Bin is locked while the free room is
counted, so two registrations at once cannot together exceed it.
"""

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime, nowdate, nowtime

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG, LOG, STATEMENT_VOUCHER
from serial_tracking.core.code_formats import CodeFormat
from serial_tracking.core.codes import check_code, fold, key, split
from serial_tracking.core.plan import Plan, Reading, RowRequest, Voucher, plan
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Operation, State, Status
from serial_tracking.permissions import require_role
from serial_tracking.settings import get_settings, parse_codes
from serial_tracking.stock import cartons, code_formats, gtins, ledger

#: Fields of a Serial Number that only documents and the guarded actions here may set.
GUARDED = (
	"item_code",
	"status",
	"company",
	"voucher_type",
	"voucher_no",
	"movement_seq",
	"posted_at",
	"supplier",
	"purchase_date",
	"customer",
	"delivery_date",
	"warranty_expiry_date",
	"carton",
)


def _check_item(item_code: str, warehouse: str) -> None:
	# a name, never a list or an object (filters to get_value)
	known = isinstance(item_code, str) and item_code and frappe.db.get_value("Item", item_code, ITEM_FLAG)
	if not known:
		frappe.throw(
			_("Item {0} does not track SN codes").format(escape_html(str(item_code or ""))),
			messages.SerialGuardError,
		)
	if not isinstance(warehouse, str) or not warehouse or not frappe.db.exists("Warehouse", warehouse):
		frappe.throw(
			_("Warehouse {0} does not exist").format(escape_html(str(warehouse or ""))),
			messages.SerialGuardError,
		)


def room(item_code: str, warehouse: str, *, lock: bool = False) -> tuple[float, int]:
	"""(quantity the warehouse holds, serials held there).

	``lock``: lock the item's Bin at the warehouse first and count with a locking
	read, so that what is counted is the latest and stays so until the end of
	the transaction.
	"""
	qty = (
		frappe.db.get_value(
			"Bin", {"item_code": item_code, "warehouse": warehouse}, "actual_qty", for_update=lock
		)
		or 0
	)
	return qty, ledger.held_at(item_code, warehouse, lock=lock)


def capacity_problem(item_code: str, warehouse: str, count: int) -> Problem | None:
	qty, in_stock = room(item_code, warehouse, lock=True)
	return capacity_problem_of(item_code, warehouse, qty, in_stock, count)


def _statement(item_code: str, warehouse: str) -> Voucher:
	"""A manager's statement, made now, as the voucher of its movements."""
	return Voucher(
		voucher_type=STATEMENT_VOUCHER,
		voucher_no=item_code,
		posting_date=nowdate(),
		posting_time=nowtime(),
		posted_at=now_datetime(),
		company=frappe.get_cached_value("Warehouse", warehouse, "company"),
	)


def statement_plan(
	item_code: str,
	operation: Operation,
	codes: list[str],
	states: dict[str, State],
	source=None,
	target=None,
	code_format: CodeFormat | None = None,
) -> Plan:
	"""The plan of a manager's statement of ``codes`` of one item; a new code must be of the item's
	format (``code_format``, read here when not given)."""
	transit = ledger.transit_warehouses({w for w in (source, target) if w})
	request = RowRequest(
		row=None,
		item_code=item_code,
		operation=operation,
		qty=len(codes),
		from_warehouse=source,
		to_warehouse=target,
		# A transit warehouse holds its units In Transit.
		from_transit=source in transit,
		to_transit=target in transit,
		code_format=code_format or code_formats.of_item(item_code),
	)
	return plan(_statement(item_code, target or source), [request], Reading({request.ref: codes}, []), states)


def register(item_code: str, warehouse: str, text: str) -> list[str]:
	"""Register the serials of units a warehouse already holds; all or nothing."""
	_check_item(item_code, warehouse)
	parsed = parse_codes(text, gtins=gtins.of_items([item_code]).get(item_code), item_code=item_code)
	problems = list(parsed.problems)
	# A registration names the units themselves: a carton's SSCC does not say which they are.
	problems.extend(Problem(Reason.GS1_CARTON, sscc) for sscc in parsed.cartons)
	problems.extend(cartons.collisions(parsed.codes))
	if not parsed.entered:
		problems.append(Problem(Reason.NOTHING_ENTERED))
	messages.throw(problems, title=_("SN codes not registered"))
	with ledger.concurrent_moves_refused():
		# The Bin first, as a stock document does before it moves serials of this item.
		capacity = capacity_problem(item_code, warehouse, len(parsed.codes))
		states = ledger.read_states(parsed.codes, lock=True)
		result = statement_plan(item_code, Operation.REGISTER, parsed.codes, states, target=warehouse)
		problems = result.problems or ([capacity] if capacity else [])
		messages.throw(problems, title=_("SN codes not registered"))
		ledger.apply_steps(result.steps)
	return [s.after.code for s in result.steps]


def check(item_code: str, warehouse: str, text: str | None) -> dict:
	"""What :func:`register` would say of ``text`` at ``warehouse``, asked while it is typed or scanned;
	nothing is written or locked. Answered as a row's live check is (``stock.row_check``): each entry
	good or refused with its reason, ``required`` the units the warehouse holds without a code."""
	_check_item(item_code, warehouse)
	parsed = parse_codes(text, gtins=gtins.of_items([item_code]).get(item_code), item_code=item_code)
	problems = list(parsed.problems)
	problems.extend(Problem(Reason.GS1_CARTON, sscc) for sscc in parsed.cartons)
	problems.extend(cartons.collisions(parsed.codes))
	states = ledger.read_states(parsed.codes)
	problems.extend(
		statement_plan(item_code, Operation.REGISTER, parsed.codes, states, target=warehouse).problems
	)
	qty, held = room(item_code, warehouse)
	free = max(int(qty) - held, 0)
	at_entry = {p.position: p for p in problems if p.position is not None}
	by_code = {}
	for p in problems:
		if p.code and p.position is None:
			by_code.setdefault(key(p.code), messages.describe(p))
	entries = split(text)
	answers = []
	given = iter(parsed.codes)
	for n, entry in enumerate(entries, start=1):
		if n in at_entry:
			answers.append({"code": entry, "ok": False, "reason": messages.describe(at_entry[n]), "entry": n})
			continue
		code = next(given, None)
		if code is None:
			continue
		reason = by_code.get(key(code))
		answers.append({"code": code, "ok": reason is None, "reason": reason, "entry": n})
	row_problems = [messages.describe(p) for p in problems if not p.code and p.position is None]
	capacity = capacity_problem_of(item_code, warehouse, qty, held, len(parsed.codes))
	if capacity:
		row_problems.append(messages.describe(capacity))
	return {
		"codes": answers,
		"entered": len(entries),
		"required": free,
		"problems": row_problems,
		"count_problem": None,
		"sets_qty": False,
		"operation": Operation.REGISTER.value,
	}


def capacity_problem_of(
	item_code: str, warehouse: str, qty: float, in_stock: int, count: int
) -> Problem | None:
	"""More codes than the units the warehouse holds without one: the problem register() refuses."""
	free = max(int(qty) - in_stock, 0)
	if count <= free:
		return None
	params = {
		"item_code": item_code,
		"warehouse": warehouse,
		"qty": qty,
		"in_stock": in_stock,
		"free": free,
		"count": count,
	}
	return Problem(Reason.OVER_WAREHOUSE_QTY, params=params)


def check_new(doc) -> None:
	"""A Serial Number made by hand, over REST or by Data Import: a registration of one code."""
	given = doc.serial_no or doc.name or ""
	if not isinstance(given, str):
		frappe.throw(
			_("An SN code is text, not a {0}").format(type(given).__name__),
			messages.SerialGuardError,
			title=_("SN code not registered"),
		)
	doc.serial_no = fold(given.strip())
	doc.name = doc.serial_no
	_check_item(doc.item_code, doc.warehouse)
	# The company is the warehouse's, whatever a default filled in.
	given = [
		f for f in GUARDED if f not in ("item_code", "company") and doc.get(f) and not _is_default(doc, f)
	]
	if given:
		_refuse_guarded(doc, given)
	limits = get_settings().limits
	problem = (
		check_code(doc.serial_no, limits.max_length) if doc.serial_no else Problem(Reason.NOTHING_ENTERED)
	)
	messages.throw(
		[problem] if problem else cartons.collisions([doc.serial_no]), title=_("SN code not registered")
	)
	with ledger.concurrent_moves_refused():
		capacity = capacity_problem(doc.item_code, doc.warehouse, 1)
		states = ledger.read_states([doc.serial_no], lock=True)
		result = statement_plan(
			doc.item_code, Operation.REGISTER, [doc.serial_no], states, target=doc.warehouse
		)
	if states:
		# Known already (sold, returned ...): registering it again goes through register().
		frappe.throw(
			_("SN code {0} already exists; register it again from the item's registration").format(
				doc.serial_no
			),
			frappe.DuplicateEntryError,
		)
	messages.throw(result.problems or ([capacity] if capacity else []), title=_("SN code not registered"))
	step = result.steps[0]
	_set_state(doc, step.after)
	doc.flags.serial_tracking_steps = result.steps


def _is_default(doc, fieldname: str) -> bool:
	return fieldname == "status" and doc.get(fieldname) == Status.IN_STOCK.value


def log_new(doc) -> None:
	steps = doc.flags.pop("serial_tracking_steps", None)
	if steps:
		ledger.write_log(steps)


def check_change(doc, before) -> None:
	"""An edit of a Serial Number: only a manager's move to another warehouse; the state is the ledger's."""
	changed = [f for f in GUARDED if _value(doc.get(f)) != _value(before.get(f))]
	if changed:
		_refuse_guarded(doc, changed)
	if before.warehouse != doc.warehouse:
		_check_correction(doc, before)


def _value(value):
	return str(value) if value not in (None, "") else None


def _refuse_guarded(doc, fields: list[str]) -> None:
	labels = ", ".join(_(doc.meta.get_label(f)) for f in fields)
	frappe.throw(
		_(
			"{0}: {1} cannot be set by hand; stock documents set them, and a manager may only move a serial in stock to another warehouse"
		).format(doc.name or doc.serial_no, labels),
		messages.SerialGuardError,
		title=_("Serial Number not changed"),
	)


def _check_correction(doc, before) -> None:
	"""A manager moves an In Stock serial to another warehouse by hand."""
	require_role()
	if before.status != Status.IN_STOCK.value:
		frappe.throw(
			_("{0} is {1}: only a serial in stock can be moved to another warehouse by hand").format(
				doc.name, _(before.status or "")
			),
			messages.SerialGuardError,
		)
	if not doc.warehouse or not frappe.db.exists("Warehouse", doc.warehouse):
		frappe.throw(_("Warehouse {0} does not exist").format(doc.warehouse), messages.SerialGuardError)
	with ledger.concurrent_moves_refused():
		capacity = capacity_problem(doc.item_code, doc.warehouse, 1)
		states = ledger.read_states([doc.name], lock=True)
		result = statement_plan(
			doc.item_code, Operation.ADJUST, [doc.name], states, source=before.warehouse, target=doc.warehouse
		)
	messages.throw(result.problems or ([capacity] if capacity else []), title=_("Warehouse not changed"))
	_set_state(doc, result.steps[0].after)
	doc.flags.serial_tracking_steps = result.steps


def log_change(doc) -> None:
	log_new(doc)


def _set_state(doc, state: State) -> None:
	doc.status = state.status.value
	doc.warehouse = state.warehouse
	doc.voucher_type, doc.voucher_no = state.voucher_type, state.voucher_no
	doc.movement_seq = state.sequence
	doc.posted_at = state.posted_at
	doc.company = state.company


def check_delete(doc) -> None:
	"""A serial moved by a submitted document keeps its history: it cannot be deleted."""
	log = frappe.qb.DocType(LOG)
	moved_by = (
		frappe.qb.from_(log)
		.select(log.voucher_type, log.voucher_no)
		.where((log.serial_no == doc.name) & (log.voucher_type != STATEMENT_VOUCHER))
		.limit(1)
		.run()
	)
	if moved_by:
		frappe.throw(
			_("{0} cannot be deleted: {1} {2} moved it").format(doc.name, _(moved_by[0][0]), moved_by[0][1]),
			messages.SerialGuardError,
		)
	frappe.qb.from_(log).delete().where(log.serial_no == doc.name).run()
