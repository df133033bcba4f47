"""What each supported ERPNext document means for serials: the one place with doctype knowledge.

A document becomes a :class:`Voucher` and one :class:`RowRequest` per row of an
SN-tracked item (item rows, and the packed rows of product bundles); everything
after that is the same for every doctype.
"""

import hashlib
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from frappe.utils import now_datetime

from serial_tracking.constants import ITEM_FLAG, ROW_BUTTON, ROW_CARTONS, ROW_FIELD  # noqa: F401 (re-exported)
from serial_tracking.core.code_formats import ANY, CodeFormat
from serial_tracking.core.codes import key
from serial_tracking.core.plan import RowRequest, Voucher
from serial_tracking.core.problems import Reason
from serial_tracking.core.states import Operation
from serial_tracking.stock.timing import posted_at


class Rows(NamedTuple):
	"""One table of rows that carry serials: its field on the document, its doctype, the field with
	the quantity in stock units, and the field with the warehouse units leave from (where Desk
	picks serials from stock)."""

	table: str
	doctype: str
	qty: str
	source: str


#: The packed rows of product bundles: the components ERPNext moves in place of the bundle.
PACKED = Rows("packed_items", "Packed Item", "qty", "warehouse")
ITEMS_TABLE = "items"

TABLES: dict[str, tuple[Rows, ...]] = {
	"Purchase Receipt": (Rows(ITEMS_TABLE, "Purchase Receipt Item", "stock_qty", "warehouse"),),
	"Purchase Invoice": (Rows(ITEMS_TABLE, "Purchase Invoice Item", "stock_qty", "warehouse"),),
	"Delivery Note": (Rows(ITEMS_TABLE, "Delivery Note Item", "stock_qty", "warehouse"), PACKED),
	"Sales Invoice": (Rows(ITEMS_TABLE, "Sales Invoice Item", "stock_qty", "warehouse"), PACKED),
	"POS Invoice": (Rows(ITEMS_TABLE, "POS Invoice Item", "stock_qty", "warehouse"), PACKED),
	"Stock Entry": (Rows(ITEMS_TABLE, "Stock Entry Detail", "transfer_qty", "s_warehouse"),),
	"Stock Reconciliation": (Rows(ITEMS_TABLE, "Stock Reconciliation Item", "qty", "warehouse"),),
}
#: The documents whose serials the app moves.
SUPPORTED = tuple(TABLES)
#: Every row doctype that carries serials (custom fields go on each).
ROW_DOCTYPES = tuple(dict.fromkeys(rows.doctype for tables in TABLES.values() for rows in tables))

PURCHASE = ("Purchase Receipt", "Purchase Invoice")
SALES = ("Delivery Note", "Sales Invoice", "POS Invoice")

#: Stock Entry purposes that carry serials; every other purpose refuses SN-tracked items.
STOCK_ENTRY_PURPOSES = {
	"Material Receipt": (Operation.RECEIVE, "material_receipt_policy"),
	"Material Issue": (Operation.ISSUE, "material_issue_policy"),
	"Material Transfer": (Operation.TRANSFER, "material_transfer_policy"),
}

#: A Stock Entry linked to a Warranty Claim (a service desk's swap at no charge): its Material Receipt
#: takes a unit back from the claim's customer, as a sales return does, and its Material Issue hands
#: one to that customer, as a sale does.
CLAIM_FIELD = "warranty_claim"
#: On such an entry's row: the unit the row's unit was swapped with (on the issue, the unit it
#: replaces, whose warranty end it keeps; on the receipt, the unit that replaced it).
SWAPPED_FIELD = "swapped_with"
#: A Material Issue of spare parts fitted into a customer's unit during a Maintenance Visit: the
#: visit on the entry, the unit on each row (the parts are issued like any other).
VISIT_FIELD = "maintenance_visit"
FITTED_FIELD = "fitted_into"
CLAIM_PURPOSES = {
	"Material Receipt": (Operation.SALES_RETURN, "material_receipt_policy"),
	"Material Issue": (Operation.SELL, "material_issue_policy"),
}

#: ERPNext v15 documents that write stock ledger entries but cannot carry serials: each refuses
#: SN-tracked items, naming the tables whose rows name an item (docs/stock-doctypes.md).
REFUSING: dict[str, tuple[str, ...]] = {
	"Subcontracting Receipt": ("items", "supplied_items"),
	"Asset Capitalization": ("stock_items",),
	"Asset Repair": ("stock_items",),
}


