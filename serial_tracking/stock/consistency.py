"""The consistency check: the serial ledger against ERPNext's stock, and each serial against its log."""

import frappe
from frappe import _

from serial_tracking.constants import ITEM_FLAG
from serial_tracking.core.consistency import Difference, replay_differences, stock_differences
from serial_tracking.stock import ledger


def check(item_code: str | None = None) -> list[Difference]:
	"""Every difference for the SN-tracked items (or one of them)."""
	filters = {ITEM_FLAG: 1}
	if item_code:
		filters["name"] = item_code
	items = frappe.get_all("Item", filters=filters, pluck="name")
	if not items:
		return []
	bins = frappe.get_all(
		"Bin",
		filters={"item_code": ("in", items), "actual_qty": ("!=", 0)},
		fields=["item_code", "warehouse", "actual_qty"],
	)
	stock_qty = {(b.item_code, b.warehouse): b.actual_qty for b in bins}
	return stock_differences(ledger.in_stock_counts(items), stock_qty) + replay_differences(
		ledger.states_of_items(items), ledger.movements_of_items(items)
	)


def describe(difference: Difference) -> str:
	if difference.kind == "stock":
		return _("Item {0} at {1}: {2} SN codes in stock, but the stock ledger holds {3}").format(
			difference.item_code, difference.warehouse, difference.found, difference.expected
		)
	return _("{0} of item {1} is stored as {2}, but its circulation log says {3}").format(
		difference.code, difference.item_code, difference.found, difference.expected
	)
