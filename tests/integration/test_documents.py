"""Every row of the document map and the flows users rely on, on real ERPNext documents."""

import pytest

import frappe

from serial_tracking.messages import SerialCancelError, SerialTrackingError
from tests.integration import factory as f
from tests.integration.factory import LAPTOP, MAIN, PHONE, PLAIN, SHOP, TRANSIT, codes, serial


def status(code):
	row = serial(code)
	return (row.status, row.warehouse) if row else None


def test_purchase_receipt_creates_serials_and_logs():
	sn = codes("PRA", 3)
	pr = f.receive(sn)
	for code in sn:
		row = serial(code)
		assert (row.status, row.warehouse, row.supplier) == ("In Stock", MAIN, f.SUPPLIER)
		assert (row.voucher_type, row.voucher_no) == ("Purchase Receipt", pr.name)
	logs = frappe.get_all(
		"Serial Circulation Log", filters={"voucher_no": pr.name}, fields=["operation", "status_after"]
	)
	assert len(logs) == 3 and {(r.operation, r.status_after) for r in logs} == {("Receive", "In Stock")}


def test_codes_are_normalised_on_save():
	pr = f.purchase_receipt([(PHONE, 2, "ＰＲＮ００１， PRN002 ", MAIN)], submit=False)
	assert pr.items[0].sn_codes == "PRN001\nPRN002"


def test_optional_purchase_without_serials_is_accepted():
	pr = f.purchase_receipt([(PHONE, 2, None, MAIN)])
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": pr.name}) == 0


def test_sale_requires_serials_at_submit_and_names_the_row():
	f.receive(codes("REQ", 1))
	note = f.delivery_note([(PHONE, 1, None, MAIN)], submit=False)
	assert note.docstatus == 0
	with pytest.raises(
		SerialTrackingError, match=r"Row 1: Item ST-PHONE: 1 of its 1 SN codes are missing \(0 entered\)"
	):
		note.submit()


def test_purchase_sale_repurchase_and_double_sale():
	sn = codes("FLOW", 2)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 2, sn, MAIN)])
	assert status(sn[0]) == ("Sold", None)
	assert serial(sn[0]).customer == f.CUSTOMER
	f.receive(sn[:1])  # the unit comes back from the market: repurchase is allowed
	assert status(sn[0]) == ("In Stock", MAIN)
	with pytest.raises(SerialTrackingError) as refused:
		f.delivery_note([(PHONE, 2, sn, MAIN)])
	message = str(refused.value)
	assert f"Row 1: {sn[1]} is not in stock: it is Sold (last moved by Delivery Note {dn.name})" in message


def test_receiving_a_serial_already_in_stock_is_refused():
	sn = codes("DBL", 1)
	f.receive(sn)
	with pytest.raises(SerialTrackingError, match=f"Row 1: {sn[0]} is already in stock at {MAIN}"):
		f.receive(sn)


def test_wrong_item_and_wrong_warehouse():
	sn = codes("WRG", 1)
	f.receive(sn)
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} belongs to item {PHONE}, not {LAPTOP}"):
		f.purchase_receipt([(LAPTOP, 1, sn, SHOP)])
	f.purchase_receipt([(PHONE, 1, None, SHOP)])
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} is in stock at {MAIN}, not at {SHOP}"):
		f.delivery_note([(PHONE, 1, sn, SHOP)])


def test_every_problem_of_the_document_is_reported_at_once():
	f.receive(codes("ALL", 2))
	with pytest.raises(SerialTrackingError) as refused:
		f.delivery_note(
			[(PHONE, 2, ["ALL0001", "BAD<"], MAIN), (PHONE, 1, ["ALL0001"], MAIN), (PHONE, 2, ["X"], MAIN)]
		)
	message = str(refused.value)
	assert "Row 1: BAD&lt; contains &lt;" in message
	assert "Row 2: ALL0001 is already entered in row 1" in message
	# A row short of its codes is a draft's: refused at submit only.
	assert "Row 3" not in message


