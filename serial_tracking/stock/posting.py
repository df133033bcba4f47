"""Documents that move SN codes post to ERPNext's stock ledger one at a time.

ERPNext posts a movement by inserting its Stock Ledger Entry and then reading
the entries before and after it with locking reads
(``get_previous_sle_of_current_voucher``, the entries after a backdated one).
Such reads lock the gaps of the ledger's index around the entry, and two
documents submitted at the same moment whose entries are neighbours in that
index (the same item at one warehouse or at two, or two items whose codes sort
next to each other) each wait for the other's insert: the database fails one of
them with a raw deadlock, in ERPNext's own code. A lock per item and warehouse
does not cover neighbours, so every document that moves SN codes first takes
the site's posting turn, a lock on one row (the ledger's DocType record, which
only a migration changes), before any lock of its own and before ERPNext posts;
it keeps it until it commits or rolls back. The next document waits for it, and
then meets the app's checks on what the first one did.
"""

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.utils import escape_html

from erpnext.stock.utils import get_or_make_bin

from serial_tracking.constants import LOG
from serial_tracking.messages import SerialTrackingError

BIN = "Bin"


def take_turn(places: set[tuple[str, str]] = frozenset()) -> None:
	"""Wait for the posting turn, then make the Bins of ``places`` (item, warehouse) ERPNext has not
	made yet.

	A document that waited for another one cannot see what that one made (its
	reads keep the moment its transaction began): a Bin the other one made for the
	same item and warehouse looks missing, and ERPNext would fail making it again.
	Such a document is refused, nothing saved; sent again, it goes through.
	"""
	frappe.db.sql("select `name` from `tabDocType` where `name` = %s for update", (LOG,))
	if not places:
		return
	table = frappe.qb.DocType(BIN)
	found = (
		frappe.qb.from_(table)
		.select(table.item_code, table.warehouse)
		.where(Criterion.any([(table.item_code == i) & (table.warehouse == w) for i, w in sorted(places)]))
		.run()
	)
	for item_code, warehouse in sorted(set(places) - set(found)):
		_made(item_code, warehouse)


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
