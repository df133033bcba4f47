"""SN code formats per item: the Item refuses a format it cannot have, a new format lists the codes
the item already has that are not of it, and every path a new code enters by refuses one not of its
item's format, naming the code, the format and what is wrong; known codes move as before."""

import json
import os
import time
import uuid

import pytest

import frappe

from serial_tracking import api
from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.code_formats import luhn_digit
from serial_tracking.exchange import xlsx_import
from serial_tracking.messages import SerialGuardError, SerialTrackingError
from serial_tracking.stock import code_formats
from tests.integration import desk
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP
from tests.integration.sheets import sheet

ITEM = "ST-FMT-IMEI"


def imei(n: int) -> str:
	payload = f"35693803{n:06d}"
	return payload + str(luhn_digit(payload))


def mistyped(n: int) -> tuple[str, int]:
	"""An IMEI whose last digit is wrong, and the digit it should be."""
	good = imei(n)
	return good[:-1] + str((int(good[-1]) + 3) % 10), int(good[-1])


def stored() -> tuple[int, int]:
	return frappe.db.count(SERIAL), frappe.db.count(LOG)


def refused(call, *args, exc=SerialTrackingError, **kwargs) -> str:
	"""The plain text of the refusal of ``call``, which must store nothing."""
	before = stored()
	with pytest.raises(exc) as caught:
		call(*args, **kwargs)
	assert stored() == before, "nothing may be stored when a code is refused"
	return frappe.utils.strip_html(str(caught.value))


def said() -> str:
	return " ".join(frappe.utils.strip_html(m.get("message", "")) for m in frappe.get_message_log())


@pytest.fixture
def phone():
	return f.make_item(ITEM, sn_code_format="IMEI").name


def set_format(item: str, **values):
	doc = frappe.get_doc("Item", item)
	doc.update(values)
	doc.save()
	return doc


# The Item


@pytest.mark.parametrize(
	("values", "words"),
	[
		({"sn_code_format": "Pattern", "sn_code_pattern": "(a)\\1"}, "invalid escape sequence: \\1"),
		({"sn_code_format": "Pattern", "sn_code_pattern": "(?=A)[A-Z]+"}, "invalid perl operator: (?="),
		({"sn_code_format": "Pattern", "sn_code_pattern": "[A-Z"}, "missing ]: [A-Z"),
		({"sn_code_format": "Pattern", "sn_code_pattern": "((a{100}){100}){100}"}, "invalid repetition size"),
		({"sn_code_format": "Pattern", "sn_code_pattern": "A" * 201}, "201 characters long"),
		({"sn_code_format": "Pattern"}, "needs the pattern"),
		({"sn_code_format": "Digits"}, "from 1 to 100 (the longest SN code), not 0"),
		({"sn_code_format": "Digits", "sn_code_length": 101}, "not 101"),
	],
)
def test_an_item_refuses_a_format_it_cannot_have_with_the_reason(values, words):
	message = refused(f.make_item, ITEM, exc=SerialGuardError, **values)
	assert words in message
	assert not frappe.db.exists("Item", ITEM)


def test_a_pattern_catastrophic_to_backtrack_is_matched_at_once():
	f.make_item(ITEM, sn_code_format="Pattern", sn_code_pattern="(a+)+$")
	code = "a" * 98 + "!"
	started = time.monotonic()
	message = refused(f.receive, [code], item=ITEM)
	assert time.monotonic() - started < 5
	assert f"{code} does not match the pattern (a+)+$ set on item {ITEM}" in message
	f.receive(["a" * 99], item=ITEM)


def test_a_pattern_refusal_escapes_what_it_names():
	f.make_item(ITEM, sn_code_format="Pattern", sn_code_pattern="<b>[0-9]+")
	with pytest.raises(SerialTrackingError) as caught:
		f.receive(["X1"], item=ITEM)
	assert "&lt;b&gt;[0-9]+" in str(caught.value) and "<b>" not in str(caught.value)


