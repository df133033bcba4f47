"""Counting a warehouse by scanning: scan into a Serial Count, read its summary, post and cancel it."""

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking import arguments
from serial_tracking.permissions import require_readable
from serial_tracking.stock import count_basics, count_review, count_scanning
from serial_tracking.stock.count_basics import IN_TRANSIT, MISPLACED, SCAN, SERIAL_COUNT, UNKNOWN, WRONG_ITEM
from serial_tracking.stock.count_summary import codes_of_kind, summary

#: The lists of codes ``count_summary`` returns, at most this many each.
_LISTED = 100


def _count(count: str, ptype: str):
	"""The count, once the user may ``ptype`` it and read its warehouse; a clear refusal otherwise."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Sign in to count"), frappe.PermissionError, title=_("Not permitted"))
	if not isinstance(count, str) or not count.strip():
		frappe.throw(
			_("Count must be the name of a {0}, not '{1}'").format(
				_(SERIAL_COUNT), escape_html(str(count if count is not None else ""))
			),
			title=_("Invalid argument"),
		)
	if not frappe.db.exists(SERIAL_COUNT, count):
		frappe.throw(
			_("{0} {1} does not exist").format(_(SERIAL_COUNT), escape_html(count)), frappe.DoesNotExistError
		)
	doc = frappe.get_doc(SERIAL_COUNT, count)
	if ptype in ("write", "submit") and doc.docstatus != 0:
		# Posted or cancelled: say so to anyone who may read it, rather than "not permitted".
		frappe.has_permission(SERIAL_COUNT, "read", doc=doc, throw=True)
		count_basics.require_draft(doc, _("it cannot be changed"))
	frappe.has_permission(SERIAL_COUNT, ptype, doc=doc, throw=True)
	require_readable("Warehouse", doc.warehouse)
	return doc


@frappe.whitelist(methods=["POST"])
def count_scan(count: str, text: str | None = None) -> dict:
	"""Scan codes, cartons or GS1 symbols into a draft count; per code what it is (counted,
	misplaced and where, sold, returned, issued, missing, in transit, unknown, wrong item) and
	whether it was new, with the live per-item summary."""
	doc = _count(count, "write")
	return count_scanning.scan(doc.name, text)


@frappe.whitelist(methods=["POST"])
def count_unscan(count: str, code: str) -> dict:
	"""Take a code scanned by mistake out of a draft count."""
	doc = _count(count, "write")
	if not isinstance(code, str) or not code.strip():
		frappe.throw(_("Code must be an SN code, not '{0}'").format(escape_html(str(code))))
	removed = count_scanning.unscan(doc.name, code.strip())
	return {"removed": removed, "summary": summary(doc.name)}


@frappe.whitelist()
def count_scans(count: str, kind: str | None = None, limit: int | None = None) -> dict:
	"""How many scans of each kind the count holds (counted, misplaced, sold, ... unknown), and the
	latest of each kind (of ``kind`` alone when given), at most ``limit`` (50; 500 at most) each."""
	doc = _count(count, "read")
	return count_review.scans(doc.name, kind or None, limit or count_review.LISTED)


@frappe.whitelist(methods=["POST"])
def count_remove_scans(count: str, codes: list[str] | str | None = None, kind: str | None = None) -> dict:
	"""Take scans out of a draft count: the SN codes named, or every scan of one kind (``unknown``,
	say; at most 5,000 per call: call again while ``left`` is not 0). Refused on a count posted,
	cancelled or being posted."""
	doc = _count(count, "write")
	removed = count_review.remove(doc.name, arguments.codes(codes, _("Codes")), kind or None)
	return {**removed, "summary": summary(doc.name)}


@frappe.whitelist()
def count_preview(count: str) -> dict:
	"""What posting the count would do now: units found in place, misplaced units brought here (from
	which warehouse), units found again, units to become Missing, unknown codes that refuse it."""
	doc = _count(count, "read")
	return count_review.preview(doc)


@frappe.whitelist()
def count_summary(count: str) -> dict:
	"""The count's per-item summary, and the first codes of each difference to look at."""
	doc = _count(count, "read")
	kinds = (UNKNOWN, WRONG_ITEM, MISPLACED, IN_TRANSIT, "not_scanned")
	return {
		"count": doc.name,
		"status": doc.status,
		"docstatus": doc.docstatus,
		"summary": summary(doc.name),
		"codes": codes_of_kind(doc.name, kinds, _LISTED),
		"documents": [
			{"document_type": d.document_type, "document_name": d.document_name, "purpose": d.purpose}
			for d in doc.documents
		],
	}


@frappe.whitelist(methods=["POST"])
def post_count(count: str, leave: list[str] | str | None = None) -> dict:
	"""Post a draft count: the transfers of misplaced units (but those in ``leave``), the Stock
	Reconciliations, and the count's own movements where the quantity does not change. All or
	nothing; a count posted already, or being posted by someone else, is refused."""
	doc = _count(count, "submit")
	codes = arguments.codes(leave, _("Leave"))
	scans = frappe.db.count(SCAN, {"serial_count": doc.name})
	if len({code.upper() for code in codes}) > scans:
		frappe.throw(
			_("Leave names {0} SN codes, more than the {1} scanned into {2} {3}").format(
				len(codes), scans, _(SERIAL_COUNT), doc.name
			),
			title=_("Invalid argument"),
		)
	save_point = "serial_count_post"
	frappe.db.savepoint(save_point)
	try:
		count_basics.lock_draft(doc.name, _("it cannot be posted again"))
		doc.reload()
		doc.flags.leave = codes
		doc.submit()
	except Exception:
		frappe.db.rollback(save_point=save_point)
		raise
	return _made(doc)


@frappe.whitelist(methods=["POST"])
def cancel_count(count: str) -> dict:
	"""Cancel a posted count: its documents are cancelled latest first through ERPNext's cancel."""
	doc = _count(count, "cancel")
	save_point = "serial_count_cancel"
	frappe.db.savepoint(save_point)
	try:
		row = frappe.db.sql(
			f"select `docstatus` from `tab{SERIAL_COUNT}` where `name` = %s for update", (doc.name,)
		)
		if row[0][0] != 1:
			frappe.throw(
				_("{0} {1} is not posted: there is nothing to cancel").format(_(SERIAL_COUNT), doc.name),
				count_basics.CountError,
				title=_("Count not cancelled"),
			)
		doc.reload()
		doc.cancel()
	except Exception:
		frappe.db.rollback(save_point=save_point)
		raise
	return _made(doc)


def _made(doc) -> dict:
	return {
		"count": doc.name,
		"status": doc.status,
		"documents": [
			{"document_type": d.document_type, "document_name": d.document_name, "purpose": d.purpose}
			for d in doc.documents
		],
	}
