"""A stock document as Desk holds it, before it is saved: read, permission-checked, never stored.

The SN dialog sends the form's document (``frm.doc``, as JSON) with the name of one of its rows,
Desk's temporary ``new-...`` name of an unsaved row included. :func:`load` makes it a document
object without inserting or saving it; :func:`row_of` finds the row.
"""

import frappe
from frappe import _

from serial_tracking.arguments import json_value
from serial_tracking.core.plan import RowRequest
from serial_tracking.settings import get_settings
from serial_tracking.stock import documents, pipeline, reading_walls


def load(doc: str | dict) -> "frappe.model.document.Document":
	"""The document of ``doc`` (JSON or a dict), checked but never saved or inserted.

	Refused, with a 4xx naming what is wrong: not a document, a doctype that carries no SN codes,
	a submitted or cancelled document, a user who may not create (unsaved) or write (saved) it,
	or whose User Permissions do not allow a warehouse, company or item it names, or a document its
	serials are checked against (:func:`~serial_tracking.stock.reading_walls.require_readable_documents`).
	"""
	values = _values(doc)
	doctype = values.get("doctype")
	if doctype not in documents.SUPPORTED:
		frappe.throw(
			_("Documents of type {0} carry no SN codes").format(frappe.bold(_(str(doctype or "")))),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	values.pop("_action", None)
	if _docstatus(values.get("docstatus")) != 0:
		frappe.throw(
			_("{0} {1} is submitted or cancelled: its SN codes can no longer change").format(
				_(doctype), frappe.bold(values.get("name") or "")
			),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	try:
		loaded = frappe.get_doc(values)
	except (TypeError, ValueError, AttributeError):
		_refuse_shape(doc)
	loaded.docstatus = 0
	stored = None
	if loaded.name and not values.get("__islocal") and frappe.db.exists(doctype, loaded.name):
		stored = loaded.name
	if stored:
		# The stored document decides, not what the request says of it.
		frappe.has_permission(doctype, "write", doc=stored, throw=True)
	else:
		loaded.owner = frappe.session.user
		frappe.has_permission(doctype, "create", throw=True)
	# Every warehouse, company and item the document names, as the user sent it.
	if not frappe.has_permission(doctype, "write" if stored else "create", doc=loaded):
		frappe.throw(
			_("You are not permitted to use the values of this {0}").format(_(doctype)),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	reading_walls.require_readable_links(loaded)
	reading_walls.require_readable_documents(loaded)
	return loaded


def _docstatus(value) -> int:
	try:
		return int(value or 0)
	except (TypeError, ValueError):
		frappe.throw(
			_("The document's docstatus must be 0, 1 or 2, not '{0}'").format(
				frappe.utils.escape_html(str(value)[:80])
			),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)


def _refuse_shape(doc) -> None:
	frappe.throw(
		_("The document must be a document as Desk holds it (JSON), not '{0}'").format(
			frappe.utils.escape_html(str(doc)[:80])
		),
		frappe.ValidationError,
		title=_("Invalid argument"),
	)


def _values(doc: str | dict) -> dict:
	parsed = json_value(doc)
	if not isinstance(parsed, dict):
		_refuse_shape(doc)
	return dict(parsed)


def request_of(doc, row) -> tuple[pipeline.Context, RowRequest]:
	"""The document's context as submit reads it, and the request of ``row`` in it; refused when the
	app is switched off or the row's item does not track SN codes."""
	context = pipeline.context_of(doc)
	if context:
		reading_walls.require_readable_sources(context.rows)
	request = context and next((r for r in context.rows if r.detail_no == row.name), None)
	if request is None:
		if not get_settings().enabled:
			frappe.throw(_("SN tracking is switched off (Serial Tracking Settings)"), title=_("Not tracked"))
		frappe.throw(
			_("Row {0}: item {1} is not SN-tracked, so its row carries no SN codes").format(
				row.idx, frappe.utils.escape_html(row.item_code or "")
			),
			title=_("Not tracked"),
		)
	return context, request


def row_of(doc, row_name: str):
	"""The row named ``row_name`` among the document's rows that carry SN codes; refused, naming it,
	when the document has no such row."""
	for _rows, row in documents.rows_of(doc):
		if row_name and row.name == row_name:
			return row
	frappe.throw(
		_("{0} {1} has no row {2} that carries SN codes").format(
			_(doc.doctype),
			frappe.utils.escape_html(doc.name or ""),
			frappe.utils.escape_html(str(row_name or "")),
		),
		frappe.DoesNotExistError,
		title=_("Invalid argument"),
	)
