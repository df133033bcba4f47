"""Real OS processes racing on the site: sessions that act at the same instant, round after round.

Each session is a spawned process with its own connection to the site. Per
round it prepares (say, saves a draft) and commits, waits at a barrier with the
other sessions, then acts (say, submits) and commits; the outcome of every act
comes back through a queue. Separate connections see only committed data, so a
test that races commits, and cleans up after itself (:func:`cancel_latest_first`).
"""

import functools
import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

import frappe
from frappe.query_builder.functions import Sum

from serial_tracking.messages import SerialTrackingError
from tests.integration import factory as f

TIMEOUT = 60

#: The act succeeded and was committed.
DONE = "done"
#: The app refused it with its own error (a SerialTrackingError): ``detail`` is the message.
REFUSED = "refused"
#: Anything else escaped (a raw database error, say): ``detail`` is the traceback.
ERROR = "error"
#: A session stopped outside an act (its preparation failed, say).
_CRASHED = "crashed"

BUSY = "Another document is moving the same SN codes at this moment; nothing was saved. Please try again."


class Session(NamedTuple):
	"""What one process does: per job (one a round), ``prepare(job)``, commit, barrier, ``act(prepared)``,
	commit. Both are module-level functions (a spawned process imports them by name); ``prepare``
	returns what ``act`` takes, and a document's name becomes the outcome's ``name``."""

	prepare: Callable[[Any], Any]
	act: Callable[[Any], Any]
	jobs: list


class Outcome(NamedTuple):
	session: int
	round: int
	name: str | None
	kind: str
	detail: str
	#: How long the act took, commit included.
	seconds: float = 0.0


def classify(e: BaseException) -> tuple[str, str]:
	"""(REFUSED, message) for the app's refusal, (ERROR, traceback) for anything else."""
	if isinstance(e, SerialTrackingError):
		return REFUSED, str(e)
	return ERROR, "".join(traceback.format_exception(e))


#: What every racing process imports before it starts: imported once, by the fork server the
#: processes are forked from, instead of by each process (seconds each, dozens of processes a run).
PRELOAD = [
	"frappe",
	"frappe.model.document",
	"frappe.desk.form.load",
	"erpnext",
	"erpnext.controllers.stock_controller",
	"erpnext.stock.doctype.stock_entry.stock_entry",
	"erpnext.stock.doctype.delivery_note.delivery_note",
	"erpnext.stock.doctype.purchase_receipt.purchase_receipt",
	"erpnext.stock.doctype.stock_reconciliation.stock_reconciliation",
	"erpnext.stock.stock_ledger",
	"serial_tracking.stock.events",
	"tests.integration.factory",
	"tests.integration.racing",
]


@functools.cache
def processes():
	"""The multiprocessing context of every process a test starts on the site: forked from a server
	that has imported ``PRELOAD`` and holds no connection (a process still connects on its own)."""
	context = multiprocessing.get_context("forkserver")
	context.set_forkserver_preload(PRELOAD)
	return context


def keep(job):
	"""A ``prepare`` that does nothing: the act takes the job itself."""
	return job


def _session(number: int, session: Session, site: str, sites_path: str, barrier, results) -> None:
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		for round_, job in enumerate(session.jobs):
			prepared = session.prepare(job)
			name = getattr(prepared, "name", None)
			# Committed before the barrier: a draft's naming series lock must not hold the others back.
			frappe.db.commit()
			barrier.wait(TIMEOUT)
			start = time.monotonic()
			try:
				session.act(prepared)
				frappe.db.commit()
				results.put(Outcome(number, round_, name, DONE, "", time.monotonic() - start))
			except Exception as e:
				frappe.db.rollback()
				results.put(Outcome(number, round_, name, *classify(e), time.monotonic() - start))
	except BaseException:
		# Release the other sessions from the barrier, and tell the test why.
		barrier.abort()
		results.put(Outcome(number, -1, None, _CRASHED, traceback.format_exc()))
		raise
	finally:
		frappe.destroy()


