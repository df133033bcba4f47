"""The Point of Sale page: SN codes asked for, scanned, picked and removed; the sale carries them; a
return from a past order takes back the units scanned."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser import pos
from tests.browser.conftest import USER
from tests.browser.steps import MAIN, PHONE, deliver, receive


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


def test_return_one_of_two_phones_by_scanning_it(desk, api, cleanup, uid):
	back, kept, stranger = f"STP-{uid}-RB", f"STP-{uid}-RK", f"STP-{uid}-RX"
	receive(api, cleanup, [(PHONE, [back, kept, stranger])])
	delivery = deliver(api, cleanup, [(PHONE, [stranger])])
	pos.open_page(desk)
	pos.search(desk, back)
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, 1, back)], "the first phone did not reach the cart")
	pos.search(desk, kept)
	desk.wait(
		lambda d: pos.cart_codes(desk) == [(PHONE, 2, f"{back}\n{kept}")], "the second phone did not join it"
	)
	pos.pay_and_submit(desk)
	sale = pos.submitted(desk)
	cleanup.append(("POS Invoice", sale))

	pos.open_return_of(desk, sale)
	# The phones' line starts with none of the order's codes: the cashier scans those that come back.
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, 0, "")], "the return's line did not start empty")
	hint = desk.js("return $('.cart-item-wrapper .st-pos-return-hint')[0].innerText.trim()")
	assert hint.splitlines() == ["Scan the units that come back", f"Sold: {back}, {kept}"]
	desk.snap("p4-pos-return-cart")
	# A unit the order did not sell is refused with the ledger's reason.
	beeps = desk.js("return serial_tracking.beeps || 0")
	pos.search(desk, stranger)
	desk.wait(
		lambda d: desk.js("return serial_tracking.beeps || 0") == beeps + 1, "the stranger was not refused"
	)
	alert = desk.js("return $('.alert-message').last().text().trim()")
	assert alert.startswith(f"{stranger} was not sold on {sale}"), alert
	assert pos.cart_codes(desk) == [(PHONE, 0, "")]
	# Nothing scanned yet: no checkout.
	desk.click(desk.find(".cart-container .checkout-btn"))
	desk.wait(
		lambda d: desk.js("return serial_tracking.beeps || 0") == beeps + 2, "an empty return was not refused"
	)
	assert desk.js("return $('.alert-message').last().text().trim()") == "Scan the units that come back first"
	desk.wait(
		lambda d: desk.visible(".cart-container .checkout-btn"), "the checkout button did not come back"
	)
	assert pos.cart_codes(desk) == [(PHONE, 0, "")]
	pos.search(desk, back)
	desk.wait(lambda d: pos.cart_codes(desk) == [(PHONE, -1, back)], "the scanned phone did not come back")
	desk.snap("p5-pos-return-scanned")
	# The line's SN codes offer the order's other phone only.
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
	desk.wait(
		lambda d: (
			[e.get_attribute("data-code") for e in dialog.find_elements(By.CSS_SELECTOR, ".st-pos-pick")]
			== [kept]
		),
		"the dialog did not offer the order's other phone",
	)
	assert pos.prompt_codes(dialog) == [back]
	desk.snap("p6-pos-return-dialog")
	desk.close_dialogs()
	desk.wait(lambda d: not desk.open_dialogs(), "the dialog stayed open")

	pos.refund_and_submit(desk)
	returned = pos.submitted(desk)
	cleanup.append(("POS Invoice", returned))
	invoice = api.get("POS Invoice", returned)
	assert (invoice["is_return"], invoice["return_against"]) == (1, sale)
	assert [(r["item_code"], r["qty"], r["sn_codes"]) for r in invoice["items"]] == [(PHONE, -1, back)]
	serial = api.get("Serial Number", back)
	assert (serial["status"], serial["warehouse"], serial["voucher_no"]) == ("In Stock", MAIN, returned)
	serial = api.get("Serial Number", kept)
	assert (serial["status"], serial["voucher_no"]) == ("Sold", sale)
	assert api.get("Serial Number", stranger)["voucher_no"] == delivery
