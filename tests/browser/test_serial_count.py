"""Counting a warehouse on the Serial Count form: scan with Enter, read the live table, post."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.keys import Keys

from tests.browser.desk import MODAL
from tests.browser.steps import MAIN, PHONE, receive

INPUT = '.frappe-control[data-fieldname="scan_html"] input.sn-count-input'
ANSWER = '.frappe-control[data-fieldname="scan_html"] .sn-count-answer'
SUMMARY = '.frappe-control[data-fieldname="summary_html"] table.sn-count-summary'


def test_a_count_scanned_on_its_form_shows_the_live_table_and_posts(desk, api, cleanup, uid):
	codes = [f"BSC-{uid}-{n}" for n in (1, 2, 3)]
	receive(api, cleanup, [(PHONE, codes)])
	count = api.insert({"doctype": "Serial Count", "warehouse": MAIN, "items": [{"item_code": PHONE}]})
	cleanup.append(("Serial Count", count["name"]))

	desk.open_form("Serial Count", count["name"])
	box = desk.find(INPUT, message="no scan box")
	box.send_keys(codes[0], Keys.ENTER)
	desk.wait(lambda d: f"{codes[0]}: counted" in desk.text_of(ANSWER), "the scan is not answered")
	box.send_keys(codes[0].lower(), Keys.ENTER)
	desk.wait(lambda d: "already scanned" in desk.text_of(ANSWER), "a second scan is not told apart")
	# A scan that looks like markup is refused and told as text, never as markup.
	markup = f"BSC-<b>{uid}</b>"
	box.send_keys(markup, Keys.ENTER)
	desk.wait(lambda d: markup in desk.text_of(ANSWER), "a refused scan is not told")
	assert f"<b>{uid}</b>" not in desk.js("return document.body.innerHTML")
	unknown = f"BSC-{uid}-NONE"
	box = desk.find(INPUT)
	box.send_keys(unknown, Keys.ENTER)
	desk.wait(lambda d: "unknown SN code" in desk.text_of(ANSWER), "an unknown code is not told")
	api.call("serial_tracking.api.count_unscan", count=count["name"], code=unknown)
	box = desk.find(INPUT)
	box.send_keys(codes[1], Keys.ENTER)
	desk.wait(lambda d: f"{codes[1]}: counted" in desk.text_of(ANSWER), "the second code is not answered")
	row = f'{SUMMARY} tr[data-item="{PHONE}"]'
	desk.wait(lambda d: desk.text_of(f"{row} .sn-counted") == "2", "the table does not count 2")
	desk.snap("k1-count-scanned")

	desk.primary_action("Post")
	desk.click(desk.find(f"{MODAL} .modal-footer .btn-primary", message="posting is not confirmed"))
	desk.wait(lambda d: desk.js("return cur_frm.doc.docstatus") == 1, "the count is not posted")
	desk.idle()
	made = desk.js("return cur_frm.doc.documents.map(d => [d.document_type, d.document_name])")
	assert [t for t, _n in made] == ["Stock Reconciliation"]
	# Cleaned up after the count, whose cancel cancels them (they are never cancelled alone).
	at = cleanup.index(("Serial Count", count["name"]))
	cleanup[at:at] = [tuple(d) for d in made]
	assert api.get("Serial Number", codes[2])["status"] == "Missing"


LIST = '.frappe-control[data-fieldname="scan_html"] .sn-count-scans'


def test_a_wrong_scan_is_taken_out_from_the_scan_list_and_post_states_what_it_will_do(
	desk, api, cleanup, uid
):
	codes = [f"BSR-{uid}-{n}" for n in (1, 2, 3)]
	receive(api, cleanup, [(PHONE, codes)])
	count = api.insert({"doctype": "Serial Count", "warehouse": MAIN, "items": [{"item_code": PHONE}]})
	cleanup.append(("Serial Count", count["name"]))

	desk.open_form("Serial Count", count["name"])
	box = desk.find(INPUT, message="no scan box")
	box.send_keys(codes[0], Keys.ENTER)
	desk.wait(lambda d: f"{codes[0]}: counted" in desk.text_of(ANSWER), "the scan is not answered")
	beeps = desk.js("return serial_tracking.beeps || 0")
	wrong = f"BSR-{uid}-WRONG"
	desk.find(INPUT).send_keys(wrong, Keys.ENTER)
	desk.wait(lambda d: "unknown SN code" in desk.text_of(ANSWER), "an unknown code is not told")
	assert desk.js("return serial_tracking.beeps || 0") == beeps + 1, "an unknown code makes no sound"
	desk.find(INPUT).send_keys(codes[1], Keys.ENTER)
	row = f'{LIST} tr.sn-count-scan-row[data-code="{wrong}"]'
	desk.wait(lambda d: desk.visible(row), "the unknown scan is not listed")
	desk.wait(lambda d: "Counted: 2" in desk.text_of(LIST), "the second counted scan is not listed")
	assert "Unknown: 1" in desk.text_of(LIST)
	desk.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", INPUT)
	desk.snap("serial-count")

	# Post is refused while an unknown code is in, saying so with the figures.
	desk.primary_action("Post")
	desk.wait(lambda d: "1 unknown SN codes are refused" in desk.message_text(), "the refusal is not told")
	desk.close_dialogs()
	desk.click(desk.find(f"{row} .sn-count-remove"))
	desk.wait(lambda d: not desk.visible(row), "the scan is not taken out")
	assert api.list("Serial Count Scan", {"serial_count": count["name"], "code": wrong}) == []

	desk.primary_action("Post")
	confirm = desk.find(f"{MODAL} .sn-count-preview", message="posting does not state what it will do")
	text = confirm.text
	assert (
		"2 units found in place" in text
		and "1 units expected here and not scanned will become Missing" in text
	)
	desk.click(desk.find(f"{MODAL} .modal-footer .btn-primary", message="posting is not confirmed"))
	desk.wait(lambda d: desk.js("return cur_frm.doc.docstatus") == 1, "the count is not posted")
	desk.idle()
	made = desk.js("return cur_frm.doc.documents.map(d => [d.document_type, d.document_name])")
	at = cleanup.index(("Serial Count", count["name"]))
	cleanup[at:at] = [tuple(d) for d in made]
	assert api.get("Serial Number", codes[2])["status"] == "Missing"


def test_a_new_count_is_saved_when_its_warehouse_is_chosen_and_scanned_at_once(desk, api, cleanup, uid):
	code = f"BSN-{uid}-1"
	receive(api, cleanup, [(PHONE, [code])])
	desk.new_form("Serial Count")
	assert "Choose the warehouse" in desk.text_of(".form-message")
	desk.pick_link(desk.form_input("warehouse"), MAIN)
	desk.wait(lambda d: desk.js("return !cur_frm.is_new() && !cur_frm.is_dirty()"), "the count is not saved")
	cleanup.append(("Serial Count", desk.js("return cur_frm.docname")))
	box = desk.find(INPUT, message="no scan box after choosing the warehouse")
	box.send_keys(code, Keys.ENTER)
	desk.wait(lambda d: f"{code}: counted" in desk.text_of(ANSWER), "the scan is not answered")
	desk.wait(lambda d: "Counted: 1" in desk.text_of(LIST), "the scan is not listed")
