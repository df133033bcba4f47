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
