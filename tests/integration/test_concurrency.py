"""Sessions moving serials at the same instant: each ends as if they had come one after the other.

Real OS processes (spawned, see :mod:`tests.integration.racing`), each with its
own connection to the site, act behind a barrier. Separate connections see only
committed data, so these tests commit: each uses an item of its own and codes
unique to the run, and cancels what it made (latest first) and deletes drafts
before it ends.
"""

import re
import time

import pytest

import frappe

from serial_tracking.stock import consistency_check, in_stock_registration
from tests.integration import factory as f
from tests.integration.racing import (
	BUSY,
	DONE,
	REFUSED,
	WAREHOUSE,
	Session,
	active_log,
	bin_quantity,
	cancel_latest_first,
	clean_up,
	delayed_cancel,
	delayed_submit,
	in_stock_count,
	keep,
	ledger_quantity,
	loaded_document,
	make_place,
	new_run,
	no_raw_errors,
	race,
	room_for,
	run_serials,
	summary,
)

SELLING = "ST-RACE"
RECEIVING = "ST-RACE-IN"
SAME = "ST-RACE-SAME"
REGISTERING = "ST-RACE-REG"
COUNTING = "ST-RACE-COUNT"
CANCELLING = "ST-RACE-CANCEL"


# What the sessions do (module level: a spawned process imports them by name).


def _draft_receipt(job):
	item, codes = job
	return f.purchase_receipt([(item, len(codes), codes, WAREHOUSE)], submit=False)


def _draft_delivery(job):
	"""A draft Delivery Note of one serial; ``job``: (item, code[, delay for :func:`delayed_submit`])."""
	item, code, *delay = job
	doc = f.delivery_note([(item, 1, [code], WAREHOUSE)], submit=False)
	doc.flags.delay = delay[0] if delay else 0
	return doc


def _draft_count(job):
	item, codes, delay = job
	doc = f.reconciliation([(item, len(codes), codes, WAREHOUSE)], submit=False)
	doc.flags.delay = delay
	return doc


def _register(job):
	item, codes = job
	in_stock_registration.register(item, WAREHOUSE, f.text(codes))


def _wrote_nothing(doctype: str, name: str) -> None:
	"""A refused document stayed a draft and wrote no stock, accounting or serial entry."""
	assert frappe.db.get_value(doctype, name, "docstatus") == 0
	for ledger in ("Stock Ledger Entry", "GL Entry", "Serial Circulation Log"):
		assert frappe.db.count(ledger, {"voucher_no": name}) == 0, (ledger, name)


# Sellers of one serial.

SESSIONS = 4
ROUNDS = 5
#: Other units of the item at the warehouse, so that ERPNext's stock check never stops a seller.
SPARE = 2
_SOLD = re.compile(r"Row 1: (\S+) is not in stock: it is Sold \(last moved by Delivery Note (\S+)\)")


@pytest.mark.commits
def test_one_seller_wins_each_race_and_the_others_are_refused_cleanly():
	run = new_run()
	serials = [f"RACE{run}-{n}" for n in range(ROUNDS)]
	spare = [f"RACE{run}-S{n}" for n in range(SPARE)]
	try:
		make_place(SELLING)
		before = bin_quantity(SELLING)
		f.receive(serials + spare, item=SELLING, warehouse=WAREHOUSE)
		sellers = [(SELLING, code) for code in serials]
		outcomes = race([Session(_draft_delivery, delayed_submit, sellers)] * SESSIONS)

		no_raw_errors(outcomes)
		for number, code in enumerate(serials):
			found = outcomes[number]
			winners = [o.name for o in found if o.kind == DONE]
			assert len(winners) == 1, found
			for o in found:
				if o.kind == REFUSED and o.detail != BUSY:
					assert _SOLD.search(o.detail).groups() == (code, winners[0]), o.detail
			_assert_sold_once(code, winners[0], [o.name for o in found if o.kind != DONE])
		print(f"\n{SESSIONS} sellers of one serial:\n{summary(outcomes)}")
		# One unit left per round, and the spare units are still in stock at the warehouse.
		assert bin_quantity(SELLING) == before + SPARE
		assert frappe.get_all(
			"Serial Number", filters={"name": ("in", spare)}, fields=["status", "warehouse"], distinct=True
		) == [{"status": "In Stock", "warehouse": WAREHOUSE}]
	finally:
		clean_up(run)


