"""Several sessions selling the same serial at the same moment: exactly one succeeds, nothing is half-written.

Real OS processes (spawned), each with its own connection to the site, submit
Delivery Notes of the same serial behind a barrier. The item has other stock at
the warehouse, so only the serial rule can stop the others. Separate connections
see only committed data, so this test commits: its codes are unique per run, it
uses an item and a warehouse of its own, and it cancels what it made (latest
first) and deletes the losers' drafts before it ends.
"""

import multiprocessing
import queue
import re
import traceback

import pytest

import frappe
from frappe.query_builder import Order

from serial_tracking.messages import SerialTrackingError
from tests.integration import factory as f

ITEM = "ST-RACE"
WAREHOUSE = f"ST Race - {f.ABBR}"
SESSIONS = 4
ROUNDS = 5
#: Other units of the item at the warehouse, so that ERPNext's stock check never stops a seller.
SPARE = 2
TIMEOUT = 60

SOLD = "sold"
BUSY = "busy"
SUBMITTED = "submitted"
CRASHED = "crashed"
_REFUSALS = {
	SOLD: re.compile(r"Row 1: (\S+) is not in stock: it is Sold \(last moved by Delivery Note (\S+)\)"),
	BUSY: re.compile(r"Another document is moving the same SN codes"),
}


def _seller(site: str, sites_path: str, rounds: list[str], barrier, results) -> None:
	"""One session: per round, save a draft Delivery Note of the round's serial, wait, submit it."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		for number, code in enumerate(rounds):
			note = f.delivery_note([(ITEM, 1, [code], WAREHOUSE)], submit=False)
			# Committed before the barrier: a draft's naming series lock must not hold the others back.
			frappe.db.commit()
			barrier.wait(TIMEOUT)
			try:
				note.submit()
				frappe.db.commit()
				results.put((number, note.name, SUBMITTED, ""))
			except Exception as e:
				frappe.db.rollback()
				kind = _kind(e)
				detail = str(e) if kind else traceback.format_exc()
				results.put((number, note.name, kind or type(e).__name__, detail))
	except BaseException:
		# Release the other sessions from the barrier, and tell the test why.
		barrier.abort()
		results.put((None, None, CRASHED, traceback.format_exc()))
		raise
	finally:
		frappe.destroy()


def _kind(e: Exception) -> str | None:
	"""The app's refusal an exception is, or None for anything else."""
	if not isinstance(e, SerialTrackingError):
		return None
	return next((kind for kind, pattern in _REFUSALS.items() if pattern.search(str(e))), None)


def _make_place() -> None:
	"""The item and warehouse of this test, made once per site and kept."""
	if not frappe.db.exists("Warehouse", WAREHOUSE):
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": WAREHOUSE.rsplit(" - ", 1)[0], "company": f.COMPANY}
		).insert()
	if not frappe.db.exists("Item", ITEM):
		f.make_item(ITEM)
	elif not frappe.db.get_value("Item", ITEM, "sn_tracking"):
		# A reinstall of the app drops the custom field and so the item's switch.
		frappe.db.set_value("Item", ITEM, "sn_tracking", 1)


def _cleanup(receipt, serials: list[str]) -> None:
	"""Cancel this run's sold notes latest first, then its receipt; delete the refused sellers' drafts."""
	frappe.db.rollback()
	row, note = frappe.qb.DocType("Delivery Note Item"), frappe.qb.DocType("Delivery Note")
	notes = (
		frappe.qb.from_(row)
		.join(note)
		.on(row.parent == note.name)
		.select(note.name, note.docstatus, note.creation)
		.distinct()
		.where((row.item_code == ITEM) & row.sn_codes.isin(serials))
		.orderby(note.creation, order=Order.desc)
		.run(as_dict=True)
	)
	for found in notes:
		if found.docstatus == 1:
			frappe.get_doc("Delivery Note", found.name).cancel()
		elif found.docstatus == 0:
			frappe.delete_doc("Delivery Note", found.name)
	if receipt is not None:
		receipt.reload()
		if receipt.docstatus == 1:
			receipt.cancel()
	frappe.db.commit()


def _collect(results, expected: int, workers: list) -> dict[int, list[tuple]]:
	outcomes: dict[int, list[tuple]] = {}
	for _ in range(expected):
		try:
			number, name, kind, detail = results.get(timeout=TIMEOUT)
		except queue.Empty:
			alive = [w.pid for w in workers if w.is_alive()]
			pytest.fail(
				f"{expected} results expected, {sum(map(len, outcomes.values()))} came; alive: {alive}"
			)
		if kind == CRASHED:
			pytest.fail(f"a session stopped outside a submit:\n{detail}")
		outcomes.setdefault(number, []).append((name, kind, detail))
	return outcomes


