"""Documents too big to post within a web request, in Desk: a receipt submitted on its form is saved
and submitted by a background job, then cancelled by another; a Serial Count is posted by one.

The served site is told to post at most 3 rows in a request (``serial_tracking_rows_in_request`` in
its site_config.json, for each test, put back as it was afterwards), so documents of 4 rows go to a
job. The job is run here as Frappe's worker runs it, in a process of the bench serving the site;
the form follows it by itself (it asks every 5 s: the development server sends no realtime
messages), then is reloaded.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("selenium")

from tests.browser.desk import MODAL, Desk
from tests.browser.steps import COMPANY, LAPTOP, MAIN, PHONE

PLAIN = "ST-PLAIN"
#: The integration tests' second warehouse (tests/integration/factory.py).
SHOP = "ST Shop - WP"
#: The rows the served site posts in a request, during these tests.
ROWS = 3
KEY = "serial_tracking_rows_in_request"
HEADLINE = ".form-layout .form-message"
CANCEL = '.page-head .page-actions button.btn-secondary[data-label="Cancel"]'
SCAN_BOX = '.frappe-control[data-fieldname="scan_html"] input.sn-count-input'
#: A job's last word, or a refusal, shown on the form within this many seconds (it asks every 5 s).
FOLLOWED = 30


def _on_site(site: str, code: str, *args: str, check: bool = True) -> str:
	"""Run ``code`` in a process of the bench serving the site (the bench of this Python), with this
	checkout first on its path and the site connected; its output."""
	repo = str(Path(__file__).resolve().parents[2])
	prelude = (
		"import sys; sys.path.insert(0, sys.argv[1]); import frappe;"
		" frappe.init(sys.argv[2], sites_path='.'); frappe.connect(); args = sys.argv[3:];"
	)
	ran = subprocess.run(
		[sys.executable, "-c", prelude + code, repo, site, *args],
		cwd=Path(sys.prefix).parent / "sites",
		capture_output=True,
		text=True,
		timeout=300,
	)
	assert ran.returncode == 0 or not check, ran.stderr[-3000:]
	return ran.stdout


def _run_job(site: str, doctype: str, name: str, action: str, check: bool = True) -> None:
	"""Run the queued job that submits or cancels the document as Frappe's worker runs it;
	``check``: it must have been queued."""
	_on_site(
		site,
		"from frappe.utils.background_jobs import create_job_id;"
		" from serial_tracking.stock import background;"
		" from tests.integration.jobs import queued_job, run_as_a_worker;"
		" run_as_a_worker(queued_job(create_job_id(background.job_id(*args))))",
		doctype,
		name,
		action,
		check=check,
	)


#: Set the site's own setting (absent: "None" removes it) and print what it was.
_SET = (
	" import json; from frappe.installer import update_site_config;"
	" print(json.dumps(frappe.get_file_json(frappe.get_site_path('site_config.json')).get(args[0])));"
	" update_site_config(args[0], json.loads(args[1]))"
)


@pytest.fixture
def small_requests(logged_in, cleanup):
	"""The served site posts at most 3 rows in a request during the test; its setting as it was
	afterwards, before the test's documents are cleaned up (a cleanup in requests of 200 rows)."""
	site = logged_in.js("return frappe.boot.sitename")
	before = json.loads(_on_site(site, _SET, KEY, json.dumps(ROWS)).strip().splitlines()[-1])
	try:
		yield site
	finally:
		_on_site(site, _SET, KEY, json.dumps("None" if before is None else before))


def _told(desk: Desk, title: str) -> str:
	"""The text of Desk's message titled ``title``, then closed."""
	dialog = desk.wait(lambda d: desk.message_dialog(), f"no message {title!r}", timeout=60)
	desk.idle()
	text = dialog.text
	assert text.splitlines()[0].strip() == title, text
	desk.snap(f"bg-{title.lower().replace(' ', '-')}")

	def closed(_):
		# Closed again until it goes: a dialog still sliding in ignores being closed.
		if desk.message_dialog() is None:
			return True
		desk.close_dialogs()
		return False

	desk.wait(closed, "the message stayed open")
	return text


def _headline(desk: Desk) -> str:
	return desk.text_of(HEADLINE).strip()


def _row(item: str, codes: list[str] | None = None, warehouse: str = MAIN) -> dict:
	row = {"item_code": item, "qty": len(codes or [1]), "basic_rate": 100, "conversion_factor": 1}
	return {**row, "t_warehouse": warehouse, **({"sn_codes": "\n".join(codes)} if codes else {})}


def _receipt(api, cleanup, rows: list[dict], submit: bool = True) -> str:
	doc = api.insert(
		{"doctype": "Stock Entry", "stock_entry_type": "Material Receipt", "company": COMPANY, "items": rows}
	)
	cleanup.append(("Stock Entry", doc["name"]))
	if submit:
		api.submit("Stock Entry", doc["name"])
	return doc["name"]


