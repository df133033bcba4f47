"""The SN column of the item grids: entered / required on each row of an SN-tracked item, one click to
the row's SN dialog."""

import os
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("selenium")

from selenium.common.exceptions import (
	ElementClickInterceptedException,
	ElementNotInteractableException,
	StaleElementReferenceException,
)
from selenium.webdriver.common.by import By

from tests.browser import pos
from tests.browser.conftest import USER
from tests.browser.steps import (
	COMPANY,
	CUSTOMER,
	MAIN,
	PHONE,
	SUPPLIER,
	TITLE,
	bundle,
	receive,
	sales_order,
	set_codes,
	wait_state,
)

SELLING = {"customer": CUSTOMER, "selling_price_list": "Standard Selling"}
BUYING = {"supplier": SUPPLIER, "buying_price_list": "Standard Buying"}
#: Each supported document as a draft with one ST-PHONE row of 2 units and no codes.
DRAFTS = {
	"Purchase Receipt": BUYING,
	"Purchase Invoice": {**BUYING, "update_stock": 1},
	"Delivery Note": SELLING,
	"Sales Invoice": {**SELLING, "update_stock": 1},
	"POS Invoice": {
		**SELLING,
		"is_pos": 1,
		"pos_profile": pos.PROFILE,
		"update_stock": 1,
		"payments": [{"mode_of_payment": "Cash", "amount": 200}],
	},
	"Stock Entry": {"stock_entry_type": "Material Receipt", "purpose": "Material Receipt"},
	"Stock Reconciliation": {"purpose": "Stock Reconciliation"},
}
#: ERPNext's own columns of each document's item grid (v15), all still shown beside the SN column.
ERPNEXT_COLUMNS = {
	"Purchase Receipt": ["item_code", "qty", "rejected_qty", "rate", "amount"],
	"Purchase Invoice": ["item_code", "qty", "rate", "amount"],
	"Delivery Note": ["item_code", "qty", "uom", "rate", "amount"],
	"Sales Invoice": ["item_code", "qty", "rate", "amount"],
	"POS Invoice": ["item_code", "qty", "rate", "amount"],
	"Stock Entry": ["s_warehouse", "t_warehouse", "item_code", "qty", "basic_rate"],
	"Stock Reconciliation": ["item_code", "warehouse", "qty", "valuation_rate"],
}
PACKED_COLUMNS = ["parent_item", "item_code", "description", "qty", "rate"]
#: The README's picture of the column, taken again when ``ST_README_SHOTS`` is set.
SHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "grid-column.png"
README_SHOTS = bool(os.environ.get("ST_README_SHOTS"))


def _draft(api, cleanup, doctype: str, rows: list[dict]) -> str:
	values = DRAFTS[doctype]
	doc = api.insert(
		{
			"doctype": doctype,
			"company": COMPANY,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"items": rows,
			**values,
		}
	)
	cleanup.append((doctype, doc["name"]))
	return doc["name"]


def _row(doctype: str, qty: int, codes: list[str] | None = None) -> dict:
	row = {"item_code": PHONE, "qty": qty, "sn_codes": "\n".join(codes or [])}
	if doctype == "Stock Entry":
		return {**row, "t_warehouse": MAIN, "basic_rate": 100, "conversion_factor": 1, "uom": "Nos"}
	if doctype == "Stock Reconciliation":
		# A rate no stock holds: ERPNext drops a row that changes nothing (the stock held already).
		return {**row, "warehouse": MAIN, "valuation_rate": 97.13}
	return {**row, "warehouse": MAIN, "rate": 100, "conversion_factor": 1}


def _cell(desk, idx: int = 1, table: str = "items"):
	grid = f'.form-layout .frappe-control[data-fieldname="{table}"]'
	return desk.find(f'{grid} .grid-row[data-idx="{idx}"] .data-row [data-fieldname="sn_count"] .st-sn-count')


