"""scan_into_document: a scan into a document's own Scan Barcode field, read with the document as context."""

import json

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.desk import row, unsaved
from tests.integration.factory import GTIN, MAIN, PHONE, PLAIN, SHOP, add_barcode, codes, received_in_cartons


def scan(doc, text, selected=None) -> dict:
	return api.scan_into_document(json.dumps(doc), text, selected)


def test_an_sn_code_into_a_delivery_adds_a_row_at_the_units_warehouse():
	sn = codes("SBD", 2)
	f.receive(sn, warehouse=SHOP)
	answer = scan(unsaved("Delivery Note", []), sn[0])
	assert answer["ours"] and answer["codes"] == [sn[0]] and not answer["refused"]
	assert "row" not in answer
	assert answer["new_row"]["item_code"] == PHONE and answer["new_row"]["warehouse"] == SHOP


def test_the_same_item_at_two_warehouses_picks_the_row_where_the_unit_is():
	at_main, at_shop = codes("SBM", 1), codes("SBS", 1)
	f.receive(at_main, warehouse=MAIN)
	f.receive(at_shop, warehouse=SHOP)
	doc = unsaved("Delivery Note", [row(PHONE, 1, MAIN), row(PHONE, 1, SHOP)])
	assert scan(doc, at_shop[0])["row"] == doc["items"][1]["name"]
	assert scan(doc, at_main[0])["row"] == doc["items"][0]["name"]


def test_a_carton_enters_its_units_held_at_the_row():
	packed = codes("SBC", 3)
	received_in_cartons({"CT-SB-1": packed}, warehouse=SHOP)
	doc = unsaved("Delivery Note", [row(PHONE, 0, MAIN), row(PHONE, 0, SHOP)])
	answer = scan(doc, "CT-SB-1")
	assert answer["row"] == doc["items"][1]["name"]
	assert answer["codes"] == packed and answer["carton"] == "CT-SB-1"
	assert "carton CT-SB-1: 3 codes" in answer["message"]


def test_a_gs1_symbol_names_its_item_by_the_gtin_and_enters_the_serial():
	add_barcode(PHONE, GTIN)
	answer = scan(unsaved("Purchase Receipt", [], set_warehouse=MAIN), f"]C101{GTIN}21SB-GS-1")
	assert answer["ours"] and answer["codes"] == ["SB-GS-1"]
	assert answer["new_row"] == {
		"item_code": PHONE,
		"uom": "Nos",
		"stock_uom": "Nos",
		"conversion_factor": 1,
		"warehouse": MAIN,
	}
	assert answer["sets_qty"] is True


def test_an_items_barcode_on_a_receipt_selects_the_row_new_codes_go_to():
	add_barcode(PHONE, "SB-PHONE-BAR", "CODE-39")
	doc = unsaved("Purchase Receipt", [row(f.LAPTOP, 1), row(PHONE, 1)])
	selected = scan(doc, "SB-PHONE-BAR")
	assert selected["selected"] and selected["row"] == doc["items"][1]["name"] and selected["codes"] == []
	new = scan(doc, "SB-NEW-0001", selected["row"])
	assert new["row"] == doc["items"][1]["name"] and new["codes"] == ["SB-NEW-0001"]
	# Without a selected row a new code names no item: ERPNext's scanner reads it.
	assert scan(doc, "SB-NEW-0002") == {"ours": False}
	# On a delivery the item's barcode is ERPNext's.
	assert scan(unsaved("Delivery Note", []), "SB-PHONE-BAR") == {"ours": False}


def test_a_code_already_in_the_document_is_refused_naming_its_row():
	sn = codes("SBA", 1)
	f.receive(sn)
	doc = unsaved("Delivery Note", [row(PHONE, 1, MAIN, sn_codes=sn[0])])
	answer = scan(doc, sn[0])
	assert answer["codes"] == [] and answer["refused"] == {sn[0]: f"{sn[0]} is already on row 1"}


def test_a_code_the_check_refuses_is_refused_with_its_reason():
	sn = codes("SBR", 1)
	f.receive(sn)
	f.delivery_note([(PHONE, 1, sn, MAIN)])
	answer = scan(unsaved("Delivery Note", [row(PHONE, 1, MAIN)]), sn[0])
	assert answer["codes"] == [] and "is not in stock: it is Sold" in answer["refused"][sn[0]]


def test_a_unit_at_a_warehouse_the_user_may_not_read_is_not_found(restricted):
	sn = codes("SBP", 1)
	f.receive(sn, warehouse=SHOP)
	frappe.set_user(restricted("sb-main", "Warehouse", MAIN))
	answer = scan(unsaved("Delivery Note", [row(PHONE, 1, MAIN)]), sn[0])
	assert answer["codes"] == [] and SHOP not in json.dumps(answer)
	assert answer["refused"] == {
		sn[0]: f"{sn[0]} is not a known SN code: it was never received or registered"
	}
	frappe.set_user("Administrator")
	assert scan(unsaved("Delivery Note", [row(PHONE, 1, MAIN)]), sn[0])["new_row"]["warehouse"] == SHOP


def test_an_ordinary_item_barcode_is_left_to_erpnext():
	add_barcode(PLAIN, "SB-PLAIN-BAR", "CODE-39")
	assert scan(unsaved("Purchase Receipt", []), "SB-PLAIN-BAR") == {"ours": False}
	assert scan(unsaved("Delivery Note", []), "SB-NO-SUCH-THING") == {"ours": False}


def test_the_empty_row_of_a_new_document_takes_the_item():
	sn = codes("SBE", 1)
	f.receive(sn, warehouse=SHOP)
	doc = unsaved("Delivery Note", [{"item_code": None, "qty": 0}])
	answer = scan(doc, sn[0])
	assert answer["row"] == doc["items"][0]["name"] and answer["new_row"]["warehouse"] == SHOP
	assert answer["codes"] == sn and answer["message"] == f"Row 1: {sn[0]} added"
