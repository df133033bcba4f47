"""The consistency check: the serial ledger against ERPNext's stock, and each serial against its log."""

import frappe
from frappe import _
from frappe.utils import formatdate

from serial_tracking.constants import ITEM_FLAG, LOG, SERIAL
from serial_tracking.core.ledger_differences import Difference, replay_differences, stock_differences
from serial_tracking.core.states import (
	NOT_MOVEMENTS,
	TO_CUSTOMER,
	TRANSITIONS,
	WITH_WAREHOUSE,
	Operation,
	Status,
)
from serial_tracking.stock import ledger


def check(item_code: str | None = None) -> list[Difference]:
	"""Every difference for the SN-tracked items (or one of them)."""
	filters = {ITEM_FLAG: 1}
	if item_code:
		filters["name"] = item_code
	items = frappe.get_all("Item", filters=filters, pluck="name")
	if not items:
		return []
	return stock_check(items) + replay_check(items)


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


def replay_check(items: list[str]) -> list[Difference]:
	"""The serials whose stored state or warranty is not what their log replays to.

	The database names the serials that may differ (:func:`replay_suspects`, usually none); the
	core's replay decides for each of them, as :func:`full_replay_check` does for every serial."""
	suspects = replay_suspects(items)
	if not suspects:
		return []
	return replay_differences(
		ledger.states_of_codes(suspects, items), ledger.movements_of_items(items, codes=suspects)
	)


def full_replay_check(items: list[str]) -> list[Difference]:
	"""The reference of :func:`replay_check`: every serial's whole log read and replayed in Python
	(minutes for an item of a million serials; the tests hold both to the same answers)."""
	return replay_differences(
		sorted(ledger.states_of_items(items), key=lambda state: state.code), ledger.movements_of_items(items)
	)


def replay_suspects(items: list[str]) -> list[str]:
	"""The serials of these items whose stored state may not be what their active log rows replay to,
	in code order, in one statement: every serial
	:func:`~serial_tracking.core.ledger_differences.replay_differences` would report, and seldom
	another.

	Replaying a serial's movements (:func:`serial_tracking.core.states.replay`) leaves the status the
	latest one's operation leads to (In Transit after one into a transit warehouse, logged so), at
	its to-warehouse when that status keeps a warehouse, and the warranty of the latest sale to a
	customer unless a sales return came after it. Per serial (its rows joined by ``serial_history``,
	grouped as the serials are read along ``item_code``, without a temporary table), the database
	takes the status and warehouse its latest active row leads to and the warranty of its latest row
	that decides one (``max`` of the row's sequence, zero-padded, followed by what it leads to), and
	compares them with the stored ones byte for byte, as Python compares. It names besides, for the
	replay to decide, every serial whose rows the database might order or match otherwise than
	Python: without an active row, with two at one sequence, one without a sequence or below zero,
	or one spelling the code otherwise than the serial (case, trailing spaces).
	"""
	if not items:
		return []
	letters = {status: chr(ord("a") + number) for number, status in enumerate(Status)}
	values = {
		"items": tuple(items),
		"skipped": tuple(operation.value for operation in NOT_MOVEMENTS),
		"sales": tuple(sorted(operation.value for operation in TO_CUSTOMER)),
		"customer": "Customer",
		"sales_return": Operation.SALES_RETURN.value,
		"in_transit": Status.IN_TRANSIT.value,
	}
	# what the row leads to: a letter for the status, then the warehouse where the status keeps one
	letter = lambda status: f"%(letter_{letters[status]})s"  # noqa: E731
	values |= {f"letter_{code}": code for code in letters.values()}
	values |= {f"status_{code}": status.value for status, code in letters.items()}
	place = "ifnull(l.`to_warehouse`, '')"
	whens = []
	for number, (operation, rule) in enumerate(TRANSITIONS.items()):
		values[f"operation_{number}"] = operation.value
		to = rule.to
		if to is Status.IN_STOCK:
			# a movement into a transit warehouse leaves the serial In Transit
			led = (
				f"if(binary l.`status_after` = %(in_transit)s, concat({letter(Status.IN_TRANSIT)}, {place}),"
				f" concat({letter(Status.IN_STOCK)}, {place}))"
			)
		elif to in WITH_WAREHOUSE:
			led = f"concat({letter(to)}, {place})"
		else:
			led = letter(to)
		whens.append(f"when binary l.`operation` = %(operation_{number})s then {led}")
	stored_letter = " ".join(f"when %(status_{code})s then %(letter_{code})s" for code in letters.values())
	sale = "binary l.`operation` in %(sales)s and binary l.`party_type` = %(customer)s"
	ordered = "lpad(l.`sequence`, 11, '0')"
	rows = frappe.db.sql(
		f"""
		select s.`name`
		from `tab{SERIAL}` s force index (`item_code`)
		left join `tab{LOG}` l force index (`serial_history`)
			on l.`serial_no` = s.`name` and l.`is_cancelled` = 0 and l.`item_code` in %(items)s
			and (l.`operation` is null or binary l.`operation` not in %(skipped)s)
		where s.`item_code` in %(items)s
		group by s.`name`
		having count(l.`serial_no`) = 0
			or count(l.`sequence`) <> count(l.`serial_no`)
			or count(distinct l.`sequence`) <> count(l.`sequence`)
			or min(l.`sequence`) < 0
			or min(binary l.`serial_no`) <> binary max(s.`name`)
			or max(binary l.`serial_no`) <> binary max(s.`name`)
			or not (
				substring(max(binary concat({ordered}, case {" ".join(whens)} end)), 12)
				<=> binary concat(case binary max(s.`status`) {stored_letter} end, ifnull(max(s.`warehouse`), ''))
			)
			or not (
				ifnull(substring(max(
					if(({sale}) or binary l.`operation` = %(sales_return)s,
						binary concat({ordered}, if({sale}, ifnull(l.`warranty_expiry_date`, ''), '')), null)
				), 12), '')
				<=> binary ifnull(max(s.`warranty_expiry_date`), '')
			)
		order by s.`name`
		""",
		values,
	)
	return [name for (name,) in rows]


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
