"""One scan into a stock document's own Scan Barcode field."""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.stock import scan_into


@frappe.whitelist(methods=["POST"])
def scan_into_document(doc: str | dict, scan: str | None = None, row: str | None = None) -> dict:
	"""Where the scan ``scan`` goes in the unsaved document ``doc`` (as Desk holds it): the SN-tracked
	item it names (by its serial, carton or GTIN), the row (``row``: an existing row's name, or
	``new_row``: the values of a row to add), the ``codes`` to add to it and the ``refused`` ones
	with their reasons. ``ours`` false: no SN code, carton or GS1 symbol of an SN-tracked item;
	ERPNext's scanner reads it. ``row``: the row an item barcode selected before (new codes of a
	receipt go there). Nothing is stored."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Sign in to enter SN codes"), frappe.PermissionError, title=_("Not permitted"))
	frappe.has_permission(SERIAL, "read", throw=True)
	return scan_into.load_and_scan(doc, scan, row)
