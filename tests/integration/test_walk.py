"""One serial's whole life, then cancelled latest-first back to nothing, checking every state."""

import frappe

from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, SHOP, TRANSIT, serial


def state(code):
	row = serial(code)
	return row and (row.status, row.warehouse, row.voucher_no)


def test_purchase_transfer_sale_returns_repurchase_and_back_to_nothing():
	code = "WALK0001"
	steps = []

	def step(doc):
		steps.append((doc, state(code)))
		return doc

	pr = step(f.receive([code]))
	assert state(code) == ("In Stock", MAIN, pr.name)
	out = step(f.stock_entry("Material Transfer", [(PHONE, 1, [code], MAIN, TRANSIT)], add_to_transit=1))
	assert state(code) == ("In Transit", TRANSIT, out.name)
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.insert()
	arrive.submit()
	step(arrive)
	assert state(code) == ("In Stock", SHOP, arrive.name)
	dn = step(f.delivery_note([(PHONE, 1, [code], SHOP)]))
	assert state(code) == ("Sold", None, dn.name)
	ret = step(f.delivery_note([(PHONE, -1, [code], MAIN)], is_return=True, return_against=dn.name))
	assert state(code) == ("In Stock", MAIN, ret.name)
	pret = step(f.purchase_receipt([(PHONE, -1, [code], MAIN)], is_return=True, return_against=pr.name))
	assert state(code) == ("Returned", None, pret.name)
	again = step(f.receive([code]))
	assert state(code) == ("In Stock", MAIN, again.name)
	history = frappe.get_all(
		"Serial Circulation Log", filters={"serial_no": code}, fields=["operation"], order_by="sequence"
	)
	assert [h.operation for h in history] == [
		"Receive",
		"Transfer Out",
		"Transfer In",
		"Sell",
		"Sales Return",
		"Purchase Return",
		"Receive",
	]

	# Cancel latest first; after each, the serial is as it was before that document.
	for number in range(len(steps) - 1, -1, -1):
		doc, _ = steps[number]
		if number:
			steps[0][0].reload()
			try:
				steps[0][0].cancel()
				raise AssertionError("the first document was cancelled before the later ones")
			except frappe.ValidationError as e:
				assert doc.name in str(e)
		doc.reload()
		doc.cancel()
		expected = steps[number - 1][1] if number else None
		assert state(code) == expected, (doc.doctype, doc.name)
	assert frappe.db.count("Serial Circulation Log", {"serial_no": code, "is_cancelled": 0}) == 0
