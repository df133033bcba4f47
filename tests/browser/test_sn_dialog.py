"""The SN dialog on an item row, as a stock keeper uses it in Desk."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import (
	CUSTOMER,
	MAIN,
	PHONE,
	TITLE,
	bundle,
	delivery_row,
	open_sn_dialog,
	receipt_row,
	receive,
	row_codes,
	sales_order,
	set_codes,
	wait_state,
)


def test_enter_codes_save_submit_and_see_them_in_stock(desk, api, cleanup, uid):
	first, second = f"STB-{uid}-1", f"STB-{uid}-2"
	row = receipt_row(desk, 2)
	dialog = open_sn_dialog(desk, row)
	wait_state(desk, dialog, "0 entered / 2 required", "orange")

	# Pasted with a full-width comma, as a CJK input method leaves it.
	desk.type_code(dialog, "codes", f"{first}\uff0c{second}")
	wait_state(desk, dialog, "2 entered / 2 required", "green")

	bad = f"BAD%{uid}"
	desk.type_code(dialog, "codes", Keys.ENTER, bad)
	wait_state(
		desk,
		dialog,
		"2 entered / 2 required",
		"orange",
		[f"Entry 3: {bad} contains %, which an SN code may not contain"],
	)
	desk.snap("a1-dialog-with-a-problem")
	# Set is refused while an entry is wrong.
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	desk.wait(
		lambda d: "Correct or remove the entries listed first" in desk.text_of(".desk-alert"),
		"no alert about the wrong entry",
	)
	assert dialog.is_displayed()

	desk.type_code(dialog, "codes", *[Keys.BACKSPACE] * (len(bad) + 1))
	wait_state(desk, dialog, "2 entered / 2 required", "green")

	set_codes(desk, dialog)
	row = desk.open_row(1)
	assert row_codes(desk, row) == f"{first}\n{second}"
	# Opened again, the dialog counts what the row carries.
	dialog = open_sn_dialog(desk, row)
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	desk.close_dialogs()
	row = desk.open_row(1)
	desk.js(
		"arguments[0].scrollIntoView({block: 'center'})", desk.find('[data-fieldname="sn_codes"]', within=row)
	)
	desk.snap("a2-row-after-set")

	desk.close_row()
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	name = desk.doc()["name"]
	cleanup.append(("Purchase Receipt", name))
	assert desk.doc()["items"][0]["sn_codes"] == f"{first}\n{second}"

	assert desk.submit(), desk.message_text()
	# ERPNext may add a notice (e.g. no accounting entries without perpetual inventory).
	desk.close_dialogs()

	assert desk.serial_list(uid) == {first: ("In Stock", "green"), second: ("In Stock", "green")}
	desk.snap("a3-serial-list")
	for code in (first, second):
		serial = api.get("Serial Number", code)
		assert (serial["status"], serial["warehouse"], serial["voucher_no"]) == ("In Stock", MAIN, name)

	# Cancelling restores the codes' earlier state: they were unknown, so they are gone.
	api.discard("Purchase Receipt", name)
	assert [api.get("Serial Number", code) for code in (first, second)] == [None, None]


def test_generate_by_rule_fills_the_rows_quantity(desk, uid):
	prefix = f"GEN{uid}-"
	row = receipt_row(desk, 3)
	dialog = open_sn_dialog(desk, row)
	desk.click(desk.find(".section-head", within=dialog))
	desk.find('[data-fieldname="prefix"] input', within=dialog).send_keys(prefix)
	start = desk.find('[data-fieldname="start"] input', within=dialog)
	desk.type_number(start, 7)
	desk.type_number(desk.find('[data-fieldname="width"] input', within=dialog), 4)
	assert desk.find('[data-fieldname="count"] input', within=dialog).get_attribute("value") == "3"

	desk.click(desk.find('[data-fieldname="generate"] button', within=dialog))
	expected = [f"{prefix}0007", f"{prefix}0008", f"{prefix}0009"]
	desk.wait(lambda d: desk.dialog_value("codes") == "\n".join(expected), "the rule did not fill the codes")
	wait_state(desk, dialog, "3 entered / 3 required", "green")
	desk.snap("b1-generated")

	set_codes(desk, dialog)
	assert row_codes(desk, desk.open_row(1)) == "\n".join(expected)


def test_one_dialog_after_going_from_document_to_document(desk):
	"""Desk runs the SN rows script for each kind of document it opens; the SN button still opens
	one dialog, on every kind of document, however many were opened before in the same page."""

	def one_dialog(row):
		dialog = open_sn_dialog(desk, row)
		desk.idle()
		opened = desk.open_dialogs()
		titles = [m.find_element(By.CSS_SELECTOR, ".modal-title").text.strip() for m in opened]
		assert titles == [TITLE], f"dialogs open: {titles}"
		return dialog

	desk.new_form("Purchase Receipt")
	desk.new_form("Delivery Note", reload=False)
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	dialog = one_dialog(delivery_row(desk, 1, PHONE))
	wait_state(desk, dialog, "0 entered / 1 required", "orange")
	desk.close_dialogs()

	dialog = one_dialog(receipt_row(desk, 2, reload=False))
	wait_state(desk, dialog, "0 entered / 2 required", "orange")


# The server describes each document's row tables as a list; it described the item rows alone,
# one object per document, before. Desk reads both.
ITEM_ROWS = {"doctype": "Purchase Receipt Item", "qty": "stock_qty", "source": "warehouse"}
LISTED = {"Purchase Receipt": [{"table": "items", **ITEM_ROWS}]}
SINGLE = {"Purchase Receipt": ITEM_ROWS}


@pytest.mark.parametrize("described", [LISTED, SINGLE], ids=["tables-listed", "item-rows-only"])
def test_dialog_reads_either_description_of_the_rows(desk, described):
	desk.open("/app")
	desk.js("frappe.boot.serial_tracking = {rows: arguments[0]}", described)
	dialog = open_sn_dialog(desk, receipt_row(desk, 2, reload=False))
	wait_state(desk, dialog, "0 entered / 2 required", "orange")
	# A receipt imports codes; it does not pick from stock.
	assert [
		b.text.strip()
		for b in dialog.find_elements(By.CSS_SELECTOR, ".custom-actions button")
		if b.is_displayed()
	] == ["Import SN codes"]


def test_packed_rows_of_a_bundle_have_the_sn_dialog(desk, api, cleanup, uid):
	"""A bundle's component rows (Packed Items) carry SN codes as item rows do. ERPNext makes the
	packed rows on the server: a Delivery Note made from a Sales Order arrives with them."""
	codes = [f"STK-{uid}-1", f"STK-{uid}-2"]
	receive(api, cleanup, [(PHONE, codes)])
	kit = bundle(api, cleanup, uid, PHONE, 2)
	order = sales_order(api, cleanup, kit, 1)
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
	packed = desk.doc()["packed_items"]
	assert [(p["item_code"], p["qty"], p["warehouse"]) for p in packed] == [(PHONE, 2, MAIN)]

	row = desk.open_row(1, table="packed_items")
	dialog = open_sn_dialog(desk, row, f"SN codes of Packed Items row 1: {PHONE}")
	wait_state(desk, dialog, "0 entered / 2 required", "orange")
	actions = [
		b.text.strip()
		for b in dialog.find_elements(By.CSS_SELECTOR, ".custom-actions button")
		if b.is_displayed()
	]
	# A delivery picks units from stock; it neither imports nor generates codes.
	assert actions == ["Pick from stock"]
	desk.type_code(dialog, "codes", " ".join(codes))
	wait_state(desk, dialog, "2 entered / 2 required", "green")
	desk.snap("c1-packed-row")
	set_codes(desk, dialog)
	assert desk.js("return cur_frm.doc.packed_items[0].sn_codes") == "\n".join(codes)

	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Delivery Note", desk.doc()["name"]))
	assert [p["sn_codes"] for p in desk.doc()["packed_items"]] == ["\n".join(codes)]


def test_server_messages_show_as_text(desk):
	"""What the server says of an entry or a rule is shown as written, never read as HTML."""
	row = receipt_row(desk, 1)
	dialog = open_sn_dialog(desk, row, f"SN codes of row 1: {PHONE}")
	entry = "<i>A</i>"
	desk.type_code(dialog, "codes", entry)
	wait_state(
		desk,
		dialog,
		"0 entered / 1 required",
		"orange",
		[f"Entry 1: {entry} contains <, which an SN code may not contain"],
	)
	assert not dialog.find_elements(By.CSS_SELECTOR, '[data-fieldname="state"] li i')

	prefix = "<b>X</b>%"
	desk.click(desk.find(".section-head", within=dialog))
	desk.find('[data-fieldname="prefix"] input', within=dialog).send_keys(prefix)
	desk.click(desk.find('[data-fieldname="generate"] button', within=dialog))
	message = desk.wait(lambda d: desk.message_dialog(), "the refused rule was not reported")
	body = desk.find(".msgprint", within=message)
	assert body.text.strip() == f"{prefix} cannot be part of an SN code"
	assert not body.find_elements(By.CSS_SELECTOR, "b")


@pytest.mark.parametrize("doctype", ["Stock Entry", "Stock Reconciliation"])
def test_a_row_of_a_stock_entry_or_reconciliation_shows_its_sn_codes_and_hides_erpnexts_serials(
	desk, doctype
):
	"""The app's SN fields sit in the section of ERPNext's own serial and batch fields: only ERPNext's
	fields are hidden on a row of an SN-tracked item, never that section."""
	desk.new_form(doctype)
	if doctype == "Stock Entry":
		desk.js("return cur_frm.set_value('stock_entry_type', 'Material Receipt')")
		desk.idle()
	if doctype == "Stock Reconciliation":
		# Its rows have no unit of measure to wait for: the item's switch is fetched with it.
		grid_row = desk.grid_row(1)
		desk.click(grid_row.find_element(By.CSS_SELECTOR, '.data-row [data-fieldname="item_code"]'))
		desk.pick_link(desk.find('[data-fieldname="item_code"] input', within=grid_row), PHONE)
	else:
		desk.set_row_item(1, PHONE)
	desk.wait(
		lambda d: desk.js("return cur_frm.doc.items[0].sn_tracking") == 1, "the row's item is not tracked"
	)
	desk.idle()
	row = desk.open_row(1)
	button = desk.find('[data-fieldname="sn_button"] button', within=row, message="no SN button on the row")
	desk.js("arguments[0].scrollIntoView({block: 'center'})", button)
	desk.snap(f"row-form-{doctype.lower().replace(' ', '-')}")
	assert button.is_displayed()
	assert desk.find('[data-fieldname="sn_codes"]', within=row).is_displayed()
	for fieldname in ("serial_no", "batch_no"):
		found = row.find_elements(By.CSS_SELECTOR, f'.frappe-control[data-fieldname="{fieldname}"]')
		assert not any(f.is_displayed() for f in found), fieldname
