"""The cancellation planner in Desk: "Show what blocks" on a receipt whose codes were sold since,
then "Cancel all, latest first"."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import MODAL, Desk
from tests.browser.steps import PHONE, deliver, receive


def test_show_what_blocks_then_cancel_all_latest_first(desk: Desk, api, cleanup, uid):
	first, second = f"STC-{uid}-1", f"STC-{uid}-2"
	receipt = receive(api, cleanup, [(PHONE, [first, second])])
	sold_first = deliver(api, cleanup, [(PHONE, [first])])
	sold_second = deliver(api, cleanup, [(PHONE, [second])])

	desk.open_form("Purchase Receipt", receipt)
	button = desk.find(
		'.page-actions button[data-label="Show%20what%20blocks"], .inner-group-button [data-label="Show%20what%20blocks"]',
		message="no Show what blocks button",
	)
	desk.click(button)
	dialog = desk.dialog(f"What blocks cancelling {receipt}")
	rows = dialog.find_elements(By.CSS_SELECTOR, "tr.sn-chain-row")
	cells = [[td.text.strip() for td in row.find_elements(By.CSS_SELECTOR, "td")] for row in rows]
	# Latest first, the receipt last; each sale holds the receipt back by the code it sold.
	assert [c[0] for c in cells] == ["1", "2", "3"]
	assert [c[1] for c in cells] == [
		f"Delivery Note {sold_second}",
		f"Delivery Note {sold_first}",
		f"Purchase Receipt {receipt} (this document)",
	]
	assert cells[0][3] == f"Purchase Receipt {receipt}: {second}"
	assert cells[1][3] == f"Purchase Receipt {receipt}: {first}"
	desk.snap("c1-what-blocks")

	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	confirm = desk.wait(
		lambda d: next(
			(
				m
				for m in d.find_elements(By.CSS_SELECTOR, MODAL)
				if m.is_displayed() and "latest first, through their own cancel" in m.text
			),
			None,
		),
		"no confirmation asked",
	)
	desk.click(confirm.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	message = desk.wait(lambda d: desk.message_dialog(), "no outcome shown")
	assert f"Delivery Note {sold_second}: cancelled" in message.text
	assert f"Purchase Receipt {receipt}: cancelled" in message.text
	desk.snap("c2-cancelled-all")
	desk.wait(
		lambda d: d.execute_script("return cur_frm.doc.docstatus === 2"), "the receipt is not cancelled"
	)
	for doctype, name in (
		("Delivery Note", sold_second),
		("Delivery Note", sold_first),
		("Purchase Receipt", receipt),
	):
		assert api.get(doctype, name)["docstatus"] == 2
	desk.close_dialogs()