def _assert_sold_once(code: str, winner: str, losers: list[str]) -> None:
	"""The serial is Sold by the winner alone; the refused notes wrote nothing."""
	state = frappe.db.get_value("Serial Number", code, ["status", "voucher_type", "voucher_no"], as_dict=True)
	assert (state.status, state.voucher_type, state.voucher_no) == ("Sold", "Delivery Note", winner)
	log = active_log(code)
	assert [(operation, voucher_type, status) for operation, voucher_type, _no, status in log] == [
		("Receive", "Purchase Receipt", "In Stock"),
		("Sell", "Delivery Note", "Sold"),
	]
	assert log[1][2] == winner
	assert frappe.db.count("Stock Ledger Entry", {"voucher_no": winner, "is_cancelled": 0}) == 1
	for name in losers:
		_wrote_nothing("Delivery Note", name)


# Receivers of different new codes.

RECEIVERS = 4
CODES = 20


@pytest.mark.commits
def test_receivers_of_different_new_codes_all_succeed():
	"""New codes are not locked before they exist (a locking read of a missing key locks the gap
	where it would go, and receipts of different codes then deadlock on their inserts)."""
	run = new_run()
	jobs = [
		[(RECEIVING, [f"IN{run}-{s}-{r}-{n:02d}" for n in range(CODES)]) for r in range(ROUNDS)]
		for s in range(RECEIVERS)
	]
	try:
		make_place(RECEIVING)
		before = ledger_quantity(RECEIVING)
		outcomes = race([Session(_draft_receipt, delayed_submit, session) for session in jobs])

		no_raw_errors(outcomes)
		refused = [o for found in outcomes.values() for o in found if o.kind != DONE]
		assert not refused, refused
		for number, found in outcomes.items():
			for o in found:
				codes = jobs[o.session][number][1]
				serials = frappe.get_all(
					"Serial Number",
					filters={"name": ("in", codes)},
					fields=["status", "warehouse", "voucher_no"],
					distinct=True,
				)
				assert serials == [{"status": "In Stock", "warehouse": WAREHOUSE, "voucher_no": o.name}]
				for code in codes:
					assert active_log(code) == [("Receive", "Purchase Receipt", o.name, "In Stock")]
				entries = frappe.get_all(
					"Stock Ledger Entry",
					filters={"voucher_no": o.name, "is_cancelled": 0},
					fields=["item_code", "warehouse", "actual_qty"],
				)
				assert entries == [{"item_code": RECEIVING, "warehouse": WAREHOUSE, "actual_qty": CODES}]
		assert ledger_quantity(RECEIVING) == before + RECEIVERS * CODES * ROUNDS
		print(f"\n{RECEIVERS} receivers of {CODES} new codes each:\n{summary(outcomes)}")
	finally:
		clean_up(run)


# Receivers of the same new code.

_IN_STOCK = re.compile(r"Row 1: (\S+) is already in stock at (.+)$")


@pytest.mark.commits
def test_two_receivers_of_the_same_new_code_one_wins_the_other_is_refused_cleanly():
	"""Two documents creating the same new code at once: the serial is not locked before it exists,
	so the second one collides on insert, or finds it in stock once the first has committed; either
	way it is the app's clear refusal and nothing of it is saved.

	This is the real race for "a new serial created by another document meanwhile is a clear
	refusal", which a single-session test could only imitate by hiding the serial from the read."""
	run = new_run()
	shared = [f"SAME{run}-{r}" for r in range(ROUNDS)]
	jobs = [[(SAME, [shared[r], f"SAME{run}-{r}-OWN{s}"]) for r in range(ROUNDS)] for s in range(2)]
	try:
		make_place(SAME)
		outcomes = race([Session(_draft_receipt, delayed_submit, session) for session in jobs])

		no_raw_errors(outcomes)
		for number, found in outcomes.items():
			winners = [o for o in found if o.kind == DONE]
			assert len(winners) == 1, found
			winner = winners[0].name
			(loser,) = [o for o in found if o.kind != DONE]
			assert loser.detail == BUSY or _IN_STOCK.search(loser.detail).groups() == (
				shared[number],
				WAREHOUSE,
			), loser.detail
			_wrote_nothing("Purchase Receipt", loser.name)
			assert f.serial(shared[number]).voucher_no == winner
			assert active_log(shared[number]) == [("Receive", "Purchase Receipt", winner, "In Stock")]
			own = jobs[loser.session][number][1][1]
			assert not frappe.db.exists("Serial Number", own)
		print(f"\n2 receivers of one new code:\n{summary(outcomes)}")
	finally:
		clean_up(run)


# Registrations that together exceed what the warehouse holds.

REGISTRARS = 3
#: Units each registrar registers, and the units the warehouse holds without serials per round.
EACH, ROOM = 3, 5
_AT_MOST = re.compile(r"Warehouse .+ holds .+ at most \d+ more can be registered, not \d+")


