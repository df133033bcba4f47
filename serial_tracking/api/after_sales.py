"""``serial_tracking.api.sn_code_details``: what an after-sales form fills from a unit's SN code."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking.arguments import iso_date
from serial_tracking.stock import after_sales


@frappe.whitelist(methods=["GET", "POST"])
def sn_code_details(sn_code: Any = None, on: Any = None) -> dict:
	"""The item (code and name), warranty and AMC ends, *Warranty / AMC Status* on the date ``on``
	(today unless given) and the customer holding the unit now (None: none does) of a unit the user may
	read; refused, naming the code, when they may not, whether it exists or not. Reads only."""
	if not isinstance(sn_code, str) or not sn_code.strip():
		frappe.throw(
			_("{0} must be an SN code, not '{1}'").format(_("SN Code"), escape_html(str(sn_code))),
			title=_("Invalid argument"),
		)
	return after_sales.details(sn_code.strip(), iso_date(on, _("Date")))
