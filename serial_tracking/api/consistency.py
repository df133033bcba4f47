"""Differences between the serial ledger and ERPNext's stock, as a manager checks them."""

import frappe

from serial_tracking.permissions import readable, require_readable, require_role
from serial_tracking.stock import consistency_check


@frappe.whitelist()
def check_consistency(item_code: str | None = None) -> list[dict]:
	"""Differences between the serial ledger and ERPNext's stock, and between serials and their logs.

	Only of items and warehouses the user may read.
	"""
	require_role()
	if item_code:
		require_readable("Item", item_code)
	differences = consistency_check.check(item_code)
	items = readable("Item", {d.item_code for d in differences})
	warehouses = readable("Warehouse", {d.warehouse for d in differences})
	return [
		{
			"kind": d.kind,
			"item_code": d.item_code,
			"warehouse": d.warehouse,
			"code": d.code,
			"message": consistency_check.describe(d),
		}
		for d in differences
		if d.item_code in items and (not d.warehouse or d.warehouse in warehouses)
	]