@pytest.mark.commits
def test_concurrent_registrations_never_exceed_what_the_warehouse_holds():
	run = new_run()
	receipts = []
	try:
		make_place(REGISTERING)
		for number in range(3):
			receipts.extend(room_for(REGISTERING, ROOM))
			jobs = [
				[(REGISTERING, [f"REG{run}-{number}-{s}-{n}" for n in range(EACH)])]
				for s in range(REGISTRARS)
			]
			outcomes = race([Session(keep, _register, session) for session in jobs])

			no_raw_errors(outcomes)
			held, in_stock = bin_quantity(REGISTERING), in_stock_count(REGISTERING)
			assert in_stock <= held, (
				f"round {number}: {in_stock} serials in stock, the warehouse holds {held}"
			)
			print(f"\n{REGISTRARS} registrars, round {number}:\n{summary(outcomes)}")
			(found,) = outcomes.values()
			assert any(o.kind == DONE for o in found), found
			for o in found:
				codes = jobs[o.session][0][1]
				registered = frappe.get_all("Serial Number", filters={"name": ("in", codes)}, pluck="name")
				if o.kind == DONE:
					assert sorted(registered) == sorted(codes)
				else:
					assert o.detail == BUSY or _AT_MOST.search(o.detail), o.detail
					assert registered == []
	finally:
		frappe.db.rollback()
		for code in run_serials(run):
			frappe.delete_doc("Serial Number", code)
		frappe.db.commit()
		cancel_latest_first(receipts)
		assert run_serials(run) == []


# A seller and a counter of the same serial.

#: Per round, whether the count names the serial being sold besides the others at the warehouse,
#: and how long after the seller it starts: at once, or while the seller is still at work (left
#: alone, the counter, which has less to do, tends to come first).
_COUNTS = ((False, 0), (True, 0), (False, 0.3), (True, 0.3))
#: The serial's active movements the two orders can leave, when the count names it: counted (no
#: change) then sold; sold then counted (found again); counted, and the seller refused (busy).
_NAMED = {("Receive", "Sell"), ("Receive", "Sell", "Count"), ("Receive",)}
#: ... and when it does not: sold, then the count leaves it Sold; counted (Missing), the seller refused.
_NOT_NAMED = {("Receive", "Sell"), ("Receive", "Count Missing")}
_LEAVES = {"Receive": "In Stock", "Sell": "Sold", "Count": "In Stock", "Count Missing": "Missing"}


@pytest.mark.commits
def test_a_seller_and_a_counter_racing_on_one_serial_end_consistent():
	"""Whatever the order: the serial ends as one of the two orders leaves it, its stored state is
	what its log replays to, and neither session meets a raw error."""
	run = new_run()
	try:
		make_place(COUNTING)
		for number, (names_it, delay) in enumerate(_COUNTS):
			code, others = f"CNT{run}-{number}", [f"CNT{run}-{number}-O{n}" for n in range(2)]
			f.receive([code, *others], item=COUNTING, warehouse=WAREHOUSE)
			counted = [*others, code] if names_it else others
			outcomes = race(
				[
					Session(_draft_delivery, delayed_submit, [(COUNTING, code)]),
					Session(_draft_count, delayed_submit, [(COUNTING, counted, delay)]),
				]
			)

			no_raw_errors(outcomes)
			(seller, counter) = outcomes[0]
			status = f.serial(code).status
			operations = tuple(operation for operation, *_rest in active_log(code))
			assert operations in (_NAMED if names_it else _NOT_NAMED), (operations, seller, counter)
			assert status == _LEAVES[operations[-1]], (status, operations)
			assert seller.kind == DONE or "Sell" not in operations
			if seller.kind == DONE:
				assert ("Sell", "Delivery Note", seller.name, "Sold") in active_log(code)
			else:
				# Busy, or what the count left: "Row 1: <code> is not in stock: it is Missing ...".
				assert seller.detail == BUSY or f"Row 1: {code} " in seller.detail, seller.detail
				_wrote_nothing("Delivery Note", seller.name)
			if counter.kind != DONE:
				assert counter.detail == BUSY or code in counter.detail, counter.detail
				_wrote_nothing("Stock Reconciliation", counter.name)
			differences = [
				d for d in consistency_check.check(COUNTING) if d.kind == "replay" and run in d.code
			]
			assert not differences, (differences, active_log(code))
			print(f"\nseller and counter, round {number}, {operations}:\n{summary(outcomes)}")
	finally:
		clean_up(run)


# A cancellation and a sale of the same serial.

