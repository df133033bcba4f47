"""A draft is saved with none or some of its SN codes; submit requires the count its operation asks."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.messages import SerialTrackingError
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, codes, serial


def _sales_order(qty):
	order = frappe.get_doc(
		{
			"doctype": "Sales Order",
			"company": f.COMPANY,
			"customer": f.CUSTOMER,
			"transaction_date": nowdate(),
			"delivery_date": add_days(nowdate(), 7),
			"currency": "USD",
			"selling_price_list": "Standard Selling",
			"set_warehouse": MAIN,
			"items": [
				{"item_code": PHONE, "qty": qty, "rate": 100, "warehouse": MAIN, "conversion_factor": 1}
			],
		}
	)
	order.insert()
	order.submit()
	return order


def _note_from_order(qty):
	from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

	note = make_delivery_note(_sales_order(qty).name)
	note.insert()
	return note


def _missing(row, missing, qty, entered):
	return rf"Row {row}: Item ST-PHONE: {missing} of its {qty} SN codes are missing \({entered} entered\)"


def test_a_delivery_note_made_from_an_order_is_saved_without_codes():
	note = _note_from_order(2)
	assert note.docstatus == 0 and not note.items[0].get("sn_codes")
	note.reload()
	note.save()
	with pytest.raises(SerialTrackingError, match=_missing(1, 2, 2, 0)):
		note.submit()


def test_a_draft_holds_some_of_its_codes_and_submits_once_all_are_given():
	sn = codes("DRF", 5)
	f.receive(sn)
	note = _note_from_order(5)
	note.items[0].sn_codes = "\n".join(sn[:2])
	note.save()
	assert note.items[0].sn_codes.split() == sn[:2]
	with pytest.raises(SerialTrackingError, match=_missing(1, 3, 5, 2)):
		note.submit()
	note.reload()
	assert note.docstatus == 0 and [serial(c).status for c in sn] == ["In Stock"] * 5
	note.items[0].sn_codes = "\n".join(sn)
	note.save()
	note.submit()
	assert [serial(c).status for c in sn] == ["Sold"] * 5


def test_the_codes_a_draft_gives_are_still_checked_on_save():
	sn = codes("DRK", 2)
	f.receive(sn[:1])
	with pytest.raises(SerialTrackingError, match=f"Row 1: {sn[1]} is not a known SN code"):
		f.delivery_note([(PHONE, 3, [sn[1]], MAIN)], submit=False)
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} is entered twice"):
		f.delivery_note([(PHONE, 3, [sn[0], sn[0]], MAIN)], submit=False)
	# More codes than the quantity can never become right by adding codes: refused on save.
	with pytest.raises(SerialTrackingError, match="2 SN codes entered for a quantity of 1"):
		f.delivery_note([(PHONE, 1, codes("DRK", 2, start=5), MAIN)], submit=False)


def test_a_receipt_whose_operation_requires_codes_is_a_draft_without_them(settings):
	settings(purchase_policy="Required")
	receipt = f.purchase_receipt([(PHONE, 3, None, MAIN), (PHONE, 2, codes("DRR", 1), MAIN)], submit=False)
	assert receipt.docstatus == 0
	with pytest.raises(SerialTrackingError) as refused:
		receipt.submit()
	message = str(refused.value)
	assert "Row 1: Item ST-PHONE: 3 of its 3 SN codes are missing (0 entered)" in message
	assert "Row 2: Item ST-PHONE: 1 of its 2 SN codes are missing (1 entered)" in message
	receipt.reload()
	receipt.items[0].sn_codes = "\n".join(codes("DRQ", 3))
	receipt.items[1].sn_codes = "\n".join(codes("DRR", 2))
	receipt.save()
	receipt.submit()
	assert serial("DRQ0003").status == "In Stock"


def test_an_optional_operation_takes_none_or_all_at_submit():
	receipt = f.purchase_receipt([(PHONE, 2, None, MAIN)], submit=False)
	receipt.items[0].sn_codes = codes("DRO", 1)[0]
	receipt.save()
	with pytest.raises(SerialTrackingError, match=_missing(1, 1, 2, 1)):
		receipt.submit()


def test_a_sales_invoice_updating_stock_is_a_draft_without_codes():
	sn = codes("DRS", 2)
	f.receive(sn)
	invoice = f.sales_invoice([(PHONE, 2, None, MAIN)], submit=False)
	with pytest.raises(SerialTrackingError, match=_missing(1, 2, 2, 0)):
		invoice.submit()
	invoice.reload()
	invoice.items[0].sn_codes = "\n".join(sn)
	invoice.save()
	invoice.submit()
	assert [serial(c).status for c in sn] == ["Sold"] * 2


def test_a_pos_invoice_is_a_draft_without_codes():
	sn = codes("DRP", 1)
	f.receive(sn)
	invoice = f.pos_invoice([(PHONE, 1, None, MAIN)], submit=False)
	assert invoice.docstatus == 0
	with pytest.raises(SerialTrackingError, match=_missing(1, 1, 1, 0)):
		invoice.submit()
	invoice.reload()
	invoice.items[0].sn_codes = sn[0]
	invoice.save()
	invoice.submit()
	assert serial(sn[0]).status == "Sold"


def test_a_bundle_note_is_a_draft_without_codes_and_its_component_row_says_it_is_tracked():
	note = f.bundle_note(submit=False)
	rows = {row.item_code: bool(row.sn_tracking) for row in note.packed_items}
	assert rows == {PHONE: True, f.PLAIN: False}
	with pytest.raises(SerialTrackingError, match=r"Packed item row 1: Item ST-PHONE: 1 of its 1 SN codes"):
		note.submit()
