"""The consistency check: the serial ledger against ERPNext's stock, and each serial against its log."""

import frappe
from frappe import _
from frappe.utils import formatdate

from serial_tracking.constants import ITEM_FLAG
from serial_tracking.core.ledger_differences import Difference, replay_differences, stock_differences
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
	"""The quantity per (item, warehouse) as the active stock ledger entries add it up.

	A Stock Reconciliation's entry states the quantity (its ``qty_after_transaction``; its
	``actual_qty`` is 0), so a place's quantity is its latest count's plus the ``actual_qty``
	of the entries after it (in ERPNext's order: posting time, then creation), or the sum of
	them all when it was never counted. Not the Bin: ERPNext's Bin is a running total that
	sessions receiving the same item at the same moment can leave short of its own ledger.
	"""
	rows = frappe.db.sql(
		"""
		select item_code, warehouse, sum(if(is_count, qty_after_transaction, actual_qty))
		from (
			select item_code, warehouse, actual_qty, qty_after_transaction,
				voucher_type = 'Stock Reconciliation' as is_count,
				sum(voucher_type = 'Stock Reconciliation') over (
					partition by item_code, warehouse
					order by posting_datetime desc, creation desc
					rows unbounded preceding
				) as counts_since
			from `tabStock Ledger Entry`
			where item_code in %(items)s and is_cancelled = 0
		) entries
		where counts_since = 0 or (counts_since = 1 and is_count)
		group by item_code, warehouse
		""",
		{"items": tuple(items)},
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
	if difference.kind == "warranty":
		return _("{0} of item {1} has a warranty until {2}, but its circulation log says {3}").format(
			difference.code,
			difference.item_code,
			_warranty_text(difference.found),
			_warranty_text(difference.expected),
		)
	return _("{0} of item {1} is stored as {2}, but its circulation log says {3}").format(
		difference.code, difference.item_code, difference.found, difference.expected
	)


def _warranty_text(end: str | None) -> str:
	return formatdate(end) if end else _("none")
