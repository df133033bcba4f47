"""Traceability in Desk: "Trace SN codes" on a submitted document, and a serial's lives on its form
(each told in one line, opened to its movements by a click)."""

from datetime import date

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import Desk
from tests.browser.steps import COMPANY, CUSTOMER, MAIN, PHONE, SUPPLIER, deliver, receive


def report_rows(desk: Desk) -> list[list[str]]:
	"""The rows of the query report shown, as the text of their cells."""
	desk.wait(
		lambda d: d.execute_script(
			"return window.frappe && frappe.query_report && frappe.query_report.report_name"
			" === 'Serial Traceability' && !!frappe.query_report.datatable"
		),
		"Serial Traceability did not show",
	)
	desk.idle()
	return desk.js(
		"""return frappe.query_report.datatable.datamanager.getRows().map(
			(row) => row.slice(1).map((cell) => cell.content == null ? "" : String(cell.content)))"""
	)


def test_trace_sn_codes_from_a_submitted_delivery(desk, api, cleanup, uid):
	codes = [f"STT-{uid}-1", f"STT-{uid}-2"]
	receive(api, cleanup, [(PHONE, codes)])
	delivery = deliver(api, cleanup, [(PHONE, codes)])

	desk.open_form("Delivery Note", delivery)
	button = desk.find(
		'.page-actions button[data-label="Trace%20SN%20codes"], .inner-group-button [data-label="Trace%20SN%20codes"]',
		message="no Trace SN codes button",
	)
	desk.click(button)
	desk.wait(lambda d: "/app/query-report/Serial%20Traceability" in d.current_url, "report did not open")
	rows = report_rows(desk)
	filters = desk.js("return frappe.query_report.get_filter_values()")
	assert (filters["voucher_type"], filters["voucher_no"]) == ("Delivery Note", delivery)
	shown = {row[0] for row in rows}
	assert set(codes) <= shown
	# each serial shows where it is now: Sold by this delivery
	cells = desk.find(".dt-scrollable").text
	assert "Sold" in cells and delivery in cells
	desk.snap("t1-trace-delivery")


def returned(api, cleanup, delivery: str, code: str) -> str:
	"""A submitted return of ``code`` from the customer of ``delivery``, made through the REST API."""
	doc = api.insert(
		{
			"doctype": "Delivery Note",
			"company": COMPANY,
			"customer": CUSTOMER,
			"is_return": 1,
			"return_against": delivery,
			"posting_date": date.today().isoformat(),
			"currency": "USD",
			"selling_price_list": "Standard Selling",
			"items": [
				{
					"item_code": PHONE,
					"qty": -1,
					"rate": 100,
					"conversion_factor": 1,
					"warehouse": MAIN,
					"sn_codes": code,
				}
			],
		}
	)
	cleanup.append(("Delivery Note", doc["name"]))
	api.submit("Delivery Note", doc["name"])
	return doc["name"]


