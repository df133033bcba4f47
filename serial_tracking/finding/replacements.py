"""What a trace tells of a unit's after-sales Stock Entries: for each log row of an entry linked to a
Warranty Claim (*Replace unit*) or to a Maintenance Visit (*Fit SN parts*), the claim and the unit it
was swapped with, or the unit the part went into and the visit, as far as the user may read them."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import readable
from serial_tracking.stock.documents import CLAIM_FIELD, FITTED_FIELD, SWAPPED_FIELD, VISIT_FIELD

CLAIM = "Warranty Claim"
VISIT = "Maintenance Visit"


def annotate(rows: list) -> None:
	"""Set on each log row of a claim's Stock Entry ``under_claim``, and ``claim`` and ``swapped_with``;
	on each of a part fitted into a unit ``fitted``, and ``fitted_into`` and ``visit``; each name None
	when the user may not read it. One statement for the rows, one list per doctype named."""
	names = {r.voucher_detail_no for r in rows if r.voucher_type == "Stock Entry" and r.voucher_detail_no}
	if not names:
		return
	detail, entry = frappe.qb.DocType("Stock Entry Detail"), frappe.qb.DocType("Stock Entry")
	found = (
		frappe.qb.from_(detail)
		.join(entry)
		.on(detail.parent == entry.name)
		.select(
			detail.name, entry[CLAIM_FIELD], detail[SWAPPED_FIELD], detail[FITTED_FIELD], entry[VISIT_FIELD]
		)
		.where(
			detail.name.isin(sorted(names))
			& (
				(entry[CLAIM_FIELD].isnotnull() & (entry[CLAIM_FIELD] != ""))
				| (detail[FITTED_FIELD].isnotnull() & (detail[FITTED_FIELD] != ""))
			)
		)
		.run(as_dict=True)
	)
	if not found:
		return
	claims = readable(CLAIM, {r[CLAIM_FIELD] for r in found if r[CLAIM_FIELD]})
	visits = readable(VISIT, {r[VISIT_FIELD] for r in found if r[VISIT_FIELD]})
	units = readable(SERIAL, {r[f] for r in found for f in (SWAPPED_FIELD, FITTED_FIELD) if r[f]})
	shown = lambda name, allowed: name if name in allowed else None  # noqa: E731
	by_name = {r.name: r for r in found}
	for row in rows:
		link = by_name.get(row.voucher_detail_no) if row.voucher_type == "Stock Entry" else None
		if link and link[CLAIM_FIELD]:
			row.under_claim = True
			row.claim = shown(link[CLAIM_FIELD], claims)
			row.swapped_with = shown(link[SWAPPED_FIELD], units)
		if link and link[FITTED_FIELD]:
			row.fitted = True
			row.fitted_into = shown(link[FITTED_FIELD], units)
			row.visit = shown(link[VISIT_FIELD], visits)
