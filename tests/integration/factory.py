"""Master data and documents for the integration tests, made through ERPNext itself."""

import json

import frappe
from frappe.utils import nowdate

COMPANY = "Wind Power LLC"
ABBR = "WP"
MAIN = f"ST Main - {ABBR}"
SHOP = f"ST Shop - {ABBR}"
TRANSIT = f"ST Transit - {ABBR}"
SUPPLIER = "ST Supplier"
CUSTOMER = "ST Customer"
#: A second supplier and customer: what a user restricted to the first may not read.
SUPPLIER2 = "ST Supplier Two"
CUSTOMER2 = "ST Customer Two"
PHONE = "ST-PHONE"
LAPTOP = "ST-LAPTOP"
PLAIN = "ST-PLAIN"


def make_master_data():
	"""A company (ERPNext's own test setup), warehouses, items and parties; once per site."""
	if not frappe.db.exists("Company", COMPANY):
		from erpnext.setup.utils import before_tests

		before_tests()
	for name, kind in ((MAIN, None), (SHOP, None), (TRANSIT, "Transit")):
		if not frappe.db.exists("Warehouse", name):
			frappe.get_doc(
				{
					"doctype": "Warehouse",
					"warehouse_name": name.rsplit(" - ", 1)[0],
					"company": COMPANY,
					"warehouse_type": kind,
				}
			).insert()
	for code, tracked in ((PHONE, 1), (LAPTOP, 1), (PLAIN, 0)):
		if not frappe.db.exists("Item", code):
			make_item(code, sn_tracking=tracked)
		elif frappe.db.get_value("Item", code, "sn_tracking") != tracked:
			# a reinstall of the app (lifecycle test) starts its fields afresh
			frappe.db.set_value("Item", code, "sn_tracking", tracked)
	supplier(SUPPLIER)
	customer(CUSTOMER)
	supplier(SUPPLIER2)
	customer(CUSTOMER2)
	frappe.db.set_single_value("Serial Tracking Settings", "enabled", 1)


def supplier(name, **values):
	"""A supplier, made once."""
	if not frappe.db.exists("Supplier", name):
		frappe.get_doc(
			{"doctype": "Supplier", "supplier_name": name, "supplier_group": "All Supplier Groups", **values}
		).insert()
	return name


def customer(name, **values):
	"""A customer, made once."""
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": "All Customer Groups",
				"territory": "All Territories",
				**values,
			}
		).insert()
	return name


def user_with(roles):
	"""A user with these roles, made once."""
	email = "st-" + "-".join(r.lower().replace(" ", "") for r in roles) + "@example.com"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "ST", "send_welcome_email": 0}
		)
		user.insert()
		user.add_roles(*roles)
	return email


def other_company():
	"""A second company, made inside the test's transaction."""
	name = "ST Elsewhere"
	if not frappe.db.exists("Company", name):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": name,
				"abbr": "STE",
				"default_currency": "USD",
				"country": "United States",
			}
		).insert()
	return name


def make_item(code, sn_tracking=1, **values):
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"valuation_rate": 100,
			"sn_tracking": sn_tracking,
			**values,
		}
	)
	return doc.insert()


def codes(prefix, count, start=1):
	return [f"{prefix}{n:04d}" for n in range(start, start + count)]


def text(values):
	return "\n".join(values)


def _row(item, qty, sn, **values):
	row = {"item_code": item, "qty": qty, "rate": 100, "conversion_factor": 1, **values}
	if sn is not None:
		row["sn_codes"] = text(sn) if isinstance(sn, list) else sn
	return row


def _trade(doctype, party, rows, submit, is_return, return_against, values):
	"""A buying or selling document; rows: (item, qty, codes or None, warehouse)."""
	buying = doctype in ("Purchase Receipt", "Purchase Invoice")
	doc = frappe.get_doc(
		{
			"doctype": doctype,
			"company": COMPANY,
			("supplier" if buying else "customer"): party,
			"posting_date": nowdate(),
			"set_posting_time": 1,
			"currency": "USD",
			("buying_price_list" if buying else "selling_price_list"): (
				"Standard Buying" if buying else "Standard Selling"
			),
			"is_return": int(is_return),
			"return_against": return_against,
			"items": [_row(item, qty, sn, warehouse=wh) for item, qty, sn, wh in rows],
			**values,
		}
	)
	doc.insert()
	if submit:
		doc.submit()
	return doc


