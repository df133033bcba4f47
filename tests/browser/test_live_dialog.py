"""The SN dialog checks every code live, as a stock keeper at a scanner uses it: refused scans with
their reason and a tone before saving, cartons, an xlsx import, the quantity following the codes."""

import json
import tempfile
from io import BytesIO
from pathlib import Path

import pytest

pytest.importorskip("selenium")

from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import (
	CUSTOMER,
	MAIN,
	PHONE,
	TITLE,
	confirm_set,
	deliver,
	delivery_row,
	open_sn_dialog,
	receipt_row,
	receive,
	set_codes,
	wait_state,
)


def scan(desk, dialog, code, field="scan"):
	"""Type a scan into the dialog's scan (or carton) field and end it with Enter, as a scanner does."""
	box = desk.find(f'[data-fieldname="{field}"] input', within=dialog)
	desk.click(box)
	box.send_keys(code, Keys.ENTER)


def scan_says(desk, dialog, text, refused=True):
	"""Wait until the line beside the scan field says ``text`` (in red when refused)."""
	colour = "text-danger" if refused else "text-muted"

	def shown(_):
		line = desk.visible(f".sn-scan.{colour}", dialog)
		return line is not None and line.text.strip() == text

	desk.wait(shown, f"the scan field does not say {text!r}")


def beeps(desk) -> int:
	return desk.js("return serial_tracking.beeps || 0")


def new_delivery_row(desk, idx=1):
	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	return delivery_row(desk, idx, PHONE)


def test_a_refused_scan_is_shown_with_its_reason_and_a_tone_before_saving(desk, api, cleanup, uid):
	sold, good = f"STL-{uid}-1", f"STL-{uid}-2"
	receive(api, cleanup, [(PHONE, [sold, good])])
	note = deliver(api, cleanup, [(PHONE, [sold])])
	row = new_delivery_row(desk)
	dialog = open_sn_dialog(desk, row)
	wait_state(desk, dialog, "0 entered / 1 required", "orange")
	assert desk.text_of(".sn-note", dialog) == "1 missing"

	before = beeps(desk)
	scan(desk, dialog, sold)
	scan_says(desk, dialog, f"{sold} is not in stock: it is Sold (last moved by Delivery Note {note})")
	desk.snap("d1-refused-scan")
	assert beeps(desk) == before + 1
	# The refused scan is not added.
	assert (desk.dialog_value("codes") or "") == ""

	scan(desk, dialog, good)
	desk.wait(lambda d: desk.dialog_value("codes") == good, "the good scan was not added")
	wait_state(desk, dialog, "1 entered / 1 required", "green")
	assert desk.text_of(".sn-scan", dialog) == ""
	assert beeps(desk) == before + 1

	# The same unit scanned twice is refused too.
	scan(desk, dialog, good.lower())
	scan_says(desk, dialog, f"{good.lower()} is entered twice (first at entry 1)")
	assert beeps(desk) == before + 2
	assert desk.dialog_value("codes") == good


def test_codes_typed_are_checked_as_submit_would(desk, api, cleanup, uid):
	"""A code pasted into the list is checked against the ledger, not only for its spelling."""
	elsewhere = f"STL-{uid}-X"
	receive(api, cleanup, [(PHONE, [elsewhere])])
	deliver(api, cleanup, [(PHONE, [elsewhere])])
	row = new_delivery_row(desk)
	dialog = open_sn_dialog(desk, row)
	desk.type_code(dialog, "codes", elsewhere)
	desk.wait(
		lambda d: (
			f"Entry 1: {elsewhere} is not in stock: it is Sold"
			in desk.text_of('[data-fieldname="state"]', dialog)
		),
		"the sold code was not refused in the list",
	)
	# Set is refused while a code is refused.
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	desk.wait(
		lambda d: "Correct or remove the entries listed first" in desk.text_of(".desk-alert"),
		"no alert about the refused code",
	)
	assert dialog.is_displayed()


