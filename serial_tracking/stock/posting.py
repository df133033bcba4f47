"""The stock of a document's places, locked before ERPNext writes its stock ledger.

ERPNext posts a movement by inserting its Stock Ledger Entry and then reading
the item's latest entry at the warehouse with a locking read
(``get_previous_sle_of_current_voucher``). Two documents of the same item and
warehouse submitted at the same moment each insert, then each wait for the
other's insert: the database breaks the deadlock by failing one of them with a
raw error. Each document of SN-tracked items first locks the item's Bin at every
place it moves units into or out of, in one order in every session, so the
second document waits for the first to end and then goes on (or is refused by
the app's own checks, which it meets after the lock).
"""

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.utils import escape_html

from erpnext.stock.utils import get_or_make_bin

from serial_tracking.messages import SerialTrackingError

BIN = "Bin"


def lock(places: set[tuple[str, str]]) -> None:
	"""Lock the Bin of each (item, warehouse) a document is about to post, making the missing ones.

	The Bins are found by a plain read and locked by name: a locking read of a
	Bin that does not exist yet would lock the gap where it goes, and two
	documents making it would then deadlock on their inserts. A Bin made here is
	ERPNext's own (it would make it while posting). When another document makes
	the same Bin at the same moment, this one waits for it to end and is then
	refused, nothing saved: what it read before can no longer see that Bin.
	"""
	if not places:
		return
	names = _names(places)
	for item_code, warehouse in sorted(set(places) - set(names)):
		names[(item_code, warehouse)] = _made(item_code, warehouse)
	table = frappe.qb.DocType(BIN)
	(
		frappe.qb.from_(table)
		.select(table.name)
		.where(table.name.isin(sorted(names.values())))
		.orderby(table.name)
		.for_update()
		.run()
	)


def lock_posted(places: set[tuple[str, str]]) -> None:
	"""Lock the Bins of places a document posted (so they exist), in the order :func:`lock` takes."""
	if not places:
		return
	table = frappe.qb.DocType(BIN)
	(
		frappe.qb.from_(table)
		.select(table.name)
		.where(_at(table, places))
		.orderby(table.name)
		.for_update()
		.run()
	)


def _names(places: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
	table = frappe.qb.DocType(BIN)
	rows = (
		frappe.qb.from_(table).select(table.item_code, table.warehouse, table.name).where(_at(table, places))
	)
	return {(item_code, warehouse): name for item_code, warehouse, name in rows.run()}


def _at(table, places: set[tuple[str, str]]) -> Criterion:
	return Criterion.any([(table.item_code == i) & (table.warehouse == w) for i, w in sorted(places)])


def _made(item_code: str, warehouse: str) -> str:
	try:
		return get_or_make_bin(item_code, warehouse)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError, frappe.DoesNotExistError):
		frappe.throw(
			_(
				"Another document is posting item {0} at warehouse {1} for the first time at this moment;"
				" nothing was saved. Please try again."
			).format(*(frappe.bold(escape_html(name)) for name in (item_code, warehouse))),
			SerialTrackingError,
			title=_("Stock busy"),
		)
