"""Correcting a serial's code that was entered wrong (managers)."""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import require_readable, require_role
from serial_tracking.stock import code_correction


@frappe.whitelist(methods=["POST"])
def correct_code(serial_no: str | None = None, new_code: str | None = None) -> dict:
	"""Rename a serial to ``new_code``: a Stock Manager's correction, logged with the previous code.

	The serial keeps its status, warehouse and history; documents submitted before
	keep the code as printed.
	"""
	require_role()
	frappe.has_permission(SERIAL, "write", throw=True)
	if not serial_no:
		frappe.throw(_("{0} is required").format(_(SERIAL)), frappe.MandatoryError)
	require_readable(SERIAL, serial_no)
	return {"serial_no": code_correction.correct(serial_no, new_code)}
