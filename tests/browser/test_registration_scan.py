"""The item's registration dialog ("Adjust In-stock Serial Numbers") scans and checks as the SN dialog
does: the same scan box (serial_tracking.ScanEntry), counter and live check."""

import secrets
from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import COMPANY, MAIN, SUPPLIER, item, wait_state


def scan(desk, dialog, code):
	box = desk.find('[data-fieldname="scan"] input', within=dialog)
	desk.click(box)
	box.send_keys(code, Keys.ENTER)


def test_registering_by_scanning(desk, api, cleanup):
	code = f"ST-RS-{secrets.token_hex(3).upper()}"
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
	api.session.put(f"{api.url}/api/resource/Item/{code}", json={"sn_tracking": 1}).raise_for_status()

	desk.open_form("Item", code)
	desk.click(desk.find('.page-actions .inner-group-button[data-label="Actions"] button'))
	desk.click(desk.find('.page-actions [data-label="Adjust%20In-stock%20Serial%20Numbers"]'))
	dialog = desk.dialog(f"Register SN codes of {code}")
	wait_state(desk, dialog, "0 entered / 2 required", "orange")

	first, second = f"{code}-1", f"{code}-2"
	beeps = desk.js("return serial_tracking.beeps || 0")
	scan(desk, dialog, first)
	desk.wait(lambda d: desk.dialog_value("codes") == first, "the scan was not added")
	wait_state(desk, dialog, "1 entered / 2 required", "orange")
	scan(desk, dialog, first.lower())
	desk.wait(
		lambda d: (
			desk.text_of(".sn-scan.text-danger", dialog)
			== f"{first.lower()} is entered twice (first at entry 1)"
		),
		"the second scan of one code was not refused",
	)
	assert desk.js("return serial_tracking.beeps || 0") == beeps + 1
	assert desk.dialog_value("codes") == first
	scan(desk, dialog, second)
	desk.wait(lambda d: desk.dialog_value("codes") == f"{first}\n{second}", "the second code was not added")
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	assert desk.text_of(".sn-scan", dialog) == ""
	desk.snap("registration-scanned")
	# Removed after the test, registered or not (a code never registered is not found).
	for serial in (first, second):
		cleanup.append(("Serial Number", serial))
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	# Registered: the dialog closes and says how many; nothing of it is left running.
	desk.wait(lambda d: not dialog.is_displayed(), "the dialog stayed open after registering")
	desk.wait(
		lambda d: "2 SN codes registered" in desk.text_of(".desk-alert"), "the registration is not told"
	)
	assert {s["name"] for s in api.list("Serial Number", [["item_code", "=", code]])} == {first, second}
