"""The cancellation planner in Desk: "Show what blocks" on a receipt whose codes were sold since,
then "Cancel all, latest first"; the button only where something blocks, and a document a count
made naming its count."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import MODAL, Desk
from tests.browser.steps import COMPANY, MAIN, PHONE, deliver, receive

BLOCKS = (
	'.page-actions button[data-label="Show%20what%20blocks"],'
	' .inner-group-button [data-label="Show%20what%20blocks"]'
)
TRACE = '.page-actions button[data-label="Trace%20SN%20codes"]'
#: How many listeners the page has for the progress of background cancellations.
LISTENERS = (
	"const socket = frappe.realtime.socket;"
	" return socket ? socket.listeners('serial_tracking_cancel_chain').length : -1"
)
#: The integration tests' second warehouse (tests/integration/factory.py).
SHOP = "ST Shop - WP"


def test_show_what_blocks_then_cancel_all_latest_first(desk: Desk, api, cleanup, uid):
	first, second = f"STC-{uid}-1", f"STC-{uid}-2"
	receipt = receive(api, cleanup, [(PHONE, [first, second])])
	sold_first = deliver(api, cleanup, [(PHONE, [first])])
	sold_second = deliver(api, cleanup, [(PHONE, [second])])

	desk.open_form("Purchase Receipt", receipt)
	button = desk.find(BLOCKS, message="no Show what blocks button")
	desk.click(button)
	dialog = desk.dialog(f"What blocks cancelling {receipt}")
	rows = dialog.find_elements(By.CSS_SELECTOR, "tr.sn-chain-row")
	cells = [[td.text.strip() for td in row.find_elements(By.CSS_SELECTOR, "td")] for row in rows]
	# Latest first, the receipt last; each sale holds the receipt back by the code it sold.
	assert [c[0] for c in cells] == ["1", "2", "3"]
	assert [c[1] for c in cells] == [
		f"Delivery Note {sold_second}",
		f"Delivery Note {sold_first}",
		f"Purchase Receipt {receipt} (this document)",
	]
	assert cells[0][3] == f"Purchase Receipt {receipt}: {second}"
	assert cells[1][3] == f"Purchase Receipt {receipt}: {first}"
	desk.snap("c1-what-blocks")

	# a destructive action: red, and its confirmation says how many documents it cancels
	cancel_all = dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-danger")
	assert cancel_all.text.strip() == "Cancel all, latest first"
	assert not dialog.find_elements(By.CSS_SELECTOR, ".modal-footer .btn-primary:not(.hide)")
	desk.click(cancel_all)
	confirm = _confirmation(desk)
	assert confirm.find_element(By.CSS_SELECTOR, ".modal-title").text.strip() == "Cancel 3 documents?"
	assert "Cancel these 3 documents, latest first" in confirm.text
	yes = confirm.find_element(By.CSS_SELECTOR, ".modal-footer .btn-danger")
	assert yes.text.strip() == "Cancel 3 documents"
	desk.snap("c1-confirm-cancel-all")
	desk.click(yes)
	message = desk.wait(lambda d: desk.message_dialog(), "no outcome shown")
	assert f"Delivery Note {sold_second}: cancelled" in message.text
	assert f"Purchase Receipt {receipt}: cancelled" in message.text
	desk.snap("c2-cancelled-all")
	desk.wait(
		lambda d: d.execute_script("return cur_frm.doc.docstatus === 2"), "the receipt is not cancelled"
	)
	for doctype, name in (
		("Delivery Note", sold_second),
		("Delivery Note", sold_first),
		("Purchase Receipt", receipt),
	):
		assert api.get(doctype, name)["docstatus"] == 2
	desk.close_dialogs()


def _confirmation(desk: Desk):
	return desk.wait(
		lambda d: next(
			(
				m
				for m in d.find_elements(By.CSS_SELECTOR, MODAL)
				if m.is_displayed() and "latest first, through their own cancel" in m.text
			),
			None,
		),
		"no confirmation asked",
	)


def test_a_refused_cancel_offers_show_what_blocks(desk: Desk, api, cleanup, uid):
	"""Cancelling a receipt whose code was sold since is refused; the refusal offers the planner."""
	code = f"STR-{uid}-1"
	receipt = receive(api, cleanup, [(PHONE, [code])])
	sale = deliver(api, cleanup, [(PHONE, [code])])

	desk.open_form("Purchase Receipt", receipt)
	_asked(desk)
	desk.js("cur_frm.savecancel()")
	desk.click(desk.find(f"{MODAL} .modal-footer .btn-primary", message="no Permanently Cancel asked"))
	refusal = desk.wait(lambda d: desk.message_dialog(), "the cancel was not refused")
	assert "Cancel later documents first" in refusal.text and sale in refusal.text
	offered = desk.wait(
		lambda d: next(
			(
				b
				for b in refusal.find_elements(By.CSS_SELECTOR, ".modal-footer .btn-primary")
				if b.is_displayed() and b.text.strip() == "Show what blocks"
			),
			None,
		),
		"the refusal offers no Show what blocks",
	)
	desk.snap("c0-refused-cancel")
	desk.click(offered)
	dialog = desk.dialog(f"What blocks cancelling {receipt}")
	rows = dialog.find_elements(By.CSS_SELECTOR, "tr.sn-chain-row")
	assert [r.find_elements(By.CSS_SELECTOR, "td")[1].text.strip() for r in rows] == [
		f"Delivery Note {sale}",
		f"Purchase Receipt {receipt} (this document)",
	]
	assert desk.message_dialog() is None, "the refusal stays open over the planner"
	desk.close_dialogs()
	assert api.get("Purchase Receipt", receipt)["docstatus"] == 1


def _asked(desk: Desk):
	"""The form's own buttons shown and its question about what blocks it answered."""
	desk.find(TRACE, message="no Trace SN codes button")
	desk.idle()


