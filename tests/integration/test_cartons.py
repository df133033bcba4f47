"""Cartons: made on receipt, by hand or by the old carton field; scanned in a row's SN dialog; a
carton code never equal to an SN code; cancelling takes a receipt's cartons away."""

import json

import pytest

import frappe

from serial_tracking import api
from serial_tracking.patches.v1_0 import make_serial_cartons
from serial_tracking.stock import cartons
from serial_tracking.stock.in_stock_registration import register

from .desk import desk_document, scan
from .factory import (
	LAPTOP,
	MAIN,
	PHONE,
	SHOP,
	codes,
	delivery_note,
	hand_carton,
	purchase_receipt,
	receive,
	received_in_cartons,
	reconciliation,
	serial,
	stock_entry,
	user_with,
)

SSCC = "095011015300000010"
OTHER_SSCC = "095011015300000027"


def carton(name):
	return frappe.db.get_value(
		"Serial Carton",
		name,
		["name", "item_code", "serial_count", "made_by_type", "made_by_no"],
		as_dict=True,
	)


def in_carton(name):
	return sorted(frappe.get_all("Serial Number", filters={"carton": name}, pluck="name"))


# Made on receipt


def test_a_receipt_packs_its_cartons_and_cancelling_takes_them_away():
	first, second = codes("CTR", 3), codes("CTR", 2, start=4)
	doc = received_in_cartons({"CT-R1": first, "CT-R2": second}, extra=["CTR-LOOSE"])
	assert carton("CT-R1") == {
		"name": "CT-R1",
		"item_code": PHONE,
		"serial_count": 3,
		"made_by_type": "Purchase Receipt",
		"made_by_no": doc.name,
	}
	assert in_carton("CT-R1") == first and in_carton("CT-R2") == second
	assert not frappe.db.get_value("Serial Number", "CTR-LOOSE", "carton")
	doc.cancel()
	assert not frappe.db.exists("Serial Carton", "CT-R1")
	assert not frappe.db.exists("Serial Carton", "CT-R2")
	assert in_carton("CT-R1") == []


def test_an_amended_receipt_packs_its_cartons_again():
	packed = codes("CTA", 2)
	doc = received_in_cartons({"CT-AMEND": packed})
	doc.cancel()
	# As Desk's Amend: a copy, no-copy fields included, made a draft of its own.
	amended = frappe.copy_doc(doc)
	amended.docstatus = 0
	amended.amended_from = doc.name
	amended.insert()
	amended.submit()
	assert carton("CT-AMEND")["made_by_no"] == amended.name
	assert carton("CT-AMEND")["serial_count"] == 2 and in_carton("CT-AMEND") == packed
	amended.cancel()
	assert not frappe.db.exists("Serial Carton", "CT-AMEND")


def test_bundle_units_are_entered_from_their_carton_on_the_packed_row():
	from tests.integration import factory as f

	f.product_bundle()
	received_in_cartons({"CT-BNDL": ["CTB-1", "CTB-2"]})
	f.purchase_receipt([(f.PLAIN, 1, None, MAIN)])
	note = f.delivery_note([(f.BUNDLE, 1, None, MAIN)], submit=False)
	packed = next(r for r in note.packed_items if r.item_code == PHONE)
	answer = api.read_scan(frappe.as_json(note.as_dict()), packed.name, "CT-BNDL")
	assert answer["codes"] == ["CTB-1", "CTB-2"]
	packed.sn_codes = answer["codes"][0]
	note.save()
	note.submit()
	assert f.serial("CTB-1").status == "Sold"


def test_a_unit_received_again_leaves_the_carton_when_that_receipt_is_cancelled():
	"""A unit sold and bought back keeps its serial: cancelling the second receipt takes it out of
	the carton that receipt made, and the serial is back Sold, in no carton."""
	receive(["CTB-0001"])
	delivery_note([(PHONE, 1, ["CTB-0001"], MAIN)])
	doc = received_in_cartons({"CT-BACK": ["CTB-0001"]})
	assert serial("CTB-0001").status == "In Stock"
	assert frappe.db.get_value("Serial Number", "CTB-0001", "carton") == "CT-BACK"
	doc.cancel()
	assert serial("CTB-0001").status == "Sold"
	assert frappe.db.get_value("Serial Number", "CTB-0001", "carton") is None


