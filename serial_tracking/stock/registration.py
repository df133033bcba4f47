"""Registration of serials already in stock, and a manager's corrections and deletions.

Registration never leaves more serials In Stock at a warehouse than the
warehouse holds of the item.
"""

import frappe
from frappe import _
from frappe.utils import nowdate, nowtime

from serial_tracking import messages
from serial_tracking.core.codes import check_code, fold, key, parse
from serial_tracking.core.plan import Step
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Movement, Operation, State, Status, apply
from serial_tracking.permissions import require_role
from serial_tracking.settings import get_settings
from serial_tracking.stock import ledger
from serial_tracking.stock.documents import ITEM_FLAG

#: Registration and corrections are logged against the item.
VOUCHER_TYPE = "Item"


def _check_item(item_code: str, warehouse: str) -> None:
	if not item_code or not frappe.db.get_value("Item", item_code, ITEM_FLAG):
		frappe.throw(_("Item {0} does not track SN codes").format(item_code), messages.SerialGuardError)
	if not warehouse or not frappe.db.exists("Warehouse", warehouse):
		frappe.throw(_("Warehouse {0} does not exist").format(warehouse), messages.SerialGuardError)


def room(item_code: str, warehouse: str) -> tuple[float, int]:
	"""(quantity the warehouse holds, serials In Stock there)."""
	qty = frappe.db.get_value("Bin", {"item_code": item_code, "warehouse": warehouse}, "actual_qty") or 0
	return qty, ledger.in_stock_counts([item_code]).get((item_code, warehouse), 0)


def _capacity_problem(item_code: str, warehouse: str, count: int) -> Problem | None:
	qty, in_stock = room(item_code, warehouse)
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


def _movement(code: str, item_code: str, operation: Operation, source=None, target=None) -> Movement:
	return Movement(
		code=code,
		item_code=item_code,
		operation=operation,
		from_warehouse=source,
		to_warehouse=target,
		voucher_type=VOUCHER_TYPE,
		voucher_no=item_code,
		posting_date=nowdate(),
		posting_time=nowtime(),
	)


def register(item_code: str, warehouse: str, text: str) -> list[str]:
	"""Register the serials of units a warehouse already holds; all or nothing."""
	_check_item(item_code, warehouse)
	limits = get_settings().limits
	parsed = parse(text, max_length=limits.max_length, max_count=limits.max_per_operation)
	problems = list(parsed.problems)
	if not parsed.entered:
		problems.append(Problem(Reason.NOTHING_ENTERED))
	states = ledger.read_states(parsed.codes, lock=True)
	steps = []
	for code in parsed.codes:
		movement = _movement(code, item_code, Operation.REGISTER, target=warehouse)
		before = states.get(key(code))
		after, problem = apply(before, movement)
		if problem:
			problems.append(problem)
		else:
			steps.append(Step(movement, before, after))
	if not problems:
		capacity = _capacity_problem(item_code, warehouse, len(steps))
		problems.extend([capacity] if capacity else [])
	messages.throw(problems, title=_("SN codes not registered"))
	ledger.apply_steps(steps)
	return [s.after.code for s in steps]


def check_new(doc) -> None:
	"""A Serial Number made by hand: a registration of one code."""
	doc.serial_no = fold((doc.serial_no or doc.name or "").strip())
	doc.name = doc.serial_no
	_check_item(doc.item_code, doc.warehouse)
	limits = get_settings().limits
	problem = (
		check_code(doc.serial_no, limits.max_length) if doc.serial_no else Problem(Reason.NOTHING_ENTERED)
	)
	problem = problem or _capacity_problem(doc.item_code, doc.warehouse, 1)
	messages.throw([problem] if problem else [], title=_("SN code not registered"))
	doc.status = Status.IN_STOCK.value
	doc.voucher_type, doc.voucher_no = VOUCHER_TYPE, doc.item_code
	doc.movement_seq = 1


def log_new(doc) -> None:
	movement = _movement(doc.name, doc.item_code, Operation.REGISTER, target=doc.warehouse)
	after = State(doc.name, doc.item_code, Status.IN_STOCK, doc.warehouse, sequence=1)
	ledger.write_log([Step(movement, None, after)])


def check_correction(doc, before) -> None:
	"""A manager moves an In Stock serial to another warehouse by hand."""
	require_role()
	if before.status != Status.IN_STOCK.value:
		frappe.throw(
			_("{0} is {1}: only a serial in stock can be moved to another warehouse by hand").format(
				doc.name, _(before.status or "")
			),
			messages.SerialGuardError,
		)
	problem = _capacity_problem(doc.item_code, doc.warehouse, 1)
	messages.throw([problem] if problem else [], title=_("Warehouse not changed"))
	doc.movement_seq = (before.movement_seq or 0) + 1
	doc.voucher_type, doc.voucher_no = VOUCHER_TYPE, doc.item_code


def log_correction(doc, before) -> None:
	movement = _movement(doc.name, doc.item_code, Operation.ADJUST, before.warehouse, doc.warehouse)
	old = State(doc.name, doc.item_code, Status.IN_STOCK, before.warehouse, sequence=before.movement_seq or 0)
	after = State(doc.name, doc.item_code, Status.IN_STOCK, doc.warehouse, sequence=doc.movement_seq)
	ledger.write_log([Step(movement, old, after)])


def check_delete(doc) -> None:
	"""A serial moved by a submitted document keeps its history: it cannot be deleted."""
	log = frappe.qb.DocType(ledger.LOG)
	moved_by = (
		frappe.qb.from_(log)
		.select(log.voucher_type, log.voucher_no)
		.where((log.serial_no == doc.name) & (log.voucher_type != VOUCHER_TYPE))
		.limit(1)
		.run()
	)
	if moved_by:
		frappe.throw(
			_("{0} cannot be deleted: {1} {2} moved it").format(doc.name, _(moved_by[0][0]), moved_by[0][1]),
			messages.SerialGuardError,
		)
	frappe.qb.from_(log).delete().where(log.serial_no == doc.name).run()
