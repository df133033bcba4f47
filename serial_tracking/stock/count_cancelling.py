"""Cancelling a Serial Count: what posting made is undone latest first (the count's own movements,
then its documents through ERPNext's cancel), and a document the count made is never cancelled
alone."""

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking import messages
from serial_tracking.stock import latest_first, ledger, posting
from serial_tracking.stock.count_basics import SERIAL_COUNT

#: The documents a count makes when it is posted.
MAKES = ("Stock Entry", "Stock Reconciliation")
#: The rows of a Stock Reconciliation.
SR_ROWS = "Stock Reconciliation Item"


def made_by(doc: tuple[str, str]) -> tuple[str, str] | None:
	"""The submitted Serial Count that made ``doc`` (doctype, name): its transfer or reconciliation."""
	if doc[0] not in MAKES:
		return None
	found = frappe.db.sql(
		f"select c.`name` from `tab{SERIAL_COUNT} Document` d join `tab{SERIAL_COUNT}` c on c.`name` = d.`parent`"
		" where d.`document_type` = %s and d.`document_name` = %s and c.`docstatus` = 1 limit 1",
		doc,
	)
	return (SERIAL_COUNT, found[0][0]) if found else None


def refuse_cancelling_alone(doc) -> None:
	"""Refuse cancelling on its own a document a submitted count made: the count's cancel cancels it
	(and puts back what the count moved itself)."""
	owner = made_by((doc.doctype, doc.name))
	if owner:
		frappe.throw(
			_("{0} {1} was made by {2} {3}: cancelling the count cancels it.").format(
				_(doc.doctype), escape_html(doc.name), _(owner[0]), escape_html(owner[1])
			),
			messages.SerialCancelError,
			title=_("Cancel the count"),
		)


def require_cancellable(doc) -> None:
	"""Before cancelling: refuse, naming them as the user may see them, when the user may not cancel
	a document the count made (a transfer out of a warehouse they may not read, say); Frappe would
	refuse it halfway, naming what the user may not read."""
	refused = [
		(row.document_type, row.document_name)
		for row in doc.documents
		if frappe.db.get_value(row.document_type, row.document_name, "docstatus") == 1
		and not frappe.has_permission(row.document_type, "cancel", doc=row.document_name)
	]
	if not refused:
		return
	named = ", ".join(
		f"{_(doctype)} {escape_html(name)}"
		if frappe.has_permission(doctype, "read", doc=name)
		else _("a {0} you may not see").format(_(doctype))
		for doctype, name in refused
	)
	frappe.throw(
		_(
			"{0} {1} cannot be cancelled: you may not cancel {2}, which it made; nothing was cancelled."
		).format(_(SERIAL_COUNT), escape_html(doc.name), named),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def rows_to_cancel(doc) -> int:
	"""How many rows the documents a posted count made hold (their cancel posts as many)."""
	found = 0
	for doctype, table in (("Stock Entry", "Stock Entry Detail"), ("Stock Reconciliation", SR_ROWS)):
		names = [d.document_name for d in doc.documents if d.document_type == doctype]
		if names:
			found += frappe.db.count(table, {"parent": ("in", names), "parenttype": doctype})
	return found


def cancel(doc) -> None:
	"""Undo what posting made, latest first: the count's own movements, then its documents through
	ERPNext's cancel."""
	posting.take_turn(doc, rows=rows_to_cancel(doc))
	_void_own(doc)
	made = sorted(doc.documents, key=lambda row: row.idx, reverse=True)
	for number, row in enumerate(made, start=1):
		document = frappe.get_doc(row.document_type, row.document_name)
		if document.docstatus == 1:
			# ERPNext's cancel itself, here and now: a reconciliation of more than 100 rows (made by a
			# count before they were kept smaller) would otherwise be cancelled by a job after this
			# commits, and the count would not cancel whole.
			document._cancel()
		posting.progress(number, len(made))
	frappe.db.set_value(SERIAL_COUNT, doc.name, "status", "Cancelled")
	doc.status = "Cancelled"


def _void_own(doc) -> None:
	"""The count's own movements (items whose quantity it did not change), voided as a document's
	are: refused while a later document moved those serials or a later count counted their places."""
	with ledger.concurrent_moves_refused():
		found = latest_first.check_latest(doc)
	if found:
		with ledger.concurrent_moves_refused():
			ledger.void(found)
