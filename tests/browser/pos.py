"""The Point of Sale page in the browser tests: its set-up through the REST API and a cashier's steps.

The page needs a POS Profile (warehouse, price list, Cash with an account), a POS Opening Entry
of the user and a price for the item; they are made once and kept (as the master data is).
"""

from datetime import date, datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.desk import Api, Desk
from tests.browser.steps import COMPANY, CUSTOMER, MAIN, PHONE

PROFILE = "ST POS"
PRICE = 100
ABBR = "WP"


def ready(api: Api, user: str) -> None:
	"""What the Point of Sale page needs of the site, made when missing."""
	cash = api.get("Mode of Payment", "Cash")
	if not any(a["company"] == COMPANY for a in cash["accounts"]):
		cash["accounts"].append({"company": COMPANY, "default_account": f"Cash - {ABBR}"})
		api.call("frappe.client.save", doc=cash)
	if not api.list("Item Price", [["item_code", "=", PHONE], ["price_list", "=", "Standard Selling"]]):
		api.insert(
			{
				"doctype": "Item Price",
				"item_code": PHONE,
				"price_list": "Standard Selling",
				"price_list_rate": PRICE,
			}
		)
	if api.get("POS Profile", PROFILE) is None:
		api.insert(
			{
				"doctype": "POS Profile",
				"name": PROFILE,
				"company": COMPANY,
				"currency": "USD",
				"warehouse": MAIN,
				"customer": CUSTOMER,
				"cost_center": f"Main - {ABBR}",
				"income_account": f"Sales - {ABBR}",
				"expense_account": f"Cost of Goods Sold - {ABBR}",
				"write_off_account": f"Write Off - {ABBR}",
				"write_off_cost_center": f"Main - {ABBR}",
				"selling_price_list": "Standard Selling",
				"payments": [{"mode_of_payment": "Cash", "default": 1}],
			}
		)
	opening = [["user", "=", user], ["docstatus", "=", 1], ["status", "=", "Open"]]
	if not api.list("POS Opening Entry", opening):
		doc = api.insert(
			{
				"doctype": "POS Opening Entry",
				"pos_profile": PROFILE,
				"company": COMPANY,
				"user": user,
				"period_start_date": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
				"posting_date": date.today().isoformat(),
				"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
			}
		)
		api.submit("POS Opening Entry", doc["name"])


def open_page(desk: Desk):
	"""The Point of Sale page, loaded afresh, its cart empty and the customer set."""
	desk.open("/app/point-of-sale")
	desk.wait(
		lambda d: d.execute_script(
			"return !!(window.cur_pos && cur_pos.frm && cur_pos.frm.doc.customer"
			" && $('.items-container .item-wrapper').length"
			" && erpnext.PointOfSale.Controller.prototype.sn_patched)"
		),
		"the Point of Sale did not start",
	)
	desk.idle()


def search(desk: Desk, text: str):
	"""Type into the POS search and press Enter, as a cashier or a scanner does."""
	field = desk.find(".items-selector .search-field input")
	desk.click(field)
	field.clear()
	field.send_keys(text, Keys.ENTER)


def cart_codes(desk: Desk) -> list[tuple[str, int, str]]:
	"""Each cart line: item, quantity, its SN codes."""
	return [
		tuple(row)
		for row in desk.js(
			"return (cur_pos.frm.doc.items || []).map((r) => [r.item_code, r.qty, r.sn_codes || ''])"
		)
	]


def click_item(desk: Desk, item_code: str):
	"""Find the item by typing its code into the search (no Enter) and click it."""
	field = desk.find(".items-selector .search-field input")
	desk.click(field)
	field.send_keys(item_code)
	desk.wait(
		lambda d: (
			[e.get_attribute("data-item-code") for e in d.find_elements(By.CSS_SELECTOR, ".item-wrapper")]
			== [item_code]
		),
		f"the search did not show {item_code} alone",
	)
	desk.click(desk.find(f'.items-container .item-wrapper[data-item-code="{item_code}"]'))


