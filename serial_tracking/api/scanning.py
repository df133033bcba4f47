"""One scan in a row's SN dialog: a carton's code stands for its serials that fit the row."""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.stock import cartons, unsaved


@frappe.whitelist(methods=["POST"])
def read_scan(doc: str | dict, row: str, scan: str | None = None) -> dict:
	"""Read ``scan`` as row ``row`` of the unsaved document ``doc`` (as Desk holds it) reads it:
	GS1 scans with the item's GTINs, a carton's code or SSCC as the carton's serials that fit the
	row, plain codes as themselves. Returns ``codes``, a ``message`` (plain text: "carton C-0001: 20
	codes", and what was left and why), ``problems`` and the ``carton`` scanned. Nothing is stored."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Sign in to enter SN codes"), frappe.PermissionError, title=_("Not permitted"))
	frappe.has_permission(SERIAL, "read", throw=True)
	loaded = unsaved.load(doc)
	found = unsaved.row_of(loaded, row)
	_context, request = unsaved.request_of(loaded, found)
	return cartons.read_scan(loaded, request, scan)
