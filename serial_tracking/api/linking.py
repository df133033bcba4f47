"""``serial_tracking.api.search_serial_link``: what a Link field to Serial Number finds as one types.

Frappe's own link search looks for the text anywhere in the code, the item, the status and the
warehouse (``like '%text%'`` on four columns, sorted by where the text occurs): on a million
serials that reads every row, a second or more per keystroke. Serials are found here by the start
of their code, a range of the primary key, in code order: a few milliseconds whatever the number
of serials. Wired for every Link field to Serial Number by ``standard_queries`` in hooks.py.
"""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.core.codes import fold, key

#: What a suggestion shows under the code.
DESCRIPTION = ("item_code", "status", "warehouse")
#: Most suggestions one call returns.
MOST = 100


@frappe.whitelist()
def search_serial_link(
	doctype: str = SERIAL,
	txt: str = "",
	searchfield: str | None = None,
	start: int = 0,
	page_len: int = 10,
	filters: str | dict | list | None = None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""Serials whose code starts with ``txt`` (case-insensitive, full-width folded), in code order,
	that the user may read as a list shows them (User Permissions apply), with ``filters`` as
	Frappe's link search takes them. Rows: code, item, status, warehouse."""
	if not (frappe.has_permission(SERIAL, "select") or frappe.has_permission(SERIAL, "read")):
		frappe.throw(_("Not permitted to search {0}").format(_(SERIAL)), frappe.PermissionError)
	start = max(frappe.utils.cint(start), 0)
	page_len = min(max(frappe.utils.cint(page_len), 1), MOST)
	prefix = fold(txt or "").strip()
	if isinstance(filters, str):
		filters = frappe.parse_json(filters) if filters.strip() else None
	if isinstance(filters, dict):
		filters = [
			[SERIAL, key, *(value if isinstance(value, list | tuple) else ("=", value))]
			for key, value in filters.items()
		]
	conditions = list(filters or [])
	if prefix:
		# LIKE's own wildcards in a code (``_``, ``%``) match more than the prefix: those rows are
		# left out below, and the next rows read, until the page is full.
		conditions.append([SERIAL, "name", "like", prefix.replace("%", "") + "%"])
	wanted, found, offset = start + page_len, [], 0
	batch = max(wanted, 20)
	while True:
		rows = frappe.get_list(
			SERIAL,
			filters=conditions,
			fields=["name", *DESCRIPTION],
			order_by="name asc",
			limit_start=offset,
			limit_page_length=batch,
			reference_doctype=reference_doctype,
		)
		found += [r for r in rows if key(r.name).startswith(key(prefix))]
		if len(found) >= wanted or len(rows) < batch:
			break
		offset += batch
	page = found[start:wanted]
	if as_dict:
		return page
	return [[r.name, *(r.get(f) for f in DESCRIPTION)] for r in page]
