"""What each supported ERPNext document means for serials: the one place with doctype knowledge.

A document becomes a :class:`Voucher` and one :class:`RowRequest` per item row
of an SN-tracked item; everything after that is the same for every doctype.
"""

from typing import NamedTuple

from serial_tracking.core.plan import RowRequest, Voucher
from serial_tracking.core.problems import Reason
from serial_tracking.core.states import Operation

#: The custom field on Item that switches SN tracking on.
ITEM_FLAG = "sn_tracking"
#: The custom field on item rows with the row's SN codes, one a line.
ROW_FIELD = "sn_codes"
#: The button on item rows that opens the SN dialog.
ROW_BUTTON = "sn_button"


class Rows(NamedTuple):
	"""A document's item rows: their doctype, the field with the quantity in stock units, and the
	field with the warehouse units leave from (where Desk picks serials from stock)."""

	doctype: str
	qty: str
	source: str


ROWS = {
	"Purchase Receipt": Rows("Purchase Receipt Item", "stock_qty", "warehouse"),
	"Purchase Invoice": Rows("Purchase Invoice Item", "stock_qty", "warehouse"),
	"Delivery Note": Rows("Delivery Note Item", "stock_qty", "warehouse"),
	"Sales Invoice": Rows("Sales Invoice Item", "stock_qty", "warehouse"),
	"POS Invoice": Rows("POS Invoice Item", "stock_qty", "warehouse"),
	"Stock Entry": Rows("Stock Entry Detail", "transfer_qty", "s_warehouse"),
	"Stock Reconciliation": Rows("Stock Reconciliation Item", "qty", "warehouse"),
}
#: Parent doctype -> its item-row doctype.
ROW_DOCTYPES = {parent: rows.doctype for parent, rows in ROWS.items()}

PURCHASE = ("Purchase Receipt", "Purchase Invoice")
SALES = ("Delivery Note", "Sales Invoice", "POS Invoice")

#: Stock Entry purposes that carry serials; every other purpose refuses SN-tracked items.
STOCK_ENTRY_PURPOSES = {
	"Material Receipt": (Operation.RECEIVE, "material_receipt_policy"),
	"Material Issue": (Operation.ISSUE, "material_issue_policy"),
	"Material Transfer": (Operation.TRANSFER, "material_transfer_policy"),
}


def for_desk() -> dict:
	"""What the SN dialog needs to know of each document's rows."""
	return {parent: rows._asdict() for parent, rows in ROWS.items()}


def moves_serials(doc) -> bool:
	"""Whether the document moves serials; if not, it only carries them for printing.

	An invoice without Update Stock (made from a receipt or a delivery note)
	carries its serials; everything else moves them, POS invoices included.
	"""
	return not (doc.doctype in ("Purchase Invoice", "Sales Invoice") and not doc.get("update_stock"))


def item_rows(doc) -> list:
	rows = doc.get("items") or []
	if doc.doctype == "Sales Invoice":
		# Rows of consolidated POS invoices: their serials moved with the POS Invoice.
		rows = [row for row in rows if not row.get("pos_invoice")]
	return rows


def warehouses_to_classify(doc) -> set[str]:
	"""Warehouses whose type (transit or not) decides the operation of a row."""
	if doc.doctype != "Stock Entry" or doc.get("purpose") != "Material Transfer":
		return set()
	return {w for row in item_rows(doc) for w in (row.get("s_warehouse"), row.get("t_warehouse")) if w}


def voucher(doc) -> Voucher:
	party_type = party = None
	if doc.doctype in PURCHASE:
		party_type, party = "Supplier", doc.get("supplier")
	elif doc.doctype in SALES:
		party_type, party = "Customer", doc.get("customer")
	return Voucher(
		voucher_type=doc.doctype,
		voucher_no=doc.name,
		posting_date=str(doc.get("posting_date") or "") or None,
		posting_time=str(doc.get("posting_time") or "") or None,
		party_type=party_type,
		party=party,
		return_against=doc.get("return_against") if doc.get("is_return") else None,
	)


def row_request(doc, row, required_policies: frozenset[str], transit: set[str]) -> RowRequest:
	"""The request of one row of an SN-tracked item."""
	operation, source, target, policy = _meaning(doc, row, transit)
	qty = row.get(ROWS[doc.doctype].qty)
	refusal, params = _refusal(doc, row)
	return RowRequest(
		row=row.idx,
		item_code=row.item_code,
		operation=operation,
		qty=abs(qty or 0),
		text=row.get(ROW_FIELD),
		from_warehouse=source,
		to_warehouse=target,
		required=policy in required_policies,
		detail_no=row.name or "",
		refusal=refusal,
		params=params,
	)


def _meaning(doc, row, transit: set[str]):
	"""(operation, from warehouse, to warehouse, policy field)."""
	if doc.doctype in PURCHASE:
		if doc.get("is_return"):
			return Operation.PURCHASE_RETURN, row.warehouse, None, "purchase_return_policy"
		return Operation.RECEIVE, None, row.warehouse, "purchase_policy"
	if doc.doctype in SALES:
		if doc.get("is_return"):
			return Operation.SALES_RETURN, None, row.warehouse, "sales_return_policy"
		return Operation.SELL, row.warehouse, None, "sales_policy"
	if doc.doctype == "Stock Reconciliation":
		return Operation.COUNT, None, row.warehouse, "count_policy"
	# Stock Entry
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


def _refusal(doc, row) -> tuple[Reason | None, dict]:
	if doc.doctype == "Stock Entry" and doc.purpose not in STOCK_ENTRY_PURPOSES:
		return Reason.UNSUPPORTED_PURPOSE, {"purpose": doc.purpose}
	if doc.doctype in SALES and row.get("uom") and row.uom != row.stock_uom:
		return Reason.NOT_STOCK_UOM, {"uom": row.uom, "stock_uom": row.stock_uom}
	if doc.doctype in PURCHASE and row.get("rejected_qty"):
		return Reason.REJECTED_QTY, {}
	return None, {}
