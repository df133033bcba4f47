"""A stock keeper working in Chinese, and one in Arabic (right to left): the SN dialog, the search
report and the Serial Number form show no English word the app owns, and nothing is cut off or
laid out left to right."""

import re

import pytest

pytest.importorskip("selenium")

from tests.browser.conftest import USER
from tests.browser.desk import Desk
from tests.browser.steps import COMPANY, CUSTOMER, MAIN, PHONE, SUPPLIER, receipt_row, receive

#: Words that stay as they are in every language: the product's and the trade's acronyms.
KEPT = set("SN IMEI IMEISV GS1 GTIN QR PDF ZPL AMC POS ERPNext ID RE2 xlsx CSV".split())
_CODE_LIKE = re.compile(r"[A-Za-z0-9]*[0-9\-_/.:][A-Za-z0-9\-_/.:]*")  # names, codes, dates, numbers
_WORD = re.compile(r"[A-Za-z]{2,}")

#: Visible text of the elements matched by ``arguments[0]``, one entry per text node (inputs' values
#: are not text nodes: what the user typed is not the app's words).
TEXTS = """
// A field's .tooltip-content is its fieldname, shown to a developer on hover; a link field's
// (closed) list of suggestions and the words only a screen reader reads are Frappe's.
const out = [];
for (const root of document.querySelectorAll(arguments[0])) {
	if (!root.offsetParent && getComputedStyle(root).position !== "fixed") continue;
	const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
	while (walker.nextNode()) {
		const node = walker.currentNode;
		const el = node.parentElement;
		const text = node.textContent.trim();
		if (!text || !el || el.closest("script, style, .hidden, [hidden], .visually-hidden, .sr-only, .tooltip-content, .awesomplete > ul")) continue;
		const box = el.getBoundingClientRect();
		if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
		out.push(text);
	}
}
return out;
"""

#: Elements within ``arguments[0]`` whose text is wider than they are (cut off), and whether the
#: page is laid out right to left.
CUT = """
const cut = [];
for (const root of document.querySelectorAll(arguments[0])) {
	for (const el of root.querySelectorAll("*")) {
		if (!el.offsetParent || el.children.length || !el.textContent.trim()) continue;
		const style = getComputedStyle(el);
		if (style.overflowX === "visible" && style.textOverflow !== "ellipsis") continue;
		if (el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim());
	}
}
return cut;
"""


def english_left(texts: list[str], data: list[str]) -> list[str]:
	"""The texts that still hold an English word once the data shown (names, codes, dates) is
	taken out."""
	left = []
	for text in texts:
		rest = text
		for value in sorted(data, key=len, reverse=True):
			rest = rest.replace(value, " ")
		rest = _CODE_LIKE.sub(" ", rest)
		if any(word not in KEPT for word in _WORD.findall(rest)):
			left.append(text)
	return left


@pytest.fixture(params=["zh", "ar"])
def language(request, desk: Desk, api):
	"""The user works in ``request.param`` for the test, in English again afterwards."""
	lang = request.param
	api.call("frappe.client.set_value", doctype="User", name=USER, fieldname="language", value=lang)
	try:
		desk.open("/app")
		assert desk.js("return frappe.boot.lang") == lang
		yield lang
	finally:
		api.call("frappe.client.set_value", doctype="User", name=USER, fieldname="language", value="en")
		desk.open("/app")


def _data(api, *extra) -> list[str]:
	item = api.get("Item", PHONE)
	return [PHONE, item["item_name"], MAIN, COMPANY, CUSTOMER, SUPPLIER, USER, *extra]


def _laid_out(desk: Desk, lang: str, scope: str, data: list[str], what: str):
	texts = desk.js(TEXTS, scope)
	assert texts, f"{what}: nothing shown"
	assert not english_left(texts, data), f"{what} in {lang} still shows English: {english_left(texts, data)}"
	assert not desk.js(CUT, scope), f"{what} in {lang} cuts off: {desk.js(CUT, scope)}"
	direction = desk.js("return getComputedStyle(document.body).direction")
	assert direction == ("rtl" if lang == "ar" else "ltr"), f"{what} in {lang} is laid out {direction}"


def _right_to_left(desk: Desk, scope: str, what: str):
	"""In Arabic a field's label starts at the right, over its input's right edge."""
	edges = desk.js(
		"""const out = [];
		for (const control of document.querySelectorAll(arguments[0] + " .frappe-control")) {
			const label = control.querySelector(".control-label"), input = control.querySelector("input, textarea");
			if (!label || !input || !label.offsetParent || !input.offsetParent || !label.textContent.trim()) continue;
			const l = label.getBoundingClientRect(), i = input.getBoundingClientRect();
			out.push([label.textContent.trim(), Math.round(i.right - l.right), Math.round(l.left - i.left)]);
		}
		return out;""",
		scope,
	)
	assert edges, f"{what}: no labelled field"
	for label, gap_right, gap_left in edges:
		assert gap_right <= 20 < gap_left or gap_left < 0, f"{what}: {label} is not at its field's right"


def test_the_sn_dialog_speaks_the_users_language(desk: Desk, api, language):
	row = receipt_row(desk, 2)
	button = desk.find('[data-fieldname="sn_button"] button', within=row, message="no SN button on the row")
	desk.click(button)
	dialog = desk.wait(lambda d: desk.visible(".modal.show"), "the SN dialog did not open")
	desk.type_code(dialog, "codes", "ZH-AR-1")
	desk.wait(lambda d: "1" in desk.text_of(".modal.show .modal-content"), "the dialog did not count")
	desk.idle()
	desk.snap(f"l1-sn-dialog-{language}")
	_laid_out(desk, language, ".modal.show .modal-content", _data(api, "ZH-AR-1"), "the SN dialog")
	if language == "ar":
		_right_to_left(desk, ".modal.show", "the SN dialog")


def test_the_search_report_speaks_the_users_language(desk: Desk, api, cleanup, uid, language):
	code = f"STL-{uid}-{language}"
	receive(api, cleanup, [(PHONE, [code])])
	desk.open(f"/app/query-report/Serial Number Search?serial_no={code}")
	desk.wait(
		lambda d: desk.js("return document.querySelectorAll('.dt-scrollable .dt-row').length") >= 1,
		"the report shows no row",
	)
	desk.idle()
	desk.snap(f"l2-search-report-{language}")
	scope = ".page-head .title-area, .page-form .frappe-control, .report-summary, .dt-header, .dt-scrollable"
	receipt = api.list("Serial Number", [["name", "=", code]], ["voucher_no"])[0]["voucher_no"]
	_laid_out(desk, language, scope, _data(api, code, receipt), "the search report")


def test_the_serial_number_form_speaks_the_users_language(desk: Desk, api, cleanup, uid, language):
	code = f"STL-{uid}-{language}"
	receive(api, cleanup, [(PHONE, [code])])
	desk.open_form("Serial Number", code)
	desk.wait(lambda d: desk.visible(".page-head .indicator-pill"), "no status on the form")
	desk.idle()
	desk.snap(f"l3-serial-number-form-{language}")
	receipt = api.list("Serial Number", [["name", "=", code]], ["voucher_no"])[0]["voucher_no"]
	scope = ".page-head .title-area, .page-head .page-actions, .form-layout .form-page"
	_laid_out(desk, language, scope, _data(api, code, receipt), "the Serial Number form")
	if language == "ar":
		_right_to_left(desk, ".form-layout", "the Serial Number form")