def test_the_quantity_of_a_receipt_follows_its_codes(desk, uid):
	codes = [f"STQ-{uid}-{n}" for n in range(1, 4)]
	row = receipt_row(desk, 1)
	dialog = open_sn_dialog(desk, row)
	desk.type_code(dialog, "codes", " ".join(codes))
	# Orange until Set: the change of quantity is said before it happens, and Set asks first.
	wait_state(desk, dialog, "3 entered / 1 required", "orange")
	assert desk.text_of(".sn-note", dialog) == "Set will make the row's quantity 3 (it is 1)"
	assert desk.find(".modal-footer .btn-primary", within=dialog).text.strip() == "Set quantity to 3"
	desk.snap("d2-quantity-follows")
	confirm_set(desk, dialog, "Row 1 is for 1 units and 3 SN codes are entered: make its quantity 3?")
	desk.wait(
		lambda d: desk.js("return [cur_frm.doc.items[0].qty, cur_frm.doc.items[0].stock_qty]") == [3, 3],
		"the row's quantity did not follow its codes",
	)
	assert desk.js("return cur_frm.doc.items[0].sn_codes") == "\n".join(codes)


def test_erpnext_serial_controls_are_hidden_on_tracked_rows(desk):
	row = receipt_row(desk, 1)
	for fieldname in ("serial_no", "batch_no", "use_serial_batch_fields", "add_serial_batch_bundle"):
		field = row.find_elements(By.CSS_SELECTOR, f'.frappe-control[data-fieldname="{fieldname}"]')
		assert all(not f.is_displayed() for f in field), f"{fieldname} is shown on an SN-tracked row"
	assert desk.find('[data-fieldname="sn_button"] button', within=row).is_displayed()


def received_in_carton(api, cleanup, carton, codes):
	"""A submitted Purchase Receipt whose row packs ``codes`` in ``carton``."""
	from datetime import date

	from tests.browser.steps import COMPANY, SUPPLIER

	doc = api.insert(
		{
			"doctype": "Purchase Receipt",
			"company": COMPANY,
			"supplier": SUPPLIER,
			"buying_price_list": "Standard Buying",
			"currency": "USD",
			"posting_date": date.today().isoformat(),
			"items": [
				{
					"item_code": PHONE,
					"qty": len(codes),
					"rate": 100,
					"conversion_factor": 1,
					"warehouse": MAIN,
					"sn_codes": "\n".join(codes),
					"sn_cartons": json.dumps({carton: codes}),
				}
			],
		}
	)
	cleanup.append(("Purchase Receipt", doc["name"]))
	api.submit("Purchase Receipt", doc["name"])
	return doc["name"]


def test_scanning_a_carton_enters_its_units(desk, api, cleanup, uid):
	carton, codes = f"CT-{uid}", [f"STC-{uid}-1", f"STC-{uid}-2"]
	received_in_carton(api, cleanup, carton, codes)
	row = new_delivery_row(desk)
	desk.type_number(desk.find('[data-fieldname="qty"] input', within=row), 2)
	dialog = open_sn_dialog(desk, row)
	scan(desk, dialog, carton)
	scan_says(desk, dialog, f"carton {carton}: 2 codes", refused=False)
	desk.wait(lambda d: desk.dialog_value("codes") == "\n".join(codes), "the carton's units were not added")
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	desk.snap("d3-carton-scanned")


