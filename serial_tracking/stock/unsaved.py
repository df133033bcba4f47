"""A stock document as Desk holds it, before it is saved: read, permission-checked, never stored.

The SN dialog sends the form's document (``frm.doc``, as JSON) with the name of one of its rows,
Desk's temporary ``new-...`` name of an unsaved row included. :func:`load` makes it a document
object without inserting or saving it; :func:`row_of` finds the row.
"""

import frappe
from frappe import _

from serial_tracking.arguments import json_value
from serial_tracking.core.plan import RowRequest
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import documents, events


def load(doc: str | dict) -> "frappe.model.document.Document":
	"""The document of ``doc`` (JSON or a dict), checked but never saved or inserted.

	Refused, with a 4xx naming what is wrong: not a document, a doctype that carries no SN codes,
	a submitted or cancelled document, a user who may not create (unsaved) or write (saved) it,
	or whose User Permissions do not allow a warehouse, company or item it names, or a document its
	serials are checked against (``require_readable_documents``).
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
	_require_readable_links(loaded)
	require_readable_documents(loaded)
	return loaded


#: Doctypes whose values a document names that the user must be able to read, as a list of them
#: judges it (a Warehouse restricted through its Company, an Item through its Item Group ...).
_READ_LINKS = ("Company", "Warehouse", "Item", "Customer", "Supplier")


def _require_readable_links(loaded) -> None:
	"""Refuse a document naming a warehouse, company, item or party the user may not read.

	``has_permission`` compares each link with the user's User Permissions of its own doctype only;
	``frappe.get_list`` also hides a warehouse of a company the user is not allowed, and so on.
	Links that ignore User Permissions (a delivery's target warehouse) are left, as Frappe leaves them;
	those the rows' units leave from are checked with the rows (``require_readable_sources``).
	"""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	named: dict[str, set[str]] = {}
	for d in [loaded, *loaded.get_all_children()]:
		for df in d.meta.get_link_fields():
			value = d.get(df.fieldname)
			if df.options in _READ_LINKS and value and not df.ignore_user_permissions:
				named.setdefault(df.options, set()).add(str(value))
	for doctype, names in named.items():
		if not (frappe.has_permission(doctype, "read") or frappe.has_permission(doctype, "select")):
			continue
		allowed = {name.casefold() for name in readable(doctype, names)}
		existing = frappe.get_all(doctype, filters={"name": ("in", sorted(names))}, pluck="name")
		hidden = sorted(name for name in existing if name.casefold() not in allowed)
		if hidden:
			frappe.throw(
				_("You are not permitted to read {0} {1}").format(
					_(doctype), frappe.utils.escape_html(", ".join(hidden))
				),
				frappe.PermissionError,
				title=_("Not permitted"),
			)


#: The links to documents whose serials a document's rows are checked against: a return takes only
#: serials of its original, the arrival of a two-step transfer only those its outgoing entry sent, a
#: consolidated invoice's row those of its POS invoice. None: the document's own doctype.
_READ_DOCUMENTS = (
	(None, "return_against", None),
	(None, "outgoing_stock_entry", "Stock Entry"),
	(documents.ITEMS_TABLE, "pos_invoice", "POS Invoice"),
)


def require_readable_documents(doc) -> None:
	"""Refuse a document whose serials are checked against a document the user may not read (as
	opening it would check it): the answers would tell which serials that document moved."""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	named: set[tuple[str, str]] = set()
	for table, fieldname, doctype in _READ_DOCUMENTS:
		for d in (doc.get(table) or []) if table else [doc]:
			if (value := d.get(fieldname)) and isinstance(value, str):
				named.add((doctype or doc.doctype, value))
	for doctype, name in sorted(named):
		if frappe.db.exists(doctype, name) and not frappe.has_permission(doctype, "read", doc=name):
			frappe.throw(
				_("You are not permitted to read {0} {1}").format(_(doctype), frappe.utils.escape_html(name)),
				frappe.PermissionError,
				title=_("Not permitted"),
			)


def require_readable_sources(requests: list[RowRequest]) -> None:
	"""Refuse rows whose units leave from a warehouse the user may not read: the check of their codes
	(at that warehouse or not) would tell what it holds. ERPNext marks some of these links
	``ignore_user_permissions`` (a receipt's *From Warehouse* from an internal supplier, the *Target
	Warehouse* a sales return takes units back from), so Frappe does not check them; where the units
	go is not read, and may be a warehouse the user may not read (an internal customer's)."""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	if not (frappe.has_permission("Warehouse", "read") or frappe.has_permission("Warehouse", "select")):
		return
	sources = {r.from_warehouse for r in requests if r.from_warehouse}
	allowed = {name.casefold() for name in readable("Warehouse", sources)}
	for request in requests:
		if request.from_warehouse and request.from_warehouse.casefold() not in allowed:
			text = _("its units leave from warehouse {0}, which you are not permitted to read").format(
				frappe.utils.escape_html(request.from_warehouse)
			)
			frappe.throw(_at_row(request, text), frappe.PermissionError, title=_("Not permitted"))


def _at_row(request: RowRequest, text: str) -> str:
	"""``text`` said of the request's row, as a refusal of its codes names it."""
	if request.table == documents.PACKED.table:
		return _("Packed item row {0}: {1}").format(request.row, text)
	if request.table:
		return _("Row {0} of {1}: {2}").format(request.row, _(request.table.replace("_", " ").title()), text)
	return _("Row {0}: {1}").format(request.row, text)


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


def request_of(doc, row) -> tuple["events.Context", RowRequest]:
	"""The document's context as submit reads it, and the request of ``row`` in it; refused when the
	app is switched off or the row's item does not track SN codes."""
	context = events.context_of(doc)
	if context:
		require_readable_sources(context.rows)
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