def test_a_serial_numbers_lives_on_its_form(desk, api, cleanup, uid):
	code = f"STT-{uid}-L"
	receipt = receive(api, cleanup, [(PHONE, [code])])
	first = deliver(api, cleanup, [(PHONE, [code])])
	api.cancel("Delivery Note", first)
	second = deliver(api, cleanup, [(PHONE, [code])])
	back = returned(api, cleanup, second, code)

	desk.open_form("Serial Number", code)
	history = '.frappe-control[data-fieldname="history_html"]'
	life = desk.find(f"{history} .sn-life", message="no lives shown")
	assert desk.js("return arguments[0].querySelectorAll('.sn-life').length", desk.find(history)) == 1
	# the form opens on the story of each life, in one line, newest first as its movements; the
	# cancelled sale is no step of it; a return says from which customer; dates as the table's
	today = desk.js("return frappe.datetime.str_to_user(frappe.datetime.get_today())")
	line = life.find_element(By.CSS_SELECTOR, ".sn-story")
	story = line.find_element(By.CSS_SELECTOR, ".sn-summary").text
	assert story == (
		f"Returned by customer {CUSTOMER} on {today} ({back})"
		f" · sold to {CUSTOMER} on {today} ({second})"
		f" · bought from {SUPPLIER} on {today} ({receipt})"
	)
	assert first not in story
	links = [a.get_attribute("href") for a in line.find_elements(By.CSS_SELECTOR, ".sn-summary a")]
	assert [h.split("/app/", 1)[1] for h in links] == [
		f"delivery-note/{back}",
		f"delivery-note/{second}",
		f"purchase-receipt/{receipt}",
	]
	figures = desk.find(f"{history} .sn-figures").text
	assert "Returns: 1" in figures and "Lives: 1" in figures and "With customers: 0 days" in figures
	movements = life.find_element(By.CSS_SELECTOR, ".sn-movements")
	assert not movements.is_displayed() and line.get_attribute("aria-expanded") == "false"
	desk.snap("t2-serial-story")
	# a click on the line opens the life's movements
	desk.click(line.find_element(By.CSS_SELECTOR, ".sn-caret"))
	desk.wait(lambda _: movements.is_displayed(), "the life's movements did not open")
	assert line.get_attribute("aria-expanded") == "true"
	heading = life.find_element(By.CSS_SELECTOR, "h6").text
	assert heading.startswith("Life 1: Purchase Receipt " + receipt) and SUPPLIER in heading
	rows = life.find_elements(By.CSS_SELECTOR, "tbody tr")
	texts = [[td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")] for tr in rows]
	assert [t[1:3] for t in texts] == [
		["Sales Return", f"Delivery Note {back}"],
		["Sell", f"Delivery Note {second}"],
		["Sell (cancelled)", f"Delivery Note {first}"],
		["Receive", f"Purchase Receipt {receipt}"],
	]
	assert all(t[0].startswith(today) for t in texts), "the movements dated as the story"
	struck = rows[2].find_elements(By.CSS_SELECTOR, "td s")
	assert len(struck) == 6, "a cancelled movement is struck through"
	assert not rows[1].find_elements(By.CSS_SELECTOR, "td s")
	assert texts[3][4] == f"→ {MAIN}"
	desk.js("arguments[0].scrollIntoView({block: 'start'})", desk.find(history))
	desk.snap("t2-serial-lives")
	# the README's picture: the form from its top, the life opened
	desk.js("window.scrollTo(0, 0)")
	desk.readme_shot("serial-number.png")

	desk.click(desk.find('.page-actions button[data-label="Traceability"]', message="no Traceability button"))
	rows = report_rows(desk)
	assert rows[0][0] == "Life 1"
	assert [r[0] for r in rows[1:]] == ["Receive", "Sell", "Sell", "Sales Return"]
	struck = desk.js(
		"return Array.from(document.querySelectorAll('.dt-scrollable s')).map((s) => s.textContent.trim())"
	)
	assert "Sell" in struck and first in struck


def test_a_serials_story_shows_names_as_text(desk, api, cleanup, uid):
	"""Whatever a party, warehouse or document is called, the story shows it as text, never as HTML."""
	code = f"STT-{uid}-E"
	receive(api, cleanup, [(PHONE, [code])])
	desk.open_form("Serial Number", code)
	desk.find('.frappe-control[data-fieldname="history_html"] .sn-story', message="no story shown")
	bad = "<img src=x onerror=window.sn_hacked=1>"
	step = {
		"kind": "bought",
		"voucher_type": "Purchase Receipt",
		"voucher_no": bad,
		"link": True,
		"text": f"Bought from {bad} on 9 Nov",
		"stay": f"in {bad} 3 days",
	}
	life = {"life": 1, "story": [step], "summary": "", "figures": {}, "movements": [], "opened_by": None}
	html = desk.js(
		"""const html = serial_tracking.serial_number.story(arguments[0]);
		const probe = $("<div>").html(html);
		return [html, probe.find("img").length, probe.find(".sn-summary").first().text()];""",
		{"lives": [life, {**life, "life": 2}], "figures": {"days_in_stock": 3, "returns": 0, "lives": 2}},
	)
	assert html[1] == 0 and "<img" not in html[0]
	assert html[2] == f"Bought from {bad} on 9 Nov ({bad}) · in {bad} 3 days"
	assert desk.js("return !window.sn_hacked")
