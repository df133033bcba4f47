"""What Desk shows around submitted documents: a refusal at submit, the Serial Number list and form."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import Desk
from tests.browser.steps import (
	CUSTOMER,
	LAPTOP,
	MAIN,
	PHONE,
	SUPPLIER,
	deliver,
	delivery_row,
	open_sn_dialog,
	receive,
	set_codes,
	wait_state,
)


def delivery_row_with_code(desk: Desk, idx: int, item: str, code: str):
	"""Fill row ``idx`` of the open Delivery Note: item, warehouse, one code through the SN dialog."""
	row = delivery_row(desk, idx, item)
	dialog = open_sn_dialog(desk, row, f"SN codes of row {idx}: {item}")
	desk.type_code(dialog, "codes", code)
	wait_state(desk, dialog, "1 entered / 1 required", "green")
	set_codes(desk, dialog)


def test_refusal_at_submit_lists_every_row(desk, api, cleanup, uid):
	phone, laptop = f"STR-{uid}-P", f"STR-{uid}-L"
	receipt = receive(api, cleanup, [(PHONE, [phone]), (LAPTOP, [laptop])])

	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	delivery_row_with_code(desk, 1, PHONE, phone)
	delivery_row_with_code(desk, 2, LAPTOP, laptop)
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Delivery Note", desk.doc()["name"]))

	# Meanwhile someone cancels the receipt: both codes are unknown again.
	api.cancel("Purchase Receipt", receipt)

	assert not desk.submit()
	dialog = desk.message_dialog()
	desk.snap("c1-refused-at-submit")
	assert dialog.find_element(By.CSS_SELECTOR, ".modal-title").text.strip() == "SN codes refused"
	lines = dialog.find_element(By.CSS_SELECTOR, ".msgprint").text.strip().splitlines()
	assert lines == [
		f"Row 1: {phone} is not a known SN code: it was never received or registered",
		f"Row 2: {laptop} is not a known SN code: it was never received or registered",
	]
	desk.close_dialogs()
	assert desk.doc()["docstatus"] == 0


def test_serial_number_list_and_history(desk, api, cleanup, uid):
	kept, sold = f"STL-{uid}-1", f"STL-{uid}-2"
	receipt = receive(api, cleanup, [(PHONE, [kept, sold])])
	delivery = deliver(api, cleanup, [(PHONE, [sold])])

	assert desk.serial_list(uid) == {kept: ("In Stock", "green"), sold: ("Sold", "gray")}
	desk.snap("d1-serial-list")

	desk.open_form("Serial Number", sold)
	assert desk.text_of(".page-head .indicator-pill") == "Sold"
	# The form tells each life in one line; a click opens its movements.
	story = desk.find('.frappe-control[data-fieldname="history_html"] .sn-story', message="no story")
	desk.click(story.find_element(By.CSS_SELECTOR, ".sn-caret"))
	table = desk.find('.frappe-control[data-fieldname="history_html"] table', message="no history table")
	desk.js("arguments[0].scrollIntoView({block: 'center'})", table)
	desk.snap("d2-serial-form-history")
	headers = [th.text.strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
	assert headers == ["Posted", "Operation", "Document", "Status", "Warehouse", "Party"]
	rows = [
		[td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")]
		for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")
	]
	# Newest first: the sale, then the receipt.
	assert [r[1:] for r in rows] == [
		["Sell", f"Delivery Note {delivery}", "In Stock → Sold", f"{MAIN} →", CUSTOMER],
		["Receive", f"Purchase Receipt {receipt}", "→ In Stock", f"→ {MAIN}", SUPPLIER],
	]
	link = table.find_element(By.CSS_SELECTOR, "tbody tr td a")
	assert link.get_attribute("href").endswith(f"/app/delivery-note/{delivery}")