def test_the_button_shows_only_when_something_blocks(desk: Desk, api, cleanup, uid):
	first, second = f"STB-{uid}-1", f"STB-{uid}-2"
	receipt = receive(api, cleanup, [(PHONE, [first, second])])
	desk.open_form("Purchase Receipt", receipt)
	_asked(desk)
	assert desk.visible(BLOCKS) is None, "Show what blocks on a document nothing blocks"
	sale = deliver(api, cleanup, [(PHONE, [first])])
	desk.open_form("Delivery Note", sale)
	_asked(desk)
	assert desk.visible(BLOCKS) is None, "Show what blocks on the latest document"
	desk.open_form("Purchase Receipt", receipt)
	desk.js("cur_frm.reload_doc()")
	desk.find(BLOCKS, message="no Show what blocks button once a sale moved a code")
	assert desk.message_dialog() is None


def test_a_document_a_count_made_names_its_count_and_shows_no_error(desk: Desk, api, cleanup, uid):
	here, there = f"STK-{uid}-1", f"STK-{uid}-2"
	receive(api, cleanup, [(PHONE, [here])])
	moved = api.insert(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Transfer",
			"company": COMPANY,
			"items": [
				{
					"item_code": PHONE,
					"qty": 1,
					"s_warehouse": MAIN,
					"t_warehouse": SHOP,
					"conversion_factor": 1,
					"sn_codes": here,
				}
			],
		}
	)
	cleanup.append(("Stock Entry", moved["name"]))
	api.submit("Stock Entry", moved["name"])
	receive(api, cleanup, [(PHONE, [there])])
	count = api.insert({"doctype": "Serial Count", "warehouse": MAIN, "items": [{"item_code": PHONE}]})
	cleanup.append(("Serial Count", count["name"]))
	# The unit at the shop is scanned here: posting makes a transfer of it.
	api.call("serial_tracking.api.count_scan", count=count["name"], text=f"{here}\n{there}")
	api.call("serial_tracking.api.post_count", count=count["name"])
	made = [
		(d["document_type"], d["document_name"]) for d in api.get("Serial Count", count["name"])["documents"]
	]
	# Cleaned up after the count, whose cancel cancels them.
	at = cleanup.index(("Serial Count", count["name"]))
	cleanup[at:at] = made
	transfer = next(name for doctype, name in made if doctype == "Stock Entry")

	desk.open_form("Stock Entry", transfer)
	_asked(desk)
	comment = desk.wait(
		lambda d: "Made by Serial Count" in desk.text_of(".form-message") and desk.visible(".form-message"),
		"the form does not say the count made it",
	)
	assert f"Made by Serial Count {count['name']}: cancelling the count cancels it." in comment.text
	assert desk.message_dialog() is None, "an error is shown on a document a count made"
	assert desk.visible(BLOCKS) is None


