"""From a document to the ledger: its context, its plan and the writes of its submit.

A save reads the document (:func:`context_of`) and refuses what is wrong (:func:`check`); a submit
then plans it under the posting turn and the serials' locks (:func:`plan_under_lock`) and writes
the plan (:func:`post`). :mod:`~serial_tracking.stock.events` calls these from the doc_events.
"""

from dataclasses import dataclass, replace

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
from serial_tracking.core.problems import Problem
from serial_tracking.core.states import CREATING, TO_CUSTOMER
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, documents, facts, ledger, posting, reading_walls
from serial_tracking.stock.code_correction import read_renamed


@dataclass(frozen=True)
class Context:
	"""A document as the app reads it: its voucher, one request per row of an SN-tracked item,
	whether it moves serials (or only carries them), and its codes read and checked on their own."""

	voucher: Voucher
	rows: list[RowRequest]
	moves: bool
	reading: Reading


def context_of(doc) -> Context | None:
	"""The :class:`Context` of ``doc``: each row's operation, places and codes required come from
	:mod:`documents` and the database facts of :mod:`facts`. None when the app is off or the
	document has no SN-tracked item."""
	settings = get_settings()
	if not settings.enabled:
		return None
	tracked = ledger.tracked_items({row.item_code for _table, row in documents.rows_of(doc) if row.item_code})
	if not tracked:
		return None
	managed = set(tracked)
	known = facts.read(doc, tracked)
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
	return Context(documents.voucher(doc, known), requests, moves, reading)


def moves_tracked_items(doc) -> bool:
	"""Whether the app is on and the document moves serials on a row of an SN-tracked item."""
	if not get_settings().enabled or not documents.moves_serials(doc):
		return False
	return bool(
		ledger.managed_items({row.item_code for _table, row in documents.rows_of(doc) if row.item_code})
	)


def plan_of(context: Context, *, lock: bool) -> Plan:
	"""What the document does to its serials and what it is refused for, against their states and
	the stock of the places it counts (``lock``: read with locks, on submit)."""
	codes = context.reading.all_codes()
	creating = any(row.operation in CREATING for row in context.rows)
	states = ledger.read_states(codes, lock=lock, creating=creating)
	places = counted_places(context.rows, context.reading)
	stock = ledger.held_at_places(places, lock=lock)
	first = None
	if get_settings().keep_first_warranty and any(row.operation in TO_CUSTOMER for row in context.rows):
		# A resale keeps the first sale's warranty: read where each unit sold has one.
		first = ledger.first_warranties(codes)
	return plan(context.voucher, context.rows, context.reading, states, stock, first)


def check(doc, *, submitting: bool, submits_later: bool) -> Context | None:
	"""On every save and submit: refuse what is wrong with the document's codes (on a save, the
	serials' states too: a submit checks them under lock), and store each row's codes as read."""
	context = context_of(doc)
	if not context:
		return None
	if not doc.flags.ignore_permissions:
		# Its refusals would tell what these hold: the user must be allowed to read them.
		reading_walls.require_readable_sources(context.rows)
		reading_walls.require_readable_documents(doc)
	problems = count_rule(context.reading.problems, submitting=submitting or submits_later)
	_normalise(doc, context)
	_flag_tracked(doc, context)
	problems.extend(cartons.document_problems(doc, context.rows, context.reading, context.moves))
	if not problems and context.moves and not submitting:
		problems.extend(plan_of(context, lock=False).problems)
	messages.throw(problems)
	return context


def count_rule(problems: list[Problem], *, submitting: bool) -> list[Problem]:
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


def plan_under_lock(doc, context: Context | None) -> tuple[Context, Plan] | None:
	"""Take the posting turn, lock the document's serials and plan it against them; refused with
	every problem found. ``context``: the one :func:`check` read, or None to read it here."""
	context = context or context_of(doc)
	if not context or not context.moves:
		return None
	messages.throw(count_rule(context.reading.problems, submitting=True))
	with ledger.concurrent_moves_refused():
		posting.take_turn(doc, documents.stock_places(doc), rows=len(context.rows))
		if documents.date_now(doc):
			# Dated when it posts, after the documents it waited for: otherwise ERPNext would post it
			# before them, reading the ledger as it was when this transaction began.
			context = replace(context, voucher=documents.redated(context.voucher, doc))
		result = plan_of(context, lock=True)
	messages.throw(result.problems)
	return context, result


def post(doc, context: Context, result: Plan) -> None:
	"""Write the plan: the serials' new states and their log rows, then the cartons packed."""
	with ledger.concurrent_moves_refused():
		ledger.apply_steps(result.steps)
	cartons.pack_document(doc, context.rows, context.reading)


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