def test_count_must_match_a_whole_quantity():
	with pytest.raises(
		SerialTrackingError, match="Row 1: Item ST-PHONE: 3 SN codes entered for a quantity of 2"
	):
		f.purchase_receipt([(PHONE, 2, ["CNT1", "CNT2", "CNT3"], MAIN)], submit=False)
	draft = f.purchase_receipt([(PHONE, 2, ["CNT1"], MAIN)], submit=False)
	with pytest.raises(
		SerialTrackingError, match=r"Row 1: Item ST-PHONE: 1 of its 2 SN codes are missing \(1 entered\)"
	):
		draft.submit()
	if not frappe.db.exists("UOM", "ST Gram"):
		frappe.get_doc({"doctype": "UOM", "uom_name": "ST Gram", "must_be_whole_number": 0}).insert()
	f.make_item("ST-GOLD", stock_uom="ST Gram")
	with pytest.raises(SerialTrackingError, match=r"quantity 1\.5 in stock units is not a whole number"):
		f.purchase_receipt([("ST-GOLD", 1.5, ["CNT1", "CNT2"], MAIN)])


def test_sales_must_use_the_stock_unit():
	sn = codes("UOM", 1)
	f.receive(sn)
	if not frappe.db.exists("UOM", "Box"):
		frappe.get_doc({"doctype": "UOM", "uom_name": "Box"}).insert()
	item = frappe.get_doc("Item", PHONE)
	item.append("uoms", {"uom": "Box", "conversion_factor": 1})
	item.save()
	with pytest.raises(SerialTrackingError, match="must be sold in its stock unit Nos, not Box"):
		_dn_in_box(sn)


def _dn_in_box(sn):
	doc = f.delivery_note([(PHONE, 1, sn, MAIN)], submit=False)
	doc.items[0].uom = "Box"
	doc.items[0].conversion_factor = 1
	doc.save()


def test_more_than_the_limit_per_document_is_refused(settings):
	settings(max_per_operation=3)
	with pytest.raises(SerialTrackingError, match="4 SN codes entered; at most 3 are allowed at once"):
		f.purchase_receipt([(PHONE, 2, ["LIM1", "LIM2"], MAIN), (PHONE, 2, ["LIM3", "LIM4"], MAIN)])


def test_bad_codes_are_refused_and_nothing_is_stored():
	with pytest.raises(SerialTrackingError) as refused:
		f.purchase_receipt([(PHONE, 3, ["OK1", "序列2", "A" * 101], MAIN)])
	message = str(refused.value)
	assert "Row 1: 序列2 contains the non-ASCII character 序" in message
	assert "is 101 characters long; an SN code has at most 100" in message
	assert not frappe.db.exists("Serial Number", "OK1")


def test_cancel_restores_and_is_latest_first():
	sn = codes("CAN", 2)
	pr = f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn[:1], MAIN)])
	pr.reload()
	with pytest.raises(SerialCancelError) as refused:
		pr.cancel()
	assert f"cancel them first, in this order: Delivery Note {dn.name}" in str(refused.value)
	assert status(sn[0]) == ("Sold", None)
	dn.reload()
	dn.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)
	assert serial(sn[0]).voucher_no == pr.name and serial(sn[0]).customer is None
	pr.reload()
	pr.cancel()
	assert serial(sn[0]) is None and serial(sn[1]) is None
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": pr.name, "is_cancelled": 0}) == 0


def test_amend_after_cancel():
	sn = codes("AMD", 1)
	pr = f.receive(sn)
	pr.cancel()
	amended = frappe.copy_doc(pr)
	amended.amended_from = pr.name
	amended.docstatus = 0
	amended.insert()
	amended.submit()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_purchase_invoice_with_stock_and_its_return():
	sn = codes("PIV", 2)
	pi = f.purchase_invoice([(PHONE, 2, sn, MAIN)])
	assert status(sn[0]) == ("In Stock", MAIN)
	f.purchase_invoice([(PHONE, -1, sn[:1], MAIN)], is_return=1, return_against=pi.name)
	assert status(sn[0]) == ("Returned", None)