#: The fields of a document that what it means for serials is read from (:func:`voucher`,
#: :func:`row_request` and the facts of :mod:`~serial_tracking.stock.facts`)...
READ_FIELDS = (
	"name",
	"docstatus",
	"_action",
	"posting_date",
	"posting_time",
	"set_posting_time",
	"company",
	"supplier",
	"customer",
	"is_return",
	"return_against",
	"update_stock",
	"purpose",
	"outgoing_stock_entry",
	"add_to_transit",
	"is_consolidated",
	CLAIM_FIELD,
)
#: ... and of each of its rows that may carry serials.
READ_ROW_FIELDS = (
	"name",
	"idx",
	"item_code",
	ROW_FIELD,
	ROW_CARTONS,
	"qty",
	"stock_qty",
	"transfer_qty",
	"warehouse",
	"s_warehouse",
	"t_warehouse",
	"target_warehouse",
	"from_warehouse",
	"rejected_warehouse",
	"rejected_qty",
	"uom",
	"stock_uom",
	"parent_item",
	"parent_detail_docname",
	"ste_detail",
	"against_stock_entry",
	"pos_invoice",
	"pos_invoice_item",
	SWAPPED_FIELD,
)


def digest(doc) -> str:
	"""A digest of what the document's meaning for serials is read from: equal digests, equal
	meaning (within one transaction's view of the database). Cheap beside the document itself: a
	document of 10,000 codes hashes its codes' text once."""
	found = hashlib.blake2b(digest_size=16)
	for value in (doc.doctype, *(doc.get(f) for f in READ_FIELDS)):
		found.update(repr(value).encode())
	for rows in TABLES.get(doc.doctype, ()):
		found.update(rows.table.encode())
		for row in doc.get(rows.table) or []:
			for f in READ_ROW_FIELDS:
				found.update(b"\x00" + repr(row.get(f)).encode())
	return found.hexdigest()


def for_desk() -> dict:
	"""What the SN dialog needs to know of each document's row tables."""
	return {parent: [rows._asdict() for rows in tables] for parent, tables in TABLES.items()}


def moves_serials(doc) -> bool:
	"""Whether the document moves serials; if not, it only carries them for printing.

	An invoice without Update Stock (made from a receipt or a delivery note)
	carries its serials; everything else moves them, POS invoices included.
	"""
	return not (doc.doctype in ("Purchase Invoice", "Sales Invoice") and not doc.get("update_stock"))


@dataclass
class Facts:
	"""What the rows' meaning depends on beyond the document, read from the database by the caller.

	``transit``: the transit warehouses among :func:`warehouses_to_classify`;
	``consolidated``: the Sales Invoice rows that really consolidate a POS invoice row (their
	serials moved with the POS invoice); ``outgoing``: for the arrival of a two-step transfer,
	each outgoing row's codes still in transit, by the outgoing row's name.
	"""

	transit: set[str] = field(default_factory=set)
	consolidated: set[str] = field(default_factory=set)
	#: For the arrival of a two-step transfer: its rows' outgoing rows (:func:`arrival_rows`).
	arrivals: dict[str, str] = field(default_factory=dict)
	outgoing: dict[str, list[str]] = field(default_factory=dict)
	#: Every code the outgoing entry sent that is still in transit (for arrival rows not linked
	#: to one of its rows).
	outgoing_all: list[str] = field(default_factory=list)
	#: (item, transit warehouse) where serials are in transit: an arrival from there names them.
	held_in_transit: set[tuple[str, str]] = field(default_factory=set)
	#: Each SN-tracked item's GTINs (GTIN-14), against which GS1 scans are checked.
	gtins: dict[str, frozenset[str]] = field(default_factory=dict)
	#: A sale's SN-tracked items' warranty periods in days (items without one are left out).
	warranty_days: dict[str, int] = field(default_factory=dict)
	#: The SN code formats of the SN-tracked items that have one (a new code must be of it).
	formats: dict[str, CodeFormat] = field(default_factory=dict)
	#: A Stock Entry of a Warranty Claim (:func:`for_claim`): the claim's customer.
	claim_customer: str | None = None
	#: For its issue: the units swapped with (by key) that the same claim took back.
	returned_under_claim: frozenset[str] = frozenset()
	#: For its issue: the warranty end each unit swapped with (by key) had from its latest sale.
	kept_warranties: dict[str, str | None] = field(default_factory=dict)


