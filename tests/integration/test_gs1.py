"""GS1 scans on documents, in registration and in parse_codes: the serial enters, a carton's SSCC
and a GTIN of another item are refused with the reason."""

import pytest

import frappe

from serial_tracking import api
from serial_tracking.stock import gtins as item_gtins
from serial_tracking.stock.in_stock_registration import register

from .factory import (
	GTIN,
	LAPTOP,
	MAIN,
	PHONE,
	add_barcode,
	delivery_note,
	make_item,
	purchase_receipt,
	receive,
	serial,
)

OTHER_GTIN = "04006381333931"
SSCC = "095011015300000010"
GS = "\x1d"


def test_a_receipt_of_gs1_scans_stores_their_serials():
	doc = purchase_receipt(
		[(PHONE, 3, [f"]C101{GTIN}21GS-0001{GS}10LOT", f"(01){GTIN}(21)GS-0002", "]d221GS-0003"], MAIN)]
	)
	assert doc.items[0].sn_codes == "GS-0001\nGS-0002\nGS-0003"
	assert serial("GS-0002").status == "In Stock"
	assert not frappe.db.exists("Serial Number", f"(01){GTIN}(21)GS-0002")


def test_a_sale_reads_the_scan_of_what_it_sells():
	receive(["GS-0010"])
	doc = delivery_note([(PHONE, 1, [f"]C101{GTIN}21GS-0010"], MAIN)])
	assert doc.items[0].sn_codes == "GS-0010"
	assert serial("GS-0010").status == "Sold"


def test_a_gtin_of_another_item_is_refused_naming_row_and_item():
	add_barcode(PHONE, GTIN[1:], "EAN")  # its GTIN-13
	assert item_gtins.of_items([PHONE]) == {PHONE: frozenset({GTIN})}
	with pytest.raises(frappe.ValidationError) as refused:
		purchase_receipt(
			[
				(LAPTOP, 1, ["GS-LAP-1"], MAIN),
				(PHONE, 2, [f"]C101{GTIN}21GS-0020", f"]C101{OTHER_GTIN}21GS-0021"], MAIN),
			]
		)
	message = str(refused.value)
	assert "Row 2" in message and OTHER_GTIN in message and PHONE in message and GTIN in message
	assert not frappe.db.exists("Serial Number", "GS-0020")
	assert not frappe.db.exists("Serial Number", "GS-LAP-1")


def test_barcodes_that_are_not_gtins_do_not_count():
	make_item("ST-GS1-CODE39", barcodes=[{"barcode": "ABC-123", "barcode_type": "CODE-39"}])
	add_barcode(LAPTOP, "9501101530004")  # a wrong check digit: no GTIN
	assert item_gtins.of_items(["ST-GS1-CODE39", LAPTOP]) == {}
	doc = purchase_receipt([(LAPTOP, 1, [f"]C101{OTHER_GTIN}21GS-LAP-2"], MAIN)])
	assert doc.items[0].sn_codes == "GS-LAP-2"


def test_a_carton_sscc_in_a_rows_codes_is_refused():
	with pytest.raises(frappe.ValidationError) as refused:
		purchase_receipt([(PHONE, 1, [f"]C100{SSCC}"], MAIN)])
	assert SSCC in str(refused.value) and "carton" in str(refused.value)


@pytest.mark.parametrize(
	"scan, words",
	[
		(f"]C101{GTIN[:-1]}4" + "21GS-0030", ["not a valid GS1 scan", "check digit"]),
		(f"]C101{GTIN}10LOT7", ["without a serial number"]),
		(f"(01){GTIN}(21)GS%30", ["%"]),
	],
)
def test_bad_scans_are_refused_with_their_reason(scan, words):
	with pytest.raises(frappe.ValidationError) as refused:
		purchase_receipt([(PHONE, 1, [scan], MAIN)])
	for word in words:
		assert word in str(refused.value)
	assert frappe.db.count("Serial Number", {"name": ("like", "GS-003%")}) == 0


def test_bare_digits_are_gs1_only_when_the_setting_says_so(settings):
	bare = f"01{GTIN}21778899"
	doc = purchase_receipt([(PHONE, 1, [bare], MAIN)])
	assert doc.items[0].sn_codes == bare
	settings(gs1_digits=1)
	doc = purchase_receipt([(PHONE, 1, [f"01{GTIN}21778800"], MAIN)])
	assert doc.items[0].sn_codes == "778800"
	# A numeric serial that is not an element string stays as it is.
	doc = purchase_receipt([(PHONE, 1, ["4711"], MAIN)])
	assert doc.items[0].sn_codes == "4711"


def test_parse_codes_reads_scans_and_checks_the_items_gtin():
	add_barcode(PHONE, GTIN)
	found = api.parse_codes(f"]C101{GTIN}21GS-0040\n]C100{SSCC}\n]C101{OTHER_GTIN}21GS-0041", PHONE)
	assert found["codes"] == ["GS-0040"]
	assert found["cartons"] == [SSCC]
	[problem] = found["problems"]
	assert problem["reason"] == "gs1_other_gtin" and problem["position"] == 3
	# Without an item, any GTIN.
	assert api.parse_codes(f"]C101{OTHER_GTIN}21GS-0041")["codes"] == ["GS-0041"]


def test_registration_reads_scans_and_refuses_cartons():
	# Units at the warehouse without serials, as an item switched on later has.
	purchase_receipt([(PHONE, 2, None, MAIN)])
	with pytest.raises(frappe.ValidationError) as refused:
		register(PHONE, MAIN, f"]C121GS-0050\n]C100{SSCC}")
	assert SSCC in str(refused.value)
	assert not frappe.db.exists("Serial Number", "GS-0050")
	assert register(PHONE, MAIN, f"]C121GS-0050\n(01){GTIN}(21)GS-0051") == ["GS-0050", "GS-0051"]
