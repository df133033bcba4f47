"""Latest first: a document is cancelled only when its movements are the latest of their serials.

Later documents that moved its serials hold it back, and so do counts posted after it at the
places it moved serials into or out of: a Stock Reconciliation states how many units a warehouse
holds from its moment on, and ERPNext keeps that quantity when an earlier document is cancelled.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime

from serial_tracking import messages
from serial_tracking.constants import LOG
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.voiding import blockers
from serial_tracking.stock import documents, ledger, posting

#: ERPNext's count: its quantity is absolute from its posting on.
COUNT = "Stock Reconciliation"


def places_of(voucher_type: str, voucher_no: str) -> set[tuple[str, str]]:
	"""The (item, warehouse) pairs a document's active log rows moved serials into or out of."""
	rows = frappe.db.sql(
		f"select distinct `item_code`, `from_warehouse`, `to_warehouse` from `tab{LOG}`"
		" where `voucher_type` = %s and `voucher_no` = %s and `is_cancelled` = 0",
		(voucher_type, voucher_no),
	)
	return {(item, warehouse) for item, source, target in rows for warehouse in (source, target) if warehouse}


def later_counts(doc, places: set[tuple[str, str]], *, lock: bool = False) -> list[tuple[str, str]]:
	"""The submitted counts of ``places`` posted after ``doc`` (at the same moment: made after it),
	latest first, as ERPNext's stock ledger has them. ``lock``: a locking read, which sees what
	documents committed while this one waited for its posting turn; a plan only reads."""
	if not places:
		return []
	pairs = " or ".join(["(`item_code` = %s and `warehouse` = %s)"] * len(places))
	values = [value for place in sorted(places) for value in place]
	moment = get_datetime(f"{doc.posting_date} {doc.posting_time or '00:00:00'}")
	rows = frappe.db.sql(
		"select `voucher_no`, max(`posting_datetime`) latest, max(`creation`) made"
		" from `tabStock Ledger Entry`"
		f" where `voucher_type` = %s and `is_cancelled` = 0 and ({pairs})"
		" and (`posting_datetime` > %s or (`posting_datetime` = %s and `creation` > %s))"
		" and not (`voucher_type` = %s and `voucher_no` = %s)"
		" group by `voucher_no` order by latest desc, made desc" + (" lock in share mode" if lock else ""),
		(COUNT, *values, moment, moment, doc.creation, doc.doctype, doc.name),
	)
	return [(COUNT, voucher_no) for voucher_no, _latest, _made in rows]


def check_latest(doc) -> ledger.Voiding | None:
	"""Refuse to cancel while later documents moved this document's serials; else what cancelling
	writes.

	Runs whatever the settings say: a cancellation always puts back what its document moved, even
	with the app switched off since. Reads only the document's own rows, the rows after them and the
	few before them that decide each serial's earlier state.
	"""
	serials = ledger.voucher_serials(doc.doctype, doc.name)
	if not serials:
		return None
	places = places_of(doc.doctype, doc.name)
	posting.take_turn(doc, rows=len(documents.rows_of(doc)))
	locked = ledger.lock_serials(list(serials))
	if ledger.moved_meanwhile(serials, locked):
		ledger.refuse_busy(messages.SerialTrackingError)
	later = ledger.later_movements(doc.doctype, doc.name, serials)
	refuse_later(doc, later, places, lock=True)
	return ledger.voiding(doc.doctype, doc.name, serials, locked, later)


def refuse_held_back(doc, serials) -> None:
	"""Refuse, without locks, a document whose ``serials`` (:func:`ledger.voucher_serials`) later
	documents or counts hold back: before it is handed to a background job, which would find the same."""
	later = ledger.later_movements(doc.doctype, doc.name, serials)
	refuse_later(doc, later, places_of(doc.doctype, doc.name), lock=False)


def refuse_later(doc, later, places: set[tuple[str, str]], *, lock: bool) -> None:
	"""Refuse, naming them, while later documents moved the document's serials or later counts
	counted its places (``lock``: a locking read, for a document about to be cancelled)."""
	found = blockers(later)
	found += [c for c in later_counts(doc, places, lock=lock) if c not in found]
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
