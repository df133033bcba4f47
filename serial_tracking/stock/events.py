"""doc_events of the supported stock documents: the glue between Frappe's events and the pipeline.

Each handler returns at once when the app is switched off or the document has no row of an
SN-tracked item, so other documents behave as plain ERPNext. The work is done by
:mod:`~serial_tracking.stock.pipeline` (save and submit) and
:mod:`~serial_tracking.stock.latest_first` (cancel); what one event hands to the next is kept in
one :class:`~serial_tracking.stock.handover.Handover`.
"""

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.stock import (
	background,
	cartons,
	conversion,
	count_cancelling,
	documents,
	handover,
	latest_first,
	ledger,
	pipeline,
)


def before_validate(doc, method=None):
	"""Keep the codes of packed rows: ERPNext rebuilds a new document's packed rows in validate. A
	submission too big to post within a web request becomes a save, and a background job submits
	it (:mod:`~serial_tracking.stock.background`)."""
	passed = handover.start(doc)
	passed.packed = documents.packed_codes(doc) or None
	if doc.get("_action") == "submit":
		rows = len(documents.rows_of(doc))
		if background.should_hand_over(rows) and pipeline.moves_tracked_items(doc):
			passed.submits_later = True
			background.submit_later(doc, rows)


def validate(doc, method=None):
	"""On every save and submit: check the document's codes and store them as read
	(:func:`~serial_tracking.stock.pipeline.check`); on submit, hand what was read to before_submit."""
	if doc.docstatus == 2 or doc.get("_action") == "update_after_submit":
		return
	passed = handover.of(doc)
	if passed.packed:
		documents.restore_packed_codes(doc, passed.packed)
		passed.packed = None
	submitting = doc.get("_action") == "submit"
	context = pipeline.check(doc, submitting=submitting, submits_later=passed.submits_later)
	if context and submitting:
		passed.read = (documents.digest(doc), context)


def before_submit(doc, method=None):
	"""Take the posting turn, lock the document's serials and check them, before ERPNext posts.

	A second document waits here until the first one ends (the posting turn,
	:mod:`~serial_tracking.stock.posting`), then finds any serial they share moved and is refused
	before it reaches the stock ledger, where documents posted at the same moment deadlock in
	ERPNext's own queries.
	"""
	passed = handover.of(doc)
	passed.planned = pipeline.plan_under_lock(doc, handover.read_context(doc))
	passed.submit_checked = True


def on_submit(doc, method=None):
	passed = handover.of(doc)
	planned, passed.planned = passed.planned, None
	if not passed.submit_checked:
		# before_submit did not run (``ignore_validate`` skips it): the plan is made here.
		planned = pipeline.plan_under_lock(doc, None)
	passed.submit_checked = False
	if planned:
		pipeline.post(doc, *planned)


def before_cancel(doc, method=None):
	"""Refuse unless the document's movements are their serials' latest, before ERPNext's work; a
	document too big for a web request is cancelled by a background job."""
	count_cancelling.refuse_cancelling_alone(doc)
	conversion.refuse_cancel(doc)
	rows = len(documents.rows_of(doc))
	if background.should_hand_over(rows) and (serials := ledger.voucher_serials(doc.doctype, doc.name)):
		latest_first.refuse_held_back(doc, serials)
		background.cancel_later(doc, rows)
	passed = handover.start(doc)
	with ledger.concurrent_moves_refused():
		passed.voided = latest_first.check_latest(doc)
	passed.cancel_checked = True


def on_cancel(doc, method=None):
	passed = handover.of(doc)
	found, passed.voided = passed.voided, None
	if not passed.cancel_checked:
		# before_cancel did not run (``ignore_validate`` skips it): the cancel is checked here.
		found = latest_first.check_latest(doc)
	passed.cancel_checked = False
	if found:
		with ledger.concurrent_moves_refused():
			ledger.void(found)
	cartons.unpack_document(doc)
	skip_link_check_of_unsubmitted_rows(doc)


#: The app's doctypes whose rows name a stock document by a Dynamic Link and are never submitted.
NAMING_ROWS = (LOG, SERIAL)


def skip_link_check_of_unsubmitted_rows(doc) -> None:
	"""Leave the app's rows out of Frappe's check of links made after ``on_cancel``: it refuses a
	cancel only for a submitted row naming the document, which the log and the serials never hold,
	and it would read every log row of the document for that (a tenth of a 10,000-serial cancel)."""
	doc.ignore_linked_doctypes = (*(doc.get("ignore_linked_doctypes") or ()), *NAMING_ROWS)
