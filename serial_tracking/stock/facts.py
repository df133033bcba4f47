"""What a document's rows mean beyond the document itself, read from the database in a few queries."""

import frappe
from frappe.query_builder.functions import Count

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.codes import split
from serial_tracking.core.gs1 import is_gs1
from serial_tracking.core.states import Operation, Status
from serial_tracking.settings import get_settings
from serial_tracking.stock import code_formats, documents, gtins, ledger


def read(doc, tracked: dict[str, dict]) -> documents.Facts:
	"""What the rows of ``doc`` depend on in the database, read once for the whole document: the
	warehouses in transit, a consolidated invoice's POS rows, a two-step transfer's codes in
	transit, the GTINs of the SN-tracked items when a row holds a GS1 scan; and, from ``tracked``
	(those items as :func:`ledger.tracked_items` read them), their warranty periods and SN code
	formats."""
	managed = set(tracked)
	facts = documents.Facts(transit=ledger.transit_warehouses(documents.warehouses_to_classify(doc)))
	facts.consolidated = _consolidated(doc)
	if doc.doctype == "Stock Entry" and doc.get("outgoing_stock_entry"):
		facts.arrivals = documents.arrival_rows(doc)
		facts.outgoing = _in_transit_from(doc.outgoing_stock_entry)
		facts.outgoing_all = [code for codes in facts.outgoing.values() for code in codes]
	sources = {
		(row.item_code, row.get("s_warehouse") or row.get("from_warehouse"))
		for _rows, row in documents.rows_of(doc)
		if row.item_code in managed
	}
	facts.held_in_transit = _held_in_transit({p for p in sources if p[1] in facts.transit})
	if _has_gs1_scans(doc, managed):
		facts.gtins = gtins.of_items(managed)
	if doc.doctype in documents.SALES or documents.for_claim(doc):
		facts.warranty_days = ledger.warranty_days(tracked)
	facts.formats = code_formats.of_rows(tracked)
	if documents.for_claim(doc):
		_read_claim(doc, facts)
	return facts


def _read_claim(doc, facts: documents.Facts) -> None:
	"""A claim's Stock Entry: the claim's customer, who gives the unit back or receives one; for
	its issue, the warranty end of each unit a row replaces."""
	facts.claim_customer = frappe.db.get_value("Warranty Claim", doc.get(documents.CLAIM_FIELD), "customer")
	if doc.purpose == "Material Issue":
		swapped = sorted(documents.swapped_units(doc))
		facts.returned_under_claim = ledger.returned_under_claim(swapped, doc.get(documents.CLAIM_FIELD))
		facts.kept_warranties = ledger.latest_sale_warranties(swapped)


def _has_gs1_scans(doc, managed: set[str]) -> bool:
	"""Whether a row of an SN-tracked item carries a GS1 scan, whose GTIN is then checked: only
	then are the items' barcodes read."""
	digits = get_settings().gs1_digits
	return any(
		is_gs1(entry, digits)
		for _rows, row in documents.rows_of(doc)
		if row.item_code in managed
		for entry in split(row.get(documents.ROW_FIELD))
	)


def _consolidated(doc) -> set[str]:
	"""The rows of a consolidated Sales Invoice that really consolidate a POS invoice row."""
	rows = documents.pos_rows(doc)
	if not rows:
		return set()
	item, invoice = frappe.qb.DocType("POS Invoice Item"), frappe.qb.DocType("POS Invoice")
	found = (
		frappe.qb.from_(item)
		.join(invoice)
		.on(item.parent == invoice.name)
		.select(
			item.name,
			item.parent,
			item.item_code,
			item[documents.ROW_FIELD],
			invoice.docstatus,
			invoice.consolidated_invoice,
		)
		.where(item.name.isin([row.pos_invoice_item for row in rows]))
		.run(as_dict=True)
	)
	by_name = {r.name: r for r in found}
	claimed = _claimed_elsewhere(doc.name, [row.pos_invoice_item for row in rows])
	return {
		row.name
		for row in rows
		if row.pos_invoice_item not in claimed
		and documents.is_consolidation_of(row, by_name.get(row.pos_invoice_item), doc.name)
	}


def _claimed_elsewhere(invoice: str, pos_rows: list[str]) -> set[str]:
	"""POS invoice rows that another submitted Sales Invoice already consolidates."""
	item = frappe.qb.DocType("Sales Invoice Item")
	return set(
		frappe.qb.from_(item)
		.select(item.pos_invoice_item)
		.where(item.pos_invoice_item.isin(pos_rows) & (item.parent != invoice) & (item.docstatus == 1))
		.run(pluck=True)
	)


def _in_transit_from(entry: str) -> dict[str, list[str]]:
	"""The codes each row of an outgoing entry sent that are still in transit from it."""
	log, serial = frappe.qb.DocType(LOG), frappe.qb.DocType(SERIAL)
	found = (
		frappe.qb.from_(log)
		.join(serial)
		.on(serial.name == log.serial_no)
		.select(log.voucher_detail_no, serial.name)
		.where(
			(log.voucher_type == "Stock Entry")
			& (log.voucher_no == entry)
			& (log.is_cancelled == 0)
			& (log.operation == Operation.TRANSFER_OUT.value)
			& (serial.status == Status.IN_TRANSIT.value)
			& (serial.voucher_type == "Stock Entry")
			& (serial.voucher_no == entry)
		)
		.orderby(log.row_no)
		.orderby(serial.name)
		.run()
	)
	codes: dict[str, list[str]] = {}
	for row, code in found:
		codes.setdefault(row, []).append(code)
	return codes


def _held_in_transit(places: set[tuple[str, str]]) -> set[tuple[str, str]]:
	if not places:
		return set()
	serial = frappe.qb.DocType(SERIAL)
	found = (
		frappe.qb.from_(serial)
		.select(serial.item_code, serial.warehouse, Count("*"))
		.where(
			serial.item_code.isin([item for item, _wh in places])
			& serial.warehouse.isin([wh for _item, wh in places])
			& (serial.status == Status.IN_TRANSIT.value)
		)
		.groupby(serial.item_code, serial.warehouse)
		.run()
	)
	return {(item, wh) for item, wh, _count in found if (item, wh) in places}