def rows_of(doc, facts: Facts | None = None) -> list[tuple[Rows, object]]:
	"""Every row of the document that may carry serials, with its table."""
	found = []
	skipped: set[str] = set()
	for rows in TABLES.get(doc.doctype, ()):
		for row in doc.get(rows.table) or []:
			if rows is PACKED and row.get("parent_detail_docname") in skipped:
				continue
			if facts and row.name in facts.consolidated:
				skipped.add(row.name)
				continue
			found.append((rows, row))
	return found


def table_ref(rows: Rows) -> str | None:
	"""How the core names a table in a row's reference and in messages: None for the item rows."""
	return None if rows.table == ITEMS_TABLE else rows.table


def pos_rows(doc) -> list:
	"""Sales Invoice rows that say they consolidate a POS invoice row (to be verified)."""
	if doc.doctype != "Sales Invoice" or not doc.get("is_consolidated"):
		return []
	return [
		row for row in doc.get(ITEMS_TABLE) or [] if row.get("pos_invoice") and row.get("pos_invoice_item")
	]


def is_consolidation_of(row, pos_row, invoice_name: str) -> bool:
	"""Whether a Sales Invoice row is the consolidation of ``pos_row`` (a POS Invoice Item with its
	parent's ``docstatus`` and ``consolidated_invoice``): the same POS invoice, submitted and not
	consolidated into another invoice, the same item and the same serials."""
	return bool(
		pos_row
		and pos_row.parent == row.pos_invoice
		and pos_row.docstatus == 1
		and pos_row.consolidated_invoice in (None, "", invoice_name)
		and pos_row.item_code == row.item_code
		and _keys(pos_row.get(ROW_FIELD)) == _keys(row.get(ROW_FIELD))
	)


def _keys(text: str | None) -> set[str]:
	return {key(code) for code in (text or "").split()}


#: The fields of a row that name a warehouse.
WAREHOUSE_FIELDS = ("warehouse", "s_warehouse", "t_warehouse", "target_warehouse", "from_warehouse")


def stock_places(doc) -> set[tuple[str, str]]:
	"""(item, warehouse) of every place the document's rows move stock into or out of, for rows of
	every item (rejected units included): where ERPNext posts it."""
	places = set()
	for rows, row in rows_of(doc):
		if not row.get("item_code"):
			continue
		for f in (*WAREHOUSE_FIELDS, "rejected_warehouse"):
			warehouse = _warehouse(doc, rows, row) if f == "warehouse" else row.get(f)
			if warehouse:
				places.add((row.item_code, warehouse))
	return places


def warehouses_to_classify(doc) -> set[str]:
	"""Warehouses whose type (transit or not) decides what a row does: a transit warehouse holds
	its units In Transit."""
	return {row.get(f) for _rows, row in rows_of(doc) for f in WAREHOUSE_FIELDS if row.get(f)}


def arrival_rows(doc) -> dict[str, str]:
	"""For the arrival of a two-step transfer made from its outgoing entry: outgoing row name by
	arrival row name."""
	if doc.doctype != "Stock Entry" or not doc.get("outgoing_stock_entry"):
		return {}
	return {
		row.name: row.ste_detail
		for row in doc.get(ITEMS_TABLE) or []
		if row.get("ste_detail") and row.get("against_stock_entry") == doc.outgoing_stock_entry
	}


def date_now(doc) -> bool:
	"""Date a document without *Edit Posting Date and Time* now, as ERPNext's
	``validate_posting_time`` does when it is saved and submitted; whether it was."""
	if not doc.meta.has_field("set_posting_time") or doc.get("set_posting_time"):
		return False
	now = now_datetime()
	doc.posting_date = now.strftime("%Y-%m-%d")
	doc.posting_time = now.strftime("%H:%M:%S.%f")
	return True


def for_claim(doc) -> bool:
	"""A Stock Entry of a Warranty Claim that takes a unit back from its customer or hands one over."""
	return (
		doc.doctype == "Stock Entry" and bool(doc.get(CLAIM_FIELD)) and doc.get("purpose") in CLAIM_PURPOSES
	)


def swapped_units(doc) -> set[str]:
	"""The units a claim's issue hands over in place of (their warranty end is kept)."""
	if not for_claim(doc) or doc.purpose != "Material Issue":
		return set()
	return {row.get(SWAPPED_FIELD) for row in doc.get(ITEMS_TABLE) or [] if row.get(SWAPPED_FIELD)}


