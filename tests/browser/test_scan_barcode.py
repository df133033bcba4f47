"""ERPNext's own Scan Barcode field takes SN codes: a receipt and a delivery done by scanning alone."""

import os

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.steps import CUSTOMER, MAIN, SUPPLIER, item


def scan(desk, text: str, answered: str | None = None, poll: float = 0.5):
	"""Type ``text`` into Scan Barcode and press Enter, as a scanner does; wait for the answer, looking
	every ``poll`` seconds (the timing looks often, so that the wait does not make its figures)."""
	before = desk.js(
		"serial_tracking.scan_barcode.last = null; return serial_tracking.scan_barcode.answers || 0"
	)
	field = desk.form_input("scan_barcode")
	field.send_keys(text, Keys.ENTER)
	WebDriverWait(desk.driver, desk.timeout, poll_frequency=poll).until(
		lambda d: desk.js("return (serial_tracking.scan_barcode.answers || 0)") > before,
		f"no answer to the scan of {text}",
	)
	if answered:
		# What this scan's answer said (an alert of an earlier scan may still be on the screen).
		said = desk.js("return (serial_tracking.scan_barcode.last || {}).message || null")
		rows = desk.js("return cur_frm.doc.items.map((r) => [r.item_code, r.qty, r.warehouse, r.sn_codes])")
		assert said and answered in said, f"the scan of {text} said {said!r}, not {answered!r}; rows: {rows}"


def tracked_item(api, cleanup, uid: str) -> tuple[str, str]:
	"""An SN-tracked item with a barcode of its own, kept on the site (ERPNext deletes no item that a
	cancelled document names)."""
	code = "ST-SCAN"
	if not api.get("Item", code):
		item(api, code, sn_tracking=1, barcodes=[{"barcode": "ST-SCAN-BAR", "barcode_type": ""}])
	return code, "ST-SCAN-BAR"


def save_shot(desk, name: str, readme: bool = False):
	"""A step's screenshot (``ST_BROWSER_STEPS``); the README's (``readme``) is written to docs/screenshots
	only when ``ST_README_SHOTS`` is set."""
	if readme:
		desk.readme_shot(name)
	desk.snap(name.removesuffix(".png"))


def test_receive_five_and_sell_two_by_scanning_only(desk, api, cleanup, uid):
	code, bar = tracked_item(api, cleanup, uid)
	units = [f"SC-{uid}-{n}" for n in range(1, 6)]

	desk.new_form("Purchase Receipt")
	desk.pick_link(desk.form_input("supplier"), SUPPLIER)
	desk.pick_link(desk.form_input("set_warehouse"), MAIN)
	scan(desk, bar, "selected")
	for unit in units:
		scan(desk, unit, f"{unit} added")
	doc = desk.doc()
	rows = [r for r in doc["items"] if r.get("item_code")]
	assert [(r["item_code"], r["qty"], r["warehouse"]) for r in rows] == [(code, 5, MAIN)]
	assert rows[0]["sn_codes"].split() == units
	save_shot(desk, "scan-receipt.png")
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Purchase Receipt", desk.doc()["name"]))
	assert desk.submit(), desk.message_text()
	desk.close_dialogs()

	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	for unit in units[:2]:
		scan(desk, unit, f"{unit} added")
	# A code already in the document is refused, saying why, and adds nothing.
	scan(desk, units[0], f"{units[0]} is already on row 1")
	rows = [r for r in desk.doc()["items"] if r.get("item_code")]
	assert [(r["item_code"], r["qty"], r["warehouse"]) for r in rows] == [(code, 2, MAIN)]
	assert rows[0]["sn_codes"].split() == units[:2]
	save_shot(desk, "scan-delivery.png", readme=True)
	desk.save()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Delivery Note", desk.doc()["name"]))
	assert desk.submit(), desk.message_text()
	desk.close_dialogs()
	sold = api.list("Serial Number", {"name": ["in", units]}, ("name", "status"))
	assert sorted((s["name"], s["status"]) for s in sold) == sorted(
		[(u, "Sold") for u in units[:2]] + [(u, "In Stock") for u in units[2:]]
	)


