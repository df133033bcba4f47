"""Documents too big to post within a web request post in a background job, over real HTTP.

The served site is told to post at most 3 rows in a request (``serial_tracking_rows_in_request`` in
its site_config.json, for this module); documents of 4 rows are then handed to a job, which this
test takes out of its queue and runs as Frappe's worker runs it. Set-up commits documents of an
item of its own, with codes unique to the run; what is left is cancelled or deleted afterwards.
"""

import json
import secrets

import pytest

from tests.integration.jobs import queued_job, run_as_a_worker
from tests.rest.conftest import message, refusal

ITEM = "ST-BACKGROUND"
#: The rows the served site posts in a request, for this module.
ROWS = 3


@pytest.fixture(scope="module")
def small_requests(site):
	from frappe.installer import update_site_config

	update_site_config("serial_tracking_rows_in_request", ROWS)
	yield
	update_site_config("serial_tracking_rows_in_request", "None")  # removes it


@pytest.fixture
def run(site, small_requests):
	from tests.integration import factory
	from tests.integration.racing import cancel_latest_first, carrying

	frappe = site
	frappe.set_user("Administrator")
	factory.committed_place(ITEM, factory.MAIN)
	# Plain units to move alongside.
	factory.stock_entry("Material Receipt", [(factory.PLAIN, 10, None, None, factory.MAIN)])
	frappe.db.commit()
	run = "BG" + secrets.token_hex(3).upper()
	yield run
	frappe.db.rollback()
	frappe.set_user("Administrator")
	left = carrying(run)
	for doctype, name in left:
		# Jobs the test did not run, and the locks of their documents (a file per document).
		from frappe.utils.background_jobs import get_job

		for action in ("submit", "cancel"):
			if job := get_job(_job_id(frappe, doctype, name, action)):
				job.delete()
		frappe.get_doc(doctype, name).unlock()
	cancel_latest_first(left)
	frappe.db.delete("Notification Log", {"subject": ("like", f"%{run}%")})
	frappe.db.commit()


def _job_id(frappe, doctype, name, action):
	from frappe.utils.background_jobs import create_job_id

	from serial_tracking.stock import background

	return create_job_id(background.job_id(doctype, name, action))


def _draft_entry(frappe, purpose, codes, source=None, target=None):
	"""A draft of one row of the item's codes and three rows of the plain item: four rows."""
	from tests.integration import factory

	rows = [(ITEM, len(codes), codes, source, target)] + [(factory.PLAIN, 1, None, source, target)] * 3
	doc = factory.stock_entry(purpose, rows, submit=False, remarks=codes[0])
	frappe.db.commit()
	return doc


def _savedocs(client, doc, action):
	return client.session.post(
		f"{client_url()}/api/method/frappe.desk.form.save.savedocs",
		data={"doc": doc.as_json(), "action": action},
		timeout=120,
	)


def client_url():
	from tests.rest.conftest import URL

	return URL


def test_a_big_document_submitted_over_rest_is_saved_and_submitted_by_a_job(site, users, run):
	frappe = site
	from tests.integration import factory

	manager = users["manager"]
	codes = [f"{run}-1", f"{run}-2"]
	doc = _draft_entry(frappe, "Material Receipt", codes, target=factory.MAIN)
	answer = _savedocs(manager, doc, "Submit")
	assert answer.ok, answer.text
	saved = answer.json()["docs"][0]
	assert saved["docstatus"] == 0
	told = " ".join(json.loads(m)["message"] for m in json.loads(answer.json()["_server_messages"]))
	assert "is being submitted in the background" in told and "4 rows" in told, told
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", doc.name, "docstatus") == 0
	assert not frappe.db.exists("Serial Number", codes[0])
	# Nobody changes it while it waits for its job.
	doc.reload()
	assert "locked" in refusal(_savedocs(manager, doc, "Save"))

	run_as_a_worker(queued_job(_job_id(frappe, "Stock Entry", doc.name, "submit")))
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", doc.name, "docstatus") == 1
	assert frappe.db.get_value("Serial Number", codes[0], "status") == "In Stock"
	assert frappe.get_all(
		"Notification Log", filters={"for_user": manager.name, "document_name": doc.name}, pluck="subject"
	) == [f"Stock Entry {doc.name} is submitted"]

	# Cancelling it over REST: refused in the request, done by a job.
	answer = manager.post("frappe.client.cancel", doctype="Stock Entry", name=doc.name)
	assert "is being cancelled in the background" in refusal(answer)
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", doc.name, "docstatus") == 1
	run_as_a_worker(queued_job(_job_id(frappe, "Stock Entry", doc.name, "cancel")))
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", doc.name, "docstatus") == 2
	assert not frappe.db.exists("Serial Number", codes[0])