def voucher(doc, facts: Facts | None = None) -> Voucher:
	"""The document as the ledger names it on each movement: type, name, posting moment, party
	(supplier or customer; a claim's Stock Entry: the claim's customer, from ``facts``), the
	document a return is made against, and company."""
	party_type = party = None
	if doc.doctype in PURCHASE:
		party_type, party = "Supplier", doc.get("supplier")
	elif doc.doctype in SALES:
		party_type, party = "Customer", doc.get("customer")
	elif facts and facts.claim_customer and for_claim(doc):
		party_type, party = "Customer", facts.claim_customer
	return Voucher(
		voucher_type=doc.doctype,
		voucher_no=doc.name,
		posting_date=str(doc.get("posting_date") or "") or None,
		posting_time=str(doc.get("posting_time") or "") or None,
		party_type=party_type,
		party=party,
		return_against=doc.get("return_against") if doc.get("is_return") else None,
		posted_at=posted_at(doc.get("posting_date"), doc.get("posting_time")),
		company=doc.get("company"),
	)


def redated(found: Voucher, doc) -> Voucher:
	"""``found`` dated as ``doc`` is now (dated again when its posting turn came)."""
	return replace(
		found,
		posting_date=str(doc.get("posting_date") or "") or None,
		posting_time=str(doc.get("posting_time") or "") or None,
		posted_at=posted_at(doc.get("posting_date"), doc.get("posting_time")),
	)


def row_request(doc, rows: Rows, row, required_policies: frozenset[str], facts: Facts) -> RowRequest:
	"""The request of one row of an SN-tracked item."""
	operation, source, target, policy = _meaning(doc, row, _warehouse(doc, rows, row), facts.transit)
	qty = row.get(rows.qty)
	refusal, params = _refusal(doc, rows, row)
	kept, unreturned = _kept_warranty(doc, row, operation, facts)
	if refusal is None and unreturned:
		refusal, params = Reason.NOT_RETURNED_UNDER_CLAIM, unreturned
	required = policy in required_policies
	allowed, allowed_from = None, ""
	outgoing_row = facts.arrivals.get(row.name)
	if operation is Operation.TRANSFER_IN and doc.get("outgoing_stock_entry"):
		# The arrival takes only codes its outgoing entry sent (the row's own outgoing row's when
		# it names one); when they were sent with codes, the arrival must name the ones that
		# arrive, or they would stay in transit for ever.
		in_transit = facts.outgoing.get(outgoing_row, []) if outgoing_row else facts.outgoing_all
		allowed, allowed_from = frozenset(key(c) for c in in_transit), doc.outgoing_stock_entry
		required = required or bool(in_transit)
	elif operation is Operation.TRANSFER_IN and (row.item_code, source) in facts.held_in_transit:
		required = True
	if rows is PACKED and doc.get("_action") != "submit":
		# Packed rows exist only once ERPNext has built them on a save: their codes are required
		# at submit, not on the save that first shows them.
		required = False
	return RowRequest(
		row=row.idx,
		item_code=row.item_code,
		operation=operation,
		qty=abs(qty or 0),
		text=row.get(ROW_FIELD),
		from_warehouse=source,
		to_warehouse=target,
		required=required,
		detail_no=row.name or "",
		refusal=refusal,
		params=params,
		table=table_ref(rows),
		allowed=allowed,
		allowed_from=allowed_from,
		from_transit=source in facts.transit,
		to_transit=target in facts.transit,
		gtins=facts.gtins.get(row.item_code, frozenset()),
		warranty_days=facts.warranty_days.get(row.item_code, 0),
		code_format=facts.formats.get(row.item_code, ANY),
		**kept,
	)


def _kept_warranty(doc, row, operation: Operation, facts: Facts) -> tuple[dict, dict]:
	"""A claim's issue row naming the unit it replaces keeps that unit's warranty end, when that unit
	came back under the same claim: (the row's fields for it, the refusal's params when it did not)."""
	swapped = row.get(SWAPPED_FIELD)
	if operation is not Operation.SELL or not swapped or swapped not in swapped_units(doc):
		return {}, {}
	if key(swapped) not in facts.returned_under_claim:
		return {}, {"swapped": swapped, "claim": doc.get(CLAIM_FIELD)}
	return {"keeps_warranty": True, "kept_warranty": facts.kept_warranties.get(key(swapped))}, {}


