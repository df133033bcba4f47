"""doc_events of the supported stock documents: validate, submit and cancel their serials.

Handlers return at once when the app is switched off or the document has no
row of an SN-tracked item, so other documents behave as plain ERPNext.
"""

import json
from dataclasses import dataclass, replace

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG
from serial_tracking.core.codes import join
from serial_tracking.core.plan import (
	Plan,
	Reading,
	RowRequest,
	Voucher,
	codes_missing,
	counted_places,
	plan,
	read,
	read_codes,
)
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import CREATING
from serial_tracking.core.voiding import blockers
from serial_tracking.settings import get_settings
from serial_tracking.stock import background, cartons, counted, documents, facts, ledger, posting
from serial_tracking.stock.correction import read_renamed

#: The flag in which before_submit hands its checked plan to on_submit.
_PLANNED = "serial_tracking_plan"
#: The flag in which before_cancel hands the checked log rows to on_cancel.
_VOIDED = "serial_tracking_void"
#: The flag in which before_validate keeps the codes of packed rows, which ERPNext rebuilds.
_PACKED = "serial_tracking_packed"
#: The flag in which before_validate marks a submission handed to a background job: its save
#: requires the codes a submit requires, so that it is refused here and not by the job.
_SUBMITS_LATER = "serial_tracking_submits_later"
#: The flag in which validate hands the context it read on submit to before_submit, with what it was
#: read from.
_READ = "serial_tracking_read"


@dataclass(frozen=True)
class Context:
	voucher: Voucher
	rows: list[RowRequest]
	moves: bool
	reading: Reading


def context_of(doc) -> Context | None:
	"""What the app needs of ``doc``: its voucher, a request per row of an SN-tracked item (the
	operation, places and codes required, from :mod:`documents` and the database facts of
	:mod:`facts`), whether it moves serials, and its codes read and checked on their own. None when
	the app is off or the document has no SN-tracked item."""
	settings = get_settings()
	if not settings.enabled:
		return None
	rows = documents.rows_of(doc)
	managed = ledger.managed_items({row.item_code for _table, row in rows if row.item_code})
	if not managed:
		return None
	known = facts.read(doc, managed)
	if doc.docstatus == 0:
		_fill_arrivals(doc, known)
	requests = [
		documents.row_request(doc, table, row, settings.required, known)
		for table, row in documents.rows_of(doc, known)
		if row.item_code in managed
	]
	moves = documents.moves_serials(doc)
	if moves:
		# A serial named by a code it had before a correction (a return made from its original).
		requests = read_renamed(requests, settings.limits.max_per_operation)
	# A document that carries serials without moving them: only their codes are checked.
	reading = read(requests, settings.limits) if moves else read_codes(requests, settings.limits)
	return Context(documents.voucher(doc), requests, moves, reading)


def _fill_arrivals(doc, known) -> None:
	"""The arrival of a two-step transfer made from its outgoing entry: a row without codes gets
	the codes its outgoing row sent and that are still in transit, when they are as many as the row."""
	for row in doc.get(documents.ITEMS_TABLE) or []:
		codes = known.outgoing.get(known.arrivals.get(row.name), [])
		if (
			codes
			and not (row.get(documents.ROW_FIELD) or "").strip()
			and len(codes) == abs(row.transfer_qty or 0)
		):
			row.set(documents.ROW_FIELD, join(codes))


def _normalise(doc, context: Context) -> None:
	"""Store each row's codes as read: folded, trimmed, one a line."""
	by_ref = {(documents.table_ref(table), row.idx): row for table, row in documents.rows_of(doc)}
	for ref, codes in context.reading.codes.items():
		row = by_ref[ref]
		if row.get(documents.ROW_FIELD) or codes:
			row.set(documents.ROW_FIELD, join(codes))


def _flag_tracked(doc, context: Context) -> None:
	"""Mark the rows of SN-tracked items as such: ERPNext builds a bundle's packed rows on the server,
	without the item's flag its field fetches in Desk (the form's SN button and column read it)."""
	tracked = {row.ref for row in context.rows}
	for table, row in documents.rows_of(doc):
		if (documents.table_ref(table), row.idx) in tracked and not row.get(ITEM_FLAG):
			row.set(ITEM_FLAG, 1)