def test_setting_a_format_lists_the_existing_codes_not_of_it_which_still_move():
	f.make_item(ITEM)
	bad, digit = mistyped(1)
	f.receive([imei(2), bad, "OLD-0001"], item=ITEM)
	frappe.clear_messages()
	set_format(ITEM, sn_code_format="IMEI")
	message = said()
	assert f"2 existing SN codes of item {ITEM} do not match its SN code format" in message
	assert f"{bad} is not an IMEI of item {ITEM}: check digit should be {digit}" in message
	assert f"OLD-0001 is not an IMEI of item {ITEM}: an IMEI is digits only, and this has O" in message
	assert imei(2) not in message
	# Saving again without changing the format says nothing more.
	frappe.clear_messages()
	set_format(ITEM, description="again")
	assert "existing SN codes" not in said()
	f.delivery_note([(ITEM, 2, [bad, "OLD-0001"], MAIN)])
	assert f.serial("OLD-0001").status == "Sold"
	# ... and come back as they are.
	f.purchase_receipt([(ITEM, 1, ["OLD-0001"], SHOP)])


def test_past_the_bound_the_existing_codes_are_checked_by_a_job_that_notifies(monkeypatch):
	f.make_item(ITEM)
	bad, digit = mistyped(3)
	f.receive([bad, imei(4)], item=ITEM)
	monkeypatch.setattr(code_formats, "IN_REQUEST", 1)
	queued = []
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: queued.append((method, kwargs)))
	frappe.clear_messages()
	set_format(ITEM, sn_code_format="IMEI")
	assert "checked against its new SN code format in the background" in said()
	((method, kwargs),) = queued
	assert kwargs["enqueue_after_commit"] and kwargs["item_code"] == ITEM
	method(item_code=kwargs["item_code"], user=kwargs["user"])
	note = frappe.get_last_doc("Notification Log", filters={"document_name": ITEM})
	assert f"1 existing SN codes of item {ITEM}" in note.subject
	assert f"check digit should be {digit}" in note.email_content


def test_the_listing_reads_the_items_codes_batch_by_batch(monkeypatch):
	f.make_item(ITEM)
	codes = [f"L{n:03d}" for n in range(7)]
	f.receive(codes, item=ITEM)
	monkeypatch.setattr(code_formats, "BATCH", 2)
	monkeypatch.setattr(code_formats, "NAMED", 3)
	found, named = code_formats.mismatches(ITEM, code_formats.format_of({"sn_code_format": "IMEI"}))
	assert found == 7 and [p.code for p in named] == codes[:3]


# Every path a new code enters by


def test_a_receipt_refuses_a_new_code_not_of_the_format_naming_row_code_and_check_digit(phone):
	bad, digit = mistyped(5)
	message = refused(f.purchase_receipt, [(phone, 2, [imei(6), bad], MAIN)])
	assert f"Row 1: {bad} is not an IMEI of item {phone}: check digit should be {digit}" in message
	short = imei(7)[:14]
	message = refused(f.purchase_receipt, [(phone, 1, [short], MAIN)])
	assert f"{short} is not an IMEI of item {phone}: an IMEI has 15 digits, this has 14" in message
	f.receive([imei(6)], item=phone)
	assert f.serial(imei(6)).status == "In Stock"


def test_an_imeisv_is_taken_only_with_the_setting(phone, settings):
	imeisv = imei(8)[:14] + "01"
	message = refused(f.receive, [imeisv], item=phone)
	assert "an IMEI has 15 digits, this has 16" in message
	settings(allow_imeisv=1)
	f.receive([imeisv], item=phone)
	message = refused(f.receive, [imeisv[:14]], item=phone)
	assert "an IMEI has 15 digits (an IMEISV 16), this has 14" in message


def test_digits_of_a_fixed_length():
	f.make_item(ITEM, sn_code_format="Digits", sn_code_length=8)
	message = refused(f.receive, ["1234567", "1234567X"], item=ITEM)
	assert f"1234567 is not an SN code of item {ITEM}: its codes have 8 digits, this has 7" in message
	assert f"1234567X is not an SN code of item {ITEM}: its codes are 8 digits, and this has X" in message
	f.receive(["00001234"], item=ITEM)


def test_the_live_check_and_scan_barcode_refuse_a_code_not_of_the_format(phone):
	bad, digit = mistyped(9)
	doc = desk.unsaved("Purchase Receipt", [desk.row(phone, 2)])
	answer = desk.check(doc, 1, f"{imei(10)}\n{bad}")
	assert desk.good(answer) == [imei(10)]
	assert desk.refused(answer) == {
		bad: f"{bad} is not an IMEI of item {phone}: check digit should be {digit}"
	}
	doc = desk.unsaved("Purchase Receipt", [desk.row(phone, 0)])
	row = doc["items"][0]["name"]
	scanned = api.scan_into_document(json.dumps(doc), bad, row)
	assert scanned["ours"] and not scanned["codes"]
	assert f"check digit should be {digit}" in scanned["refused"][bad]
	assert api.scan_into_document(json.dumps(doc), imei(10), row)["codes"] == [imei(10)]