def purchase_receipt(
	rows, submit=True, is_return=False, return_against=None, doctype="Purchase Receipt", **values
):
	return _trade(doctype, SUPPLIER, rows, submit, is_return, return_against, values)


def purchase_invoice(rows, submit=True, **values):
	return purchase_receipt(rows, submit, doctype="Purchase Invoice", update_stock=1, **values)


def delivery_note(rows, submit=True, is_return=False, return_against=None, doctype="Delivery Note", **values):
	return _trade(doctype, CUSTOMER, rows, submit, is_return, return_against, values)


def sales_invoice(rows, submit=True, update_stock=1, **values):
	return delivery_note(rows, submit, doctype="Sales Invoice", update_stock=update_stock, **values)


def stock_entry(purpose, rows, submit=True, **values):
	"""rows: (item, qty, codes or None, source, target)."""
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"company": COMPANY,
			"purpose": purpose,
			"stock_entry_type": purpose,
			"posting_date": nowdate(),
			"set_posting_time": 1,
			"items": [
				_row(item, qty, sn, s_warehouse=source, t_warehouse=target, basic_rate=100)
				for item, qty, sn, source, target in rows
			],
			**values,
		}
	)
	doc.insert()
	if submit:
		doc.submit()
	return doc


def reconciliation(rows, submit=True, rate=100, **values):
	"""rows: (item, qty, codes or None, warehouse), each valued at ``rate``."""
	doc = frappe.get_doc(
		{
			"doctype": "Stock Reconciliation",
			"company": COMPANY,
			"purpose": "Stock Reconciliation",
			"posting_date": nowdate(),
			"set_posting_time": 1,
			"items": [
				{
					"item_code": item,
					"qty": qty,
					"warehouse": wh,
					"valuation_rate": rate,
					"sn_codes": text(sn or []),
				}
				for item, qty, sn, wh in rows
			],
			**values,
		}
	)
	doc.insert()
	if submit:
		doc.submit()
	return doc


def serial(code):
	return frappe.db.get_value(
		"Serial Number",
		code,
		["name", "item_code", "status", "warehouse", "voucher_type", "voucher_no", "customer", "supplier"],
		as_dict=True,
	)


def receive(codes_, item=PHONE, warehouse=MAIN):
	return purchase_receipt([(item, len(codes_), codes_, warehouse)])


def pos_invoice(rows, submit=True, is_return=False, return_against=None):
	"""A POS Invoice under an open POS session; rows: (item, qty, codes, warehouse)."""
	profile = "ST POS"
	if not frappe.db.exists("POS Profile", profile):
		cash = frappe.get_doc("Mode of Payment", "Cash")
		if not any(a.company == COMPANY for a in cash.accounts):
			cash.append("accounts", {"company": COMPANY, "default_account": f"Cash - {ABBR}"})
			cash.save()
		frappe.get_doc(
			{
				"doctype": "POS Profile",
				"name": profile,
				"company": COMPANY,
				"currency": "USD",
				"warehouse": MAIN,
				"cost_center": f"Main - {ABBR}",
				"income_account": f"Sales - {ABBR}",
				"expense_account": f"Cost of Goods Sold - {ABBR}",
				"write_off_account": f"Write Off - {ABBR}",
				"write_off_cost_center": f"Main - {ABBR}",
				"selling_price_list": "Standard Selling",
				"payments": [{"mode_of_payment": "Cash", "default": 1}],
			}
		).insert()
	if not frappe.db.exists("POS Opening Entry", {"pos_profile": profile, "status": "Open", "docstatus": 1}):
		opening = frappe.get_doc(
			{
				"doctype": "POS Opening Entry",
				"pos_profile": profile,
				"company": COMPANY,
				"user": frappe.session.user,
				"period_start_date": frappe.utils.now_datetime(),
				"posting_date": nowdate(),
				"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
			}
		)
		opening.insert()
		opening.submit()
	total = sum(qty for _item, qty, _sn, _wh in rows) * 100
	return _trade(
		"POS Invoice",
		CUSTOMER,
		rows,
		submit,
		is_return,
		return_against,
		{
			"pos_profile": profile,
			"is_pos": 1,
			"update_stock": 1,
			"payments": [{"mode_of_payment": "Cash", "amount": total}],
		},
	)