def prompt(desk: Desk, item_code: str = PHONE):
	return desk.dialog(f"SN codes of {item_code}")


def prompt_scan(desk: Desk, dialog, code: str):
	field = desk.find('[data-fieldname="scan"] input', within=dialog)
	desk.click(field)
	field.send_keys(code, Keys.ENTER)


def prompt_notes(dialog) -> list[str]:
	"""What the scan box answered to the last scan (the scan box of the SN dialog)."""
	return [
		e.text.strip()
		for e in dialog.find_elements(By.CSS_SELECTOR, '[data-fieldname="scan_state"] .sn-scan')
	]


def prompt_codes(dialog) -> list[str]:
	return [chip.get_attribute("data-code") for chip in dialog.find_elements(By.CSS_SELECTOR, ".st-pos-code")]


def checkout(desk: Desk):
	"""Checkout: the invoice is saved and the payment section shows."""
	desk.click(desk.find(".cart-container .checkout-btn"))
	desk.idle()


def pay_and_submit(desk: Desk):
	"""Checkout, pay the whole amount in cash (the default mode takes it), complete and confirm."""
	checkout(desk)
	desk.wait(
		lambda d: d.execute_script(
			"const doc = cur_pos.frm.doc; return doc.paid_amount > 0"
			" && doc.paid_amount >= (doc.rounded_total || doc.grand_total)"
		),
		"the payment did not take the total",
	)
	desk.click(desk.find(".payment-container .submit-order-btn"))
	desk.click(desk.find(".modal.show .modal-footer .btn-primary", message="no confirmation asked"))


def submitted(desk: Desk) -> str:
	"""Wait for the invoice in the cart to be submitted; its name."""
	desk.wait(
		lambda d: d.execute_script("return cur_pos.frm.doc.docstatus === 1"), "the invoice was not submitted"
	)
	return desk.js("return cur_pos.frm.doc.name")


def open_return_of(desk: Desk, invoice: str):
	"""Menu → Toggle Recent Orders, the paid order ``invoice``, then its Return: the return's cart."""
	desk.click(desk.find(".page-head .menu-btn-group > button", message="no menu on the page"))
	item = desk.wait(
		lambda d: next(
			(
				e
				for e in d.find_elements(By.CSS_SELECTOR, ".dropdown-menu.show .dropdown-item")
				if e.is_displayed() and "Toggle Recent Orders" in e.text
			),
			None,
		),
		"no Toggle Recent Orders in the menu",
	)
	desk.click(item)
	desk.wait(lambda d: d.execute_script("return cur_pos.recent_order_list.$component.is(':visible')"))
	# Paid orders, the latest first (the list starts with drafts).
	desk.js("cur_pos.recent_order_list.status_field.set_value('Paid')")
	desk.idle()
	order = f'.past-order-list .invoice-wrapper[data-invoice-name="{invoice}"]'
	desk.wait(lambda d: desk.visible(order), f"{invoice} is not among the recent orders")
	desk.click(desk.find(order))
	desk.idle()
	desk.click(desk.find(".past-order-summary .return-btn", message="no Return button on the order"))
	desk.wait(
		lambda d: d.execute_script(
			"return !!(cur_pos.frm.doc.is_return && cur_pos.frm.doc.return_against === arguments[0]"
			" && cur_pos.sn_return && $('.cart-container:visible').length)",
			invoice,
		),
		"the return's cart did not open",
	)
	desk.idle()


def refund_and_submit(desk: Desk):
	"""Checkout of a return: the default mode pays the whole (negative) amount back; complete and confirm."""
	checkout(desk)
	desk.wait(
		lambda d: d.execute_script(
			"const doc = cur_pos.frm.doc; const total = doc.rounded_total || doc.grand_total;"
			" return total < 0 && doc.paid_amount === total"
		),
		"the payment did not pay the amount back",
	)
	desk.click(desk.find(".payment-container .submit-order-btn"))
	desk.click(desk.find(".modal.show .modal-footer .btn-primary", message="no confirmation asked"))
