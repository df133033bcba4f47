"""The live check of one row's SN codes for the SN dialog."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.stock import row_check, unsaved


@frappe.whitelist(methods=["POST"])
def check_row(doc: str | dict, row: str, text: str | None = None) -> dict:
	"""What submit would say of the codes ``text`` on row ``row`` of the unsaved document ``doc``
	(as Desk holds it): each code good or refused with its reason, entered / required, the row's
	problems, and whether setting the codes sets the row's quantity. Nothing is stored."""
	frappe.has_permission(SERIAL, "read", throw=True)
	loaded = unsaved.load(doc)
	return row_check.check(loaded, row, text)
