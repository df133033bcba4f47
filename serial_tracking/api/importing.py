"""Whitelisted methods of the xlsx import: the template, an import from the list, and a file read
for one row of the SN dialog."""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.exchange import xlsx_import
from serial_tracking.settings import get_settings
from serial_tracking.stock import unsaved


@frappe.whitelist()
def import_template() -> None:
	"""The xlsx template to fill (a download): headers in the user's language, code columns as text,
	and a second sheet explaining each column."""
	frappe.has_permission(SERIAL, "read", throw=True)
	frappe.response["filename"] = _("sn-codes-import-template") + ".xlsx"
	frappe.response["filecontent"] = xlsx_import.template()
	frappe.response["type"] = "binary"


@frappe.whitelist(methods=["POST"])
def import_serials(file_url: str) -> dict:
	"""Register the units of a filled template (a File the user may read) as in stock, all or
	nothing: ``{"registered": n}``, or past 1,000 rows ``{"job": id, "rows": n}`` and a
	notification when the job is done. Every problem is reported at once (row, column, value,
	reason)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	return xlsx_import.start(file_url)


@frappe.whitelist(methods=["POST"])
def read_import(file_url: str, doc: str | dict, row: str) -> dict:
	"""A filled template read for one row of an unsaved document (the SN dialog): its codes and
	cartons, and the problems of its rows (each naming row, column, value and reason). Every row
	must be of the row's item, and of its warehouse or none. Nothing is stored.

	A row of a document takes at most the settings' most SN codes per operation: a file with data
	past that many rows is refused as soon as the reading reaches it."""
	frappe.has_permission(SERIAL, "read", throw=True)
	loaded = unsaved.load(doc)
	target = unsaved.row_of(loaded, row)
	_context, request = unsaved.request_of(loaded, target)
	file = xlsx_import.file_of(file_url)
	most = get_settings().limits.max_per_operation
	sheet = xlsx_import.read_head(file, head=None, most=most, one_row=True)
	lines, problems = sheet.lines, sheet.problems
	checked = xlsx_import.check(
		lines,
		problems,
		item_code=request.item_code,
		warehouse=request.from_warehouse or request.to_warehouse or "",
	)
	# Only the codes of good rows, and the cartons wholly of them.
	refused = {p.row for p in checked.problems}
	codes = [
		checked.codes[line.row] for line in lines if line.row in checked.codes and line.row not in refused
	]
	kept = set(codes)
	cartons = {
		carton: list(found)
		for carton, (_item, found) in checked.cartons.items()
		if all(code in kept for code in found)
	}
	return {
		"codes": codes,
		"cartons": cartons,
		"problems": [p.as_dict() for p in checked.problems],
	}