def test_a_receipt_of_4_rows_is_submitted_then_cancelled_by_background_jobs(
	desk: Desk, api, cleanup, small_requests, uid
):
	site = small_requests
	code = f"STG-{uid}-1"
	name = _receipt(api, cleanup, [_row(PHONE, [code])] + [_row(PLAIN)] * 3, submit=False)
	left = {"submit", "cancel"}
	try:
		desk.open_form("Stock Entry", name)
		# ERPNext fills in some of an entry's values as its form opens: saved first, as a person would.
		if desk.js("return cur_frm.is_dirty()"):
			desk.save()
		assert not desk.submit()
		text = _told(desk, "Submitting in the background")
		assert f"Stock Entry {name} has 4 rows: it is saved and is being submitted in the background" in text
		# Saved, locked, and saying so where Desk says "Submit this document to confirm".
		assert api.get("Stock Entry", name)["docstatus"] == 0
		assert api.get("Serial Number", code) is None
		assert _headline(desk) == "Being submitted in the background; this form updates when it is done."
		assert desk.visible(".page-head .primary-action") is None, "Submit offered while its job waits"
		desk.snap("bg-receipt-waiting-for-its-job")

		_run_job(site, "Stock Entry", name, "submit")
		left.discard("submit")
		desk.wait(lambda d: desk.js("return cur_frm.doc.docstatus") == 1, "the form did not follow", FOLLOWED)
		desk.wait(lambda d: "is submitted" in desk.text_of(".desk-alert"), "the job's end is not told")
		desk.open_form("Stock Entry", name)
		assert desk.text_of(".page-head .indicator-pill") == "Submitted"
		assert "in the background" not in _headline(desk)
		assert api.get("Serial Number", code)["status"] == "In Stock"

		desk.click(desk.find(CANCEL, message="no Cancel button"))
		desk.click(desk.find(f"{MODAL} .modal-footer .btn-primary", message="cancelling is not confirmed"))
		text = _told(desk, "Cancelling in the background")
		assert f"Stock Entry {name} has 4 rows: it is being cancelled in the background" in text
		assert api.get("Stock Entry", name)["docstatus"] == 1
		assert _headline(desk) == "Being cancelled in the background; this form updates when it is done."
		assert desk.visible(CANCEL) is None, "Cancel offered while its job waits"

		_run_job(site, "Stock Entry", name, "cancel")
		left.discard("cancel")
		desk.wait(lambda d: desk.js("return cur_frm.doc.docstatus") == 2, "the form did not follow", FOLLOWED)
		desk.open_form("Stock Entry", name)
		assert desk.text_of(".page-head .indicator-pill") == "Cancelled"
		assert api.get("Serial Number", code) is None
	finally:
		# a job the test queued is never left behind in the queue
		for action in sorted(left):
			_run_job(site, "Stock Entry", name, action, check=False)


def test_a_count_too_big_for_a_request_is_posted_by_one_job(desk: Desk, api, cleanup, small_requests, uid):
	site = small_requests
	here = {PHONE: f"STH-{uid}-P", LAPTOP: f"STH-{uid}-L"}
	away = {PHONE: f"STA-{uid}-P", LAPTOP: f"STA-{uid}-L"}
	_receipt(api, cleanup, [_row(item, [code]) for item, code in here.items()])
	_receipt(api, cleanup, [_row(item, [code], SHOP) for item, code in away.items()])
	count = api.insert(
		{"doctype": "Serial Count", "warehouse": MAIN, "items": [{"item_code": PHONE}, {"item_code": LAPTOP}]}
	)["name"]
	cleanup.append(("Serial Count", count))
	# Two items counted and units of each found here that the ledger has at the shop: 4 rows to post.
	api.call("serial_tracking.api.count_scan", count=count, text="\n".join([*here.values(), *away.values()]))
	queued = False
	try:
		desk.open_form("Serial Count", count)
		desk.find(SCAN_BOX, message="no scan box on a draft count")
		assert _headline(desk) == "Scan the units below, then Post."
		desk.primary_action("Post")
		desk.click(desk.find(f"{MODAL} .modal-footer .btn-primary", message="posting is not confirmed"))
		queued = True
		text = _told(desk, "Posting in the background")
		assert (
			f"Serial Count {count} is too big to post at once: it is being posted in the background" in text
		)
		desk.wait(
			lambda d: desk.js("return cur_frm.doc.status") == "Posting", "the form does not say Posting"
		)
		desk.idle()
		assert _headline(desk) == "Being posted in the background; this form updates when it is done."
		assert desk.visible(SCAN_BOX) is None, "a scan box on a count being posted"
		assert desk.visible(".page-head .primary-action") is None, "Post or Submit offered while posting"
		assert (api.get("Serial Count", count)["docstatus"], api.get("Serial Count", count)["status"]) == (
			0,
			"Posting",
		)
		desk.snap("bg-count-posting")

		_run_job(site, "Serial Count", count, "submit")
		queued = False
		desk.wait(
			lambda d: desk.js("return [cur_frm.doc.docstatus, cur_frm.doc.status]") == [1, "Posted"],
			"the form did not follow",
			FOLLOWED,
		)
		desk.open_form("Serial Count", count)
		assert desk.js("return cur_frm.doc.status") == "Posted"
		assert "in the background" not in _headline(desk)
		assert desk.visible(SCAN_BOX) is None
	finally:
		if queued:
			# a job the test queued is never left behind in the queue
			_run_job(site, "Serial Count", count, "submit", check=False)
		made = api.get("Serial Count", count)["documents"]
		# Cleaned up after the count, whose cancel cancels them.
		at = cleanup.index(("Serial Count", count))
		cleanup[at:at] = [(d["document_type"], d["document_name"]) for d in made]
	# The units at the shop were brought here by the count's transfer.
	assert "Stock Entry" in [d["document_type"] for d in made]
	assert {api.get("Serial Number", code)["warehouse"] for code in away.values()} == {MAIN}