def test_a_big_submission_short_of_its_codes_is_refused_in_the_request(site, users, run):
	"""Not saved and handed to a job that would refuse it: refused at once, as a submission is."""
	frappe = site
	from tests.integration import factory

	manager = users["manager"]
	doc = _draft_entry(frappe, "Material Receipt", [f"{run}-1"], target=factory.MAIN)
	doc.items[0].qty = 2
	doc.items[0].transfer_qty = 2
	doc.save()
	frappe.db.commit()
	refused = refusal(_savedocs(manager, doc, "Submit"))
	assert "Row 1: Item ST-BACKGROUND: 1 of its 2 SN codes are missing (1 entered)" in refused, refused
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", doc.name, "docstatus") == 0
	from frappe.utils.background_jobs import get_job

	assert get_job(_job_id(frappe, "Stock Entry", doc.name, "submit")) is None


def test_a_job_refused_leaves_the_document_as_it_was_and_tells_why(site, users, run):
	frappe = site
	from tests.integration import factory

	manager = users["manager"]
	code = f"{run}-S"
	factory.stock_entry("Material Receipt", [(ITEM, 1, [code], None, factory.MAIN)])
	issue = _draft_entry(frappe, "Material Issue", [code], source=factory.MAIN)
	assert _savedocs(manager, issue, "Submit").ok
	# Meanwhile another document sells the unit.
	factory.delivery_note([(ITEM, 1, [code], factory.MAIN)], remarks=run)
	frappe.db.commit()

	run_as_a_worker(queued_job(_job_id(frappe, "Stock Entry", issue.name, "submit")))
	frappe.db.rollback()
	assert frappe.db.get_value("Stock Entry", issue.name, "docstatus") == 0
	assert frappe.db.get_value("Serial Number", code, "status") == "Sold"
	[subject] = frappe.get_all(
		"Notification Log", filters={"for_user": manager.name, "document_name": issue.name}, pluck="subject"
	)
	assert subject.startswith(f"Stock Entry {issue.name} could not be submitted:") and code in subject
	comments = frappe.get_all(
		"Comment", filters={"reference_name": issue.name, "comment_type": "Comment"}, pluck="content"
	)
	assert any("Could not be submitted in the background" in c and code in c for c in comments), comments
	# Its lock went with the job: saved again, it meets the app's check of its codes, not the lock.
	issue.reload()
	refused = refusal(_savedocs(manager, issue, "Save"))
	assert code in refused and "locked" not in refused, refused


def test_a_count_too_big_for_a_request_is_posted_by_one_job(site, users, run):
	frappe = site
	from tests.integration import factory

	manager = users["manager"]
	items = [f"{ITEM}-C{n}" for n in range(ROWS + 1)]
	for item in items:
		factory.committed_place(item, factory.MAIN)
	codes = {item: [f"{run}-{item[-2:]}-{k}" for k in range(2)] for item in items}
	factory.stock_entry(
		"Material Receipt", [(item, 2, found, None, factory.MAIN) for item, found in codes.items()]
	)
	count = frappe.get_doc(
		{"doctype": "Serial Count", "warehouse": factory.MAIN, "items": [{"item_code": i} for i in items]}
	).insert()
	frappe.db.commit()
	try:
		_post_in_background(frappe, manager, count, codes)
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		count.reload()
		if count.docstatus == 1:
			count.cancel()
		elif count.docstatus == 0:
			count.unlock()
			frappe.delete_doc("Serial Count", count.name, force=True)
		frappe.db.commit()


def _post_in_background(frappe, manager, count, codes):
	items = list(codes)
	scanned = [found[0] for found in codes.values()]
	message(manager.post("serial_tracking.api.count_scan", count=count.name, text="\n".join(scanned)))

	posted = message(manager.post("serial_tracking.api.post_count", count=count.name))
	assert (posted["status"], posted["documents"]) == ("Posting", [])
	refused = refusal(
		manager.post("serial_tracking.api.count_scan", count=count.name, text=codes[items[0]][1])
	)
	assert "is being posted in the background" in refused
	assert "is being posted in the background" in refusal(
		manager.post("serial_tracking.api.post_count", count=count.name)
	)

	run_as_a_worker(queued_job(_job_id(frappe, "Serial Count", count.name, "submit")))
	frappe.db.rollback()
	count.reload()
	assert (count.docstatus, count.status) == (1, "Posted")
	assert [frappe.db.get_value(d.document_type, d.document_name, "docstatus") for d in count.documents] == [
		1
	] * len(count.documents)
	assert {frappe.db.get_value("Serial Number", found[1], "status") for found in codes.values()} == {
		"Missing"
	}
