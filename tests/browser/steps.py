"""Steps shared by the browser tests: the test site's master data, the SN dialog, documents made by API.

The master data is the integration tests' (tests/integration/factory.py), made before these run.
"""

from datetime import date

from selenium.webdriver.common.by import By

from tests.browser.desk import Api, Desk

COMPANY = "Wind Power LLC"
CUSTOMER = "ST Customer"
LAPTOP = "ST-LAPTOP"
SUPPLIER = "ST Supplier"
MAIN = "ST Main - WP"
PHONE = "ST-PHONE"
TITLE = f"SN codes of row 1: {PHONE}"


def receipt_row(desk: Desk, qty: int, reload: bool = True):
	"""A new Purchase Receipt from the test supplier with one ST-PHONE row, its row form open
	(``reload=False``: opened within the page already loaded)."""
	desk.new_form("Purchase Receipt", reload)
	desk.pick_link(desk.form_input("supplier"), SUPPLIER)
	desk.set_row_item(1, PHONE)
	row = desk.open_row(1)
	desk.type_number(desk.find('[data-fieldname="qty"] input', within=row), qty)
	desk.pick_link(desk.find('[data-fieldname="warehouse"] input', within=row), MAIN)
	desk.wait(
		lambda d: (
			desk.js("const r = cur_frm.doc.items[0]; return [r.qty, r.warehouse, r.sn_tracking]")
			== [qty, MAIN, 1]
		),
		"the row did not take item, quantity and warehouse",
	)
	return row


def delivery_row(desk: Desk, idx: int, item: str):
	"""Fill row ``idx`` of the open Delivery Note with ``item`` and the main warehouse; its row form open."""
	if idx > len(desk.doc()["items"]):
		desk.click(desk.find('.form-layout .frappe-control[data-fieldname="items"] .grid-add-row'))
		desk.grid_row(idx)
	desk.set_row_item(idx, item)
	row = desk.open_row(idx)
	desk.pick_link(desk.find('[data-fieldname="warehouse"] input', within=row), MAIN)
	desk.wait(
		lambda d: (
			desk.js("const r = cur_frm.doc.items[arguments[0] - 1]; return [r.qty, r.warehouse]", idx)
			== [1, MAIN]
		),
		"the row did not take quantity and warehouse",
	)
	return row


def open_sn_dialog(desk: Desk, row, title: str = TITLE):
	button = desk.find('[data-fieldname="sn_button"] button', within=row, message="no SN button on the row")
	assert button.text.strip() == "SN"
	desk.js("arguments[0].scrollIntoView({block: 'center'})", button)
	desk.snap("row-form-sn-button")
	desk.click(button)
	# Opened from the row form: Set leaves the row form open (set_codes checks it).
	desk.opened_from_row_form = True
	return desk.dialog(title)


def wait_state(desk: Desk, dialog, counter: str, colour: str, problems: list[str] | None = None):
	"""Wait until the dialog shows ``counter`` in ``colour`` and exactly these problems."""
	expected = problems or []

	def shown(_):
		pill = desk.visible('[data-fieldname="state"] .indicator-pill', dialog)
		if pill is None or pill.text.strip() != counter or colour not in pill.get_attribute("class").split():
			return False
		lines = [
			li.text.strip() for li in dialog.find_elements(By.CSS_SELECTOR, '[data-fieldname="state"] li')
		]
		return lines == expected

	desk.wait(shown, f"the dialog does not show {counter} ({colour}) with problems {expected}")


def set_codes(desk: Desk, dialog):
	"""Press Set. The row form the dialog was opened from is open again once it closes (Desk would close
	it with the dialog); it is closed here, as a person closes it to go on in the grid."""
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	desk.wait(lambda d: not dialog.is_displayed(), "the dialog stayed open after Set")
	_back_to_the_grid(desk)


def _back_to_the_grid(desk: Desk):
	"""After the SN dialog closed: the row form it was opened from is open again (even when a dialog
	stacked on it, such as the file chooser, closed it meanwhile); closed here to go on in the grid."""
	from_row_form = getattr(desk, "opened_from_row_form", False)
	desk.opened_from_row_form = False
	if from_row_form:
		desk.find(".grid-row-open .form-in-grid", message="the row form did not open again")
		desk.idle()
		desk.close_row()
	desk.wait(lambda d: desk.visible(".grid-row-open") is None, "a row form is open")
	desk.idle()


