"""Picking units from stock in the SN dialog, and the tools each operation takes: a list of the
units at the row's warehouse, oldest first with carton and date, filtered, ticked or the N oldest
taken, never a code twice; an empty warehouse says so. No generating or importing on a sale, no
picking on a receipt; a scan's refusal goes once its code is out of the text."""

import json
import time
from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import (
	COMPANY,
	CUSTOMER,
	MAIN,
	PHONE,
	SUPPLIER,
	delivery_row,
	item,
	open_sn_dialog,
	receipt_row,
	receive,
	wait_state,
)


def received(api, cleanup, code, codes, carton=None):
	"""A submitted Purchase Receipt of ``codes`` of item ``code`` (packed in ``carton``)."""
	row = {
		"item_code": code,
		"qty": len(codes),
		"rate": 100,
		"conversion_factor": 1,
		"warehouse": MAIN,
		"sn_codes": "\n".join(codes),
	}
	if carton:
		row["sn_cartons"] = json.dumps({carton: codes})
	doc = api.insert(
		{
			"doctype": "Purchase Receipt",
			"company": COMPANY,
			"supplier": SUPPLIER,
			"buying_price_list": "Standard Buying",
			"currency": "USD",
			"posting_date": date.today().isoformat(),
			"items": [row],
		}
	)
	cleanup.append(("Purchase Receipt", doc["name"]))
	api.submit("Purchase Receipt", doc["name"])


def actions(dialog):
	return [
		b.text.strip()
		for b in dialog.find_elements(By.CSS_SELECTOR, ".custom-actions button")
		if b.is_displayed()
	]


def listed(desk, pick):
	"""The units the pick dialog lists: (code, carton, whether a date is shown)."""
	return [
		(
			r.find_element(By.CSS_SELECTOR, ".sn-pick-code").text.strip(),
			r.find_element(By.CSS_SELECTOR, ".sn-pick-carton").text.strip(),
			bool(r.find_element(By.CSS_SELECTOR, ".sn-pick-received").text.strip()),
		)
		for r in pick.find_elements(By.CSS_SELECTOR, ".sn-pick-unit")
	]


def wait_listed(desk, pick, expected):
	desk.wait(lambda d: listed(desk, pick) == expected, f"the pick dialog does not list {expected}")


def open_pick(desk, dialog, title):
	desk.click(
		next(
			b
			for b in dialog.find_elements(By.CSS_SELECTOR, ".custom-actions button")
			if b.text.strip() == "Pick from stock"
		)
	)
	return desk.dialog(title)


