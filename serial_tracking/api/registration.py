"""Registering the serials of units a warehouse already holds (after switching an item on)."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import readable, require_readable
from serial_tracking.stock import in_stock_registration, ledger


@frappe.whitelist()
def item_stock(item_code: str) -> list[dict]:
	"""Per warehouse the user may read: the quantity held and the serials In Stock (for registration)."""
	frappe.has_permission(SERIAL, "read", throw=True)
	require_readable("Item", item_code)
	counts = {wh: n for (_item, wh), n in ledger.in_stock_counts([item_code]).items()}
	bins = frappe.get_all(
		"Bin", filters={"item_code": item_code}, fields=["warehouse", "actual_qty"], order_by="warehouse"
	)
	places = {b.warehouse: b.actual_qty for b in bins}
	for warehouse in counts:
		places.setdefault(warehouse, 0)
	allowed = readable("Warehouse", places)
	return [
		{
			"warehouse": w,
			"qty": qty,
			"registered": counts.get(w, 0),
			"missing": max(int(qty) - counts.get(w, 0), 0),
			"surplus": max(counts.get(w, 0) - int(qty), 0),
		}
		for w, qty in sorted(places.items())
		if w in allowed
	]


@frappe.whitelist(methods=["POST"])
def register_serials(item_code: str, warehouse: str, codes: str) -> dict:
	"""Register serials of units a warehouse already holds (after switching an item on)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	# registration names a missing or unknown item or warehouse itself
	require_readable("Item", item_code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
	registered = in_stock_registration.register(item_code, warehouse, codes)
	return {"registered": registered, "count": len(registered)}


@frappe.whitelist(methods=["POST"])
def check_registration(item_code: str, warehouse: str, text: str | None = None) -> dict:
	"""What registering ``text`` at ``warehouse`` would say, nothing written: as ``check_row`` answers
	(``codes`` [{code, ok, reason, entry}], ``required``: the units held there without a code)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	require_readable("Item", item_code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
	return in_stock_registration.check(item_code, warehouse, text)