@pytest.mark.commits
def test_one_seller_wins_each_race_and_the_others_are_refused_cleanly():
	suffix = frappe.generate_hash(length=8).upper()
	serials = [f"RACE{suffix}-{n}" for n in range(ROUNDS)]
	spare = [f"RACE{suffix}-S{n}" for n in range(SPARE)]
	receipt, outcomes, workers = None, {}, []
	try:
		_make_place()
		before = _quantity()
		receipt = f.receive(serials + spare, item=ITEM, warehouse=WAREHOUSE)
		# The workers see only committed data, and the main connection must hold no lock while they run.
		frappe.db.commit()

		context = multiprocessing.get_context("spawn")
		barrier, results = context.Barrier(SESSIONS), context.Queue()
		site, sites_path = frappe.local.site, frappe.local.sites_path
		workers = [
			context.Process(target=_seller, args=(site, sites_path, serials, barrier, results))
			for _ in range(SESSIONS)
		]
		for worker in workers:
			worker.start()
		outcomes = _collect(results, SESSIONS * ROUNDS, workers)
		for worker in workers:
			worker.join(TIMEOUT)
		assert [w.exitcode for w in workers] == [0] * SESSIONS

		frappe.db.rollback()  # a fresh snapshot: see what the workers committed
		summary = {}
		for number, code in enumerate(serials):
			found = outcomes[number]
			kinds = sorted(kind for _name, kind, _detail in found)
			unexpected = [
				(kind, detail) for _name, kind, detail in found if kind not in (SUBMITTED, SOLD, BUSY)
			]
			assert not unexpected, unexpected
			assert kinds.count(SUBMITTED) == 1, found
			winner = next(name for name, kind, _detail in found if kind == SUBMITTED)
			losers = [name for name, kind, _detail in found if kind != SUBMITTED]
			for _name, kind, detail in found:
				if kind == SOLD:
					assert _REFUSALS[SOLD].search(detail).groups() == (code, winner), detail
			_assert_sold_once(code, winner, losers)
			summary[number] = kinds
		print(f"\n{SESSIONS} sessions x {ROUNDS} rounds:", summary)
		# One unit left per round, and the spare units are still in stock at the warehouse.
		assert _quantity() == before + SPARE
		assert frappe.get_all(
			"Serial Number", filters={"name": ("in", spare)}, fields=["status", "warehouse"], distinct=True
		) == [{"status": "In Stock", "warehouse": WAREHOUSE}]
	finally:
		for worker in workers:
			if worker.is_alive():
				worker.terminate()
		_cleanup(receipt, serials + spare)
	left = frappe.get_all(
		"Serial Number", filters={"name": ("in", serials + spare)}, fields=["name", "status"]
	)
	assert left == []


def _quantity() -> float:
	return frappe.db.get_value("Bin", {"item_code": ITEM, "warehouse": WAREHOUSE}, "actual_qty") or 0


def _assert_sold_once(code: str, winner: str, losers: list[str]) -> None:
	"""The serial is Sold by the winner alone; the refused notes wrote nothing."""
	state = frappe.db.get_value("Serial Number", code, ["status", "voucher_type", "voucher_no"], as_dict=True)
	assert (state.status, state.voucher_type, state.voucher_no) == ("Sold", "Delivery Note", winner)
	log = frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": code},
		fields=["operation", "voucher_type", "voucher_no", "status_after", "is_cancelled"],
		order_by="sequence",
	)
	assert [(r.operation, r.voucher_type, r.status_after, r.is_cancelled) for r in log] == [
		("Receive", "Purchase Receipt", "In Stock", 0),
		("Sell", "Delivery Note", "Sold", 0),
	]
	assert log[1].voucher_no == winner
	assert frappe.db.count("Stock Ledger Entry", {"voucher_no": winner, "is_cancelled": 0}) == 1
	for name in losers:
		assert frappe.db.get_value("Delivery Note", name, "docstatus") == 0
		assert frappe.db.count("Serial Circulation Log", {"voucher_no": name}) == 0
		assert frappe.db.count("Stock Ledger Entry", {"voucher_no": name}) == 0
		assert frappe.db.count("GL Entry", {"voucher_no": name}) == 0