def test_a_receipt_adds_units_to_a_carton_of_its_item_and_cancelling_takes_only_them_out():
	received_in_cartons({"CT-ADD": codes("CTA", 2)})
	later = received_in_cartons({"CT-ADD": codes("CTA", 2, start=3)})
	assert carton("CT-ADD").serial_count == 4
	later.cancel()
	assert carton("CT-ADD").serial_count == 2
	assert in_carton("CT-ADD") == codes("CTA", 2)


def test_cartons_are_stored_as_read_and_other_operations_drop_them():
	doc = received_in_cartons({" ＣＴ-FOLD ": ["ctf-0001"]}, submit=False, extra=[])
	# the row had CT-FOLD's code as the row gives it; cartons folded and trimmed
	assert json.loads(doc.items[0].sn_cartons) == {"CT-FOLD": ["ctf-0001"]}
	receive(["CTD-0001"])
	note = delivery_note([(PHONE, 1, ["CTD-0001"], MAIN)], submit=False)
	note.items[0].sn_cartons = json.dumps({"CT-SOLD": ["CTD-0001"]})
	note.save()
	assert not note.items[0].sn_cartons
	note.submit()
	assert not frappe.db.exists("Serial Carton", "CT-SOLD")


# Refusals on receipt


def refused_receipt(packing, **kwargs):
	with pytest.raises(frappe.ValidationError) as refused:
		received_in_cartons(packing, **kwargs)
	return str(refused.value)


def test_a_carton_code_that_is_an_sn_code_is_refused():
	receive(["CTS-0001"])
	message = refused_receipt({"CTS-0001": ["CTS-0002"]})
	assert "Row 1" in message and "Carton code CTS-0001 is an SN code" in message
	# nor one of the codes received with it
	message = refused_receipt({"CTS-0004": ["CTS-0003"]}, extra=["CTS-0004"])
	assert "Carton code CTS-0004 is an SN code" in message
	assert not frappe.db.exists("Serial Carton", "CTS-0001")
	assert not frappe.db.exists("Serial Number", "CTS-0002")


def test_an_sn_code_that_is_a_carton_code_is_refused_everywhere():
	received_in_cartons({"CT-TAKEN": ["CTT-0001"]})
	expected = "(?i)CT-TAKEN is the code of a carton; an SN code may never equal a carton code"
	with pytest.raises(frappe.ValidationError, match=expected):
		receive(["ct-taken"])
	with pytest.raises(frappe.ValidationError, match=expected):
		reconciliation([(PHONE, 1, ["CT-TAKEN"], SHOP)])
	with pytest.raises(frappe.ValidationError, match=expected):
		register(PHONE, MAIN, "CT-TAKEN")
	with pytest.raises(frappe.ValidationError, match=expected):
		frappe.get_doc(
			{"doctype": "Serial Number", "serial_no": "CT-TAKEN", "item_code": PHONE, "warehouse": MAIN}
		).insert()
	assert frappe.db.get_value("Serial Number", {"name": "CT-TAKEN"}) is None


def test_a_carton_of_another_item_is_refused():
	received_in_cartons({"CT-PHONES": ["CTO-0001"]})
	message = refused_receipt({"CT-PHONES": ["CTO-0002"]}, item=LAPTOP)
	assert f"Carton CT-PHONES holds item {PHONE}, not {LAPTOP}" in message
	assert frappe.db.count("Serial Number", {"carton": "CT-PHONES"}) == 1


def test_one_code_in_two_cartons_and_a_packed_code_not_on_the_row_are_refused():
	doc = purchase_receipt([(PHONE, 2, ["CTW-0001", "CTW-0002"], MAIN)], submit=False)
	doc.items[0].sn_cartons = json.dumps({"CT-W1": ["CTW-0001"], "CT-W2": ["CTW-0001", "CTW-0003"]})
	with pytest.raises(frappe.ValidationError) as refused:
		doc.save()
	message = str(refused.value)
	assert "CTW-0001 is packed in carton CT-W1 and in carton CT-W2" in message
	assert "CTW-0003 is packed in carton CT-W2 but is not among the row" in message
	# not JSON, and JSON nested deeper than Python's reader goes
	for raw in ("{not json", "[" * 100_000 + "]" * 100_000):
		doc = frappe.get_doc(doc.doctype, doc.name)
		doc.items[0].sn_cartons = raw
		with pytest.raises(frappe.ValidationError, match=r"cartons cannot be read \(not JSON\)"):
			doc.save()


# By hand


