"""Documents of SN-tracked items submitted and cancelled at the same instant, in real processes:
each waits for the others' posting turn, so none meets the deadlock ERPNext's stock ledger has
between two sessions posting neighbours in its index (one item at one warehouse or two, items
whose codes sort next to each other).

They share no serial, so the app has nothing to refuse: every one goes through, except at an
item's very first posting at a warehouse, where the documents that lost the race to make its Bin
are refused with nothing saved."""

import pytest

import frappe

from tests.integration import factory as f
from tests.integration.racing import (
	DONE,
	WAREHOUSE,
	Session,
	clean_up,
	delayed_cancel,
	delayed_submit,
	ledger_quantity,
	loaded_document,
	make_place,
	new_run,
	no_raw_errors,
	race,
	summary,
)

ITEM = "ST-RACE-PLACE"
SESSIONS = 4
ROUNDS = 6
CODES = 3


def _draft_receipt(job):
	"""A draft receipt of ``job``: the codes, or (codes, warehouse)."""
	codes, warehouse = job if isinstance(job, tuple) else (job, WAREHOUSE)
	return f.purchase_receipt([(ITEM, len(codes), codes, warehouse)], submit=False)


def _draft_delivery(job):
	codes = job
	return f.delivery_note([(ITEM, len(codes), codes, WAREHOUSE)], submit=False)


def _all_done(outcomes) -> None:
	no_raw_errors(outcomes)
	others = [o for found in outcomes.values() for o in found if o.kind != DONE]
	assert not others, others


def _balance(warehouse: str = WAREHOUSE) -> float:
	"""The running balance ERPNext keeps on the item's latest entry at the warehouse."""
	latest = frappe.get_all(
		"Stock Ledger Entry",
		filters={"item_code": ITEM, "warehouse": warehouse, "is_cancelled": 0},
		fields=["qty_after_transaction"],
		order_by="posting_datetime desc, creation desc",
		limit=1,
	)
	return latest[0].qty_after_transaction if latest else 0


@pytest.mark.commits
def test_receipts_sales_and_cancels_of_one_item_at_one_place_all_go_through():
	run = new_run()
	codes = [[[f"PL{run}-{s}-{r}-{n}" for n in range(CODES)] for r in range(ROUNDS)] for s in range(SESSIONS)]
	try:
		make_place(ITEM)
		before = ledger_quantity(ITEM)

		received = race([Session(_draft_receipt, delayed_submit, jobs) for jobs in codes])
		_all_done(received)
		print(f"\n{SESSIONS} receivers of one item:\n{summary(received)}")
		assert ledger_quantity(ITEM) == before + SESSIONS * ROUNDS * CODES
		# One after the other, each posting saw the ones before it: the balance is the sum.
		assert _balance() == ledger_quantity(ITEM)

		sold = race([Session(_draft_delivery, delayed_submit, jobs) for jobs in codes])
		_all_done(sold)
		print(f"{SESSIONS} sellers of one item:\n{summary(sold)}")
		assert ledger_quantity(ITEM) == before
		assert _balance() == ledger_quantity(ITEM)
		assert not frappe.get_all(
			"Serial Number", filters={"name": ("like", f"PL{run}-%"), "status": ("!=", "Sold")}
		)

		deliveries = {(o.session, n): o.name for n, found in sold.items() for o in found}
		cancelled = race(
			[
				Session(
					loaded_document,
					delayed_cancel,
					[("Delivery Note", deliveries[(s, r)], 0) for r in range(ROUNDS)],
				)
				for s in range(SESSIONS)
			]
		)
		_all_done(cancelled)
		print(f"{SESSIONS} cancellers of one item's sales:\n{summary(cancelled)}")
		assert ledger_quantity(ITEM) == before + SESSIONS * ROUNDS * CODES
		assert frappe.db.count("Serial Number", {"name": ("like", f"PL{run}-%"), "status": "In Stock"}) == (
			SESSIONS * ROUNDS * CODES
		)
	finally:
		clean_up(run)


def _draft_dated_on_submit(job):
	"""A draft receipt dated when it is submitted, as Desk makes one (no *Edit Posting Date and
	Time*): ``job`` is (codes, warehouse)."""
	codes, warehouse = job
	return f.purchase_receipt([(ITEM, len(codes), codes, warehouse)], submit=False, set_posting_time=0)


@pytest.mark.commits
def test_first_receipts_of_an_item_at_a_new_warehouse_all_go_through():
	"""Four receipts of new codes of an item that has no Bin at the warehouse yet, submitted at the
	same instant: each waits for the posting turn, sees the Bin the first one made, and posts after
	the ones before it; the Bin holds every unit."""
	run = new_run()
	warehouse = f"ST Race {run} - {f.ABBR}"
	codes = [[([f"PL{run}-{s}-{n}" for n in range(CODES)], warehouse)] for s in range(SESSIONS)]
	try:
		make_place(ITEM)
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": f"ST Race {run}", "company": f.COMPANY}
		).insert()
		frappe.db.commit()

		outcomes = race([Session(_draft_dated_on_submit, delayed_submit, jobs) for jobs in codes])
		print(f"\n{SESSIONS} first receivers of one item at a new warehouse:\n{summary(outcomes)}")
		_all_done(outcomes)
		assert frappe.get_all(
			"Bin", filters={"item_code": ITEM, "warehouse": warehouse}, pluck="actual_qty"
		) == [SESSIONS * CODES]
		assert _balance(warehouse) == SESSIONS * CODES
		assert frappe.db.count(
			"Serial Number", {"name": ("like", f"PL{run}-%"), "warehouse": warehouse, "status": "In Stock"}
		) == (SESSIONS * CODES)
	finally:
		clean_up(run)


#: Neighbours in the stock ledger's index: one item at two warehouses, and the next item's code.
NEIGHBOURS = ((ITEM, WAREHOUSE), (ITEM, f.SHOP), (f"{ITEM}-B", WAREHOUSE), (f"{ITEM}-B", f.SHOP))


def _draft_neighbour(job):
	item, warehouse, codes = job
	return f.purchase_receipt([(item, len(codes), codes, warehouse)], submit=False)


@pytest.mark.commits
def test_receipts_of_neighbouring_items_and_warehouses_all_go_through():
	run = new_run()
	try:
		for item, warehouse in NEIGHBOURS:
			f.committed_place(item, warehouse)
		jobs = [
			[(item, warehouse, [f"PL{run}-{s}-{r}-{n}" for n in range(CODES)]) for r in range(ROUNDS)]
			for s, (item, warehouse) in enumerate(NEIGHBOURS)
		]
		outcomes = race([Session(_draft_neighbour, delayed_submit, session) for session in jobs])
		print(f"\n{len(NEIGHBOURS)} receivers of neighbouring items and warehouses:\n{summary(outcomes)}")
		_all_done(outcomes)
	finally:
		clean_up(run)
