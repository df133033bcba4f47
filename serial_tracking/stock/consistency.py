"""The consistency check: the serial ledger against ERPNext's stock, and each serial against its log."""

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

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
	return stock_check(items) + replay_differences(
		ledger.states_of_items(items), ledger.movements_of_items(items)
	)


def stock_check(items: list[str]) -> list[Difference]:
	"""The places where the serials held are not the quantity of the stock ledger."""
	return stock_differences(ledger.in_stock_counts(items), stock_ledger_qty(items))


def stock_ledger_qty(items: list[str]) -> dict[tuple[str, str], float]:
	"""The quantity per (item, warehouse) as the sum of the active stock ledger entries.

	Not the Bin: ERPNext's Bin is a running total that sessions receiving the same
	item at the same moment can leave short of its own ledger.
	"""
	sle = frappe.qb.DocType("Stock Ledger Entry")
	rows = (
		frappe.qb.from_(sle)
		.select(sle.item_code, sle.warehouse, Sum(sle.actual_qty))
		.where(sle.item_code.isin(items) & (sle.is_cancelled == 0))
		.groupby(sle.item_code, sle.warehouse)
		.run()
	)
	return {(item, warehouse): qty for item, warehouse, qty in rows if qty}


def describe(difference: Difference) -> str:
	if difference.kind == "stock":
		expected = difference.expected
		if expected == int(expected):
			expected = int(expected)
		return _("Item {0} at {1}: {2} SN codes in stock, but the stock ledger holds {3}").format(
			difference.item_code, difference.warehouse, difference.found, expected
		)
	return _("{0} of item {1} is stored as {2}, but its circulation log says {3}").format(
		difference.code, difference.item_code, difference.found, difference.expected
	)
