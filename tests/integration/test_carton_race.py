"""Receipts racing to pack their units in the same new carton, in real processes: no raw error; each
either packs its units or is refused with nothing of it stored, and the carton counts what it holds.

Receipts of one item wait for each other at the item's stock; receipts of different items do not,
and meet only at the carton."""

import json

import pytest

import frappe

from tests.integration import factory as f
from tests.integration.racing import (
	DONE,
	REFUSED,
	WAREHOUSE,
	Session,
	cancel_latest_first,
	carrying,
	delayed_submit,
	make_place,
	new_run,
	no_raw_errors,
	race,
	run_serials,
	summary,
)

ITEM = "ST-RACE-CARTON"
#: Each receiver's item: the first two receive the same item, the third another.
ITEMS = (ITEM, ITEM, f"{ITEM}-B")
RECEIVERS = 3
ROUNDS = 3


def _draft_packed(job):
	item, carton, codes = job
	doc = f.purchase_receipt([(item, len(codes), codes, WAREHOUSE)], submit=False)
	doc.items[0].sn_cartons = json.dumps({carton: codes})
	doc.save()
	return doc


@pytest.mark.commits
def test_receipts_packing_the_same_new_carton_end_consistent():
	run = new_run()
	try:
		for item in sorted(set(ITEMS)):
			make_place(item)
		jobs = [
			[
				(ITEMS[s], f"BOX{run}-{number}", [f"BOX{run}-{number}-{s}-{n}" for n in range(2)])
				for number in range(ROUNDS)
			]
			for s in range(RECEIVERS)
		]
		outcomes = race([Session(_draft_packed, delayed_submit, session) for session in jobs])

		no_raw_errors(outcomes)
		print(f"\n{RECEIVERS} receivers packing one new carton:\n{summary(outcomes)}")
		for number, found in outcomes.items():
			carton = f"BOX{run}-{number}"
			assert all(o.kind in (DONE, REFUSED) for o in found), found
			assert any(o.kind == DONE for o in found), found
			# A carton holds one item: units of two items never share it.
			assert len({ITEMS[o.session] for o in found if o.kind == DONE}) == 1, found
			packed = sorted(frappe.get_all("Serial Number", filters={"carton": carton}, pluck="name"))
			expected = sorted(code for o in found if o.kind == DONE for code in jobs[o.session][number][2])
			assert packed == expected
			assert frappe.db.get_value("Serial Carton", carton, "serial_count") == len(expected)
			for o in found:
				if o.kind == REFUSED:
					codes = jobs[o.session][number][2]
					assert not frappe.get_all("Serial Number", filters={"name": ("in", codes)})
	finally:
		frappe.db.rollback()
		cancel_latest_first(carrying(run))
		assert run_serials(run) == []
		assert not frappe.get_all("Serial Carton", filters={"name": ("like", f"BOX{run}%")})