def _run_job_of(site: str, voucher_type: str, voucher_no: str, check: bool = True) -> None:
	"""Run the queued job cancelling this document's chain as Frappe's worker runs it, in a process
	of the bench serving the site (the bench of this Python); ``check``: it must have been queued."""
	code = (
		"import sys; sys.path.insert(0, sys.argv[1]); import frappe;"
		" frappe.init(sys.argv[2], sites_path='.'); frappe.connect();"
		" from frappe.utils.background_jobs import create_job_id;"
		" from serial_tracking.stock import cancel_planner;"
		" from tests.integration.jobs import queued_job, run_as_a_worker;"
		" run_as_a_worker(queued_job(create_job_id(cancel_planner._job_id((sys.argv[3], sys.argv[4])))))"
	)
	repo = str(Path(__file__).resolve().parents[2])
	sites = Path(sys.prefix).parent / "sites"
	ran = subprocess.run(
		[sys.executable, "-c", code, repo, site, voucher_type, voucher_no],
		cwd=sites,
		capture_output=True,
		text=True,
		timeout=300,
	)
	assert ran.returncode == 0 or not check, ran.stderr[-3000:]


def test_a_long_chain_shows_its_progress_then_its_jobs_report(desk: Desk, api, cleanup, uid):
	"""Past 20 documents the chain goes to a background job: the form shows its progress, then the
	report once the job (run here as a worker runs it) is done, and forgets it."""
	codes = [f"STJ-{uid}-{n:02}" for n in range(21)]
	receipt = receive(api, cleanup, [(PHONE, codes)])
	for code in codes:
		deliver(api, cleanup, [(PHONE, [code])])

	desk.open_form("Purchase Receipt", receipt)
	site = desk.js("return frappe.boot.sitename")
	ran = False
	try:
		desk.click(desk.find(BLOCKS, message="no Show what blocks button"))
		dialog = desk.dialog(f"What blocks cancelling {receipt}")
		desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-danger"))
		confirm = _confirmation(desk)
		desk.click(confirm.find_element(By.CSS_SELECTOR, ".modal-footer .btn-danger"))
		progress = desk.wait(
			lambda d: next(
				(
					m
					for m in d.find_elements(By.CSS_SELECTOR, MODAL)
					if m.is_displayed() and "Cancelling, latest first" in m.text
				),
				None,
			),
			"no progress shown",
		)
		assert "0 of 22 documents" in progress.text
		assert desk.js(LISTENERS) == 1, "the job's progress is not listened to"
		remembered = "return Object.keys(localStorage).filter((k) => k.includes('cancel_chain'))"
		assert desk.js(remembered) == [f"serial_tracking:cancel_chain:Purchase Receipt:{receipt}"]
		assert api.get("Purchase Receipt", receipt)["docstatus"] == 1

		_run_job_of(site, "Purchase Receipt", receipt)
		ran = True
		report = desk.wait(lambda d: desk.message_dialog(), "the job's report is not shown", timeout=30)
		assert f"Purchase Receipt {receipt}: cancelled" in report.text
		desk.snap("c3-long-chain-cancelled")
		desk.wait(lambda d: desk.js("return cur_frm.doc.docstatus === 2"), "the receipt is not cancelled")
		assert desk.js(remembered) == []
		assert desk.js(LISTENERS) == 0, "the job's listener is left behind"
	finally:
		# a job the test queued is never left behind in the queue
		if not ran:
			_run_job_of(site, "Purchase Receipt", receipt, check=False)
