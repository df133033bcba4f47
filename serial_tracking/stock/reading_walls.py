"""What a user must be allowed to read before the app checks a document's SN codes for them.

A refusal of a code says where its unit is, which document moved it, what a warehouse holds: so
before a document's codes are checked, for a save or for the live SN dialog, the user must be
allowed to read the warehouses, companies, items and parties it names, the documents its serials
are checked against, and the warehouses its units leave from.
"""

import frappe
from frappe import _

from serial_tracking.core.plan import RowRequest
from serial_tracking.permissions import readable
from serial_tracking.stock import documents

#: Doctypes whose values a document names that the user must be able to read, as a list of them
#: judges it (a Warehouse restricted through its Company, an Item through its Item Group ...).
_READ_LINKS = ("Company", "Warehouse", "Item", "Customer", "Supplier")


def require_readable_links(loaded) -> None:
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