def _open(desk, idx: int = 1, table: str = "items", title: str = TITLE):
	"""One click on the row's cell, found afresh at each try (ERPNext draws its grid again as the form
	settles); the SN dialog opens, and not the row form."""

	def clicked(_):
		try:
			cell = _cell(desk, idx, table)
			desk.js("arguments[0].scrollIntoView({block: 'center'})", cell)
			cell.click()
		except (
			ElementClickInterceptedException,
			ElementNotInteractableException,
			StaleElementReferenceException,
		):
			return False
		return True

	desk.wait(clicked, "the SN cell could not be clicked")
	dialog = desk.dialog(title)
	assert desk.visible(".grid-row-open") is None, "the row form opened"
	return dialog


def _shows(desk, text: str, colour: str, idx: int = 1, table: str = "items"):
	def shown(_):
		cell = _cell(desk, idx, table)
		return cell.text.strip() == text and colour in cell.get_attribute("class").split()

	desk.wait(shown, f"row {idx} of {table} does not show {text} in {colour}")


def _columns(desk, table: str = "items") -> list[str]:
	return desk.js(
		"const grid = cur_frm.fields_dict[arguments[0]].grid; grid.setup_visible_columns();"
		" return grid.visible_columns.map((c) => c[0].fieldname)",
		table,
	)


def _beside_qty(columns: list[str], erpnext: list[str]):
	"""The SN column right after the quantity, and every column ERPNext shows on its own."""
	assert columns[columns.index("sn_count") - 1] == "qty", columns
	assert [c for c in columns if c != "sn_count"] == erpnext, columns


@pytest.mark.parametrize("doctype", list(DRAFTS))
def test_every_document_shows_the_column(desk, api, cleanup, uid, doctype):
	if doctype == "POS Invoice":
		pos.ready(api, USER)
	name = _draft(api, cleanup, doctype, [_row(doctype, 2), {**_row(doctype, 1), "item_code": "ST-PLAIN"}])
	desk.open_form(doctype, name)
	_beside_qty(_columns(desk), ERPNEXT_COLUMNS[doctype])
	if doctype in ("Delivery Note", "Sales Invoice", "POS Invoice"):
		_beside_qty(_columns(desk, "packed_items"), PACKED_COLUMNS)
	if doctype == "Stock Reconciliation":
		# ERPNext's form counts the row afresh from the stock held when it loads a draft.
		desk.js(
			"return frappe.model.set_value(cur_frm.doc.items[0].doctype, cur_frm.doc.items[0].name, 'qty', 2)"
		)
	_shows(desk, "0 / 2", "red")
	# The grid redraws its heading on each refresh, so each read waits for the drawn state.
	grid = '.form-layout .frappe-control[data-fieldname="items"]'
	desk.wait(
		lambda _: desk.text_of(f'{grid} .grid-heading-row [data-fieldname="sn_count"]').strip() == "SN",
		"the heading of the SN column is not SN",
	)
	# A row of an item without SN codes shows nothing.
	plain = f'{grid} .grid-row[data-idx="2"] .data-row [data-fieldname="sn_count"]'
	desk.find(plain)
	desk.wait(lambda _: desk.text_of(plain).strip() == "", "a row of an item without SN codes shows a figure")
	desk.snap(f"column-{doctype.lower().replace(' ', '-')}")


def test_one_click_opens_the_dialog_and_set_updates_the_figure(desk, api, cleanup, uid):
	codes = [f"STC-{uid}-1", f"STC-{uid}-2"]
	receive(api, cleanup, [(PHONE, codes)])
	name = _draft(api, cleanup, "Delivery Note", [_row("Delivery Note", 2)])
	desk.open_form("Delivery Note", name)
	# The row made editable by a click on its rate keeps its SN cell, not an empty input.
	desk.click(desk.grid_row(1).find_element(By.CSS_SELECTOR, '.data-row [data-fieldname="rate"]'))
	desk.wait(lambda d: desk.visible(".grid-row .editable-row"), "the row did not become editable")
	_shows(desk, "0 / 2", "red")
	dialog = _open(desk)
	wait_state(desk, dialog, "0 entered / 2 required", "orange")
	desk.type_code(dialog, "codes", codes[0])
	wait_state(desk, dialog, "1 entered / 2 required", "orange")
	set_codes(desk, dialog)
	# Right after Set, without a save.
	_shows(desk, "1 / 2", "red")
	assert desk.js("return cur_frm.is_dirty()")
	dialog = _open(desk)
	desk.type_code(dialog, "codes", "\n" + codes[1])
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	set_codes(desk, dialog)
	_shows(desk, "2 / 2", "green")
	# The row's quantity changed in the grid: the figure follows it.
	desk.js("return frappe.model.set_value('Delivery Note Item', cur_frm.doc.items[0].name, 'qty', 3)")
	_shows(desk, "2 / 3", "red")
	desk.js("return frappe.model.set_value('Delivery Note Item', cur_frm.doc.items[0].name, 'qty', 2)")
	_shows(desk, "2 / 2", "green")
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	_shows(desk, "2 / 2", "green")


