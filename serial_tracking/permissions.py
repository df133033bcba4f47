"""Permission checks that hold in every context.

``require_role``: ``frappe.only_for`` lets tests and Administrator through, this does not.
``readable`` / ``require_readable``: what the user may read, judged as ``frappe.get_list`` judges
it: role permissions and User Permissions on the document itself and on its link fields (a
Warehouse restricted directly, or through its Company). A document's child tables are not
looked into, as in a list: an Item whose *Item Defaults* name another warehouse stays readable to
a user restricted to one warehouse.
"""

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import escape_html

MANAGERS = ("Stock Manager", "System Manager")


def require_role(roles=MANAGERS) -> None:
	if frappe.session.user == "Administrator" or set(roles) & set(frappe.get_roles()):
		return
	frappe.throw(
		_("Only {0} may do this").format(", ".join(_(role) for role in roles)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def readable(doctype: str, names: Iterable[str | None]) -> set[str]:
	"""Those of ``names`` that exist and that the user may read (as stored, for comparing).

	A user with no role that reads ``doctype`` (ERPNext gives Warehouse to Stock User, not to
	Stock Manager) reads none of them.
	"""
	names = sorted({name for name in names if name})
	if not names or not (frappe.has_permission(doctype, "read") or frappe.has_permission(doctype, "select")):
		return set()
	return set(frappe.get_list(doctype, filters={"name": ("in", names)}, pluck="name", limit_page_length=0))


def require_readable(doctype: str, name: str | None, *, known_only: bool = False) -> None:
	"""Refuse, naming it, a document that is missing, does not exist or that the user may not read.

	``known_only``: refuse only an existing document the user may not read (the caller names
	missing and unknown ones in its own words).
	"""
	if not name:
		if known_only:
			return
		frappe.throw(_("{0} is required").format(_(doctype)), frappe.MandatoryError)
	if readable(doctype, [name]):
		return
	if not frappe.db.exists(doctype, name):
		if known_only:
			return
		frappe.throw(
			_("{0} {1} does not exist").format(_(doctype), escape_html(name)), frappe.DoesNotExistError
		)
	frappe.throw(
		_("You are not permitted to read {0} {1}").format(_(doctype), escape_html(name)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def allowed_parties(
	pairs: Iterable[tuple[str | None, str | None]], doctypes: Iterable[str]
) -> set[tuple[str, str]]:
	"""Those (party type, party) of ``pairs`` that the user's User Permissions let through for
	``doctypes``, as a list lets a Customer or Supplier link through: a user restricted to some
	customers (or suppliers) sees no sale to (or receipt from) another. A Dynamic Link such as the
	log's party is not restricted by ``frappe.get_list``; this is its check."""
	permissions = frappe.permissions.get_user_permissions(frappe.session.user)
	doctypes = set(doctypes)
	allowed = set()
	for party_type, party in {(t, p) for t, p in pairs if t and p}:
		docs = {
			p.get("doc")
			for p in permissions.get(party_type, [])
			if not p.get("applicable_for") or p.get("applicable_for") in doctypes
		}
		if not docs or party in docs:
			allowed.add((party_type, party))
	return allowed