def before_validate(doc, method=None):
	"""Keep the codes of packed rows: ERPNext rebuilds a new document's packed rows in validate. A
	submission of a document too big to post within a web request becomes a save, and a background
	job submits it (:mod:`~serial_tracking.stock.background`)."""
	kept = documents.packed_codes(doc)
	if kept:
		doc.flags[_PACKED] = kept
	if doc.get("_action") == "submit":
		rows = len(documents.rows_of(doc))
		if background.should_hand_over(rows) and _moves_tracked_items(doc):
			doc.flags[_SUBMITS_LATER] = True
			background.submit_later(doc, rows)


def _moves_tracked_items(doc) -> bool:
	"""Whether the app is on and the document has a row of an SN-tracked item that it moves."""
	if not get_settings().enabled or not documents.moves_serials(doc):
		return False
	return bool(
		ledger.managed_items({row.item_code for _table, row in documents.rows_of(doc) if row.item_code})
	)


def _restore_packed(doc) -> None:
	kept = doc.flags.pop(_PACKED, None) if _PACKED in doc.flags else None
	if kept:
		documents.restore_packed_codes(doc, kept)


def plan_of(context: Context, *, lock: bool):
	codes = context.reading.all_codes()
	creating = any(row.operation in CREATING for row in context.rows)
	states = ledger.read_states(codes, lock=lock, creating=creating)
	places = counted_places(context.rows, context.reading)
	stock = ledger.held_at_places(places, lock=lock)
	return plan(context.voucher, context.rows, context.reading, states, stock)


def validate(doc, method=None):
	"""On every save and submit: read the document's codes, refuse what is wrong with them (on a
	save, the serials' states too; on submit, before_submit checks them under lock), and store each
	row's codes as read. The context read on submit is handed to before_submit."""
	if doc.docstatus == 2 or doc.get("_action") == "update_after_submit":
		return
	_restore_packed(doc)
	context = context_of(doc)
	if not context:
		return
	if not doc.flags.ignore_permissions:
		# Its refusals would tell what these hold: the user must be allowed to read them.
		from serial_tracking.stock import unsaved

		unsaved.require_readable_sources(context.rows)
		unsaved.require_readable_documents(doc)
	submitting = doc.get("_action") == "submit"
	problems = _count_rule(context.reading.problems, submitting or bool(doc.flags.get(_SUBMITS_LATER)))
	_normalise(doc, context)
	_flag_tracked(doc, context)
	problems.extend(cartons.document_problems(doc, context.rows, context.reading, context.moves))
	# On submit the states are checked under lock in before_submit; on save they are checked here.
	if not problems and context.moves and not submitting:
		problems.extend(plan_of(context, lock=False).problems)
	messages.throw(problems)
	if submitting:
		doc.flags[_READ] = (_fingerprint(doc), context)


def _count_rule(problems: list[Problem], submitting: bool) -> list[Problem]:
	"""A draft is saved with none or some of its rows' codes (the warehouse picks the units later);
	submit refuses a row short of its codes, saying how many are missing. Every other problem of the
	codes given refuses the save too."""
	found = []
	for problem in problems:
		missing = codes_missing(problem)
		if missing is None:
			found.append(problem)
		elif submitting:
			found.append(missing)
	return found


def _fingerprint(doc) -> str:
	"""The document as its context is read from it: before_submit reads it again only when something
	(another app's hook, say) changed it since validate. What the context reads from the database
	is the same within the transaction's snapshot."""
	return json.dumps(doc.as_dict(), default=str)


def before_submit(doc, method=None):
	"""Take the posting turn, lock the document's serials and check them, before ERPNext posts.

	A second document waits here until the first one ends (the posting turn,
	:mod:`~serial_tracking.stock.posting`), then finds any serial they share moved
	and is refused before it reaches the stock ledger, where documents posted at
	the same moment deadlock in ERPNext's own queries.
	"""
	doc.flags[_PLANNED] = _locked_plan(doc)