def test_a_carton_made_by_hand_packs_registered_units_and_deleting_it_unpacks_them():
	units = codes("CTH", 3)
	receive(units)
	doc = hand_carton("ＣＴ-HAND", " ".join(units[:2]))
	assert doc.name == "CT-HAND" and doc.serial_count == 2 and not doc.add_codes
	assert in_carton("CT-HAND") == units[:2]
	doc.add_codes = units[2]
	doc.save()
	assert carton("CT-HAND").serial_count == 3
	frappe.delete_doc("Serial Carton", "CT-HAND")
	assert in_carton("CT-HAND") == [] and serial(units[0]).status == "In Stock"


def test_a_carton_by_hand_refuses_unknown_codes_other_items_and_packed_units():
	receive(["CTK-0001"])
	receive(["CTK-LAP-1"], item=LAPTOP)
	hand_carton("CT-K1", "CTK-0001")
	with pytest.raises(frappe.ValidationError) as refused:
		hand_carton("CT-K2", "CTK-0001 CTK-9999 CTK-LAP-1")
	message = str(refused.value)
	assert "CTK-0001 is packed in carton CT-K1 and in carton CT-K2" in message
	assert "CTK-9999 is not a known SN code" in message
	assert f"CTK-LAP-1 belongs to item {LAPTOP}, not {PHONE}" in message
	assert not frappe.db.exists("Serial Carton", "CT-K2")
	with pytest.raises(frappe.ValidationError, match="Carton code CTK-0001 is an SN code"):
		hand_carton("CTK-0001", "")
	with pytest.raises(frappe.ValidationError, match=f"Item {LAPTOP[:3]}"):
		frappe.get_doc(
			{"doctype": "Serial Carton", "carton_code": "CT-PLAIN", "item_code": "ST-PLAIN"}
		).insert()


# Scanning a carton


def test_a_carton_scanned_on_a_sale_row_enters_its_units_in_stock_there():
	packed = codes("CTS1-", 3)
	received_in_cartons({"CT-SCAN": packed})
	found = scan("CT-SCAN", desk_document(rows=[(PHONE, 3, MAIN)]))
	assert found == {
		"codes": packed,
		"message": "carton CT-SCAN: 3 codes",
		"problems": [],
		"carton": "CT-SCAN",
	}
	# a plain code is itself; the carton's code in any letter case is the carton
	assert scan("CTS1-0001")["codes"] == ["CTS1-0001"] and scan("CTS1-0001")["carton"] is None
	assert scan("ct-scan")["codes"] == packed


def test_a_partly_gone_carton_says_how_many_it_added_and_why_the_others_were_left():
	packed = codes("CTP", 5)
	received_in_cartons({"CT-PART": packed})
	delivery_note([(PHONE, 1, [packed[0]], MAIN)])
	stock_entry("Material Transfer", [(PHONE, 2, packed[1:3], MAIN, SHOP)])
	found = scan("CT-PART")
	assert found["codes"] == packed[3:]
	assert found["message"] == f"carton CT-PART: 2 of its 5 codes; 3 left: 1 Sold, 2 In Stock at {SHOP}"
	# at the shop, the two moved there fit
	assert scan("CT-PART", desk_document(rows=[(PHONE, 2, SHOP)]))["codes"] == packed[1:3]
	# a return of the sale takes the one sold
	# a return of the first sale takes the one sold on it, not one sold on another note
	first_sale = serial(packed[0]).voucher_no
	other_sale = delivery_note([(PHONE, 1, [packed[3]], MAIN)]).name
	found = scan("CT-PART", desk_document(is_return=1, return_against=first_sale))
	assert found["codes"] == [packed[0]]
	assert f"1 sold on {other_sale}" in found["message"]


def test_a_carton_on_a_receipt_row_enters_only_units_held_nowhere():
	packed = codes("CTQ", 2)
	received_in_cartons({"CT-AGAIN": packed})
	delivery_note([(PHONE, 1, [packed[0]], MAIN)])
	found = scan("CT-AGAIN", desk_document("Purchase Receipt"))
	assert found["codes"] == [packed[0]]
	assert found["message"] == f"carton CT-AGAIN: 1 of its 2 codes; 1 left: 1 In Stock at {MAIN}"


def test_a_carton_of_another_item_or_no_carton_scanned_is_a_problem():
	received_in_cartons({"CT-OTHER": ["CTX-0001"]})
	found = scan("CT-OTHER", desk_document(rows=[(LAPTOP, 1, MAIN)]))
	assert found["codes"] == [] and found["carton"] is None
	assert [p["message"] for p in found["problems"]] == [f"Carton CT-OTHER holds item {PHONE}, not {LAPTOP}"]
	assert scan("")["problems"][0]["message"] == "No SN code entered"


