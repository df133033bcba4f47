"""Stock movements of after-sales service: replacing a customer's unit under a Warranty Claim, and
spare parts fitted into one at a Maintenance Visit."""

import frappe
from frappe import _

from serial_tracking import arguments
from serial_tracking.constants import SERIAL
from serial_tracking.permissions import require_readable
from serial_tracking.stock import repair, replacement


@frappe.whitelist(methods=["POST"])
def replace_unit(claim: str, new_code: str, warehouse: str, faulty_code: str | None = None) -> dict:
	"""Take the claim's faulty unit back into ``warehouse`` and hand ``new_code`` to the claim's
	customer in its place, by two Stock Entries linked to the claim; their names (``receipt``,
	``issue``). The user must be able to write the claim, create and submit Stock Entries, and read
	both units and the warehouse."""
	# the role first: a user who may write no claim learns nothing of this one, not even that it exists
	frappe.has_permission(replacement.CLAIM, "write", throw=True)
	doc = frappe.get_doc(replacement.CLAIM, claim)
	doc.check_permission("write")
	faulty_code = faulty_code or doc.get("sn_code")
	_require_stock_entries((faulty_code, new_code), warehouse)
	return replacement.replace_unit(claim, new_code, warehouse, faulty_code)


@frappe.whitelist(methods=["POST"])
def fit_parts(visit: str, unit_code: str, part_codes: list[str] | str, warehouse: str) -> dict:
	"""Issue the SN-tracked spare parts ``part_codes`` (a list, or codes one a line) from
	``warehouse`` as fitted into ``unit_code``, a unit of the visit's customer, by one Material Issue
	linked to the visit; its name (``issue``). The user must be able to write the visit, create and
	submit Stock Entries, and read the unit, the parts and the warehouse."""
	frappe.has_permission(repair.VISIT, "write", throw=True)
	doc = frappe.get_doc(repair.VISIT, visit)
	doc.check_permission("write")
	parts = arguments.codes(part_codes, _("Parts' SN codes"))
	_require_stock_entries((unit_code, *parts), warehouse)
	return repair.fit_parts(visit, unit_code, parts, warehouse)


def _require_stock_entries(codes, warehouse: str) -> None:
	"""The user may make and submit Stock Entries, and read these serials and the warehouse."""
	for ptype in ("create", "submit"):
		frappe.has_permission("Stock Entry", ptype, throw=True)
	for code in codes:
		require_readable(SERIAL, code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
