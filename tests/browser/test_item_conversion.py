"""Item in Desk: an item on ERPNext's serial numbers shows the dry run of its conversion to SN codes."""

import secrets
from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.steps import COMPANY, MAIN, SUPPLIER, item


def _received(api, cleanup, code):
	"""An item on ERPNext's serial numbers, two of its units received at MAIN."""
	item(api, code, is_stock_item=1, valuation_rate=100, has_serial_no=1)
	receipt = api.insert(
		{
			"doctype": "Purchase Receipt",
			"company": COMPANY,
			"supplier": SUPPLIER,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"buying_price_list": "Standard Buying",
			"items": [
				{
					"item_code": code,
					"qty": 2,
					"rate": 100,
					"conversion_factor": 1,
					"warehouse": MAIN,
					"use_serial_batch_fields": 1,
					"serial_no": f"{code}-1\n{code}-2",
				}
			],
		}
	)
	cleanup.append(("Purchase Receipt", receipt["name"]))
	api.submit("Purchase Receipt", receipt["name"])


def test_the_item_form_shows_what_a_conversion_would_do(desk, api, cleanup):
	code = f"ST-BR-CV-{secrets.token_hex(3).upper()}"
	_received(api, cleanup, code)
	desk.open_form("Item", code)
	desk.click(desk.find('.page-actions .inner-group-button[data-label="Actions"] button'))
	desk.click(desk.find('.page-actions [data-label="Convert%20from%20ERPNext%20serials"]'))
	dialog = desk.dialog("Convert from ERPNext serials")
	report = desk.wait(
		lambda d: dialog.find_element(By.CSS_SELECTOR, ".sn-conversion-item").text, "no dry run shown"
	)
	assert report.startswith(f"{code}:\nCan be converted"), report
	assert f"In Stock {MAIN} 2" in report, report
	button = dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary")
	assert button.text == "Convert"
	desk.snap("conversion-dry-run")
	# nothing was converted by looking
	assert api.get("Item", code)["has_serial_no"] == 1
	assert not api.list("Serial Number", [["item_code", "=", code]])
	desk.close_dialogs()


def test_the_item_list_converts_the_selected_items_after_their_dry_run(desk, api, cleanup):
	uid = secrets.token_hex(3).upper()
	on_erpnext, plain = f"ST-BR-CV-{uid}-A", f"ST-BR-CV-{uid}-B"
	_received(api, cleanup, on_erpnext)
	item(api, plain, is_stock_item=1, valuation_rate=100)
	desk.open("/app/item")
	desk.wait(lambda d: d.execute_script("return window.cur_list && cur_list.doctype === 'Item'"))
	desk.js(
		"cur_list.filter_area.clear(false).then(() => cur_list.filter_area.add([['Item', 'item_code', 'like', arguments[0]]]))",
		f"ST-BR-CV-{uid}-%",
	)
	desk.wait(
		lambda d: sorted(d.execute_script("return cur_list.data.map((r) => r.name)")) == [on_erpnext, plain],
		"the two items",
	)
	desk.js("cur_list.$result.find('.list-row-checkbox').each((i, c) => { if (!c.checked) c.click(); })")
	desk.wait(lambda d: len(d.execute_script("return cur_list.get_checked_items(true)")) == 2, "not selected")
	desk.click(desk.find(".actions-btn-group > button", message="no Actions menu"))
	desk.click(
		desk.find(
			'.actions-btn-group .dropdown-menu [data-label="Convert%20from%20ERPNext%20serials"]',
			message="no Convert from ERPNext serials",
		)
	)
	desk.wait(
		lambda d: desk.visible(f'.modal.show .sn-conversion-item[data-item="{plain}"]'), "no dry run of both"
	)
	dialog = desk.dialog("Convert from ERPNext serials")
	reports = {
		e.get_attribute("data-item"): e.text
		for e in dialog.find_elements(By.CSS_SELECTOR, ".sn-conversion-item")
	}
	assert "Can be converted" in reports[on_erpnext], reports
	assert "Cannot be converted" in reports[plain], reports
	assert f"Item {plain} does not use serial numbers of ERPNext (Has Serial No)" in reports[plain], reports
	# only the item that can be converted is offered
	assert dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary").text == "Convert"
	desk.snap("conversion-dry-run-list")
	desk.close_dialogs()
