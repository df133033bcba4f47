"""doc_events of the supported stock documents: validate, submit and cancel their serials.

Handlers return at once when the app is switched off or the document has no
row of an SN-tracked item, so other documents behave as plain ERPNext.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.core.codes import join
from serial_tracking.core.plan import (
	Plan,
	Reading,
	RowRequest,
	Voucher,
	counted_places,
	plan,
	read,
	read_codes,
)
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.voiding import blocking_vouchers
from serial_tracking.settings import get_settings
from serial_tracking.stock import documents, ledger

#: The flag in which before_submit hands its checked plan to on_submit.
_PLANNED = "serial_tracking_plan"
#: The flag in which before_cancel hands the checked log rows to on_cancel.
_VOIDED = "serial_tracking_void"


@dataclass(frozen=True)
class Context:
	voucher: Voucher
	rows: list[RowRequest]
	moves: bool
	reading: Reading


def _context(doc) -> Context | None:
	settings = get_settings()
	if not settings.enabled:
		return None
	rows = documents.item_rows(doc)
	managed = ledger.managed_items({r.item_code for r in rows if r.item_code})
	if not managed:
		return None
	transit = ledger.transit_warehouses(documents.warehouses_to_classify(doc))
	requests = [
		documents.row_request(doc, row, settings.required, transit)
		for row in rows
		if row.item_code in managed
	]
	moves = documents.moves_serials(doc)
	# A document that carries serials without moving them: only their codes are checked.
	reading = read(requests, settings.limits) if moves else read_codes(requests, settings.limits)
	return Context(documents.voucher(doc), requests, moves, reading)


def _normalise(doc, context: Context) -> None:
	"""Store each row's codes as read: folded, trimmed, one a line."""
	by_idx = {row.idx: row for row in documents.item_rows(doc)}
	for number, codes in context.reading.codes.items():
		row = by_idx[number]
		if row.get(documents.ROW_FIELD) or codes:
			row.set(documents.ROW_FIELD, join(codes))


def _plan(context: Context, *, lock: bool):
	codes = context.reading.all_codes()
	states = ledger.read_states(codes, lock=lock)
	places = counted_places(context.rows, context.reading)
	stock = ledger.in_stock_at(places, lock=lock)
	return plan(context.voucher, context.rows, context.reading, states, stock)


def validate(doc, method=None):
	if doc.docstatus == 2 or doc.get("_action") == "update_after_submit":
		return
	context = _context(doc)
	if not context:
		return
	problems = list(context.reading.problems)
	_normalise(doc, context)
	# On submit the states are checked under lock in before_submit; on save they are checked here.
	if not problems and context.moves and doc.get("_action") != "submit":
		problems.extend(_plan(context, lock=False).problems)
	messages.throw(problems)


def before_submit(doc, method=None):
	"""Lock and check the document's serials before ERPNext writes its stock ledger.

	A second session submitting the same serial waits here until the first one
	ends, then finds the serial moved and is refused before it reaches the stock
	ledger, where sessions moving the same item deadlock in ERPNext's own queries.
	"""
	doc.flags[_PLANNED] = _locked_plan(doc)


def on_submit(doc, method=None):
	planned = doc.flags.pop(_PLANNED) if _PLANNED in doc.flags else _locked_plan(doc)
	if not planned:
		return
	_, result = planned
	with _concurrent_moves_refused():
		ledger.apply_steps(result.steps)


def _locked_plan(doc) -> tuple[Context, Plan] | None:
	context = _context(doc)
	if not context or not context.moves:
		return None
	messages.throw(context.reading.problems)
	with _concurrent_moves_refused():
		result = _plan(context, lock=True)
	messages.throw(result.problems)
	return context, result


@contextmanager
def _concurrent_moves_refused():
	"""Another transaction moving the same serials at this moment: a clear refusal, never a raw error.

	Serials that already exist are locked and re-checked, so a second seller
	waits and then finds the serial Sold. Two documents creating the same new
	code can only collide on insert (a duplicate key or a deadlock).
	"""
	try:
		yield
	except frappe.QueryDeadlockError:
		_busy()
	except Exception as e:
		if frappe.db.is_duplicate_entry(e):
			_busy()
		raise


def _busy():
	frappe.throw(
		_(
			"Another document is moving the same SN codes at this moment; nothing was saved. Please try again."
		),
		messages.SerialTrackingError,
		title=_("SN codes busy"),
	)


def before_cancel(doc, method=None):
	"""Lock the document's serials and refuse unless its movements are their latest, before ERPNext's work."""
	with _concurrent_moves_refused():
		doc.flags[_VOIDED] = _check_latest(doc, lock=True)


def on_cancel(doc, method=None):
	found = doc.flags.pop(_VOIDED) if _VOIDED in doc.flags else _check_latest(doc, lock=True)
	if found:
		rows, locked = found
		with _concurrent_moves_refused():
			ledger.void(doc.doctype, doc.name, rows, locked)


def _check_latest(doc, *, lock: bool):
	"""Refuse to cancel while later documents moved this document's serials."""
	if not get_settings().enabled:
		return None
	codes = ledger.voucher_codes(doc.doctype, doc.name)
	if not codes:
		return None
	locked = ledger.read_states(codes, lock=lock)
	rows = ledger.active_log(codes)
	later = blocking_vouchers(doc.doctype, doc.name, ledger.logged(rows))
	if later:
		listing = ", ".join(f"{_(voucher_type)} {voucher_no}" for voucher_type, voucher_no in later)
		problem = Problem(Reason.LATER_MOVEMENTS, params={"vouchers": listing})
		frappe.throw(
			_("{0} {1} cannot be cancelled: {2}").format(
				_(doc.doctype), doc.name, messages.describe(problem)
			),
			messages.SerialCancelError,
			title=_("Cancel later documents first"),
		)
	return rows, locked
