"""/sn-check: the public authenticity and warranty check, a form calling
``serial_tracking.api.check_authenticity`` (rate-limited there). While the setting is off
``serial_tracking.website.SwitchedOffPage`` answers 404 before this runs; the check here covers the
setting switched off in between."""

import frappe
from frappe import _

from serial_tracking.finding import authenticity

#: Never served from the page cache: the setting may change, and ``code`` comes from the address.
no_cache = 1


def get_context(context):
	if not authenticity.is_on():
		raise frappe.PageDoesNotExistError
	context.no_cache = 1
	context.title = _("Check an SN code")
	# A code in the address (a label's QR code) fills the form; the answer is the API's.
	code = frappe.form_dict.get("code")
	context.code = code[:200] if isinstance(code, str) else ""
	return context
