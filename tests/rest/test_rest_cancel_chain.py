"""A chain longer than a request cancels, over REST: queued once, cancelled by its job (run here as
Frappe's worker runs it), its report asked afterwards; whether a document is blocked, asked cheaply.

Set-up commits a receipt of 21 codes and 21 deliveries of one code each (a chain of 22 documents)
on an item of its own; what is left is cancelled latest first after the test.
"""

import secrets
import time

import pytest

from tests.integration.jobs import queued_job, run_as_a_worker
from tests.rest.conftest import message, refusal

ITEM = "ST-CHAIN-REST"


@pytest.fixture
def long_chain(site):
	from tests.integration import factory
	from tests.integration.racing import cancel_latest_first

	frappe = site
	factory.committed_place(ITEM, factory.MAIN)
	run = "CHR" + secrets.token_hex(3).upper()
	codes = [f"{run}-{n:02}" for n in range(1, 22)]
	receipt = factory.purchase_receipt([(ITEM, len(codes), codes, factory.MAIN)])
	sales = [factory.delivery_note([(ITEM, 1, [code], factory.MAIN)]) for code in codes]
	frappe.db.commit()
	made = [(receipt.doctype, receipt.name)] + [(d.doctype, d.name) for d in sales]
	try:
		yield receipt.name, made
	finally:
		from frappe.utils.background_jobs import get_job

		from serial_tracking.stock import cancel_planner

		frappe.db.rollback()
		if job := get_job(cancel_planner._job_id(("Purchase Receipt", receipt.name))):
			job.delete()
		cancel_planner._release(("Purchase Receipt", receipt.name))
		cancel_latest_first(made)
		frappe.db.delete("Notification Log", {"document_name": receipt.name})
		frappe.db.commit()


def test_a_long_chain_is_queued_once_over_rest_and_its_report_asked_afterwards(site, users, long_chain):
	frappe = site
	receipt, made = long_chain
	manager, clerk = users["manager"], users["clerk"]
	asked = {"voucher_type": "Purchase Receipt", "voucher_no": receipt}
	assert message(manager.get("serial_tracking.api.cancel_blocked", **asked)) == {
		"blocked": True,
		"made_by": None,
	}
	assert message(manager.get("serial_tracking.api.cancel_chain_status", **asked)) is None
	plan = message(manager.get("serial_tracking.api.cancel_plan", **asked))
	assert len(plan["documents"]) == 22

	answer = message(manager.post("serial_tracking.api.cancel_chain", **asked, confirm=plan["confirm"]))
	assert (answer["status"], answer["documents"]) == ("queued", 22), answer
	again = message(manager.post("serial_tracking.api.cancel_chain", **asked, confirm=plan["confirm"]))
	assert (again["status"], again["job"]) == ("queued", answer["job"])
	assert message(manager.get("serial_tracking.api.cancel_chain_status", **asked))["status"] == "queued"
	# A user of another warehouse may not read the receipt: neither its report nor whether it is blocked.
	for method in ("cancel_chain_status", "cancel_blocked"):
		assert "You may not read Purchase Receipt" in refusal(
			clerk.get(f"serial_tracking.api.{method}", **asked)
		)
	frappe.db.rollback()
	assert {frappe.db.get_value(t, n, "docstatus") for t, n in made} == {1}

	started = time.monotonic()
	run_as_a_worker(queued_job(answer["job"]))
	print(f"\n22 documents cancelled by the job in {time.monotonic() - started:.1f} s")
	frappe.db.rollback()
	assert {frappe.db.get_value(t, n, "docstatus") for t, n in made} == {2}
	report = message(manager.get("serial_tracking.api.cancel_chain_status", **asked))
	assert report["status"] == "done" and len(report["done"]) == 22 and report["untouched"] == []
	assert report["done"][-1] == {
		"voucher_type": "Purchase Receipt",
		"voucher_no": receipt,
		"outcome": "cancelled",
	}
	assert frappe.get_all(
		"Notification Log",
		filters={"for_user": manager.name, "document_name": receipt},
		pluck="subject",
	) == [f"Cancel all, latest first, of Purchase Receipt {receipt}: done, 22 documents cancelled"]