def test_purchase_return():
	sn = codes("PRR", 2)
	pr = f.receive(sn)
	ret = f.purchase_receipt([(PHONE, -1, sn[:1], MAIN)], is_return=True, return_against=pr.name)
	assert status(sn[0]) == ("Returned", None)
	ret.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_sales_return_only_of_serials_sold_on_the_original():
	sn = codes("SRT", 3)
	f.receive(sn)
	dn1 = f.delivery_note([(PHONE, 2, sn[:2], MAIN)])
	f.delivery_note([(PHONE, 1, sn[2:], MAIN)])
	with pytest.raises(SerialTrackingError, match=f"{sn[2]} was not sold on {dn1.name}"):
		f.delivery_note([(PHONE, -1, sn[2:], MAIN)], is_return=True, return_against=dn1.name)
	f.delivery_note([(PHONE, -1, sn[:1], MAIN)], is_return=True, return_against=dn1.name)
	assert status(sn[0]) == ("In Stock", MAIN)


def test_sales_invoice_with_stock_and_credit_note():
	sn = codes("SIV", 1)
	f.receive(sn)
	si = f.sales_invoice([(PHONE, 1, sn, MAIN)])
	assert status(sn[0]) == ("Sold", None)
	f.sales_invoice([(PHONE, -1, sn, MAIN)], is_return=1, return_against=si.name)
	assert status(sn[0]) == ("In Stock", MAIN)


def test_pos_sales_invoice():
	sn = codes("POS", 1)
	f.receive(sn)
	f.sales_invoice([(PHONE, 1, sn, MAIN)], is_pos=1, payments=[{"mode_of_payment": "Cash", "amount": 100}])
	assert status(sn[0]) == ("Sold", None)


def test_pos_invoice_sells_and_its_consolidation_does_not_move_again():
	from erpnext.accounts.doctype.pos_invoice.pos_invoice import make_sales_return

	sn = codes(f"PSI{frappe.generate_hash(length=4).upper()}-", 3)
	f.receive(sn)
	pos = f.pos_invoice([(PHONE, 1, sn[:1], MAIN)])
	assert status(sn[0]) == ("Sold", None)
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} is not in stock: it is Sold"):
		f.pos_invoice([(PHONE, 1, sn[:1], MAIN)])
	ret = make_sales_return(pos.name)
	assert ret.items[0].sn_codes == sn[0]
	ret.insert()
	ret.submit()
	assert status(sn[0]) == ("In Stock", MAIN)
	later = f.pos_invoice([(PHONE, 1, sn[1:2], MAIN)])
	# What ERPNext's consolidation job does, without its commit.
	merge = frappe.new_doc("POS Invoice Merge Log")
	merge.posting_date = frappe.utils.nowdate()
	merge.customer = f.CUSTOMER
	merge.set("pos_invoices", [{"pos_invoice": d.name, "customer": f.CUSTOMER} for d in (pos, ret, later)])
	merge.insert()
	merge.submit()
	merged = frappe.get_all(
		"Sales Invoice Item", filters={"pos_invoice": ("in", [pos.name, ret.name])}, pluck="parent"
	)
	assert merged
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": ("in", merged)}) == 0
	assert status(sn[1]) == ("Sold", None)


def test_sales_invoice_from_delivery_note_carries_serials_without_moving_them():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	sn = codes("DSI", 1)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn, MAIN)])
	si = make_sales_invoice(dn.name)
	si.insert()
	si.submit()
	assert si.items[0].sn_codes == sn[0]
	assert serial(sn[0]).voucher_no == dn.name
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": si.name}) == 0


def test_material_receipt_issue_and_direct_transfer():
	sn = codes("MAT", 3)
	f.stock_entry("Material Receipt", [(PHONE, 3, sn, None, MAIN)])
	assert status(sn[0]) == ("In Stock", MAIN)
	f.stock_entry("Material Transfer", [(PHONE, 1, sn[:1], MAIN, SHOP)])
	assert status(sn[0]) == ("In Stock", SHOP)
	f.stock_entry("Material Issue", [(PHONE, 1, sn[1:2], MAIN, None)])
	assert status(sn[1]) == ("Issued", None)
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} is in stock at {SHOP}, not at {MAIN}"):
		f.stock_entry("Material Transfer", [(PHONE, 1, sn[:1], MAIN, SHOP)])