def test_picking_units_from_stock(desk, api, cleanup, uid):
	code = item(api, f"STP-{uid}", sn_tracking=1, is_stock_item=1)
	# The item stays: its units' logs link to it, as any item that moved stock.
	carton, older, newer = f"CTP-{uid}", [f"STP-{uid}-A1", f"STP-{uid}-A2"], f"STP-{uid}-B1"
	received(api, cleanup, code, older, carton)
	time.sleep(1.1)
	received(api, cleanup, code, [newer])

	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	row = delivery_row(desk, 1, code)
	desk.type_number(desk.find('[data-fieldname="qty"] input', within=row), 3)
	dialog = open_sn_dialog(desk, row, f"SN codes of row 1: {code}")
	wait_state(desk, dialog, "0 entered / 3 required", "orange")
	# A sale picks; it neither generates nor imports codes.
	assert actions(dialog) == ["Pick from stock"]
	assert "Generate by rule" not in dialog.text
	assert "Download the import template" not in dialog.text

	title = f"Pick {code} from stock at {MAIN}"
	pick = open_pick(desk, dialog, title)
	wait_listed(desk, pick, [(older[0], carton, True), (older[1], carton, True), (newer, "", True)])
	desk.snap("pick-from-stock")
	search = desk.find('[data-fieldname="search"] input', within=pick)
	search.send_keys(carton.lower())
	wait_listed(desk, pick, [(older[0], carton, True), (older[1], carton, True)])
	search.send_keys(Keys.CONTROL, "a")
	search.send_keys(f"STP-{uid}-B")
	wait_listed(desk, pick, [(newer, "", True)])
	search.send_keys(Keys.CONTROL, "a")
	search.send_keys(Keys.BACKSPACE)
	wait_listed(desk, pick, [(older[0], carton, True), (older[1], carton, True), (newer, "", True)])
	for tick in pick.find_elements(By.CSS_SELECTOR, ".sn-pick-tick")[:2]:
		desk.click(tick)
	desk.click(desk.find(".modal-footer .btn-primary", within=pick))
	desk.wait(lambda d: desk.dialog_value("codes") == "\n".join(older), "the ticked units were not added")
	wait_state(desk, dialog, "2 entered / 3 required", "orange")

	# Picked again: the units entered are not offered; the oldest left is taken.
	pick = open_pick(desk, dialog, title)
	wait_listed(desk, pick, [(newer, "", True)])
	assert desk.find('[data-fieldname="how_many"] input', within=pick).get_attribute("value") == "1"
	desk.click(desk.find(".modal-footer .btn-secondary", within=pick))
	desk.wait(lambda d: desk.dialog_value("codes") == "\n".join([*older, newer]), "the oldest was not taken")
	wait_state(desk, dialog, "3 entered / 3 required", "green")

	# Nothing left: said so, and nothing is added twice.
	pick = open_pick(desk, dialog, title)
	desk.wait(
		lambda d: (
			desk.text_of(".sn-pick-none", pick)
			== f"No unit of {code} is in stock at {MAIN} (besides those entered)"
		),
		"an empty warehouse is not said",
	)
	desk.click(desk.find(".modal-footer .btn-secondary", within=pick))
	time.sleep(0.5)
	desk.js("serial_tracking.last_pick.hide()")
	assert desk.dialog_value("codes") == "\n".join([*older, newer])
	desk.close_dialogs()


def test_a_receipt_generates_and_imports_but_does_not_pick(desk):
	row = receipt_row(desk, 5)
	dialog = open_sn_dialog(desk, row)
	wait_state(desk, dialog, "0 entered / 5 required", "orange")
	assert actions(dialog) == ["Import SN codes"]
	assert "Generate by rule" in dialog.text
	assert "Download the import template (xlsx)" in dialog.text
	# Two codes of five: orange, and Set says it makes the quantity 2.
	desk.type_code(dialog, "codes", "STG-A STG-B")
	wait_state(desk, dialog, "2 entered / 5 required", "orange")
	assert desk.text_of(".sn-note", dialog) == "Set will make the row's quantity 2 (it is 5)"
	assert desk.find(".modal-footer .btn-primary", within=dialog).text.strip() == "Set quantity to 2"
	desk.close_dialogs()


def test_a_refusal_goes_once_its_code_is_removed(desk, api, cleanup, uid):
	good = f"STR-{uid}-1"
	receive(api, cleanup, [(PHONE, [good])])
	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	row = delivery_row(desk, 1, PHONE)
	dialog = open_sn_dialog(desk, row)
	desk.type_code(dialog, "codes", good)
	wait_state(desk, dialog, "1 entered / 1 required", "green")
	box = desk.find('[data-fieldname="scan"] input', within=dialog)
	desk.click(box)
	box.send_keys(good, Keys.ENTER)
	desk.wait(
		lambda d: (
			desk.text_of(".sn-scan.text-danger", dialog) == f"{good} is entered twice (first at entry 1)"
		),
		"the second scan was not refused",
	)
	desk.set_dialog_value("codes", "")
	desk.wait(
		lambda d: desk.text_of(".sn-scan", dialog) == "", "the refusal stayed after its code was removed"
	)
	wait_state(desk, dialog, "0 entered / 1 required", "orange")
	desk.close_dialogs()
