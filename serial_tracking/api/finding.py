"""Whitelisted methods of the search: a page of matching serials, and their export."""

import frappe
from frappe import _

from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.constants import SERIAL
from serial_tracking.exchange import export
from serial_tracking.finding import search

#: The largest page ``search_serials`` returns; past it, export.
MAX_PAGE = 5000
#: The largest offset the database takes (past it, a raw SQL error).
MAX_START = 2**63 - 1


@frappe.whitelist()
@frappe.read_only()
def search_serials(
	filters: dict | str | None = None, start: WholeNumber = 0, page_length: WholeNumber = search.PAGE_LENGTH
) -> dict:
	"""One page of the serials matching ``filters`` (by code), how many match in all, and per status."""
	frappe.has_permission(SERIAL, "read", throw=True)
	start = whole_number(start, _("Start"))
	page_length = whole_number(page_length, _("Page Length"))
	if not 0 <= start <= MAX_START:
		frappe.throw(
			_("Start must be from 0 to {0}, not {1}").format(MAX_START, start), title=_("Invalid argument")
		)
	if not 1 <= page_length <= MAX_PAGE:
		frappe.throw(
			_("Page Length must be from 1 to {0}, not {1}").format(MAX_PAGE, page_length),
			title=_("Invalid argument"),
		)
	filters = search.read_filters(filters)
	counts = search.status_counts(filters)
	return {
		"rows": search.rows(filters, start, page_length),
		"total": sum(counts.values()),
		"status_counts": counts,
	}


@frappe.whitelist(methods=["POST"])
@frappe.read_only()
def export_serials(filters: dict | str | None = None, format: str | None = "xlsx") -> dict:
	"""Every serial matching ``filters`` as a private xlsx or csv File: ``{"file_url"}`` when made in
	the request (up to 5,000 rows), else ``{"job"}`` and a notification when the job is done."""
	frappe.has_permission(SERIAL, "read", throw=True)
	frappe.has_permission(SERIAL, "export", throw=True)
	return export.start(filters, format)
