"""Role checks that hold in every context (``frappe.only_for`` lets tests and Administrator through)."""

import frappe
from frappe import _

MANAGERS = ("Stock Manager", "System Manager")


def require_role(roles=MANAGERS) -> None:
	if frappe.session.user == "Administrator" or set(roles) & set(frappe.get_roles()):
		return
	frappe.throw(
		_("Only {0} may do this").format(", ".join(_(role) for role in roles)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)