def confirm_set(desk: Desk, dialog, question: str, answer: str = "Yes"):
	"""Press Set where it changes the row's quantity: it asks ``question`` first; answered ``answer``
	("Yes": the row takes the codes and the quantity, the dialog closes; "No": nothing changes)."""
	desk.click(desk.find(".modal-footer .btn-primary", within=dialog))
	asked = desk.dialog("Confirm")
	assert asked.find_element(By.CSS_SELECTOR, ".modal-body").text.strip() == question
	buttons = asked.find_elements(By.CSS_SELECTOR, ".modal-footer button")
	desk.click(next(b for b in buttons if b.is_displayed() and b.text.strip() == answer))
	if answer != "Yes":
		desk.wait(lambda d: not asked.is_displayed(), "the question stayed open")
		return
	desk.wait(lambda d: not dialog.is_displayed(), "the dialog stayed open after Set")
	_back_to_the_grid(desk)


def row_codes(desk: Desk, row) -> str:
	return desk.find('[data-fieldname="sn_codes"] textarea', within=row).get_attribute("value")


def _row(item: str, codes: list[str]) -> dict:
	return {
		"item_code": item,
		"qty": len(codes),
		"rate": 100,
		"conversion_factor": 1,
		"warehouse": MAIN,
		"sn_codes": "\n".join(codes),
	}


def _submitted(api: Api, cleanup: list, doctype: str, party: dict, rows: list[tuple[str, list[str]]]) -> str:
	doc = api.insert(
		{
			"doctype": doctype,
			"company": COMPANY,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"items": [_row(item, codes) for item, codes in rows],
			**party,
		}
	)
	cleanup.append((doctype, doc["name"]))
	api.submit(doctype, doc["name"])
	return doc["name"]


def receive(api: Api, cleanup: list, rows: list[tuple[str, list[str]]]) -> str:
	"""A submitted Purchase Receipt of these codes, made through the REST API."""
	party = {"supplier": SUPPLIER, "buying_price_list": "Standard Buying"}
	return _submitted(api, cleanup, "Purchase Receipt", party, rows)


def deliver(api: Api, cleanup: list, rows: list[tuple[str, list[str]]]) -> str:
	"""A submitted Delivery Note of these codes, made through the REST API."""
	party = {"customer": CUSTOMER, "selling_price_list": "Standard Selling"}
	return _submitted(api, cleanup, "Delivery Note", party, rows)


def item(api: Api, code: str, **values) -> str:
	"""An item in Nos."""
	api.insert(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": "All Item Groups",
			"stock_uom": "Nos",
			**values,
		}
	)
	return code


def bundle(api: Api, cleanup: list, uid: str, component: str, qty: int) -> str:
	"""A product bundle (a non-stock item of its own) of ``qty`` units of ``component``."""
	code = item(api, f"ST-KIT-{uid}", is_stock_item=0)
	cleanup.append(("Item", code))
	doc = api.insert(
		{"doctype": "Product Bundle", "new_item_code": code, "items": [{"item_code": component, "qty": qty}]}
	)
	cleanup.append(("Product Bundle", doc["name"]))
	return code


def sales_order(api: Api, cleanup: list, item: str, qty: int) -> str:
	"""A submitted Sales Order of ``qty`` units of ``item`` from the main warehouse."""
	today = date.today().isoformat()
	doc = api.insert(
		{
			"doctype": "Sales Order",
			"company": COMPANY,
			"customer": CUSTOMER,
			"selling_price_list": "Standard Selling",
			"currency": "USD",
			"transaction_date": today,
			"delivery_date": today,
			"items": [
				{"item_code": item, "qty": qty, "rate": 100, "conversion_factor": 1, "warehouse": MAIN}
			],
		}
	)
	cleanup.append(("Sales Order", doc["name"]))
	api.submit("Sales Order", doc["name"])
	return doc["name"]