#: Who starts late (seconds): the canceller, then the seller, so that both orders are met.
_CANCEL_DELAYS = ((0.3, 0), (0, 0.3))


@pytest.mark.commits
def test_cancelling_a_receipt_while_its_serial_is_sold_ends_consistent():
	"""The canceller of a receipt and a seller of its serial at once: one of them wins. Sold first,
	the receipt cannot be cancelled (the sale moved its serial later); cancelled first, the serial
	is unknown again and the sale is refused. Neither meets a raw error, and nothing is left half
	done: the serial's state is what its log replays to."""
	run, spare = new_run(), None
	try:
		make_place(CANCELLING)
		# Units without codes, so that ERPNext's own stock check never stops either session.
		spare = f.purchase_receipt([(CANCELLING, 2, None, WAREHOUSE)])
		frappe.db.commit()
		for number, (cancel_delay, sell_delay) in enumerate(_CANCEL_DELAYS):
			code = f"CAN{run}-{number}"
			receipt = f.receive([code], item=CANCELLING, warehouse=WAREHOUSE)
			outcomes = race(
				[
					Session(
						loaded_document, delayed_cancel, [("Purchase Receipt", receipt.name, cancel_delay)]
					),
					Session(_draft_delivery, delayed_submit, [(CANCELLING, code, sell_delay)]),
				]
			)

			no_raw_errors(outcomes)
			(canceller, seller) = outcomes[0]
			assert [canceller.kind, seller.kind].count(DONE) == 1, (canceller, seller)
			if canceller.kind == DONE:
				assert f.serial(code) is None and active_log(code) == []
				assert seller.detail == BUSY or f"Row 1: {code} is not a known SN code" in seller.detail, (
					seller.detail
				)
				_wrote_nothing("Delivery Note", seller.name)
			else:
				assert frappe.db.get_value("Purchase Receipt", receipt.name, "docstatus") == 1
				assert canceller.detail == BUSY or (
					f"cancel them first, in this order: Delivery Note {seller.name}" in canceller.detail
				), canceller.detail
				assert active_log(code) == [
					("Receive", "Purchase Receipt", receipt.name, "In Stock"),
					("Sell", "Delivery Note", seller.name, "Sold"),
				]
			differences = [
				d for d in consistency_check.check(CANCELLING) if d.kind == "replay" and run in d.code
			]
			assert not differences, (differences, active_log(code))
			print(f"\ncanceller and seller, round {number}:\n{summary(outcomes)}")
	finally:
		clean_up(run)
		if spare:
			cancel_latest_first([("Purchase Receipt", spare.name)])


# A deadlock in the app's own locking.

DEADLOCKING = "ST-RACE-DEADLOCK"


def _draft_crossed(job):
	"""A draft Delivery Note of one serial, and the other serial to lock first: ``job`` is
	(item, code to lock first, code to sell)."""
	item, first, code = job
	doc = f.delivery_note([(item, 1, [code], WAREHOUSE)], submit=False)
	doc.flags.lock_first = first
	return doc


def _submit_crossed(doc):
	"""Hold the other session's serial (as a request that moved it earlier in its transaction would),
	wait until the other session holds this one's, then submit: each waits for the other."""
	frappe.db.sql("select `name` from `tabSerial Number` where `name` = %s for update", doc.flags.lock_first)
	time.sleep(1)
	doc.submit()


@pytest.mark.commits
def test_two_sessions_locking_each_others_serials_end_as_one_sale_and_one_busy_refusal():
	"""InnoDB breaks the deadlock by failing one session's statement inside the app's locked read:
	that session gets the app's busy refusal, never the raw deadlock, and the other one sells."""
	make_place(DEADLOCKING)
	run = new_run()
	first, second = f"{run}-DL-A", f"{run}-DL-B"
	f.purchase_receipt([(DEADLOCKING, 2, [first, second], WAREHOUSE)])
	frappe.db.commit()
	try:
		outcomes = race(
			[
				Session(_draft_crossed, _submit_crossed, [(DEADLOCKING, first, second)]),
				Session(_draft_crossed, _submit_crossed, [(DEADLOCKING, second, first)]),
			]
		)
		no_raw_errors(outcomes)
		kinds = sorted((o.kind, o.detail if o.kind == REFUSED else "") for o in outcomes[0])
		assert kinds == [(DONE, ""), (REFUSED, BUSY)], summary(outcomes)
		sold = frappe.get_all(
			"Serial Number", filters={"name": ("in", [first, second]), "status": "Sold"}, pluck="name"
		)
		assert len(sold) == 1
	finally:
		clean_up(run)