def packed_codes(doc) -> dict:
	"""The codes given on packed rows, to put back when ERPNext rebuilds a new document's packed
	rows: by bundle row and component, and by bundle item and component."""
	kept = {}
	for row in doc.get(PACKED.table) or []:
		if row.get(ROW_FIELD):
			kept[(row.get("parent_detail_docname"), row.item_code)] = row.get(ROW_FIELD)
			kept.setdefault((row.get("parent_item"), row.item_code, "by item"), []).append(row.get(ROW_FIELD))
	return kept


def restore_packed_codes(doc, kept: dict) -> None:
	"""Put :func:`packed_codes` back on the packed rows left without codes."""
	for row in doc.get(PACKED.table) or []:
		if row.get(ROW_FIELD):
			continue
		text = kept.get((row.get("parent_detail_docname"), row.item_code))
		if text is None:
			# Rows given without their parent row's name: by bundle and component, when only one.
			texts = kept.get((row.get("parent_item"), row.item_code, "by item"), [])
			text = texts[0] if len(texts) == 1 else None
		if text:
			row.set(ROW_FIELD, text)


def _warehouse(doc, rows: Rows, row) -> str | None:
	"""The row's warehouse; a packed row without one moves from its bundle row's, as ERPNext does."""
	if row.get("warehouse") or rows is not PACKED:
		return row.get("warehouse")
	parent = next((r for r in doc.get(ITEMS_TABLE) or [] if r.name == row.get("parent_detail_docname")), None)
	return parent.get("warehouse") if parent else None


def _meaning(doc, row, warehouse: str | None, transit: set[str]):
	"""(operation, from warehouse, to warehouse, policy field); ``warehouse``: the row's own."""
	if doc.doctype in PURCHASE:
		other = row.get("from_warehouse")
		if other:
			# From an internal supplier: a transfer between the company's own warehouses.
			if doc.get("is_return"):
				return Operation.TRANSFER, warehouse, other, "material_transfer_policy"
			operation = Operation.TRANSFER_IN if other in transit else Operation.TRANSFER
			return operation, other, warehouse, "material_transfer_policy"
		if doc.get("is_return"):
			return Operation.PURCHASE_RETURN, warehouse, None, "purchase_return_policy"
		return Operation.RECEIVE, None, warehouse, "purchase_policy"
	if doc.doctype in SALES:
		other = row.get("target_warehouse")
		if other:
			# To an internal customer (or any row with a target): ERPNext moves the unit there.
			if doc.get("is_return"):
				return Operation.TRANSFER, other, warehouse, "material_transfer_policy"
			operation = Operation.TRANSFER_OUT if other in transit else Operation.TRANSFER
			return operation, warehouse, other, "material_transfer_policy"
		if doc.get("is_return"):
			return Operation.SALES_RETURN, None, warehouse, "sales_return_policy"
		return Operation.SELL, warehouse, None, "sales_policy"
	if doc.doctype == "Stock Reconciliation":
		return Operation.COUNT, None, warehouse, "count_policy"
	# Stock Entry
	if for_claim(doc):
		operation, policy = CLAIM_PURPOSES[doc.purpose]
		if operation is Operation.SALES_RETURN:
			return operation, None, row.get("t_warehouse"), policy
		return operation, row.get("s_warehouse"), None, policy
	operation, policy = STOCK_ENTRY_PURPOSES.get(doc.purpose, (Operation.TRANSFER, ""))
	source, target = row.get("s_warehouse"), row.get("t_warehouse")
	if operation is Operation.TRANSFER:
		if source in transit or doc.get("outgoing_stock_entry"):
			operation = Operation.TRANSFER_IN
		elif target in transit or doc.get("add_to_transit"):
			operation = Operation.TRANSFER_OUT
	if operation is Operation.RECEIVE:
		source = None
	if operation is Operation.ISSUE:
		target = None
	return operation, source, target, policy


def _refusal(doc, rows: Rows, row) -> tuple[Reason | None, dict]:
	if doc.doctype == "Stock Entry" and doc.purpose not in STOCK_ENTRY_PURPOSES:
		return Reason.UNSUPPORTED_PURPOSE, {"purpose": doc.purpose}
	if doc.doctype in SALES and rows is not PACKED and row.get("uom") and row.uom != row.stock_uom:
		return Reason.NOT_STOCK_UOM, {"uom": row.uom, "stock_uom": row.stock_uom}
	if doc.doctype in PURCHASE and row.get("rejected_qty"):
		return Reason.REJECTED_QTY, {}
	return None, {}
