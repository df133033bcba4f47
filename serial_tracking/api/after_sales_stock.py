"""Stock movements of after-sales service: replacing a customer's unit under a Warranty Claim."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import require_readable
from serial_tracking.stock import replacement


@frappe.whitelist(methods=["POST"])
def replace_unit(claim: str, new_code: str, warehouse: str, faulty_code: str | None = None) -> dict:
	"""Take the claim's faulty unit back into ``warehouse`` and hand ``new_code`` to the claim's
	customer in its place, by two Stock Entries linked to the claim; their names (``receipt``,
	``issue``). The user must be able to write the claim, create and submit Stock Entries, and read
	both units and the warehouse."""
	doc = frappe.get_doc(replacement.CLAIM, claim)
	doc.check_permission("write")
	for ptype in ("create", "submit"):
		frappe.has_permission("Stock Entry", ptype, throw=True)
	faulty_code = faulty_code or doc.get("sn_code")
	for code in (faulty_code, new_code):
		require_readable(SERIAL, code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
	return replacement.replace_unit(claim, new_code, warehouse, faulty_code)
