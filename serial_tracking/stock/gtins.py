"""The GTINs of items: the Item Barcode rows that are valid GTINs, against which GS1 scans are checked."""

import frappe

from serial_tracking.core.gs1 import gtin14


def of_items(items: set[str] | list[str]) -> dict[str, frozenset[str]]:
	"""Each item's GTIN-8/12/13/14 barcodes (with a right check digit), as GTIN-14; items without
	one are left out (a scan of any GTIN is then taken for them)."""
	if not items:
		return {}
	barcode = frappe.qb.DocType("Item Barcode")
	rows = (
		frappe.qb.from_(barcode)
		.select(barcode.parent, barcode.barcode)
		.where((barcode.parenttype == "Item") & barcode.parent.isin(list(items)))
		.run()
	)
	found: dict[str, set[str]] = {}
	for item, value in rows:
		gtin = gtin14((value or "").strip())
		if gtin:
			found.setdefault(item, set()).add(gtin)
	return {item: frozenset(gtins) for item, gtins in found.items()}
