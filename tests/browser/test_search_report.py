"""Serial Number Search in Desk: a code prefix and a status filter change the rows and the summary."""

import time

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.steps import PHONE, deliver, receive

REPORT = "/app/query-report/Serial Number Search"
#: The README's picture of the report, made by the test at 1440 x 900.


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


def wait_rows(desk, codes: list[str], message: str) -> list[list[str]]:
	"""The rows once they are ``codes`` and stay so a moment (a change of filter can refresh the
	report twice: on the change, then on leaving the field)."""
	seen = []

	def settled(_driver):
		now = rows(desk)
		steady = sorted(r[0] for r in now) == sorted(codes) and now == (seen[-1] if seen else None)
		seen.append(now)
		if not steady:
			time.sleep(0.3)
		return now if steady else None

	return desk.wait(settled, message)


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


#: Columns whose text must show whole: the item, names, documents and dates.
WHOLE = (
	"Item",
	"Item Name",
	"Warehouse",
	"Last Document Type",
	"Last Document",
	"Purchase Date",
	"Last Movement",
)


def cut_cells(desk) -> list[str]:
	"""The cells of the WHOLE columns whose text is wider than the cell shows."""
	return desk.js(
		"""const wanted = arguments[0];
		const cols = {};
		document.querySelectorAll('.dt-row-header .dt-cell--header').forEach((cell) => {
			const title = cell.innerText.trim();
			if (wanted.includes(title)) cols[cell.getAttribute('data-col-index')] = title;
		});
		const cut = [];
		// every header shows its whole label
		document.querySelectorAll('.dt-row-header .dt-cell--header .dt-cell__content').forEach((content) => {
			if (content.scrollWidth > content.clientWidth + 1) cut.push(`header: ${content.innerText.trim()} (${content.scrollWidth} > ${content.clientWidth})`);
		});
		document.querySelectorAll('.dt-scrollable .dt-row').forEach((row) => {
			for (const [index, title] of Object.entries(cols)) {
				const content = row.querySelector(`.dt-cell[data-col-index="${index}"] .dt-cell__content`);
				if (content && content.scrollWidth > content.clientWidth + 1) {
					cut.push(`${title}: ${content.innerText.trim()} (${content.scrollWidth} > ${content.clientWidth})`);
				}
			}
		});
		return [Object.keys(cols).length, cut];""",
		list(WHOLE),
	)


def test_names_documents_and_dates_show_whole_at_1440_and_a_print_says_how_many_labels(
	desk, api, cleanup, uid
):
	"""At 1440 x 900 the item's current name shows, and no name, document or date is cut; Print labels
	says how many labels on how many sheets before it prints."""
	name = api.get("Item", PHONE)["item_name"]
	codes = [f"SRW-{uid}-{n}" for n in (1, 2, 3)]
	receipt = receive(api, cleanup, [(PHONE, codes)])
	size = desk.driver.get_window_size()
	desk.driver.set_window_size(1440, 900)
	api.call(
		"frappe.client.set_value",
		doctype="Item",
		name=PHONE,
		fieldname="item_name",
		value="Phone X200 128 GB, midnight black",
	)
	try:
		desk.open(REPORT)
		desk.wait(
			lambda d: d.execute_script("return !!(window.frappe.query_report && frappe.query_report.filters)")
		)
		field = desk.find('.page-form [data-fieldname="serial_no"] input')
		field.send_keys(f"SRW-{uid}-*", Keys.TAB)
		shown = wait_rows(desk, codes, "the prefix did not show the three serials")
		assert {r[2] for r in shown} == {"Phone X200 128 GB, midnight black"}, shown
		assert {r[6] for r in shown} == {receipt}, shown
		columns, cut = cut_cells(desk)
		assert columns == len(WHOLE) and cut == [], cut
		desk.snap("search-report-1440")
		desk.readme_shot("serial-number-search.png")

		desk.click(button(desk, "Print labels"))
		dialog = desk.dialog("Print SN labels")
		desk.pick_link(dialog.find_element(By.CSS_SELECTOR, '[data-fieldname="layout"] input'), "A4 4 x 12")
		said = desk.wait(
			lambda d: (
				"on 1 sheet" in desk.text_of(".sn-label-count", dialog)
				and desk.text_of(".sn-label-count", dialog)
			),
			"the dialog did not say how many labels",
		)
		assert said == "3 labels on 1 sheet (48 a sheet).", said
		desk.snap("search-report-labels-count")
	finally:
		api.call("frappe.client.set_value", doctype="Item", name=PHONE, fieldname="item_name", value=name)
		desk.driver.set_window_size(size["width"], size["height"])