def test_a_sale_or_the_pos_of_an_unknown_code_says_what_is_wrong_with_it(phone):
	bad, digit = mistyped(11)
	message = refused(f.delivery_note, [(phone, 1, [bad], MAIN)])
	assert f"check digit should be {digit}" in message and "not a known SN code" not in message
	message = refused(f.pos_invoice, [(phone, 1, [bad], MAIN)])
	assert f"{bad} is not an IMEI of item {phone}: check digit should be {digit}" in message
	# A code of the format that is not known is still not known.
	assert "not a known SN code" in refused(f.delivery_note, [(phone, 1, [imei(11)], MAIN)])


def test_registration_and_a_serial_made_by_hand_refuse_a_code_not_of_the_format(phone):
	f.stock_entry("Material Receipt", [(phone, 3, None, None, MAIN)])
	bad, digit = mistyped(12)
	message = refused(api.register_serials, phone, MAIN, f"{imei(13)}\n{bad}")
	assert f"{bad} is not an IMEI of item {phone}: check digit should be {digit}" in message
	checked = api.check_registration(phone, MAIN, f"{imei(13)}\n{bad}")
	assert {c["code"]: c["ok"] for c in checked["codes"]} == {imei(13): True, bad: False}
	by_hand = frappe.get_doc({"doctype": SERIAL, "serial_no": bad, "item_code": phone, "warehouse": MAIN})
	message = refused(by_hand.insert, exc=frappe.ValidationError)
	assert f"check digit should be {digit}" in message
	api.register_serials(phone, MAIN, imei(13))
	assert f.serial(imei(13)).status == "In Stock"


@pytest.fixture
def upload():
	made = []

	def make(content: bytes) -> str:
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{uuid.uuid4().hex[:8]}-codes.xlsx",
				"is_private": 1,
				"content": content,
			}
		)
		file.insert()
		made.append(file.get_full_path())
		return file.file_url

	yield make
	for path in made:
		if os.path.exists(path):
			os.remove(path)


def test_the_import_refuses_a_code_not_of_the_format_at_its_row(phone, upload):
	f.stock_entry("Material Receipt", [(phone, 2, None, None, MAIN)])
	bad, digit = mistyped(14)
	url = upload(sheet([[phone, None, MAIN, imei(15)], [phone, None, MAIN, bad]]))
	before = stored()
	with pytest.raises(xlsx_import.ImportRefused) as caught:
		api.import_serials(url)
	assert stored() == before
	assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(3, "serial_no", bad)]
	assert f"check digit should be {digit}" in caught.value.problems[0].reason


def test_a_stock_reconciliation_refuses_a_new_code_not_of_the_format(phone):
	bad, digit = mistyped(16)
	f.receive([imei(16)], item=phone)
	message = refused(f.reconciliation, [(phone, 2, [imei(16), bad], MAIN)], rate=120)
	assert f"{bad} is not an IMEI of item {phone}: check digit should be {digit}" in message


def test_a_serial_count_tells_an_unknown_scan_what_is_wrong_with_it(phone):
	bad, digit = mistyped(17)
	count = frappe.get_doc({"doctype": "Serial Count", "warehouse": MAIN, "items": [{"item_code": phone}]})
	count.insert()
	(result,) = api.count_scan(count.name, bad)["results"]
	assert result["kind"] == "unknown"
	assert result["message"] == (
		f"{bad}: unknown SN code, and {bad} is not an IMEI of item {phone}: check digit should be {digit}"
	)
	(result,) = api.count_scan(count.name, imei(17))["results"]
	assert "register the unit or correct the scan" in result["message"]


def test_a_code_correction_must_give_a_code_of_the_items_format():
	f.make_item(ITEM)
	f.receive(["FMT-OLD-1"], item=ITEM)
	set_format(ITEM, sn_code_format="IMEI")
	bad, digit = mistyped(18)
	message = refused(api.correct_code, serial_no="FMT-OLD-1", new_code=bad, exc=frappe.ValidationError)
	assert f"FMT-OLD-1 cannot be renamed to {bad}: {bad} is not an IMEI of item {ITEM}" in message
	assert f"check digit should be {digit}" in message
	assert api.correct_code(serial_no="FMT-OLD-1", new_code=imei(18))["serial_no"] == imei(18)
