"""``serial_tracking.api.trace``: a serial's lives, a document's serials, the recall question."""

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking.arguments import WholeNumber
from serial_tracking.constants import LOG, SERIAL
from serial_tracking.finding import trace as tracing


@frappe.whitelist()
@frappe.read_only()
def trace(
	serial_no: str | None = None,
	voucher_type: str | None = None,
	voucher_no: str | None = None,
	supplier: str | None = None,
	after: str | None = None,
	page_length: WholeNumber = None,
) -> dict:
	"""Trace from one of: an SN code (its current state, its lives, each told as a story with its
	figures, and the unit's figures over all of them), a document (type and
	number: every serial it moved and where each is now; for a receipt, also the customers who
	received its units), or a supplier (the customers who received the units it supplied).

	``kind`` in the answer says which ("serial", "document" or "supplier"). The customers of a
	receipt or a supplier come a page of units at a time: ``page_length`` units (500 unless asked,
	at most 2,000), from the unit ``after`` names (the ``next`` of the page before); ``more`` says
	whether units follow.
	"""
	frappe.has_permission(SERIAL, "read", throw=True)
	frappe.has_permission(LOG, "read", throw=True)
	serial_no, voucher_type, voucher_no, supplier = (
		(value.strip() if isinstance(value, str) else value) or None
		for value in (serial_no, voucher_type, voucher_no, supplier)
	)
	document = voucher_type or voucher_no
	if sum(bool(x) for x in (serial_no, document, supplier)) != 1:
		frappe.throw(
			_("Trace from exactly one of: an SN code, a document (type and number) or a supplier"),
			title=_("Invalid argument"),
		)
	if serial_no:
		return {"kind": "serial", **tracing.of_serial(serial_no)}
	if supplier:
		return {"kind": "supplier", **tracing.of_supplier(supplier, after, page_length)}
	if not voucher_type:
		frappe.throw(
			_("{0} is required to trace {1}").format(_("Document Type"), escape_html(voucher_no)),
			frappe.MandatoryError,
		)
	if not voucher_no:
		frappe.throw(
			_("{0} is required to trace a {1}").format(_("Document Number"), escape_html(_(voucher_type))),
			frappe.MandatoryError,
		)
	return {"kind": "document", **tracing.of_document(voucher_type, voucher_no, after, page_length)}
