"""Item in Desk: switching SN tracking on for an item with stock asks for its serials."""

import secrets
from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.steps import COMPANY, MAIN, SUPPLIER, item


def test_switching_on_an_item_with_stock_opens_registration(desk, api, cleanup):
	code = f"ST-BR-{secrets.token_hex(3).upper()}"
	item(api, code, is_stock_item=1, valuation_rate=100)
	receipt = api.insert(
		{
			"doctype": "Purchase Receipt",
			"company": COMPANY,
			"supplier": SUPPLIER,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"buying_price_list": "Standard Buying",
			"items": [{"item_code": code, "qty": 2, "rate": 100, "conversion_factor": 1, "warehouse": MAIN}],
		}
	)
	cleanup.append(("Purchase Receipt", receipt["name"]))
	api.submit("Purchase Receipt", receipt["name"])

	desk.open_form("Item", code)
	desk.js("cur_frm.set_value('sn_tracking', 1)")
	desk.save()
	dialog = desk.dialog(f"Register SN codes of {code}")
	table = dialog.find_element(By.CSS_SELECTOR, "table").text
	assert f"{MAIN} 2 0 2" in table, table
	warehouse = dialog.find_element(By.CSS_SELECTOR, '[data-fieldname="warehouse"] input')
	assert warehouse.get_attribute("value") == MAIN
	codes = [f"{code}-{n}" for n in (1, 2)]
	desk.type_code(dialog, "codes", "\n".join(codes))
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	desk.wait(
		lambda d: (
			len(api.list("Serial Number", [["item_code", "=", code], ["status", "=", "In Stock"]])) == 2
		),
		"the two serials were not registered",
	)
	for serial in codes:
		cleanup.append(("Serial Number", serial))
	assert {s["name"] for s in api.list("Serial Number", [["item_code", "=", code]])} == set(codes)
