"""What a trace tells of replacements under a Warranty Claim: for each log row of a claim's Stock
Entry, the claim and the unit it was swapped with, as far as the user may read them."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import readable
from serial_tracking.stock.documents import CLAIM_FIELD, SWAPPED_FIELD

CLAIM = "Warranty Claim"


def annotate(rows: list) -> None:
	"""Set on each row of a claim's Stock Entry ``under_claim``, and ``claim`` and ``swapped_with``
	when the user may read them (None otherwise): one statement for the rows, one list per doctype."""
	names = {r.voucher_detail_no for r in rows if r.voucher_type == "Stock Entry" and r.voucher_detail_no}
	if not names:
		return
	detail, entry = frappe.qb.DocType("Stock Entry Detail"), frappe.qb.DocType("Stock Entry")
	found = (
		frappe.qb.from_(detail)
		.join(entry)
		.on(detail.parent == entry.name)
		.select(detail.name, entry[CLAIM_FIELD], detail[SWAPPED_FIELD])
		.where(detail.name.isin(sorted(names)) & entry[CLAIM_FIELD].isnotnull() & (entry[CLAIM_FIELD] != ""))
		.run(as_dict=True)
	)
	if not found:
		return
	claims = readable(CLAIM, {r[CLAIM_FIELD] for r in found})
	units = readable(SERIAL, {r[SWAPPED_FIELD] for r in found})
	by_name = {r.name: r for r in found}
	for row in rows:
		swap = by_name.get(row.voucher_detail_no) if row.voucher_type == "Stock Entry" else None
		if swap:
			row.under_claim = True
			row.claim = swap[CLAIM_FIELD] if swap[CLAIM_FIELD] in claims else None
			row.swapped_with = swap[SWAPPED_FIELD] if swap[SWAPPED_FIELD] in units else None
