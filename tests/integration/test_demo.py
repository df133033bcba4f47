"""The demo dataset on the test site: real documents, the serial states they leave, and no commit."""

import pytest

import frappe

from serial_tracking.devtools import demo
from tests.integration.factory import COMPANY, serial


def state(code):
	row = serial(code)
	return (row.status, row.warehouse) if row else None


def bin_qty(item_code, warehouse):
	return frappe.db.get_value("Bin", {"item_code": item_code, "warehouse": warehouse}, "actual_qty") or 0


def test_demo_moves_every_unit_through_real_documents():
	summary = demo.make_demo_data()
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	main, shop = f"Main Store - {abbr}", f"City Shop - {abbr}"

	assert summary.company == COMPANY  # the site's default company
	assert frappe.db.get_value("Warehouse", f"Delivery Van - {abbr}", "warehouse_type") == "Transit"
	assert frappe.db.get_value("Item", demo.CABLE.code, "sn_tracking") == 0
	kinds = [doctype for doctype, _name, _what in summary.documents]
	assert kinds == [
		"Purchase Receipt",
		"Stock Entry",
		"Stock Entry",
		"Stock Entry",
		"Delivery Note",
		"Sales Invoice",
		"Delivery Note",
		"Purchase Receipt",
	]
	for doctype, name, _what in summary.documents:
		assert frappe.db.get_value(doctype, name, "docstatus") == 1, (doctype, name)
	sale = frappe.get_doc("Delivery Note", summary.documents[4][1])
	assert [(row.qty, row.price_list_rate, row.rate) for row in sale.items] == [
		(2, 299, 299),
		(1, 549, 549),
		(2, 9, 9),
	]
	out, arrive = summary.documents[1][1], summary.documents[2][1]
	assert frappe.db.get_value("Stock Entry", arrive, "outgoing_stock_entry") == out

	expected = {
		"PH-A-0001": ("Sold", None),
		"PH-A-0002": ("In Stock", shop),  # sold, then brought back by the customer
		"PH-A-0003": ("In Stock", shop),  # through the van
		"PH-A-0005": ("Sold", None),  # on the sales invoice
		"PH-A-0010": ("In Stock", main),
		"PH-B-0001": ("Sold", None),
		"PH-B-0002": ("In Stock", shop),
		"PH-B-0005": ("In Stock", main),
		"PH-B-0006": ("Returned", None),  # back to the supplier
		"LT-14-0001": ("In Stock", shop),  # direct transfer
		"LT-14-0002": ("Sold", None),
		"LT-14-0004": ("In Stock", main),
	}
	assert {code: state(code) for code in expected} == expected
	assert summary.statuses == {"In Stock": 15, "Sold": 4, "Returned": 1}
	assert not frappe.db.exists("Serial Number", {"status": "In Transit", "item_code": ("like", "DEMO-%")})

	history = frappe.get_all(
		"Serial Circulation Log", filters={"serial_no": "PH-A-0002"}, pluck="operation", order_by="sequence"
	)
	assert history == ["Receive", "Transfer Out", "Transfer In", "Sell", "Sales Return"]
	assert serial("PH-A-0001").customer == demo.CUSTOMER
	assert serial("PH-A-0010").supplier == demo.SUPPLIER

	# The serial ledger agrees with ERPNext's stock, per item and warehouse.
	for item in (demo.PHONE_A, demo.PHONE_B, demo.LAPTOP):
		for warehouse in (main, shop):
			qty = bin_qty(item.code, warehouse)
			in_stock = frappe.db.count(
				"Serial Number", {"item_code": item.code, "warehouse": warehouse, "status": "In Stock"}
			)
			assert qty == in_stock, (item.code, warehouse)
	assert bin_qty(demo.CABLE.code, shop) == 18

	text = demo.describe(summary)
	assert "PH-A-0001" in text and "15 In Stock" in text


def test_demo_runs_once(capsys):
	demo.make_demo_data(COMPANY)
	documents = frappe.db.count("Delivery Note")
	demo.make_demo()  # the command sees the earlier run and neither makes nor commits anything
	assert "already on this site" in capsys.readouterr().out
	assert frappe.db.count("Delivery Note") == documents


def test_demo_needs_an_existing_company():
	with pytest.raises(frappe.ValidationError, match="Company No Such Company not found"):
		demo.make_demo_data("No Such Company")
