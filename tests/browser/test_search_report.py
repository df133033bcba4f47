"""Serial Number Search in Desk: a code prefix and a status filter change the rows and the summary."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import PHONE, deliver, receive

REPORT = "/app/query-report/Serial Number Search"


def summary(desk) -> dict[str, str]:
	"""The summary above the rows: label -> value, as shown."""
	shown = {}
	for item in desk.driver.find_elements(By.CSS_SELECTOR, ".report-summary .summary-item"):
		if item.is_displayed():
			label = item.find_element(By.CSS_SELECTOR, ".summary-label").text.strip()
			shown[label] = item.find_element(By.CSS_SELECTOR, ".summary-value").text.strip()
	return shown


def rows(desk) -> list[list[str]]:
	"""The report's rows as shown: the texts of their cells (code first)."""
	return desk.js(
		"""return [...document.querySelectorAll('.dt-scrollable .dt-row')]
			.filter((row) => row.offsetParent !== null)
			.map((row) => [...row.querySelectorAll('.dt-cell__content')].slice(1).map((c) => c.innerText.trim()));"""
	)


def button(desk, label: str):
	"""The page's visible button with this label."""
	return desk.wait(
		lambda d: next(
			(
				b
				for b in d.find_elements(By.CSS_SELECTOR, ".page-head button")
				if b.is_displayed() and b.text.strip() == label
			),
			None,
		),
		f"no {label} button",
	)


def wait_rows(desk, codes: list[str], message: str):
	desk.wait(lambda d: sorted(r[0] for r in rows(desk)) == sorted(codes), message)


def test_filters_change_the_rows_and_the_summary(desk, api, cleanup, uid):
	codes = [f"SRCH-{uid}-{n}" for n in (1, 2, 3)]
	receive(api, cleanup, [(PHONE, codes)])
	deliver(api, cleanup, [(PHONE, codes[2:])])

	desk.open(REPORT)
	desk.wait(
		lambda d: d.execute_script("return !!(window.frappe.query_report && frappe.query_report.filters)")
	)
	field = desk.find('.page-form [data-fieldname="serial_no"] input')
	field.send_keys(f"SRCH-{uid}-*", Keys.TAB)
	wait_rows(desk, codes, "the prefix did not show the three serials")
	desk.wait(lambda d: summary(desk).get("Matching serials") == "3", f"summary: {summary(desk)}")
	assert summary(desk) == {"Matching serials": "3", "In Stock": "2", "Sold": "1"}
	assert button(desk, "Print labels")
	sold = next(r for r in rows(desk) if r[0] == codes[2])
	assert "Sold" in sold
	pill = desk.js(
		"return [...document.querySelectorAll('.dt-scrollable .indicator-pill')].map((p) => p.className)"
	)
	assert any("gray" in p for p in pill) and any("green" in p for p in pill), pill
	desk.snap("search-prefix")

	desk.js("frappe.query_report.set_filter_value('status', ['Sold'])")
	wait_rows(desk, codes[2:], "the status filter did not leave the sold serial alone")
	desk.wait(lambda d: summary(desk).get("Matching serials") == "1", f"summary: {summary(desk)}")
	assert summary(desk) == {"Matching serials": "1", "Sold": "1"}
	desk.snap("search-sold")

	# Export: the file of what is shown, opened for download
	desk.js("window.__opened = []; window.open = (url) => window.__opened.push(url);")
	desk.click(button(desk, "Export"))
	dialog = desk.dialog("Export SN codes")
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".btn-primary"))
	desk.wait(lambda d: d.execute_script("return window.__opened.length"), "the export opened no file")
	url = desk.js("return window.__opened[0]")
	assert url.startswith("/private/files/sn-codes-") and url.endswith(".xlsx"), url
	for file in api.list("File", [["file_url", "=", url]]):
		api.delete("File", file["name"])
