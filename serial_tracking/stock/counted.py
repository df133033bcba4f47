"""Counts posted after a document at the places it moved serials: they hold its cancellation back.

A Stock Reconciliation states how many units a warehouse holds from its moment
on; ERPNext keeps that quantity when an earlier document is cancelled. A count
that found a unit where it was logs nothing for that unit, so latest-first on
the serial alone would let its receipt go, and the ledger would lose a unit
ERPNext still counts (or, for a transfer out of a place counted since, hold one
more than ERPNext). So a document waits, as for a later movement, for every
count posted after it of an item and warehouse it moved SN codes into or out of.
"""

import frappe
from frappe.utils import get_datetime

from serial_tracking.constants import LOG

#: ERPNext's count: its quantity is absolute from its posting on.
COUNT = "Stock Reconciliation"


def places_of(voucher_type: str, voucher_no: str) -> set[tuple[str, str]]:
	"""The (item, warehouse) pairs a document's active log rows moved serials into or out of."""
	rows = frappe.db.sql(
		f"select distinct `item_code`, `from_warehouse`, `to_warehouse` from `tab{LOG}`"
		" where `voucher_type` = %s and `voucher_no` = %s and `is_cancelled` = 0",
		(voucher_type, voucher_no),
	)
	return {(item, warehouse) for item, source, target in rows for warehouse in (source, target) if warehouse}


def later_counts(doc, places: set[tuple[str, str]], *, lock: bool = False) -> list[tuple[str, str]]:
	"""The submitted counts of ``places`` posted after ``doc`` (at the same moment: made after it),
	latest first, as ERPNext's stock ledger has them. ``lock``: a locking read, which sees what
	documents committed while this one waited for its posting turn; a plan only reads."""
	if not places:
		return []
	pairs = " or ".join(["(`item_code` = %s and `warehouse` = %s)"] * len(places))
	values = [value for place in sorted(places) for value in place]
	moment = get_datetime(f"{doc.posting_date} {doc.posting_time or '00:00:00'}")
	rows = frappe.db.sql(
		"select `voucher_no`, max(`posting_datetime`) latest, max(`creation`) made"
		" from `tabStock Ledger Entry`"
		f" where `voucher_type` = %s and `is_cancelled` = 0 and ({pairs})"
		" and (`posting_datetime` > %s or (`posting_datetime` = %s and `creation` > %s))"
		" and not (`voucher_type` = %s and `voucher_no` = %s)"
		" group by `voucher_no` order by latest desc, made desc" + (" lock in share mode" if lock else ""),
		(COUNT, *values, moment, moment, doc.creation, doc.doctype, doc.name),
	)
	return [(COUNT, voucher_no) for voucher_no, _latest, _made in rows]