def race(sessions: list[Session]) -> dict[int, list[Outcome]]:
	"""Run the sessions at once, each in its own process; the outcomes by round, in session order.

	The caller's connection must hold no lock: commit what the sessions need to see first.
	"""
	rounds = {len(s.jobs) for s in sessions}
	assert len(rounds) == 1, "every session plays every round"
	frappe.db.commit()
	context = processes()
	barrier, results = context.Barrier(len(sessions)), context.Queue()
	site, sites_path = frappe.local.site, frappe.local.sites_path
	workers = [
		context.Process(target=_session, args=(number, session, site, sites_path, barrier, results))
		for number, session in enumerate(sessions)
	]
	try:
		for worker in workers:
			worker.start()
		outcomes = _collect(results, len(sessions) * rounds.pop(), workers)
		for worker in workers:
			worker.join(TIMEOUT)
		assert [w.exitcode for w in workers] == [0] * len(workers)
	finally:
		for worker in workers:
			if worker.is_alive():
				worker.terminate()
	frappe.db.rollback()  # a fresh snapshot: see what the sessions committed
	return {n: sorted(found) for n, found in sorted(outcomes.items())}


def _collect(results, expected: int, workers: list) -> dict[int, list[Outcome]]:
	outcomes: dict[int, list[Outcome]] = {}
	for _ in range(expected):
		try:
			outcome = results.get(timeout=TIMEOUT)
		except queue.Empty:
			alive = [w.pid for w in workers if w.is_alive()]
			pytest.fail(
				f"{expected} outcomes expected, {sum(map(len, outcomes.values()))} came; alive: {alive}"
			)
		if outcome.kind == _CRASHED:
			pytest.fail(f"session {outcome.session} stopped outside an act:\n{outcome.detail}")
		outcomes.setdefault(outcome.round, []).append(outcome)
	return outcomes


def no_raw_errors(outcomes: dict[int, list[Outcome]]) -> None:
	"""Every act either succeeded or was the app's refusal."""
	errors = [o for found in outcomes.values() for o in found if o.kind == ERROR]
	assert not errors, "\n".join(f"round {o.round}, session {o.session}:\n{o.detail}" for o in errors)


def summary(outcomes: dict[int, list[Outcome]]) -> str:
	"""One line a round: each session's outcome (busy: the app's busy refusal) and how long it took."""
	return "\n".join(
		f"  round {n}: "
		+ ", ".join(f"{'busy' if o.detail == BUSY else o.kind} {o.seconds:.1f}s" for o in found)
		for n, found in outcomes.items()
	)


def cancel_latest_first(documents: list[tuple[str, str]]) -> None:
	"""Cancel the submitted documents among ``documents`` (doctype, name), latest first; delete drafts.

	Sessions that raced submitted in an order their timestamps need not tell, so a
	document that cannot be cancelled yet (a later one moved its serials) is tried
	again after the others.
	"""
	frappe.db.rollback()
	found = []
	for doctype, name in documents:
		values = frappe.db.get_value(doctype, name, ["docstatus", "modified"], as_dict=True)
		if values:
			found.append((values.modified, doctype, name, values.docstatus))
	for _modified, doctype, name, docstatus in found:
		if docstatus == 0:
			# Forced: a draft may carry the name of a deleted document whose cancelled ledger
			# entries still name it (deleting the last of a series hands its name on).
			frappe.delete_doc(doctype, name, force=True)
	frappe.db.commit()
	pending = sorted(((m, d, n) for m, d, n, docstatus in found if docstatus == 1), reverse=True)
	while pending:
		refused = {}
		for item in pending:
			_modified, doctype, name = item
			try:
				frappe.get_doc(doctype, name).cancel()
				frappe.db.commit()
			except Exception as e:
				frappe.db.rollback()
				refused[item] = e
		if len(refused) == len(pending):
			detail = "\n".join(f"{d} {n}: {e!r}" for (_m, d, n), e in refused.items())
			raise AssertionError(f"cannot cancel:\n{detail}")
		pending = list(refused)


# Where races run, and what they leave. Each test uses an item of its own and codes unique to
# its run (:func:`new_run`), and cleans up after itself (:func:`clean_up`).

