"""Scanners and posters of one Serial Count at the same instant, in real separate sessions.

Real OS processes (:mod:`tests.integration.racing`) with their own connections: the test commits
its place, units and count, and removes them (cancelled latest first, the count and its scans
deleted) before it ends.
"""

import pytest

import frappe

from serial_tracking import api
from serial_tracking.stock import consistency_check
from serial_tracking.stock.count_basics import SCAN
from tests.integration import factory as f
from tests.integration.racing import DONE, REFUSED, Session, cancel_latest_first, keep, no_raw_errors, race

WAREHOUSE = f"ST Race - {f.ABBR}"
ITEM = "ST-RACE-SCAN"


def _scan(job):
	count, codes = job
	api.count_scan(count, "\n".join(codes))


def _post(count):
	api.post_count(count)


def _place_and_units(run: str, how_many: int) -> tuple[str, list[str], str]:
	f.committed_place(ITEM, WAREHOUSE)
	codes = [f"{run}-{n:03d}" for n in range(how_many)]
	receipt = f.purchase_receipt([(ITEM, how_many, codes, WAREHOUSE)])
	count = frappe.get_doc(
		{"doctype": "Serial Count", "warehouse": WAREHOUSE, "items": [{"item_code": ITEM}]}
	)
	count.insert()
	frappe.db.commit()
	return count.name, codes, receipt.name


def _clean_up(count: str, receipt: str) -> None:
	frappe.db.rollback()
	made = frappe.get_all(
		"Serial Count Document", filters={"parent": count}, fields=["document_type", "document_name"]
	)
	if frappe.db.get_value("Serial Count", count, "docstatus") == 1:
		api.cancel_count(count)
		frappe.db.commit()
	frappe.delete_doc("Serial Count", count, force=True)
	frappe.db.commit()
	cancel_latest_first([(d.document_type, d.document_name) for d in made] + [("Purchase Receipt", receipt)])
	assert frappe.db.count(SCAN, {"serial_count": count}) == 0


@pytest.mark.commits
def test_three_scanners_scanning_overlapping_codes_at_once_lose_none_and_store_none_twice():
	run = frappe.generate_hash(length=8).upper()
	count, codes, receipt = _place_and_units(run, 60)
	try:
		# Three rounds; in each, every scanner sends an overlapping slice (in its own order) at once.
		slices = [
			[codes[0:30], codes[15:45], list(reversed(codes[0:45]))],
			[codes[30:60], codes[40:60] + codes[0:5], codes[45:60]],
			[codes[::2], codes[1::2], codes[::3]],
		]
		sessions = [Session(keep, _scan, [(count, round_[n]) for round_ in slices]) for n in range(3)]
		outcomes = race(sessions)
		no_raw_errors(outcomes)
		assert all(o.kind == DONE for found in outcomes.values() for o in found), outcomes
		stored = frappe.get_all(SCAN, filters={"serial_count": count}, pluck="code")
		assert sorted(stored) == sorted(codes)
		summary = api.count_summary(count)["summary"]
		assert summary["totals"]["scanned"] == 60
		assert summary["items"][0]["counted"] == 60
	finally:
		_clean_up(count, receipt)


@pytest.mark.commits
def test_two_users_posting_one_count_at_once_post_it_once():
	run = frappe.generate_hash(length=8).upper()
	count, codes, receipt = _place_and_units(run, 6)
	try:
		api.count_scan(count, "\n".join(codes[:4]))
		frappe.db.commit()
		outcomes = race([Session(keep, _post, [count]), Session(keep, _post, [count])])
		no_raw_errors(outcomes)
		kinds = sorted(o.kind for o in outcomes[0])
		assert kinds == [DONE, REFUSED], outcomes
		refusal = next(o for o in outcomes[0] if o.kind == REFUSED)
		assert "already posted" in refusal.detail
		posted = frappe.get_doc("Serial Count", count)
		assert (posted.docstatus, posted.status) == (1, "Posted")
		assert [d.document_type for d in posted.documents] == ["Stock Reconciliation"]
		reconciliations = frappe.get_all(
			"Stock Reconciliation Item",
			filters={"sn_codes": ("like", f"%{run}%"), "docstatus": 1},
			pluck="parent",
		)
		assert reconciliations == [posted.documents[0].document_name]
		assert frappe.db.get_value("Serial Number", codes[5], "status") == "Missing"
		assert consistency_check.check(ITEM) == []
	finally:
		_clean_up(count, receipt)


def _sell(job):
	"""A Delivery Note of one unit, as a session submits it."""
	code = job
	f.delivery_note([(ITEM, 1, [code], WAREHOUSE)])


@pytest.mark.commits
def test_a_count_posted_while_one_of_its_units_is_sold_ends_consistent_whichever_goes_first():
	"""The count and the sale take the posting turn one after the other: a sale first leaves the
	unit Sold and the count then finds it here (scanned), bringing it back In Stock; a count first
	counts it, and the sale then sells it. Either way both go through and the ledger agrees with
	ERPNext's stock."""
	run = frappe.generate_hash(length=8).upper()
	count, codes, receipt = _place_and_units(run, 6)
	sold = []
	try:
		api.count_scan(count, "\n".join(codes[:4]))
		frappe.db.commit()
		outcomes = race([Session(keep, _post, [count]), Session(keep, _sell, [codes[0]])])
		no_raw_errors(outcomes)
		assert [o.kind for o in outcomes[0]] == [DONE, DONE], outcomes
		sold = frappe.get_all(
			"Delivery Note Item", filters={"sn_codes": codes[0], "docstatus": 1}, pluck="parent"
		)
		assert len(sold) == 1
		posted = frappe.get_doc("Serial Count", count)
		assert (posted.docstatus, posted.status) == (1, "Posted")
		assert frappe.db.get_value("Serial Number", codes[5], "status") == "Missing"
		assert consistency_check.check(ITEM) == []
	finally:
		# Whichever came later is cancelled first (the count cancels the documents it made).
		frappe.db.rollback()
		cancel_latest_first(
			[("Delivery Note", name) for name in sold]
			+ [("Serial Count", count), ("Purchase Receipt", receipt)]
		)
		frappe.delete_doc("Serial Count", count, force=True)
		frappe.db.commit()
