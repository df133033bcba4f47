"""Switching SN tracking on or off for many items at once."""

import frappe
from frappe import _

from serial_tracking import arguments
from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.stock import bulk


@frappe.whitelist(methods=["POST"])
def set_tracking(items: list[str] | str, enable: WholeNumber = 1) -> dict:
	"""Switch SN tracking on or off for many items; past a few hundred it runs as a background job."""
	frappe.has_permission("Item", "write", throw=True)
	enable = bool(whole_number(enable, _("Enable")))
	return bulk.start(list(dict.fromkeys(arguments.item_codes(items))), enable)