def test_a_note_made_from_an_order_is_drafted_without_codes_then_filled_from_the_column(
	desk, api, cleanup, uid
):
	codes = [f"STO-{uid}-1", f"STO-{uid}-2"]
	receive(api, cleanup, [(PHONE, codes)])
	order = sales_order(api, cleanup, PHONE, 2)
	desk.open_form("Sales Order", order)
	desk.js(
		"frappe.model.open_mapped_doc({frm: cur_frm,"
		" method: 'erpnext.selling.doctype.sales_order.sales_order.make_delivery_note'})"
	)
	desk.wait(
		lambda d: desk.js("return cur_frm.doctype === 'Delivery Note' && cur_frm.is_new()"),
		"no Delivery Note made from the order",
	)
	desk.idle()
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Delivery Note", desk.doc()["name"]))
	_shows(desk, "0 / 2", "red")
	grid = desk.find('.form-layout .frappe-control[data-fieldname="items"]')
	desk.js("arguments[0].scrollIntoView({block: 'center'})", grid)
	if README_SHOTS:
		SHOT.parent.mkdir(parents=True, exist_ok=True)
		grid.screenshot(str(SHOT))
	desk.snap("column-note-from-order")

	dialog = _open(desk)
	desk.type_code(dialog, "codes", "\n".join(codes))
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	set_codes(desk, dialog)
	_shows(desk, "2 / 2", "green")
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	assert desk.submit(), desk.message_text()
	desk.close_dialogs()
	assert api.get("Serial Number", codes[0])["status"] == "Sold"
	_shows(desk, "2 / 2", "green")


def _note_from(desk, order: str):
	desk.open_form("Sales Order", order)
	desk.js(
		"frappe.model.open_mapped_doc({frm: cur_frm,"
		" method: 'erpnext.selling.doctype.sales_order.sales_order.make_delivery_note'})"
	)
	desk.wait(
		lambda d: desk.js("return cur_frm.doctype === 'Delivery Note' && cur_frm.is_new()"),
		"no Delivery Note made from the order",
	)
	desk.idle()


def test_a_bundle_component_is_filled_from_the_packed_items_column(desk, api, cleanup, uid):
	codes = [f"STP-{uid}-1", f"STP-{uid}-2"]
	receive(api, cleanup, [(PHONE, codes)])
	kit = bundle(api, cleanup, uid, PHONE, 2)
	_note_from(desk, sales_order(api, cleanup, kit, 1))
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Delivery Note", desk.doc()["name"]))
	# The bundle's own row is not SN-tracked: nothing; its tracked component: its count.
	row = desk.find(
		'.form-layout .frappe-control[data-fieldname="items"] .grid-row[data-idx="1"]'
		' .data-row [data-fieldname="sn_count"]'
	)
	assert row.text.strip() == ""
	_shows(desk, "0 / 2", "red", table="packed_items")
	dialog = _open(desk, table="packed_items", title=f"SN codes of Packed Items row 1: {PHONE}")
	desk.type_code(dialog, "codes", " ".join(codes))
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	set_codes(desk, dialog)
	_shows(desk, "2 / 2", "green", table="packed_items")
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	_shows(desk, "2 / 2", "green", table="packed_items")