#: The warehouse races run at.
WAREHOUSE = f"ST Race - {f.ABBR}"
#: The documents tests that commit make, with the child table carrying their codes.
_CARRIERS = {
	"Purchase Receipt": "Purchase Receipt Item",
	"Stock Entry": "Stock Entry Detail",
	"Delivery Note": "Delivery Note Item",
	"Sales Invoice": "Sales Invoice Item",
	"Stock Reconciliation": "Stock Reconciliation Item",
}


def make_place(item: str) -> None:
	"""The warehouse and the item of a test, made once per site and kept."""
	f.committed_place(item, WAREHOUSE)


def carrying(run: str) -> list[tuple[str, str]]:
	"""Every document whose rows carry a code of this run (the run's codes all contain ``run``)."""
	found = []
	for doctype, child in _CARRIERS.items():
		row = frappe.qb.DocType(child)
		names = (
			frappe.qb.from_(row)
			.select(row.parent)
			.distinct()
			.where(row.sn_codes.like(f"%{run}%"))
			.run(pluck=True)
		)
		found.extend((doctype, name) for name in names)
	return found


def clean_up(run: str) -> None:
	"""Cancel this run's documents latest first and delete its drafts; no serial of the run is left."""
	cancel_latest_first(carrying(run))
	assert run_serials(run) == []


def run_serials(run: str) -> list[str]:
	return frappe.get_all("Serial Number", filters={"name": ("like", f"%{run}%")}, pluck="name")


def new_run() -> str:
	return frappe.generate_hash(length=8).upper()


def bin_quantity(item: str) -> float:
	return frappe.db.get_value("Bin", {"item_code": item, "warehouse": WAREHOUSE}, "actual_qty") or 0


def ledger_quantity(item: str) -> float:
	"""The item's quantity at the warehouse by its active stock ledger entries.

	Not the Bin: ERPNext computes each entry's running balance from the entries its session sees,
	and sessions receiving one item into one warehouse at once do not see each other's, so the Bin
	and the balances lag behind until ERPNext reposts the item.
	"""
	sle = frappe.qb.DocType("Stock Ledger Entry")
	total = (
		frappe.qb.from_(sle)
		.select(Sum(sle.actual_qty))
		.where((sle.item_code == item) & (sle.warehouse == WAREHOUSE) & (sle.is_cancelled == 0))
		.run()
	)
	return total[0][0] or 0


def in_stock_count(item: str) -> int:
	return frappe.db.count("Serial Number", {"item_code": item, "warehouse": WAREHOUSE, "status": "In Stock"})


def active_log(code: str) -> list[tuple]:
	return [
		(r.operation, r.voucher_type, r.voucher_no, r.status_after)
		for r in frappe.get_all(
			"Serial Circulation Log",
			filters={"serial_no": code, "is_cancelled": 0},
			fields=["operation", "voucher_type", "voucher_no", "status_after"],
			order_by="sequence",
		)
	]


def room_for(item: str, room: int) -> list[tuple[str, str]]:
	"""Units at the warehouse without serials, so that ``room`` more can be registered there; committed.

	Made with SN tracking switched off, as stock received before the item was switched on."""
	free = int(bin_quantity(item)) - in_stock_count(item)
	if free >= room:
		return []
	frappe.db.set_value("Item", item, "sn_tracking", 0)
	try:
		entry = f.stock_entry("Material Receipt", [(item, room - free, None, None, WAREHOUSE)])
	finally:
		frappe.db.set_value("Item", item, "sn_tracking", 1)
		frappe.db.commit()
	return [("Stock Entry", entry.name)]


# Acts a session may take (module level: a spawned process imports them by name).


def delayed_submit(doc):
	"""Submit the draft, ``doc.flags.delay`` seconds after the others start when given."""
	time.sleep(doc.flags.get("delay") or 0)
	doc.submit()


def loaded_document(job):
	"""A submitted document, to cancel: ``(doctype, name)``, with a delay as for :func:`delayed_submit`."""
	doctype, name, delay = job
	doc = frappe.get_doc(doctype, name)
	doc.flags.delay = delay
	return doc


def delayed_cancel(doc):
	time.sleep(doc.flags.get("delay") or 0)
	doc.cancel()
