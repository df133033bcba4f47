"""The ledger at ERPNext's edges: counts over several warehouses, backdating, bundles, internal
transfers, consolidations, arrivals, statements in latest-first, switching off, guarded fields."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.messages import SerialCancelError, SerialGuardError, SerialTrackingError
from serial_tracking.stock import in_stock_registration
from tests.integration import factory as f
from tests.integration.factory import (
	BUNDLE,
	MAIN,
	PHONE,
	PLAIN,
	SHOP,
	TRANSIT,
	bundle_note,
	codes,
	product_bundle,
)


def status(code):
	row = f.serial(code)
	return (row.status, row.warehouse) if row else None


def log_of(code):
	return frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": code},
		fields=["operation", "voucher_type", "voucher_no", "sequence", "is_cancelled"],
		order_by="sequence",
	)


# Counts


def test_a_unit_counted_at_another_warehouse_moves_there_and_is_not_missing():
	found, other = codes("HEC", 2)
	f.receive([found, other])
	fresh = "HECNEW1"
	sr = f.reconciliation([(PHONE, 1, [found], SHOP), (PHONE, 1, [fresh], MAIN)])
	assert status(found) == ("In Stock", SHOP)
	assert status(fresh) == ("In Stock", MAIN)
	assert status(other) == ("Missing", None)
	moved = [row for row in log_of(found) if row.voucher_no == sr.name]
	assert [row.operation for row in moved] == ["Count"]
	assert [row.sequence for row in log_of(found)] == [1, 2]
	sr.cancel()
	assert status(found) == ("In Stock", MAIN) and status(other) == ("In Stock", MAIN)
	assert status(fresh) is None


# Backdating


def _two_receipts(prefix):
	"""A serial received five days ago and one received today, both at MAIN."""
	old, new = codes(prefix, 2)
	first = f.purchase_receipt([(PHONE, 1, [old], MAIN)], posting_date=add_days(nowdate(), -5))
	second = f.purchase_receipt([(PHONE, 1, [new], MAIN)])
	return old, new, first, second


def test_a_sale_dated_before_the_serials_receipt_is_refused_naming_the_receipt():
	old, new, _first, second = _two_receipts("BKD")
	with pytest.raises(
		SerialTrackingError,
		match=rf"Row 1: {new} was last moved by Purchase Receipt {second.name} on .*; a movement dated .* cannot come before it",
	):
		f.delivery_note([(PHONE, 1, [new], MAIN)], posting_date=add_days(nowdate(), -2))
	# The older unit sells on that date.
	f.delivery_note([(PHONE, 1, [old], MAIN)], posting_date=add_days(nowdate(), -2))
	assert status(old) == ("Sold", None)


def test_a_count_dated_before_a_receipt_cannot_make_that_unit_missing():
	old, new, _first, second = _two_receipts("BKC")
	with pytest.raises(SerialTrackingError, match=rf"{new} was last moved by Purchase Receipt {second.name}"):
		f.reconciliation([(PHONE, 2, [old, "BKCNEW"], MAIN)], posting_date=add_days(nowdate(), -3))
	assert status(new) == ("In Stock", MAIN)


def test_after_a_cancellation_a_document_may_again_be_dated_after_the_earlier_movement():
	old, _new, first, _second = _two_receipts("BKX")
	note = f.delivery_note([(PHONE, 1, [old], MAIN)])
	note.cancel()
	f.delivery_note([(PHONE, 1, [old], MAIN)], posting_date=add_days(nowdate(), -4))
	assert frappe.db.get_value("Serial Number", old, "voucher_type") == "Delivery Note"
	assert str(frappe.db.get_value("Serial Number", old, "posted_at")).startswith(add_days(nowdate(), -4))
	assert first.docstatus == 1


# Product bundles


def test_a_bundle_component_leaves_with_its_code():
	sn = codes("BND", 1)
	f.receive(sn)
	note = bundle_note(sn)
	assert f.serial(sn[0]).status == "Sold" and f.serial(sn[0]).voucher_no == note.name
	row = next(r for r in log_of(sn[0]) if r.voucher_no == note.name)
	assert row.operation == "Sell"
	note.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_a_bundle_whose_tracked_component_has_no_code_is_refused():
	f.receive(codes("BNR", 1))
	with pytest.raises(
		SerialTrackingError, match=r"Packed item row 1: Item ST-PHONE: 1 of its 1 SN codes are missing"
	):
		bundle_note()


def test_bundle_codes_given_on_insert_survive_erpnext_rebuilding_the_packed_rows():
	sn = codes("BNI", 1)
	f.receive(sn)
	product_bundle()
	f.purchase_receipt([(PLAIN, 1, None, MAIN)])
	note = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": f.COMPANY,
			"customer": f.CUSTOMER,
			"currency": "USD",
			"selling_price_list": "Standard Selling",
			"items": [{"item_code": BUNDLE, "qty": 1, "rate": 100, "warehouse": MAIN}],
			"packed_items": [
				{"parent_item": BUNDLE, "item_code": PHONE, "qty": 1, "warehouse": MAIN, "sn_codes": sn[0]}
			],
		}
	).insert()
	note.submit()
	assert status(sn[0]) == ("Sold", None)


def test_a_bundle_return_brings_the_component_back():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

	sn = codes("BNT", 1)
	f.receive(sn)
	note = bundle_note(sn)
	back = frappe.get_doc(make_sales_return(note.name))
	back.insert()
	phone = next(row for row in back.packed_items if row.item_code == PHONE)
	phone.sn_codes = sn[0]
	back.save()
	back.submit()
	assert status(sn[0]) == ("In Stock", MAIN)


# Internal transfers


def _internal_parties():
	"""A customer and a supplier that stand for the company itself."""
	internal = {"represents_company": f.COMPANY, "companies": [{"company": f.COMPANY}]}
	return (
		f.customer("ST Internal Customer", is_internal_customer=1, **internal),
		f.supplier("ST Internal Supplier", is_internal_supplier=1, **internal),
	)


def _internal_delivery(codes_, target):
	customer, _supplier = _internal_parties()
	note = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": f.COMPANY,
			"customer": customer,
			"currency": "USD",
			"selling_price_list": "Standard Selling",
			"items": [
				{
					"item_code": PHONE,
					"qty": len(codes_),
					"rate": 100,
					"warehouse": MAIN,
					"target_warehouse": target,
					"sn_codes": "\n".join(codes_),
				}
			],
		}
	).insert()
	note.submit()
	return note


def test_a_delivery_to_an_internal_customer_moves_the_serial_to_the_target_warehouse():
	sn = codes("ITR", 1)
	f.receive(sn)
	note = _internal_delivery(sn, SHOP)
	assert status(sn[0]) == ("In Stock", SHOP)
	assert f.serial(sn[0]).customer is None
	assert log_of(sn[0])[-1].operation == "Transfer"
	note.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_an_internal_transfer_through_transit_arrives_with_the_receipt_made_from_the_delivery():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_inter_company_purchase_receipt

	sn = codes("ITP", 2)
	f.receive(sn)
	note = _internal_delivery(sn, TRANSIT)
	assert [status(c) for c in sn] == [("In Transit", TRANSIT)] * 2
	receipt = frappe.get_doc(make_inter_company_purchase_receipt(note.name))
	for row in receipt.items:
		row.warehouse = SHOP
	receipt.insert()
	receipt.submit()
	assert [status(c) for c in sn] == [("In Stock", SHOP)] * 2
	assert log_of(sn[0])[-1].operation == "Transfer In"
	receipt.cancel()
	assert [status(c) for c in sn] == [("In Transit", TRANSIT)] * 2


# POS consolidation


def _naming_pos(pos, codes_, is_consolidated=0):
	invoice = f.sales_invoice([(PHONE, 1, codes_, MAIN)], submit=False)
	invoice.items[0].pos_invoice = pos.name
	invoice.items[0].pos_invoice_item = pos.items[0].name
	# Set after a first save: ERPNext leaves a consolidated invoice's totals as they are.
	invoice.is_consolidated = is_consolidated
	invoice.save()
	invoice.submit()
	return invoice


def test_a_sales_invoice_row_naming_a_pos_invoice_is_skipped_only_in_a_real_consolidation():
	sold, other, third = codes("PCS", 3)
	f.receive([sold, other, third])
	pos = f.pos_invoice([(PHONE, 1, [sold], MAIN)])
	# Not a consolidation: the row moves its serials like any other.
	invoice = _naming_pos(pos, [other])
	assert status(other) == ("Sold", None) and f.serial(other).voucher_no == invoice.name
	# Said to be consolidated, but not carrying the POS row's serials: not a consolidation either.
	invoice = _naming_pos(pos, [third], is_consolidated=1)
	assert status(third) == ("Sold", None) and f.serial(third).voucher_no == invoice.name
	assert f.serial(sold).voucher_no == pos.name


# Two-step transfers


def test_the_arrival_made_from_the_outgoing_entry_gets_its_codes():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	sn = codes("ARV", 2)
	f.receive(sn)
	out = f.stock_entry("Material Transfer", [(PHONE, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	# Made without its codes (ERPNext's mapping copies them; an integrator's may not).
	arrive.items[0].sn_codes = ""
	arrive.insert()
	assert sorted(arrive.items[0].sn_codes.split()) == sn
	arrive.submit()
	assert [status(c) for c in sn] == [("In Stock", SHOP)] * 2


def test_a_partial_arrival_must_name_the_codes_that_arrive():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	sn = codes("ARP", 2)
	f.receive(sn)
	out = f.stock_entry("Material Transfer", [(PHONE, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.items[0].qty = 1
	arrive.items[0].sn_codes = ""
	arrive.insert()
	with pytest.raises(SerialTrackingError, match="Row 1: Item ST-PHONE: 1 of its 1 SN codes are missing"):
		arrive.submit()
	arrive.reload()
	arrive.items[0].sn_codes = sn[1]
	arrive.save()
	arrive.submit()
	assert status(sn[1]) == ("In Stock", SHOP) and status(sn[0]) == ("In Transit", TRANSIT)


# Statements (registration, correction) in latest-first


def _registered_stock(warehouse, count):
	"""Units of PHONE at a warehouse without serials, as an item switched on later has."""
	f.purchase_receipt([(PHONE, count, None, warehouse)])


def test_a_correction_never_blocks_cancelling_the_receipt_and_is_voided_with_it():
	sn = codes("COR", 1)
	receipt = f.receive(sn)
	_registered_stock(SHOP, 1)
	doc = frappe.get_doc("Serial Number", sn[0])
	doc.warehouse = SHOP
	doc.save()
	assert status(sn[0]) == ("In Stock", SHOP)
	receipt.cancel()
	assert status(sn[0]) is None
	assert {(r.voucher_type, r.is_cancelled) for r in log_of(sn[0])} == {
		("Purchase Receipt", 1),
		("Item", 1),
	}


def test_a_registration_after_a_sale_does_not_stop_the_sale_from_being_cancelled():
	sn = codes("REGS", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)])
	_registered_stock(SHOP, 1)
	in_stock_registration.register(PHONE, SHOP, sn[0])
	assert status(sn[0]) == ("In Stock", SHOP)
	note.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)
	assert [(r.voucher_type, r.is_cancelled) for r in log_of(sn[0])] == [
		("Purchase Receipt", 0),
		("Delivery Note", 1),
		("Item", 1),
	]


def test_a_document_after_a_correction_still_blocks():
	sn = codes("CORB", 1)
	receipt = f.receive(sn)
	_registered_stock(SHOP, 1)
	doc = frappe.get_doc("Serial Number", sn[0])
	doc.warehouse = SHOP
	doc.save()
	note = f.delivery_note([(PHONE, 1, sn, SHOP)])
	with pytest.raises(
		SerialCancelError, match=rf"cancel them first, in this order: Delivery Note {note.name}$"
	):
		receipt.cancel()


# Switching off


def test_a_cancellation_restores_its_serials_with_the_app_switched_off(settings):
	sn = codes("OFF", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)])
	settings(enabled=0)
	note.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_a_cancellation_restores_its_serials_with_the_item_switched_off():
	sn = codes("IOFF", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)])
	frappe.db.set_value("Item", PHONE, "sn_tracking", 0)
	note.cancel()
	assert status(sn[0]) == ("In Stock", MAIN)


# Purchase returns


def test_a_purchase_return_to_another_supplier_is_refused():
	sn = codes("PRS", 1)
	receipt = f.receive(sn)
	other = f.supplier("ST Other Supplier")
	with pytest.raises(
		SerialTrackingError, match=rf"Row 1: {sn[0]} was bought from ST Supplier, not from {other}"
	):
		f._trade("Purchase Receipt", other, [(PHONE, -1, sn, MAIN)], True, True, None, {})
	f.purchase_receipt([(PHONE, -1, sn, MAIN)], is_return=True, return_against=receipt.name)
	assert status(sn[0]) == ("Returned", None)


# Guarded fields


def test_a_manager_cannot_set_a_serials_state_by_hand():
	sn = codes("GRD", 1)
	f.receive(sn)
	doc = frappe.get_doc("Serial Number", sn[0])
	for field, value in (
		("status", "Sold"),
		("customer", f.CUSTOMER),
		("movement_seq", 7),
		("purchase_date", "2020-01-01"),
	):
		doc.reload()
		doc.set(field, value)
		with pytest.raises(SerialGuardError, match="cannot be set by hand"):
			doc.save()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_a_serial_made_by_hand_cannot_bring_its_own_state():
	_registered_stock(MAIN, 1)
	doc = frappe.get_doc(
		{
			"doctype": "Serial Number",
			"serial_no": "HANDSOLD",
			"item_code": PHONE,
			"warehouse": MAIN,
			"status": "Sold",
		}
	)
	with pytest.raises(SerialGuardError, match="HANDSOLD: Status cannot be set by hand"):
		doc.insert()
	assert not frappe.db.exists("Serial Number", "HANDSOLD")


def test_a_serial_made_by_hand_with_the_code_of_another_in_other_case_is_a_clear_refusal():
	sn = codes("DUPC", 1)
	f.receive(sn)
	_registered_stock(MAIN, 1)
	doc = frappe.get_doc(
		{"doctype": "Serial Number", "serial_no": sn[0].lower(), "item_code": PHONE, "warehouse": MAIN}
	)
	with pytest.raises(frappe.DuplicateEntryError, match=f"SN code {sn[0].lower()} already exists"):
		doc.insert()


# Documents that cannot carry serials


def test_every_stock_ledger_entry_of_a_tracked_item_from_an_unhandled_document_is_refused():
	sle = frappe.get_doc(
		{
			"doctype": "Stock Ledger Entry",
			"item_code": PHONE,
			"warehouse": MAIN,
			"posting_date": nowdate(),
			"posting_time": "10:00:00",
			"voucher_type": "Asset Repair",
			"voucher_no": "ACC-ASR-0001",
			"actual_qty": -1,
			"company": f.COMPANY,
		}
	)
	sle.flags.ignore_links = True  # no asset repair to point at; the hook is what is tested
	with pytest.raises(
		SerialTrackingError,
		match="Item ST-PHONE is SN-tracked, and documents of type Asset Repair carry no SN codes",
	):
		sle.insert(ignore_permissions=True)
	# An untracked item, and the reversal of a cancelled document, pass the net.
	for values in ({"item_code": PLAIN}, {"is_cancelled": 1}):
		doc = frappe.get_doc({**sle.as_dict(), **values, "name": None})
		from serial_tracking.stock import refusing

		refusing.stock_ledger_entry(doc)


def test_a_subcontracting_receipt_refuses_tracked_items_row_by_row():
	hook = frappe.get_hooks("doc_events")["Subcontracting Receipt"]["validate"]
	doc = frappe.get_doc(
		{
			"doctype": "Subcontracting Receipt",
			"company": f.COMPANY,
			"items": [{"item_code": PLAIN, "qty": 1}, {"item_code": PHONE, "qty": 1}],
			"supplied_items": [{"rm_item_code": PLAIN, "item_code": PHONE}],
		}
	)
	with pytest.raises(SerialTrackingError) as refused:
		frappe.get_attr(hook[0] if isinstance(hook, list) else hook)(doc)
	message = str(refused.value)
	assert (
		"Row 2: Item ST-PHONE is SN-tracked, and documents of type Subcontracting Receipt carry no SN codes"
		in message
	)
	assert "Row 1 of Supplied Items: Item ST-PHONE is SN-tracked" in message
	assert "Row 1: Item ST-PLAIN" not in message


# Switching an item off and on


def _messages():
	return " ".join(frappe.utils.strip_html(m.get("message", "")) for m in frappe.get_message_log())


def test_switching_an_item_off_says_what_will_drift_and_on_again_shows_the_differences():
	from serial_tracking.stock import bulk

	item = "ST-SWITCH"
	if not frappe.db.exists("Item", item):
		f.make_item(item)
	sn = codes("SWI", 3)
	f.receive(sn, item=item)
	frappe.clear_messages()
	result = bulk.switch([item], False)
	assert result["done"] == [item]
	assert [w["item_code"] for w in result["warnings"]] == [item]
	assert "has 3 SN codes in stock" in result["warnings"][0]["message"]
	# While off, a sale moves the stock and no serial; one more unit arrives at SHOP.
	f.delivery_note([(item, 1, None, MAIN)])
	f.purchase_receipt([(item, 2, None, SHOP)])
	assert status(sn[0]) == ("In Stock", MAIN)
	result = bulk.switch([item], True)
	said = " ".join(w["message"] for w in result["warnings"])
	assert f"{MAIN}231 too many" in said and f"{SHOP}20register 2" in said
	from serial_tracking.api import item_stock

	places = {
		p["warehouse"]: (p["qty"], p["registered"], p["missing"], p["surplus"]) for p in item_stock(item)
	}
	assert places[MAIN] == (2, 3, 0, 1) and places[SHOP] == (2, 0, 2, 0)
	# Switching off an item with nothing in stock says nothing.
	frappe.clear_messages()
	doc = frappe.get_doc("Item", f.LAPTOP)
	doc.sn_tracking = 0
	doc.save()
	assert "SN codes in stock" not in _messages()


def test_the_patch_fills_company_and_last_posting_time_of_older_serials():
	from serial_tracking.patches.v1_0 import fill_company_and_posted_at

	sn = codes("PAT", 1)
	receipt = f.receive(sn)
	expected = frappe.db.get_value("Serial Number", sn[0], ["company", "posted_at"])
	frappe.db.set_value("Serial Number", sn[0], {"company": None, "posted_at": None}, update_modified=False)
	frappe.db.sql("update `tabSerial Circulation Log` set company = null where serial_no = %s", sn[0])
	fill_company_and_posted_at.execute()
	assert frappe.db.get_value("Serial Number", sn[0], ["company", "posted_at"]) == expected
	assert expected[0] == f.COMPANY and str(expected[1]).startswith(str(receipt.posting_date))


# Transit warehouses hold their units In Transit


def test_a_unit_received_registered_or_counted_at_a_transit_warehouse_is_in_transit_and_can_leave():
	received, registered, counted = codes("TRW", 3)
	f.purchase_receipt([(PHONE, 1, [received], TRANSIT)])
	assert status(received) == ("In Transit", TRANSIT)
	f.purchase_receipt([(PHONE, 1, None, TRANSIT)])
	in_stock_registration.register(PHONE, TRANSIT, registered)
	assert status(registered) == ("In Transit", TRANSIT)
	f.reconciliation([(PHONE, 3, [received, registered, counted], TRANSIT)])
	assert [status(c) for c in (received, registered, counted)] == [("In Transit", TRANSIT)] * 3
	f.stock_entry("Material Transfer", [(PHONE, 2, [received, registered], TRANSIT, SHOP)])
	assert [status(c) for c in (received, registered)] == [("In Stock", SHOP)] * 2


def test_a_count_of_a_transit_warehouse_makes_its_uncounted_units_missing():
	sn = codes("TRC", 2)
	f.receive(sn)
	f.stock_entry("Material Transfer", [(PHONE, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	f.reconciliation([(PHONE, 1, sn[:1], TRANSIT)])
	assert status(sn[0]) == ("In Transit", TRANSIT) and status(sn[1]) == ("Missing", None)


def test_a_unit_lost_in_transit_can_be_issued():
	sn = codes("TRI", 1)
	f.receive(sn)
	f.stock_entry("Material Transfer", [(PHONE, 1, sn, MAIN, TRANSIT)], add_to_transit=1)
	issue = f.stock_entry("Material Issue", [(PHONE, 1, sn, TRANSIT, None)])
	assert status(sn[0]) == ("Issued", None)
	issue.cancel()
	assert status(sn[0]) == ("In Transit", TRANSIT)


def test_the_return_of_an_internal_delivery_to_a_transit_warehouse_takes_the_unit_back():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

	sn = codes("TRR", 1)
	f.receive(sn)
	note = _internal_delivery(sn, TRANSIT)
	back = frappe.get_doc(make_sales_return(note.name))
	back.items[0].target_warehouse = TRANSIT
	back.insert()
	back.submit()
	assert status(sn[0]) == ("In Stock", MAIN)


def test_an_arrival_row_not_linked_to_an_outgoing_row_takes_only_that_entrys_codes():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	mine, other = codes("ARU", 2)
	f.receive([mine, other])
	out = f.stock_entry("Material Transfer", [(PHONE, 1, [mine], MAIN, TRANSIT)], add_to_transit=1)
	elsewhere = f.stock_entry("Material Transfer", [(PHONE, 1, [other], MAIN, TRANSIT)], add_to_transit=1)
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.items[0].ste_detail = None
	arrive.items[0].sn_codes = other
	with pytest.raises(SerialTrackingError, match=rf"{other} was not sent in transit by {out.name}"):
		arrive.insert()
	arrive.items[0].sn_codes = mine
	arrive.insert()
	arrive.submit()
	assert status(mine) == ("In Stock", SHOP) and status(other) == ("In Transit", TRANSIT)
	assert elsewhere.docstatus == 1


# Returns and consolidations


def test_a_credit_note_without_an_original_returns_only_what_its_customer_bought():
	sn = codes("CRN", 1)
	f.receive(sn)
	f.sales_invoice([(PHONE, 1, sn, MAIN)])
	other = f.customer("ST Other Customer")
	with pytest.raises(
		SerialTrackingError, match=rf"Row 1: {sn[0]} was sold to {f.CUSTOMER}, not to {other}"
	):
		f._trade("Sales Invoice", other, [(PHONE, -1, sn, MAIN)], True, True, None, {"update_stock": 1})
	f._trade("Sales Invoice", f.CUSTOMER, [(PHONE, -1, sn, MAIN)], True, True, None, {"update_stock": 1})
	assert status(sn[0]) == ("In Stock", MAIN)


def test_a_pos_row_consolidated_by_one_invoice_cannot_be_consolidated_again():
	sold, other = codes("PC2", 2)
	f.receive([sold, other])
	pos = f.pos_invoice([(PHONE, 1, [sold], MAIN)])
	first = _naming_pos(pos, [other])
	first.cancel()
	# A real-looking consolidation: carried without moving.
	consolidation = f.sales_invoice([(PHONE, 1, [other], MAIN)], submit=False)
	consolidation.items[0].pos_invoice = pos.name
	consolidation.items[0].pos_invoice_item = pos.items[0].name
	consolidation.is_consolidated = 1
	consolidation.items[0].sn_codes = sold
	consolidation.save()
	consolidation.submit()
	assert f.serial(sold).voucher_no == pos.name and status(other) == ("In Stock", MAIN)
	# A second claim of the same POS row moves its serials like any row: refused, it is sold.
	again = f.sales_invoice([(PHONE, 1, [other], MAIN)], submit=False)
	again.items[0].pos_invoice = pos.name
	again.items[0].pos_invoice_item = pos.items[0].name
	again.is_consolidated = 1
	again.items[0].sn_codes = sold
	with pytest.raises(SerialTrackingError, match=rf"{sold} is not in stock: it is Sold"):
		again.save()


# The widest document


def test_one_delivery_with_the_same_item_twice_at_two_warehouses_and_inside_a_bundle():
	at_main, at_shop, packed = codes("WID", 3)
	f.receive([at_main, packed])
	f.receive([at_shop], warehouse=SHOP)
	product_bundle()
	f.purchase_receipt([(PLAIN, 1, None, MAIN)])
	note = f.delivery_note(
		[(PHONE, 1, [at_main], MAIN), (PHONE, 1, [at_shop], SHOP), (BUNDLE, 1, None, MAIN)], submit=False
	)
	phone = next(row for row in note.packed_items if row.item_code == PHONE)
	phone.sn_codes = at_main
	with pytest.raises(
		SerialTrackingError, match=rf"Packed item row 1: {at_main} is already entered in row 1"
	):
		note.save()
	note.reload()
	next(row for row in note.packed_items if row.item_code == PHONE).sn_codes = packed
	note.save()
	note.submit()
	assert [status(c) for c in (at_main, at_shop, packed)] == [("Sold", None)] * 3
	assert {r.voucher_no for c in (at_main, at_shop, packed) for r in log_of(c)[-1:]} == {note.name}
	note.cancel()
	assert [status(c) for c in (at_main, at_shop, packed)] == [
		("In Stock", MAIN),
		("In Stock", SHOP),
		("In Stock", MAIN),
	]
	amended = frappe.copy_doc(note)
	amended.amended_from = note.name
	amended.docstatus = 0
	for row in amended.get_all_children():
		row.docstatus = 0
	amended.insert()
	amended.submit()
	assert [status(c) for c in (at_main, at_shop, packed)] == [("Sold", None)] * 3
