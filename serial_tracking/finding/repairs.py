"""What a trace tells of spare parts fitted at a Maintenance Visit: on a unit, the parts it received
(a part's own log rows are annotated by :mod:`serial_tracking.finding.replacements`). Only what the
user may read is named."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.core.codes import key, split
from serial_tracking.finding import search
from serial_tracking.permissions import readable
from serial_tracking.stock.documents import FITTED_FIELD, ROW_FIELD, VISIT_FIELD

VISIT = "Maintenance Visit"
#: The operation a part received by a unit is told with (no movement of the unit).
FITTED = "Fitted"


def parts_of(unit: str) -> list[frappe._dict]:
	"""The parts fitted into ``unit`` by submitted Stock Entries, oldest first, that the user may
	read, each as a row its story tells (``part``, ``part_item_name``, the entry and its date): one
	statement for the entries' rows, one list of the parts."""
	detail, entry = frappe.qb.DocType("Stock Entry Detail"), frappe.qb.DocType("Stock Entry")
	found = (
		frappe.qb.from_(detail)
		.join(entry)
		.on(detail.parent == entry.name)
		.select(
			entry.name,
			entry.posting_date,
			entry.posting_time,
			entry[VISIT_FIELD],
			detail.item_code,
			detail[ROW_FIELD],
		)
		.where((detail[FITTED_FIELD] == unit) & (entry.docstatus == 1))
		.orderby(entry.posting_date)
		.orderby(entry.posting_time)
		.orderby(detail.idx)
		.run(as_dict=True)
	)
	codes = {code for r in found for code in split(r[ROW_FIELD])}
	shown = {key(code) for code in readable(SERIAL, codes)}
	names = search.item_names(r.item_code for r in found)
	visits = readable(VISIT, {r[VISIT_FIELD] for r in found})
	return [
		frappe._dict(
			voucher_type="Stock Entry",
			voucher_no=r.name,
			posting_date=r.posting_date,
			posting_time=r.posting_time,
			operation=FITTED,
			part=code,
			part_item_name=names.get(r.item_code) or r.item_code,
			visit=r[VISIT_FIELD] if r[VISIT_FIELD] in visits else None,
			is_cancelled=0,
		)
		for r in found
		for code in split(r[ROW_FIELD])
		if key(code) in shown
	]
