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


def test_the_demo_makes_a_till_for_the_point_of_sale():
	"""The POS Profile the Point of Sale page needs, on its own: the company's accounts, cash booked to
	its cash account, the City Shop's stock; made once."""
	from erpnext.selling.page.point_of_sale.point_of_sale import get_items

	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	shop = f"City Shop - {abbr}"
	if not frappe.db.exists("Warehouse", shop):
		demo._Demo(COMPANY)._warehouse(demo.CITY_SHOP)
	name = demo.pos_profile(COMPANY)
	profile = frappe.get_doc("POS Profile", name)
	company = frappe.get_cached_doc("Company", COMPANY)
	assert (profile.company, profile.warehouse, profile.currency) == (
		COMPANY,
		shop,
		company.default_currency,
	)
	assert profile.income_account == company.default_income_account and profile.cost_center
	assert [(p.mode_of_payment, p.default) for p in profile.payments] == [(demo.CASH, 1)]
	accounts = frappe.get_doc("Mode of Payment", demo.CASH).accounts
	(cash,) = [a for a in accounts if a.company == COMPANY]
	assert cash.default_account and frappe.db.get_value("Account", cash.default_account, "company") == COMPANY
	# the page reads its items through the profile
	assert "items" in get_items(0, 20, profile.selling_price_list, "", name)

	assert demo.pos_profile(COMPANY) == name
	assert frappe.db.count("POS Profile", {"company": COMPANY, "name": ("like", f"{demo.POS_PROFILE}%")}) == 1
	assert (
		len([a for a in frappe.get_doc("Mode of Payment", demo.CASH).accounts if a.company == COMPANY]) == 1
	)


def test_an_earlier_demo_gets_its_till(capsys, monkeypatch):
	"""A site whose demo was made before the till existed gets it from the command run again."""
	demo.make_demo_data(COMPANY)
	frappe.db.delete("POS Profile", {"company": COMPANY})
	commits = []
	# counted, not done: the test's transaction is rolled back
	monkeypatch.setattr(frappe.local.db, "commit", lambda: commits.append(1))
	demo.make_demo()
	assert "POS Profile City Shop POS made" in capsys.readouterr().out
	assert frappe.db.exists("POS Profile", {"company": COMPANY}) and commits == [1]