def committed_place(item: str, warehouse: str) -> None:
	"""A warehouse and an SN-tracked item for tests that commit (races, faults), made once per site,
	kept and committed: other processes see only committed data."""
	from erpnext.stock.utils import get_or_make_bin

	if not frappe.db.exists("Warehouse", warehouse):
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": warehouse.rsplit(" - ", 1)[0], "company": COMPANY}
		).insert()
	if not frappe.db.exists("Item", item):
		make_item(item)
	elif not frappe.db.get_value("Item", item, "sn_tracking"):
		# A reinstall of the app drops the custom field and so the item's switch.
		frappe.db.set_value("Item", item, "sn_tracking", 1)
	# ERPNext makes an item's Bin at its first movement into a warehouse, and sessions making it at
	# once collide there: made beforehand, as for any item that has moved there before.
	get_or_make_bin(item, warehouse)
	frappe.db.commit()


# Bundles, cartons and barcodes

#: A product bundle of a phone and a plain unit (:func:`product_bundle`).
BUNDLE = "ST-BUNDLE"
#: A valid GTIN (GTIN-14) the tests give the phone.
GTIN = "09501101530003"


def product_bundle():
	"""The bundle of a phone and a plain unit, made once."""
	if not frappe.db.exists("Item", BUNDLE):
		make_item(BUNDLE, sn_tracking=0, is_stock_item=0)
	if not frappe.db.exists("Product Bundle", {"new_item_code": BUNDLE}):
		frappe.get_doc(
			{
				"doctype": "Product Bundle",
				"new_item_code": BUNDLE,
				"items": [{"item_code": PHONE, "qty": 1}, {"item_code": PLAIN, "qty": 1}],
			}
		).insert()


def bundle_note(codes_=None, submit=True, **values):
	"""A Delivery Note of one bundle, its phone's codes ``codes_`` on its packed row."""
	product_bundle()
	purchase_receipt([(PLAIN, 2, None, MAIN)])
	note = delivery_note([(BUNDLE, 1, None, MAIN)], submit=False, **values)
	phone = next(row for row in note.packed_items if row.item_code == PHONE)
	if codes_ is not None:
		phone.sn_codes = "\n".join(codes_)
		note.save()
	if submit:
		note.submit()
	return note


def received_in_cartons(packing: dict, item=PHONE, warehouse=MAIN, submit=True, extra=()):
	"""A Purchase Receipt of one row whose codes are packed as ``packing`` says (carton -> codes),
	plus ``extra`` codes outside any carton."""
	row_codes = [code for packed in packing.values() for code in packed] + list(extra)
	doc = purchase_receipt([(item, len(row_codes), row_codes, warehouse)], submit=False)
	doc.items[0].sn_cartons = json.dumps(packing)
	doc.save()
	if submit:
		doc.submit()
	return doc


def hand_carton(name, text, item=PHONE):
	"""A Serial Carton made by hand on its form, packing the codes of ``text``."""
	return frappe.get_doc(
		{"doctype": "Serial Carton", "carton_code": name, "item_code": item, "add_codes": text}
	).insert()


def add_barcode(item, value, barcode_type=""):
	"""Give the item a barcode (a GTIN, say)."""
	doc = frappe.get_doc("Item", item)
	doc.append("barcodes", {"barcode": value, "barcode_type": barcode_type})
	doc.save()