def test_two_step_transfer_through_transit():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	sn = codes("TRN", 2)
	f.receive(sn)
	out = f.stock_entry("Material Transfer", [(PHONE, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	assert status(sn[0]) == ("In Transit", TRANSIT)
	with pytest.raises(SerialTrackingError, match=f"{sn[0]} is already in transit at {TRANSIT}"):
		f.receive(sn[:1])
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.items[0].sn_codes = "\n".join(sn)
	arrive.insert()
	arrive.submit()
	assert status(sn[0]) == ("In Stock", SHOP)


def test_count_moves_counted_and_marks_uncounted_missing():
	f.make_item("ST-COUNTED")
	sn = codes("CNT", 3)
	f.receive(sn, item="ST-COUNTED")
	f.purchase_receipt([("ST-COUNTED", 1, ["CNTS1"], SHOP)])
	sr = f.reconciliation([("ST-COUNTED", 2, [sn[0], "CNTNEW"], MAIN)])
	assert status(sn[0]) == ("In Stock", MAIN)
	assert status("CNTNEW") == ("In Stock", MAIN)
	assert status(sn[1]) == ("Missing", None) and status(sn[2]) == ("Missing", None)
	assert status("CNTS1") == ("In Stock", SHOP)
	ops = frappe.get_all("Serial Circulation Log", filters={"voucher_no": sr.name}, pluck="operation")
	assert sorted(ops) == ["Count", "Count Missing", "Count Missing"]
	sr.cancel()
	assert [status(c) for c in sn] == [("In Stock", MAIN)] * 3
	assert status("CNTNEW") is None


def test_count_refuses_a_serial_in_transit():
	sn = codes("CIT", 1)
	f.receive(sn)
	f.stock_entry("Material Transfer", [(PHONE, 1, sn, MAIN, TRANSIT)], add_to_transit=1)
	with pytest.raises(
		SerialTrackingError, match=f"{sn[0]} is in transit at {TRANSIT} and cannot be counted"
	):
		f.reconciliation([(PHONE, 1, sn, SHOP)])


def test_unsupported_stock_entry_purpose_is_refused():
	sn = codes("MFG", 1)
	f.receive(sn)
	with pytest.raises(SerialTrackingError, match="cannot be moved by a Stock Entry of purpose Repack"):
		f.stock_entry("Repack", [(PHONE, 1, sn, MAIN, None), (PLAIN, 1, None, None, MAIN)])


def test_plain_items_and_switched_off_site_behave_as_erpnext(settings):
	pr = f.purchase_receipt([(PLAIN, 2, None, MAIN)])
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": pr.name}) == 0
	settings(enabled=0)
	pr = f.purchase_receipt([(PHONE, 1, None, MAIN)])
	f.delivery_note([(PHONE, 1, None, MAIN)])
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": pr.name}) == 0


def test_rejected_quantity_is_refused_on_a_receipt():
	with pytest.raises(
		SerialTrackingError, match="Row 1: Item ST-PHONE is SN-tracked: receive only accepted units"
	):
		_receipt_with_rejected()


def _receipt_with_rejected():
	doc = f.purchase_receipt([(PHONE, 1, codes("REJ", 1), MAIN)], submit=False)
	doc.items[0].received_qty = 2
	doc.items[0].rejected_qty = 1
	doc.items[0].rejected_warehouse = SHOP
	doc.save()


def test_returning_a_serial_that_was_not_sold_is_refused():
	sn = codes("NSD", 1)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn, MAIN)])
	f.delivery_note([(PHONE, -1, sn, MAIN)], is_return=True, return_against=dn.name)
	with pytest.raises(SerialTrackingError, match=f"Row 1: {sn[0]} was not sold: it is In Stock"):
		f.delivery_note([(PHONE, -1, sn, MAIN)], is_return=True, return_against=dn.name)


def test_arrival_of_a_serial_not_in_transit_is_refused():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	sn = codes("NIT", 2)
	f.receive(sn)
	out = f.stock_entry("Material Transfer", [(PHONE, 1, sn[:1], MAIN, TRANSIT)], add_to_transit=1)
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.items[0].sn_codes = sn[1]
	with pytest.raises(
		SerialTrackingError,
		match=f"Row 1: {sn[1]} was not sent in transit by {out.name}, or has arrived already",
	):
		arrive.insert()
	# An arrival typed by hand, not made from the outgoing entry: the serial must be in transit.
	with pytest.raises(SerialTrackingError, match=f"Row 1: {sn[1]} is not in transit: it is In Stock"):
		f.stock_entry("Material Transfer", [(PHONE, 1, sn[1:], TRANSIT, SHOP)])