def test_receiving_units_into_a_carton(desk, api, cleanup, uid):
	carton, codes = f"CT-{uid}-IN", [f"STI-{uid}-1", f"STI-{uid}-2"]
	row = receipt_row(desk, 2)
	dialog = open_sn_dialog(desk, row)
	desk.find('[data-fieldname="carton"] input', within=dialog)
	scan(desk, dialog, carton, field="carton")
	desk.wait(
		lambda d: desk.text_of(".sn-carton", dialog) == f"Carton {carton}: 0 codes", "no carton started"
	)
	for code in codes:
		scan(desk, dialog, code)
	desk.wait(lambda d: desk.text_of(".sn-carton", dialog) == f"Carton {carton}: 2 codes", "units not packed")
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	desk.snap("d4-receiving-into-a-carton")
	set_codes(desk, dialog)
	assert json.loads(desk.js("return cur_frm.doc.items[0].sn_cartons")) == {carton: codes}
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Purchase Receipt", desk.doc()["name"]))
	assert desk.submit(), desk.message_text()
	desk.close_dialogs()
	assert api.get("Serial Carton", carton)["item_code"] == PHONE
	assert {api.get("Serial Number", c)["carton"] for c in codes} == {carton}


def filled_template(api, rows) -> Path:
	"""The import template downloaded as a user would, filled with ``rows``."""
	response = api.session.get(f"{api.url}/api/method/serial_tracking.api.import_template")
	assert response.ok, response.text[:500]
	book = load_workbook(BytesIO(response.content))
	sheet = book.worksheets[0]
	for values in rows:
		sheet.append(values)
	path = Path(tempfile.mkdtemp(prefix="st-import-")) / "sn-codes.xlsx"
	book.save(path)
	return path


def test_importing_a_template_in_the_dialog(desk, api, uid):
	codes = [f"STX-{uid}-{n}" for n in range(1, 4)]
	path = filled_template(api, [[PHONE, PHONE, MAIN, code, f"CT-{uid}-X"] for code in codes])
	row = receipt_row(desk, 3)
	dialog = open_sn_dialog(desk, row)
	buttons = dialog.find_elements(By.CSS_SELECTOR, ".custom-actions button")
	desk.click(next(b for b in buttons if b.text.strip() == "Import SN codes"))
	uploader = desk.dialog("Import SN codes")
	chooser = uploader.find_element(By.CSS_SELECTOR, "input[type=file]")
	chooser.send_keys(str(path))
	desk.click(desk.find(".modal-footer .btn-primary", within=uploader))
	desk.wait(lambda d: desk.dialog_value("codes") == "\n".join(codes), "the file's codes were not added")
	dialog = desk.dialog(TITLE)
	wait_state(desk, dialog, "3 entered / 3 required", "green")
	desk.snap("d5-imported")
	set_codes(desk, dialog)
	assert desk.js("return cur_frm.doc.items[0].sn_codes") == "\n".join(codes)
	assert json.loads(desk.js("return cur_frm.doc.items[0].sn_cartons")) == {f"CT-{uid}-X": codes}
	# The uploaded file is the user's, not attached to anything: removed as a person would.
	for found in api.list("File", [["file_name", "like", "sn-codes%.xlsx"]]):
		api.delete("File", found["name"])


def test_ten_thousand_codes_stay_usable(desk, uid):
	"""A paste of 10,000 codes is checked once; at most 200 refused ones are listed, the rest counted."""
	row = new_delivery_row(desk)
	dialog = open_sn_dialog(desk, row)
	wait_state(desk, dialog, "0 entered / 1 required", "orange")
	desk.js(
		"cur_dialog.set_value('codes', Array.from({length: 10000}, (_, n) => arguments[0] + n).join('\\n'))",
		f"STM-{uid}-",
	)
	desk.wait(lambda d: desk.visible(".sn-more", dialog) is not None, "no count of the entries not listed")
	assert desk.text_of(".sn-more", dialog) == "and 9,800 more"
	lines = dialog.find_elements(By.CSS_SELECTOR, '[data-fieldname="state"] li')
	assert len(lines) == 201
	assert lines[0].text == "10000 SN codes entered; at most 1000 are allowed at once"
	assert (
		lines[1].text == f"Entry 1: STM-{uid}-0 is not a known SN code: it was never received or registered"
	)
	# Typing goes on at once in the editor.
	desk.type_code(dialog, "codes", Keys.ENTER, "X")
	assert desk.dialog_value("codes").endswith("\nX")
