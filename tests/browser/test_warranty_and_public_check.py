"""After the sale in a browser: Serial Number Search's warranty filters and column, and the public
check page a customer opens from a label's QR code."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import deliver, item, receive
from tests.browser.test_search_report import REPORT, rows, wait_rows

SETTINGS = "Serial Tracking Settings"


@pytest.fixture
def warranty_items(api):
	"""Two SN-tracked items: a year's warranty, and twenty days'. Made once and kept: ERPNext keeps an
	item its cancelled documents name."""
	made = []
	for code, days in (("ST-BROWSER-WARRANTY-YEAR", "365"), ("ST-BROWSER-WARRANTY-20D", "20")):
		if not api.get("Item", code):
			item(api, code, is_stock_item=1, valuation_rate=100, sn_tracking=1, warranty_period=days)
		made.append(code)
	return made


def test_search_filters_units_under_warranty_and_those_ending_soon(desk, api, cleanup, uid, warranty_items):
	year, month = warranty_items
	codes = {name: f"SWR-{uid}-{name[0].upper()}" for name in ("year", "month", "held")}
	receive(api, cleanup, [(year, [codes["year"], codes["held"]]), (month, [codes["month"]])])
	deliver(api, cleanup, [(year, [codes["year"]]), (month, [codes["month"]])])

	desk.open(REPORT)
	desk.wait(
		lambda d: d.execute_script("return !!(window.frappe.query_report && frappe.query_report.filters)")
	)
	desk.find('.page-form [data-fieldname="serial_no"] input').send_keys(f"SWR-{uid}-*", Keys.TAB)
	wait_rows(desk, list(codes.values()), "the prefix did not show the three units")
	headers = desk.js(
		"return [...document.querySelectorAll('.dt-row-header .dt-cell--header')].map((c) => c.innerText.trim())"
	)
	assert "Warranty Until" in headers, headers
	column = headers.index("Warranty Until") - 1

	# Under Warranty: the two sold units, each with its end shown
	desk.click(desk.find('.page-form [data-fieldname="under_warranty"] input'))
	shown = wait_rows(desk, [codes["year"], codes["month"]], "Under Warranty did not leave the sold units")
	until = {r[0]: r[column] for r in shown}
	# days from the site's today, shown as Desk shows dates
	as_shown = desk.js(
		"""const shown = (days) => frappe.datetime.str_to_user(frappe.datetime.add_days(frappe.datetime.get_today(), days));
		return {[arguments[0]]: shown(365), [arguments[1]]: shown(20)};""",
		codes["year"],
		codes["month"],
	)
	assert until == as_shown, (until, as_shown)
	desk.snap("search-under-warranty")

	# Ending within 30 days: the twenty days' unit alone
	desk.find('.page-form [data-fieldname="warranty_within"] input').send_keys("30", Keys.TAB)
	wait_rows(desk, [codes["month"]], "Warranty Ends in Days 30 did not leave the 20 days' unit")
	desk.snap("search-warranty-ending")
	assert len(rows(desk)) == 1


@pytest.fixture
def public_check(api):
	was = api.get(SETTINGS, SETTINGS).get("public_check")
	api.call("frappe.client.set_value", doctype=SETTINGS, name=SETTINGS, fieldname="public_check", value=1)
	yield
	api.call(
		"frappe.client.set_value", doctype=SETTINGS, name=SETTINGS, fieldname="public_check", value=was or 0
	)


def answer(desk) -> str:
	return desk.wait(
		lambda d: (
			(text := d.find_element(By.CSS_SELECTOR, ".sn-check-answer").text.strip())
			and "Checking" not in text
			and text
		),
		"the page gave no answer",
	)


def test_the_public_page_answers_a_code_from_the_address_and_one_typed(
	desk, api, cleanup, uid, warranty_items, public_check
):
	"""As a customer's phone opens it from a label: the code in the address is checked at once; a code
	typed then is answered in its place, an unsold one as "not known", with nothing else shown."""
	year, _month = warranty_items
	sold, held = f"SPG-{uid}-S", f"SPG-{uid}-H"
	receive(api, cleanup, [(year, [sold, held])])
	deliver(api, cleanup, [(year, [sold])])

	try:
		check_on_the_page(desk, year, sold, held)
	finally:
		desk.open("/app")  # back to Desk, where the next test starts


def check_on_the_page(desk, item_name: str, sold: str, held: str):
	desk.driver.get(f"{desk.url}/sn-check?code={sold}")
	said = answer(desk)
	assert "Genuine: we sold this unit." in said and item_name in said, said
	assert "Under warranty until" in said, said
	desk.snap("sn-check-genuine")

	field = desk.find(".sn-check-form input")
	field.clear()
	field.send_keys(held, Keys.ENTER)
	desk.wait(lambda d: "not known" in answer(desk), f"an unsold unit: {answer(desk)}")
	said = answer(desk)
	assert said == "This SN code is not known as a unit sold by us.", said
	page = desk.driver.find_element(By.CSS_SELECTOR, ".sn-check").text
	for private in ("Customer", "Main", "Delivery Note", "In Stock", "Sold"):
		assert private not in page, f"{private} shown: {page}"
	desk.snap("sn-check-not-known")
