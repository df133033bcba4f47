"""Traceability in Desk: "Trace SN codes" on a submitted document, and a serial's lives on its form."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import Desk
from tests.browser.steps import MAIN, PHONE, SUPPLIER, deliver, receive


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


def test_a_serial_numbers_lives_on_its_form(desk, api, cleanup, uid):
	code = f"STT-{uid}-L"
	receipt = receive(api, cleanup, [(PHONE, [code])])
	first = deliver(api, cleanup, [(PHONE, [code])])
	api.cancel("Delivery Note", first)
	second = deliver(api, cleanup, [(PHONE, [code])])

	desk.open_form("Serial Number", code)
	history = '.frappe-control[data-fieldname="history_html"]'
	life = desk.find(f"{history} .sn-life", message="no lives shown")
	assert desk.js("return arguments[0].querySelectorAll('.sn-life').length", desk.find(history)) == 1
	heading = life.find_element(By.CSS_SELECTOR, "h6").text
	assert heading.startswith("Life 1: Purchase Receipt " + receipt) and SUPPLIER in heading
	rows = life.find_elements(By.CSS_SELECTOR, "tbody tr")
	texts = [[td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")] for tr in rows]
	assert [t[1:3] for t in texts] == [
		["Sell", f"Delivery Note {second}"],
		["Sell (cancelled)", f"Delivery Note {first}"],
		["Receive", f"Purchase Receipt {receipt}"],
	]
	struck = rows[1].find_elements(By.CSS_SELECTOR, "td s")
	assert len(struck) == 6, "a cancelled movement is struck through"
	assert not rows[0].find_elements(By.CSS_SELECTOR, "td s")
	assert texts[2][4] == f"→ {MAIN}"
	desk.snap("t2-serial-lives")

	desk.click(desk.find('.page-actions button[data-label="Traceability"]', message="no Traceability button"))
	rows = report_rows(desk)
	assert rows[0][0] == "Life 1"
	assert [r[0] for r in rows[1:]] == ["Receive", "Sell", "Sell"]
	struck = desk.js(
		"return Array.from(document.querySelectorAll('.dt-scrollable s')).map((s) => s.textContent.trim())"
	)
	assert "Sell" in struck and first in struck