def test_a_refused_scan_says_why(desk, api, cleanup, uid):
	code, _bar = tracked_item(api, cleanup, uid)
	desk.new_form("Delivery Note")
	desk.pick_link(desk.form_input("customer"), CUSTOMER)
	beeps = desk.js("return serial_tracking.beeps || 0")
	unknown = f"SC-{uid}-NONE"
	# A code of no unit names no item: ERPNext's scanner answers it, as before.
	scan(desk, unknown)
	desk.wait(
		lambda d: "Cannot find Item with this Barcode" in desk.text_of(".desk-alert"), "no ERPNext alert"
	)
	units = [f"SC-{uid}-S"]
	from tests.browser.steps import deliver, receive

	receive(api, cleanup, [(code, units)])
	deliver(api, cleanup, [(code, units)])
	scan(desk, units[0], f"{units[0]} is not in stock: it is Sold")
	assert desk.js("return serial_tracking.beeps || 0") > beeps
	assert not [r for r in desk.doc()["items"] if r.get("sn_codes")]


#: Installed in the page: the moment of each Enter in Scan Barcode, and of each alert Desk shows after
#: it, by the page's own clock (so that the driver's round trips are not counted).
_CLOCK = """
window.st_scan_clock = {enter: null, shown: []};
document.addEventListener("keydown", (e) => {
	if (e.key === "Enter" && e.target.closest('[data-fieldname="scan_barcode"]'))
		window.st_scan_clock.enter = performance.now();
}, true);
new MutationObserver((changes) => {
	const clock = window.st_scan_clock;
	for (const change of changes)
		for (const node of change.addedNodes)
			if (node.nodeType === 1 && node.matches(".desk-alert, .desk-alert *") && clock.enter !== null)
				clock.shown.push(performance.now() - clock.enter);
}).observe(document.body, {childList: true, subtree: true});
"""


@pytest.mark.skipif(not os.environ.get("ST_SCAN_BENCHMARK"), reason="ST_SCAN_BENCHMARK not set: timing only")
@pytest.mark.parametrize("present", [1, 100, 1000])
def test_time_from_scan_to_answer(desk, api, cleanup, uid, present):
	"""Time from Enter in Scan Barcode to the answer on screen (Desk's alert of the scan, the row's codes
	and quantity set before it), with ``present`` codes already in the row (a receipt: no unit is read
	from the ledger), by the page's clock; prints the median and 95th percentile."""
	code, bar = tracked_item(api, cleanup, uid)
	desk.new_form("Purchase Receipt")
	desk.pick_link(desk.form_input("supplier"), SUPPLIER)
	desk.pick_link(desk.form_input("set_warehouse"), MAIN)
	scan(desk, bar, "selected")
	desk.js(
		"const r = cur_frm.doc.items.find((r) => r.item_code === arguments[0]);"
		"r.sn_codes = arguments[1].join('\\n'); r.qty = r.stock_qty = arguments[1].length;",
		code,
		[f"SP-{uid}-{n}" for n in range(present)],
	)
	desk.js(_CLOCK)
	times = []
	for n in range(20):
		desk.js("window.st_scan_clock.shown = []")
		scan(desk, f"SQ-{uid}-{n}", f"SQ-{uid}-{n}")
		shown = desk.js("return window.st_scan_clock.shown")
		assert shown, f"no alert seen for the scan of SQ-{uid}-{n}"
		times.append(shown[0])
	rows = desk.js("return cur_frm.doc.items.find((r) => r.item_code === arguments[0]).sn_codes", code)
	assert len(rows.split()) == present + 20
	times.sort()
	print(f"\n{present} codes: median {times[len(times) // 2]:.0f} ms, p95 {times[18]:.0f} ms")
