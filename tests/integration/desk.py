"""Documents as Desk holds them before their first save (temporary names, nothing stored), and the
calls its SN dialog makes with them (check_row, read_scan)."""

import json

from frappe.utils import nowdate, nowtime

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import COMPANY, CUSTOMER, MAIN, PHONE

#: The child table of each doctype's rows.
ROWS = {
	"Delivery Note": "Delivery Note Item",
	"Purchase Receipt": "Purchase Receipt Item",
	"Stock Entry": "Stock Entry Detail",
	"Stock Reconciliation": "Stock Reconciliation Item",
}


def unsaved(doctype, rows, **values) -> dict:
	"""A new document as Desk holds it before the first save: temporary names, nothing stored.

	rows: dicts with item_code, qty and the warehouses; quantities in stock units as Desk computes them.
	"""
	slug = doctype.lower().replace(" ", "-")
	party = {}
	if doctype == "Delivery Note":
		party = {"customer": f.CUSTOMER}
	elif doctype == "Purchase Receipt":
		party = {"supplier": f.SUPPLIER}
	doc = {
		"doctype": doctype,
		"name": f"new-{slug}-1",
		"__islocal": 1,
		"__unsaved": 1,
		"docstatus": 0,
		"company": f.COMPANY,
		"posting_date": nowdate(),
		"posting_time": nowtime(),
		"set_posting_time": 1,
		**party,
		**values,
		"items": [],
	}
	for n, row in enumerate(rows, start=1):
		qty = row["qty"]
		doc["items"].append(
			{
				"doctype": ROWS[doctype],
				"name": f"new-{slug}-item-{n}",
				"__islocal": 1,
				"idx": n,
				"uom": "Nos",
				"stock_uom": "Nos",
				"conversion_factor": 1,
				"stock_qty": qty,
				"transfer_qty": qty,
				"rate": 100,
				**row,
			}
		)
	return doc


def row(item, qty, warehouse=MAIN, **values):
	"""A row of :func:`unsaved`."""
	return {"item_code": item, "qty": qty, "warehouse": warehouse, **values}


def check(doc, n, text, as_json=True):
	"""check_row on row ``n`` (1-based) of ``doc`` with ``text``; doc sent as JSON, as Desk sends it."""
	name = doc["items"][n - 1]["name"]
	return api.check_row(json.dumps(doc) if as_json else doc, name, text)


def refused(result) -> dict[str, str]:
	"""The codes check_row refused, with their reasons."""
	return {c["code"]: c["reason"] for c in result["codes"] if not c["ok"]}


def good(result) -> list[str]:
	"""The codes check_row found good."""
	return [c["code"] for c in result["codes"] if c["ok"]]


def desk_document(doctype="Delivery Note", rows=((PHONE, 1, MAIN),), **values):
	"""A document as Desk holds it before its first save: temporary names, ``__islocal``."""
	slug = doctype.lower().replace(" ", "-")
	party = {"customer": CUSTOMER} if doctype in ("Delivery Note", "Sales Invoice") else {}
	if doctype == "Purchase Receipt":
		party = {"supplier": "ST Supplier"}
	return {
		"doctype": doctype,
		"name": f"new-{slug}-1",
		"__islocal": 1,
		"__unsaved": 1,
		"docstatus": 0,
		"company": COMPANY,
		"posting_date": nowdate(),
		"currency": "USD",
		**party,
		**values,
		"items": [
			{
				"doctype": f"{doctype} Item",
				"name": f"new-{slug}-item-{n}",
				"__islocal": 1,
				"idx": n,
				"parentfield": "items",
				"parenttype": doctype,
				"parent": f"new-{slug}-1",
				"item_code": item,
				"qty": qty,
				"stock_qty": qty,
				"uom": "Nos",
				"stock_uom": "Nos",
				"conversion_factor": 1,
				"rate": 100,
				"warehouse": warehouse,
			}
			for n, (item, qty, warehouse) in enumerate(rows, start=1)
		],
	}


def scan(text, doc=None, row=None):
	"""read_scan of ``text`` on a row (the first) of a Desk document, as the SN dialog asks it."""
	doc = doc or desk_document()
	return api.read_scan(json.dumps(doc), row or doc["items"][0]["name"], text)