def test_a_gs1_sscc_is_looked_up_as_a_carton():
	received_in_cartons({SSCC: ["CTG-0001", "CTG-0002"]})
	for text in (f"]C100{SSCC}", f"(00){SSCC}", f"]d200{SSCC}"):
		found = scan(text)
		assert found["codes"] == ["CTG-0001", "CTG-0002"], text
		assert found["carton"] == SSCC and found["message"] == f"carton {SSCC}: 2 codes"
	# an SSCC of no carton: refused on a sale, a new carton on a receipt
	found = scan(f"]C100{OTHER_SSCC}")
	assert found["codes"] == [] and found["problems"][0]["message"] == f"No carton has the code {OTHER_SSCC}"
	found = scan(f"]C100{OTHER_SSCC}", desk_document("Purchase Receipt"))
	assert found["codes"] == [] and found["carton"] == OTHER_SSCC and not found["problems"]
	# the serial of a GS1 scan enters as itself
	assert scan("]C121CTG-0001")["codes"] == ["CTG-0001"]


def test_read_scan_finds_a_row_of_a_saved_draft_and_names_a_missing_row():
	received_in_cartons({"CT-DRAFT": ["CTDR-0001"]})
	note = delivery_note([(PHONE, 1, ["CTDR-0001"], MAIN)], submit=False)
	found = api.read_scan(note.as_json(), note.items[0].name, "CT-DRAFT")
	assert found["codes"] == ["CTDR-0001"]
	with pytest.raises(frappe.DoesNotExistError, match="new-delivery-note-item-9"):
		scan("CT-DRAFT", row="new-delivery-note-item-9")


def test_read_scan_needs_write_on_the_document_and_read_on_serials():
	received_in_cartons({"CT-PERM": ["CTPM-0001"]})
	invoice = desk_document("Sales Invoice", update_stock=1)
	stock_user, accounts_user = user_with(["Stock User"]), user_with(["Accounts User"])
	frappe.set_user(stock_user)
	# a Stock User may make a delivery note, not a sales invoice
	assert scan("CT-PERM")["codes"] == ["CTPM-0001"]
	with pytest.raises(frappe.PermissionError):
		scan("CT-PERM", invoice)
	frappe.set_user(accounts_user)
	# may make the invoice, may not read serials
	with pytest.raises(frappe.PermissionError):
		scan("CTPM-0001", invoice)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		scan("CT-PERM")


# The field that was text


def test_the_patch_makes_a_carton_for_each_carton_a_serial_names():
	units = codes("CTOLD", 3)
	receive(units)
	frappe.db.sql("update `tabSerial Number` set carton = 'CT-OLD' where name in %s", [units[:2]])
	make_serial_cartons.execute()
	make_serial_cartons.execute()
	assert carton("CT-OLD").item_code == PHONE and carton("CT-OLD").serial_count == 2


def test_search_shows_the_carton_as_a_link():
	from serial_tracking.finding import search

	received_in_cartons({"CT-FIND": ["CTF-0001"]})
	column = next(c for c in search.columns() if c["fieldname"] == "carton")
	assert (column["fieldtype"], column["options"]) == ("Link", "Serial Carton")
	assert search.rows({"carton": "CT-FIND"})[0]["carton"] == "CT-FIND"
	assert cartons.collisions(["ct-find", "CTF-0001"])[0].code == "ct-find"


def test_a_carton_by_hand_may_not_pack_serials_the_user_may_not_read(restricted):
	"""A Stock Manager of the shop may not pack units held at the main warehouse (nor learn their item)."""
	at_main = codes("RVH", 1)
	receive(at_main)
	frappe.set_user(restricted("rvh", "Warehouse", SHOP, roles=("Stock User", "Stock Manager")))
	with pytest.raises(frappe.ValidationError, match="RVH0001 is not a known SN code"):
		hand_carton("RV-HAND", at_main[0])
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Serial Number", at_main[0], "carton") is None


def test_a_unit_received_again_in_another_carton_leaves_its_old_cartons_count():
	"""A unit sold and received again in a new carton leaves the old one: its count says so."""
	unit = codes("RVR", 2)
	received_in_cartons({"RV-OLD": unit})
	delivery_note([(PHONE, 1, unit[:1], MAIN)])
	received_in_cartons({"RV-NEW": unit[:1]})
	assert frappe.db.get_value("Serial Number", unit[0], "carton") == "RV-NEW"
	assert frappe.db.get_value("Serial Carton", "RV-OLD", "serial_count") == 1
	assert frappe.db.get_value("Serial Carton", "RV-NEW", "serial_count") == 1