def on_submit(doc, method=None):
	planned = doc.flags.pop(_PLANNED) if _PLANNED in doc.flags else _locked_plan(doc)
	if not planned:
		return
	context, result = planned
	with ledger.concurrent_moves_refused():
		ledger.apply_steps(result.steps)
	cartons.pack_document(doc, context.rows, context.reading)


def _locked_plan(doc) -> tuple[Context, Plan] | None:
	read = doc.flags.pop(_READ) if _READ in doc.flags else None
	context = read[1] if read and read[0] == _fingerprint(doc) else context_of(doc)
	if not context or not context.moves:
		return None
	messages.throw(_count_rule(context.reading.problems, submitting=True))
	with ledger.concurrent_moves_refused():
		posting.take_turn(doc, documents.stock_places(doc), rows=len(context.rows))
		if documents.date_now(doc):
			# Dated when it posts, after the documents it waited for: otherwise ERPNext would post it
			# before them, reading the ledger as it was when this transaction began.
			context = replace(context, voucher=documents.voucher(doc))
		result = plan_of(context, lock=True)
	messages.throw(result.problems)
	return context, result


def before_cancel(doc, method=None):
	"""Lock the document's serials and refuse unless its movements are their latest, before ERPNext's work."""
	from serial_tracking.stock import counting

	counting.refuse_alone(doc)
	rows = len(documents.rows_of(doc))
	if background.should_hand_over(rows) and (serials := ledger.voucher_serials(doc.doctype, doc.name)):
		# Refused here when later documents hold it back; else cancelled by a background job.
		later = ledger.later_movements(doc.doctype, doc.name, serials)
		_refuse_later(doc, later, counted.places_of(doc.doctype, doc.name), lock=False)
		background.cancel_later(doc, rows)
	with ledger.concurrent_moves_refused():
		doc.flags[_VOIDED] = check_latest(doc)


def on_cancel(doc, method=None):
	found = doc.flags.pop(_VOIDED) if _VOIDED in doc.flags else check_latest(doc)
	if found:
		with ledger.concurrent_moves_refused():
			ledger.void(found)
	cartons.unpack_document(doc)


def check_latest(doc) -> ledger.Voiding | None:
	"""Refuse to cancel while later documents moved this document's serials; else what cancelling
	writes.

	Runs whatever the settings say: a cancellation always puts back what its
	document moved, even with the app switched off since. Reads only the
	document's own rows, the rows after them and the few before them that decide
	each serial's earlier state: the same statements whatever the number of serials.
	"""
	serials = ledger.voucher_serials(doc.doctype, doc.name)
	if not serials:
		return None
	places = counted.places_of(doc.doctype, doc.name)
	posting.take_turn(doc, rows=len(documents.rows_of(doc)))
	locked = ledger.lock_serials(list(serials))
	if ledger.moved_meanwhile(serials, locked):
		ledger.refuse_busy(messages.SerialTrackingError)
	later = ledger.later_movements(doc.doctype, doc.name, serials)
	_refuse_later(doc, later, places, lock=True)
	return ledger.voiding(doc.doctype, doc.name, serials, locked, later)


def _refuse_later(doc, later, places: set[tuple[str, str]], *, lock: bool) -> None:
	"""Refuse, naming them, while later documents moved the document's serials or later counts
	counted its places (``lock``: a locking read, for a document about to be cancelled)."""
	found = blockers(later)
	found += [c for c in counted.later_counts(doc, places, lock=lock) if c not in found]
	if found:
		# named as the user may read them (a document they may not open by its type)
		problem = Problem(Reason.LATER_MOVEMENTS, params={"vouchers": found})
		frappe.throw(
			_("{0} {1} cannot be cancelled: {2}").format(
				_(doc.doctype), doc.name, messages.describe(problem)
			),
			messages.SerialCancelError,
			title=_("Cancel later documents first"),
			# the form's planner (public/js/document_actions.js) shows the chain and cancels it
			primary_action={
				"label": _("Show what blocks"),
				"client_action": "serial_tracking.show_what_blocks",
				"args": {"voucher_type": doc.doctype, "voucher_no": doc.name},
			},
		)
