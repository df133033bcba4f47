"""Finding the SN switch: on the Item form's first tab without expanding anything, in the Item list as a
column and a filter, and a bulk switch that says what it did to each item and what is left to register."""

from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.steps import COMPANY, MAIN, PHONE, SUPPLIER, item


def test_the_item_form_shows_the_switch_on_its_first_tab_without_expanding_anything(desk):
	desk.open_form("Item", PHONE)
	shown = desk.js(
		"""const field = cur_frm.fields_dict.sn_tracking.$wrapper[0];
		const section = field.closest('.form-section');
		const tab = field.closest('.tab-pane');
		const box = field.getBoundingClientRect();
		return {
			visible: field.offsetParent !== null && box.height > 0,
			tab_active: tab.classList.contains('active') || tab.classList.contains('show'),
			tab: tab.id,
			section: section.querySelector('.section-head') ? section.querySelector('.section-head').innerText.trim() : '',
			collapsed: section.querySelector('.section-body').classList.contains('hide') || section.classList.contains('collapsed'),
			label: field.querySelector('.label-area').innerText.trim(),
			description: (field.querySelector('.help-box') || {}).innerText || '',
			checked: field.querySelector('input[type=checkbox]').checked,
		};"""
	)
	desk.snap("item-switch-form")
	assert shown["visible"] and shown["tab_active"] and not shown["collapsed"], shown
	assert shown["tab"].endswith("details_tab") or "details" in shown["tab"], shown
	assert shown["section"] == "SN Tracking" and shown["label"] == "Track SN Codes", shown
	assert "Not ERPNext's Has Serial No" in shown["description"], shown
	assert shown["checked"] is True


def test_the_item_list_has_the_column_and_filter_and_the_bulk_switch_reports_each_item(
	desk, api, cleanup, uid
):
	off, on = f"ST-SW-{uid}-A", f"ST-SW-{uid}-B"
	# stays, switched off again: ERPNext keeps an item its cancelled receipt's reposting names
	item(api, off, is_stock_item=1, valuation_rate=100, sn_tracking=0)
	item(api, on, is_stock_item=1, valuation_rate=100, sn_tracking=1)
	cleanup.append(("Item", on))
	# two units arrive while the first item is off: no SN code stands for them
	receipt = api.insert(
		{
			"doctype": "Purchase Receipt",
			"company": COMPANY,
			"supplier": SUPPLIER,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"buying_price_list": "Standard Buying",
			"items": [{"item_code": off, "qty": 2, "rate": 100, "conversion_factor": 1, "warehouse": MAIN}],
		}
	)
	cleanup.append(("Purchase Receipt", receipt["name"]))
	api.submit("Purchase Receipt", receipt["name"])

	desk.open("/app/item")
	desk.wait(lambda d: d.execute_script("return window.cur_list && cur_list.doctype === 'Item'"))
	desk.js(
		"cur_list.filter_area.clear(false).then(() => cur_list.filter_area.add([['Item', 'item_code', 'like', arguments[0]]]))",
		f"ST-SW-{uid}-%",
	)
	desk.wait(
		lambda d: len(d.execute_script("return cur_list.data.map((r) => r.name)")) == 2, "the two items"
	)
	# the column and the standard filter
	headers = desk.js(
		"return [...document.querySelectorAll('.list-row-head .list-row-col')].map((c) => c.innerText.trim())"
	)
	assert "Track SN Codes" in headers, headers
	assert desk.visible('.standard-filter-section [data-fieldname="sn_tracking"]'), "no SN filter"
	desk.snap("item-list-switch")

	# Both rows ticked, ticked again if the list redrew them meanwhile (a save's list update), and
	# the two items themselves counted: a list opened before may still count rows it ticked, now gone.
	def selected(d):
		d.execute_script(
			"cur_list.$result.find('.list-row-checkbox').each((i, c) => { if (!c.checked) c.click(); })"
		)
		return sorted(d.execute_script("return cur_list.get_checked_items(true)")) == sorted([off, on])

	desk.wait(selected, "not selected")
	desk.click(desk.find(".actions-btn-group > button", message="no Actions menu"))
	desk.click(
		desk.find(
			'.actions-btn-group .dropdown-menu [data-label="Enable%20SN%20Tracking"]',
			message="no Enable SN Tracking",
		)
	)
	report = desk.wait(lambda d: desk.visible(".modal.show .sn-switch-report"), "no switch report")
	dialog = desk.wait(lambda d: desk.message_dialog(), "no message")
	assert desk.text_of(".sn-switch-headline", dialog) == "1 switched on, 1 already on, 0 refused."
	rows = {
		r.find_element(By.CSS_SELECTOR, "td").text: r.text
		for r in report.find_elements(By.CSS_SELECTOR, "tr")[1:]
	}
	assert "Switched on" in rows[off] and "2 units in stock without SN codes" in rows[off], rows
	assert "Already on" in rows[on] and "without SN codes" not in rows[on], rows
	desk.snap("item-list-switch-report")

	# the report's button opens the item's registration dialog
	desk.click(report.find_element(By.CSS_SELECTOR, f'.sn-register[data-item="{off}"]'))
	registration = desk.dialog(f"Register SN codes of {off}")
	assert f"{MAIN} 2 0 2" in registration.find_element(By.CSS_SELECTOR, "table").text
	desk.close_dialogs()
	api.call("serial_tracking.api.set_tracking", items=[off], enable=0)
