"""Serial Number Search: one page of the serials matching the filters, with counts per status.

Everything is asked of ``serial_tracking.finding.search`` (permissions as a list of Serial Number
shows them); every match is exported from the report's Export button.
"""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL, STATUS_COLOURS
from serial_tracking.finding import search


def execute(filters: dict | None = None):
	# as search_serials: a role that only selects serials (for links) does not list them
	frappe.has_permission(SERIAL, "read", throw=True)
	filters = search.read_filters(dict(filters or {}))
	# Counted exactly up to COUNT_MOST: past it, "more than" (a million serials take long to count).
	counts = search.status_counts(filters, most=search.COUNT_MOST)
	total = sum(counts.values())
	data = search.rows(filters, 0, search.PAGE_LENGTH) if total else []
	return search.columns(), data, _message(len(data), total), None, _summary(counts, total)


def _message(shown: int, total: int) -> str | None:
	if total <= shown:
		return None
	if total > search.COUNT_MOST:
		return _(
			"Showing the first {0} of more than {1} matching serials. Use Export to get all of them."
		).format(frappe.format(shown, "Int"), frappe.format(search.COUNT_MOST, "Int"))
	return _("Showing the first {0} of {1} matching serials. Use Export to get all of them.").format(
		frappe.format(shown, "Int"), frappe.format(total, "Int")
	)


def _summary(counts: dict[str, int], total: int) -> list[dict]:
	if total > search.COUNT_MOST:
		more = _("more than {0}").format(frappe.format(search.COUNT_MOST, "Int"))
		return [{"value": more, "label": _("Matching serials"), "datatype": "Data", "indicator": "blue"}]
	summary = [{"value": total, "label": _("Matching serials"), "datatype": "Int", "indicator": "blue"}]
	summary += [
		{"value": n, "label": _(status), "datatype": "Int", "indicator": STATUS_COLOURS.get(status, "gray")}
		for status, n in counts.items()
	]
	return summary
