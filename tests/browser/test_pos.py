"""The Point of Sale page: SN codes asked for, scanned, picked and removed; the sale carries them."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser import pos
from tests.browser.conftest import USER
from tests.browser.steps import PHONE, deliver, receive


@pytest.fixture(scope="module", autouse=True)
def point_of_sale(api):
	pos.ready(api, USER)


def sold_message(code: str, voucher_type: str, voucher_no: str) -> str:
	return f"{code} is not in stock: it is Sold (last moved by {voucher_type} {voucher_no})"


def test_sell_by_scanning_the_sn_code(desk, api, cleanup, uid):
	code = f"STP-{uid}-1"
	receive(api, cleanup, [(PHONE, [code])])
	pos.open_page(desk)

	pos.search(desk, code)
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, 1, code)], "the scanned code did not reach the cart")
	desk.wait(
		lambda d: (
			d.execute_script("return $('.cart-item-wrapper .st-pos-line-codes').first().text().trim()")
			== code
		),
		"the line does not show its code",
	)
	assert desk.js("return cur_pos.item_selector.search_field.$input.val()") == ""
	desk.snap("p1-pos-scanned")

	pos.pay_and_submit(desk)
	desk.wait(
		lambda d: d.execute_script("return cur_pos.frm.doc.docstatus === 1"), "the invoice was not submitted"
	)
	name = desk.js("return cur_pos.frm.doc.name")
	cleanup.append(("POS Invoice", name))
	invoice = api.get("POS Invoice", name)
	assert invoice["docstatus"] == 1
	assert [(r["item_code"], r["qty"], r["sn_codes"]) for r in invoice["items"]] == [(PHONE, 1, code)]
	serial = api.get("Serial Number", code)
	assert (serial["status"], serial["voucher_type"], serial["voucher_no"]) == ("Sold", "POS Invoice", name)


def test_adding_by_click_asks_for_the_codes(desk, api, cleanup, uid):
	first, second, sold = f"STP-{uid}-A", f"STP-{uid}-B", f"STP-{uid}-S"
	receive(api, cleanup, [(PHONE, [first, second, sold])])
	delivery = deliver(api, cleanup, [(PHONE, [sold])])
	pos.open_page(desk)

	pos.click_item(desk, PHONE)
	dialog = pos.prompt(desk)
	# A sold code is refused with the reason submit would give, and the tone; nothing enters.
	beeps = desk.js("return serial_tracking.beeps || 0")
	pos.prompt_scan(desk, dialog, sold)
	desk.wait(
		lambda d: pos.prompt_notes(dialog) == [sold_message(sold, "Delivery Note", delivery)],
		"the sold code was not refused with its reason",
	)
	assert pos.prompt_codes(dialog) == []
	assert desk.js("return serial_tracking.beeps || 0") == beeps + 1
	desk.snap("p2-pos-refused")
	# Picked from those in stock at the profile's warehouse, and scanned.
	desk.click(desk.find(f'.st-pos-pick[data-code="{first}"]', within=dialog))
	desk.wait(lambda d: pos.prompt_codes(dialog) == [first], "the picked code did not enter")
	assert desk.visible(f'.st-pos-pick[data-code="{sold}"]', dialog) is None
	pos.prompt_scan(desk, dialog, second)
	desk.wait(lambda d: pos.prompt_codes(dialog) == [first, second], "the scanned code did not enter")
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	desk.wait(
		lambda d: pos.cart_codes(desk) == [(PHONE, 2, f"{first}\n{second}")], "the cart did not take both"
	)
	# Read in one script: the cart may render its line again meanwhile.
	desk.wait(
		lambda d: d.execute_script(
			"return $('.cart-item-wrapper .item-qty').first().text().trim()"
		).startswith("2"),
		"the line's quantity is not 2",
	)

	# Removing a code lowers the quantity (the line's SN codes, from its details).
	desk.wait(lambda d: not desk.open_dialogs(), "the dialog stayed open")
	desk.idle()
	# One click opens the line's details (a second would close them).
	desk.wait(
		lambda d: d.execute_script(
			"const line = $('.cart-item-wrapper:visible')[0]; line && line.click(); return !!line;"
		),
		"no cart line",
	)
	desk.wait(
		lambda d: d.execute_script(
			"const button = $('.item-details-container .st-pos-codes-btn:visible')[0];"
			" button && button.click(); return !!button;"
		),
		"no SN codes button in the line's details",
	)
	dialog = pos.prompt(desk)
	desk.wait(lambda d: pos.prompt_codes(dialog) == [first, second], "the line's codes were not shown")
	remove = dialog.find_element(By.CSS_SELECTOR, f'.st-pos-code[data-code="{first}"] .st-pos-remove')
	desk.click(remove)
	desk.wait(lambda d: pos.prompt_codes(dialog) == [second], "the code was not removed")
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, 1, second)], "the quantity did not follow the codes")


def test_refusal_at_submit_shows_the_reason(desk, api, cleanup, uid):
	code = f"STP-{uid}-R"
	receive(api, cleanup, [(PHONE, [code])])
	pos.open_page(desk)
	pos.search(desk, code)
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, 1, code)], "the scanned code did not reach the cart")

	# Meanwhile the unit is sold elsewhere.
	delivery = deliver(api, cleanup, [(PHONE, [code])])
	pos.checkout(desk)
	if desk.message_dialog() is None and desk.visible(".payment-container .submit-order-btn"):
		pos.pay_and_submit(desk)
	desk.wait(lambda d: desk.message_dialog() is not None, "no refusal shown")
	desk.snap("p3-pos-refused-at-submit")
	dialog = desk.message_dialog()
	assert dialog.find_element(By.CSS_SELECTOR, ".modal-title").text.strip() == "SN codes refused"
	assert dialog.find_element(By.CSS_SELECTOR, ".msgprint").text.strip() == (
		f"Row 1: {sold_message(code, 'Delivery Note', delivery)}"
	)
	name = desk.js("return cur_pos.frm.is_new() ? null : cur_pos.frm.doc.name")
	if name:
		cleanup.append(("POS Invoice", name))
		assert api.get("POS Invoice", name)["docstatus"] == 0
	assert api.get("Serial Number", code)["voucher_no"] == delivery
