"""Faults: ERPNext refusing a document after the app's checks, a background job killed in the middle,
a deadlock between two documents.

A refusal rolls back only the transaction it happens in, and a request commits or rolls back as a
whole: so each document here is submitted or cancelled in a real process of its own that commits on
success and rolls back on an exception, as Frappe's request handler and its job runner do
(:mod:`tests.integration.racing`). Separate connections see only committed data, so these tests
commit: each uses an item of its own and codes unique to the run, and cancels and deletes what it
made before it ends.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

import frappe
from frappe.utils import add_days

from serial_tracking.constants import CARTON, LOG, SERIAL
from serial_tracking.exchange import xlsx_import
from tests.integration import factory as f
from tests.integration.racing import ERROR, REFUSED, Session, cancel_latest_first, keep, race
from tests.integration.sheets import sheet

WAREHOUSE = f"ST Fault - {f.ABBR}"
ITEM = "ST-FAULT"

#: What the other app's doc_event says when it refuses a document (see :func:`_another_app_refuses`).
OTHER_APP = "Another app refuses {0} {1}: {2} of its SN log rows were written"


# What the processes do (module level: a spawned process imports them by name).


def _another_app_refuses(doc, method=None):
	"""A doc_event of another app installed after this one, refusing the document; it says how many
	of the document's log rows this app had written (or marked cancelled) by then."""
	log = frappe.qb.DocType(LOG)
	query = frappe.qb.from_(log).select(log.name).where(log.voucher_no == doc.name)
	if method == "on_cancel":
		query = query.where(log.is_cancelled == 1)
	frappe.throw(OTHER_APP.format(doc.doctype, doc.name, len(query.run())))


def _with_another_app(event: str, doctype: str) -> None:
	"""This process runs ``doctype``'s ``event`` with another app's handler after this app's, as Frappe
	runs the doc_events of an app installed later."""
	handler = f"{__name__}._another_app_refuses"
	frappe.get_doc_hooks().setdefault(doctype, {}).setdefault(event, []).append(handler)
	# Frappe resolves a handler only in an app installed on the site; this one is a module of the
	# tests, known to this process alone.
	resolve = frappe.get_attr
	frappe.get_attr = lambda name: _another_app_refuses if name == handler else resolve(name)


def _act(job) -> None:
	"""``job``: (action, doctype, name, fault). The fault is made in the act's own transaction, so the
	process's rollback takes it back too and no other session of the site ever sees it."""
	action, doctype, name, fault = job
	doc = frappe.get_doc(doctype, name)
	if fault == "other app":
		_with_another_app("on_submit" if action == "submit" else "on_cancel", doctype)
	elif fault == "frozen books":
		# Accounts Settings > Accounts Frozen Till Date: ERPNext refuses ledger entries up to that date.
		frappe.db.set_single_value("Accounts Settings", "acc_frozen_upto", doc.posting_date)
	elif fault == "closed period":
		_close_period(doc)
	getattr(doc, action)()


def _close_period(doc) -> None:
	"""An Accounting Period of the document's company around its date, closed for its doctype."""
	frappe.get_doc(
		{
			"doctype": "Accounting Period",
			"period_name": f"ST Fault {doc.name}",
			"company": doc.company,
			"start_date": add_days(doc.posting_date, -1),
			"end_date": add_days(doc.posting_date, 1),
			"closed_documents": [{"document_type": doc.doctype, "closed": 1}],
		}
	).insert()


# The test's own place, what it snapshots, and cleaning up.


def _make_place() -> None:
	"""The warehouse and the item of these tests, made once per site and kept."""
	f.committed_place(ITEM, WAREHOUSE)


def _run() -> str:
	return frappe.generate_hash(length=8).upper()


def _snapshot(run: str) -> dict:
	"""Every serial, log row and carton of the run, as stored and committed."""
	frappe.db.rollback()  # a fresh snapshot: what other sessions committed
	like = ("like", f"%{run}%")
	return {
		"serials": frappe.get_all(
			SERIAL,
			filters={"name": like},
			fields=["name", "status", "warehouse", "voucher_type", "voucher_no", "movement_seq", "carton"],
			order_by="name",
		),
		"log": frappe.get_all(
			LOG,
			filters={"serial_no": like},
			fields=["name", "voucher_no", "operation", "is_cancelled", "sequence"],
			order_by="name",
		),
		"cartons": frappe.get_all(CARTON, filters={"name": like}, fields=["name", "serial_count"]),
	}


def _entries(name: str) -> dict:
	"""The stock and accounting entries of a voucher (a name ERPNext gave again after a document of
	that name was deleted may have old cancelled ones)."""
	return {
		ledger: frappe.get_all(
			ledger, filters={"voucher_no": name}, fields=["name", "is_cancelled"], order_by="name"
		)
		for ledger in ("Stock Ledger Entry", "GL Entry")
	}


def _refused(job) -> str:
	"""Run ``job`` (see :func:`_act`) in a process of its own; the refusal it met (a traceback)."""
	for _attempt in range(3):
		try:
			(found,) = race([Session(keep, _act, [job])]).values()
		finally:
			faults = _faults_left()
		(outcome,) = found
		# Another session of the site can deadlock ERPNext's own stock ledger inserts: the document
		# is rolled back, and the user sends it again.
		if "QueryDeadlockError" not in outcome.detail:
			break
	assert outcome.kind in (REFUSED, ERROR), outcome
	assert not faults, faults
	return outcome.detail


def _faults_left() -> list:
	"""The faults an act made that outlived its transaction (none): taken back at once, since they
	would refuse every other session's documents."""
	frappe.db.rollback()
	left = []
	if frappe.db.get_value("Accounts Settings", None, "acc_frozen_upto"):  # as ERPNext reads it
		left.append("acc_frozen_upto")
		frappe.db.set_single_value("Accounts Settings", "acc_frozen_upto", None)
	for name in frappe.get_all(
		"Accounting Period", filters={"period_name": ("like", "ST Fault %")}, pluck="name"
	):
		left.append(name)
		frappe.delete_doc("Accounting Period", name, force=True)
	frappe.db.commit()
	return left


def _documents(run: str) -> list[tuple[str, str]]:
	found = []
	for doctype, child in (
		("Purchase Receipt", "Purchase Receipt Item"),
		("Delivery Note", "Delivery Note Item"),
		("Stock Entry", "Stock Entry Detail"),
	):
		row = frappe.qb.DocType(child)
		names = (
			frappe.qb.from_(row)
			.select(row.parent)
			.distinct()
			.where(row.sn_codes.like(f"%{run}%") | row.description.like(f"%{run}%"))
			.run(pluck=True)
		)
		found.extend((doctype, name) for name in names)
	return found


def _clean_up(run: str) -> None:
	"""Cancel the run's documents latest first, delete its drafts and cartons; no serial is left."""
	documents = _documents(run)
	for doctype, name in documents:
		if frappe.db.get_value(doctype, name, "docstatus") == 0:
			# Forced: ERPNext may give a new draft the name of a deleted document whose cancelled
			# entries are still there.
			frappe.delete_doc(doctype, name, force=True)
	frappe.db.commit()
	for attempt in range(3):
		try:
			cancel_latest_first(documents)
			break
		except AssertionError:
			# A deadlock with another session of the site in ERPNext's own cancel: again.
			if attempt == 2:
				raise
	frappe.db.delete(CARTON, {"name": ("like", f"%{run}%")})
	# Cancelling marks the log rows cancelled; the tests' own rows go.
	frappe.db.delete(LOG, {"serial_no": ("like", f"%{run}%"), "is_cancelled": 1})
	frappe.db.commit()
	assert _snapshot(run) == {"serials": [], "log": [], "cartons": []}


def _receipt(run: str, codes: list[str], submit: bool, carton: str | None = None):
	doc = f.purchase_receipt([(ITEM, len(codes), codes, WAREHOUSE)], submit=False)
	if carton:
		doc.items[0].sn_cartons = json.dumps({carton: codes})
		doc.save()
	if submit:
		doc.submit()
	frappe.db.commit()
	return doc


def _untracked_issue(run: str, qty: int):
	"""A Material Issue of units without their codes (the policy lets the codes out): ERPNext's
	stock falls below the serials the app holds In Stock."""
	doc = f.stock_entry(
		"Material Issue", [(ITEM, qty, None, WAREHOUSE, None)], submit=False, remarks=f"ST fault {run}"
	)
	doc.items[0].description = f"ST fault {run}"
	doc.save()
	doc.submit()
	frappe.db.commit()
	return doc


# 1. ERPNext refuses a submit or a cancel after the app's checks: nothing of it is kept.


@pytest.mark.commits
@pytest.mark.parametrize(
	"fault, refusal",
	[
		("frozen books", "You are not authorized to add or update entries before"),
		("other app", OTHER_APP.format("Purchase Receipt", "{name}", 2)),
	],
)
def test_a_receipt_refused_after_the_apps_checks_leaves_no_serial(fault, refusal):
	run = _run()
	codes = [f"FLT{run}-R1", f"FLT{run}-R2"]
	try:
		_make_place()
		receipt = _receipt(run, codes, submit=False, carton=f"FLTC{run}")
		before, entries = _snapshot(run), _entries(receipt.name)
		assert before == {"serials": [], "log": [], "cartons": []}

		detail = _refused(("submit", "Purchase Receipt", receipt.name, fault))

		assert refusal.format(name=receipt.name) in detail, detail
		assert _snapshot(run) == before
		assert frappe.db.get_value("Purchase Receipt", receipt.name, "docstatus") == 0
		assert _entries(receipt.name) == entries
	finally:
		_clean_up(run)


@pytest.mark.commits
@pytest.mark.parametrize(
	"fault, refusal",
	[
		("negative stock", "NegativeStockError"),
		("frozen books", "You are not authorized to add or update entries before"),
		("other app", OTHER_APP.format("Delivery Note", "{name}", 1)),
	],
)
def test_a_sale_refused_after_the_apps_checks_leaves_every_serial_as_it_was(fault, refusal):
	run = _run()
	code, other = f"FLT{run}-S1", f"FLT{run}-S2"
	try:
		_make_place()
		_receipt(run, [code, other], submit=True)
		if fault == "negative stock":
			# Both serials stay In Stock in the app's ledger; ERPNext holds none of them.
			_untracked_issue(run, _held())
		note = f.delivery_note([(ITEM, 1, [code], WAREHOUSE)], submit=False)
		frappe.db.commit()
		before, entries = _snapshot(run), _entries(note.name)
		assert [s.status for s in before["serials"]] == ["In Stock", "In Stock"]

		detail = _refused(("submit", "Delivery Note", note.name, fault))

		assert refusal.format(name=note.name) in detail, detail
		assert _snapshot(run) == before
		assert frappe.db.get_value("Delivery Note", note.name, "docstatus") == 0
		assert _entries(note.name) == entries
	finally:
		_clean_up(run)


def _held() -> int:
	"""Units of the item ERPNext holds at the warehouse."""
	return int(frappe.db.get_value("Bin", {"item_code": ITEM, "warehouse": WAREHOUSE}, "actual_qty") or 0)


@pytest.mark.commits
@pytest.mark.parametrize(
	"fault, refusal",
	[
		("closed period", "You cannot create or cancel any accounting entries with in the closed"),
		("other app", OTHER_APP.format("Delivery Note", "{name}", 1)),
	],
)
def test_a_cancel_refused_after_the_apps_checks_leaves_every_serial_as_it_was(fault, refusal):
	run = _run()
	code, other = f"FLT{run}-C1", f"FLT{run}-C2"
	try:
		_make_place()
		_receipt(run, [code, other], submit=True)
		note = f.delivery_note([(ITEM, 1, [code], WAREHOUSE)])
		frappe.db.commit()
		before, entries = _snapshot(run), _entries(note.name)
		assert [s.status for s in before["serials"]] == ["Sold", "In Stock"]

		detail = _refused(("cancel", "Delivery Note", note.name, fault))

		assert refusal.format(name=note.name) in detail, detail
		assert _snapshot(run) == before
		assert frappe.db.get_value("Delivery Note", note.name, "docstatus") == 1
		assert _entries(note.name) == entries
	finally:
		_clean_up(run)


# 2. A background import or export whose worker is killed in the middle leaves nothing, and runs again.

JOB_ITEM = "ST-FAULT-JOB"
JOB_USER = "st-fault-jobs@example.com"
#: Units of JOB_ITEM at the warehouse without SN codes, for the imports to register.
JOB_ROOM = 40
WAIT = 90


@pytest.fixture(scope="module")
def jobs():
	"""A user of the jobs, the item with units to register, and no worker of the bench on the long
	queue (the job must go to the worker the test kills)."""
	from rq import Worker

	from frappe.utils.background_jobs import get_queue

	others = [w for w in Worker.all(queue=get_queue("long")) if _alive(w)]
	if others:
		pytest.skip(f"workers of the bench serve the long queue: {[w.name for w in others]}")
	_make_place()
	if not frappe.db.exists("Item", JOB_ITEM):
		f.make_item(JOB_ITEM)
	if not frappe.db.exists("User", JOB_USER):
		user = frappe.get_doc(
			{"doctype": "User", "email": JOB_USER, "first_name": "ST Fault", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Stock Manager", "Stock User")
	room = JOB_ROOM - _free(JOB_ITEM)
	if room > 0:
		entry = f.stock_entry("Material Receipt", [(JOB_ITEM, room, None, None, WAREHOUSE)], submit=False)
		entry.items[0].description = "ST fault jobs"
		entry.save()
		entry.submit()
	frappe.db.commit()
	yield


def _alive(worker) -> bool:
	"""Whether the worker is running (a killed one stays registered a few minutes)."""
	if worker.hostname != socket.gethostname():
		return True
	try:
		os.kill(worker.pid, 0)
	except ProcessLookupError:
		return False
	return True


def _free(item: str) -> int:
	held = frappe.db.get_value("Bin", {"item_code": item, "warehouse": WAREHOUSE}, "actual_qty") or 0
	return int(held) - frappe.db.count(
		SERIAL, {"item_code": item, "warehouse": WAREHOUSE, "status": "In Stock"}
	)


class _Worker:
	"""A real RQ worker of the bench (``bench worker --queue long``), in a process group of its own."""

	def __init__(self):
		self.process = subprocess.Popen(
			[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", "long"],
			cwd=os.path.abspath(frappe.local.sites_path),
			start_new_session=True,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)

	def kill(self) -> None:
		"""SIGKILL to the work horse running the job (RQ forks it in a session of its own) and to the
		worker."""
		import psutil

		if self.process.poll() is None:
			for horse in psutil.Process(self.process.pid).children(recursive=True):
				horse.send_signal(signal.SIGKILL)
			os.killpg(self.process.pid, signal.SIGKILL)
		self.process.wait(WAIT)


def _waiting_on(statement: str) -> int:
	"""The connection of the job blocked on ``statement`` (the start of its SQL), once it is."""
	deadline = time.monotonic() + WAIT
	while time.monotonic() < deadline:
		found = frappe.db.sql(
			"select id from information_schema.processlist where db = database() and info like %s",
			(statement + "%",),
		)
		if found:
			return found[0][0]
		time.sleep(0.1)
	pytest.fail(f"no job reached {statement!r} in {WAIT} s")


def _gone(connection: int) -> None:
	"""Wait until the database has dropped the killed job's connection (and rolled back its work)."""
	deadline = time.monotonic() + WAIT
	while frappe.db.sql("select id from information_schema.processlist where id = %s", (connection,)):
		assert time.monotonic() < deadline, f"connection {connection} of the killed job is still there"
		time.sleep(0.1)


def _uncommitted(doctype: str, field: str, like: str) -> int:
	"""Rows of ``doctype`` whose ``field`` is like ``like``, with those another transaction wrote and
	has not committed yet."""
	from frappe.database import get_db

	conf = frappe.local.conf
	# A second connection to the site, made as frappe.connect makes the first.
	other = get_db(
		host=conf.db_host,
		port=conf.db_port,
		user=conf.db_name,
		password=conf.db_password,
		cur_db_name=conf.db_name,
	)
	try:
		other.sql("set session transaction isolation level read uncommitted")
		return other.sql(f"select count(*) from `tab{doctype}` where `{field}` like %s", like)[0][0]
	finally:
		other.close()


def _done(subject: str) -> str:
	"""The subject of the notification the job ends in, once it is there."""
	deadline = time.monotonic() + WAIT
	while time.monotonic() < deadline:
		frappe.db.rollback()
		found = frappe.get_all(
			"Notification Log",
			filters={"for_user": JOB_USER, "subject": ("like", f"%{subject}%")},
			pluck="subject",
		)
		if found:
			return found[0]
		time.sleep(0.2)
	pytest.fail(f"no notification {subject!r} in {WAIT} s")


@pytest.mark.commits
def test_an_import_whose_worker_is_killed_stores_nothing_and_runs_again(jobs, monkeypatch):
	run = _run()
	codes = [f"FLTJ{run}-{n:02d}" for n in range(JOB_ROOM)]
	carton = f"FLTJC{run}"
	workers, file = [], None
	try:
		# A carton made by hand, which the import fills: the job updates its count as its last write.
		frappe.get_doc({"doctype": CARTON, "carton_code": carton, "item_code": JOB_ITEM}).insert()
		rows = [[JOB_ITEM, None, WAREHOUSE, code, carton] for code in codes]
		frappe.set_user(JOB_USER)  # who uploads the file and imports it
		file = frappe.get_doc(
			{"doctype": "File", "file_name": f"{run}.xlsx", "is_private": 1, "content": sheet(rows)}
		).insert()
		frappe.db.commit()
		monkeypatch.setattr(xlsx_import, "IN_REQUEST", 10)  # a job past 10 rows, as past 1,000
		assert xlsx_import.start(file.file_url)["rows"] == JOB_ROOM
		frappe.db.commit()  # the request ends: the job is queued
		frappe.set_user("Administrator")

		# Held here, the job stops at its last write, with every serial and log row written.
		frappe.db.sql(f"select name from `tab{CARTON}` where name = %s for update", carton)
		workers.append(_Worker())
		connection = _waiting_on(f"update `tab{CARTON}`")
		assert _uncommitted(SERIAL, "name", f"%{run}%") == JOB_ROOM
		assert _uncommitted(LOG, "serial_no", f"%{run}%") == JOB_ROOM
		workers[-1].kill()
		frappe.db.rollback()
		_gone(connection)

		assert _snapshot(run) == {"serials": [], "log": [], "cartons": [{"name": carton, "serial_count": 0}]}
		assert not frappe.db.exists(
			"Notification Log", {"for_user": JOB_USER, "subject": ("like", f"%{file.file_url}%")}
		)

		# Run again: it completes.
		frappe.set_user(JOB_USER)
		xlsx_import.start(file.file_url)
		frappe.db.commit()
		frappe.set_user("Administrator")
		workers.append(_Worker())
		assert f"is done: {JOB_ROOM} registered" in _done(file.file_url)
		after = _snapshot(run)
		assert {(s.status, s.warehouse, s.carton) for s in after["serials"]} == {
			("In Stock", WAREHOUSE, carton)
		}
		assert sorted(s.name for s in after["serials"]) == codes
		assert [(r.operation, r.is_cancelled) for r in after["log"]] == [("Registration", 0)] * JOB_ROOM
		assert after["cartons"] == [{"name": carton, "serial_count": JOB_ROOM}]
	finally:
		for worker in workers:
			worker.kill()
		frappe.db.rollback()
		frappe.set_user("Administrator")
		_clear_job_run(run, file)


def _clear_job_run(run: str, file) -> None:
	"""The serials a job registered (no document moved them), their log, the carton, the file and
	the notifications."""
	frappe.db.delete(SERIAL, {"name": ("like", f"%{run}%")})
	frappe.db.delete(LOG, {"serial_no": ("like", f"%{run}%")})
	frappe.db.delete(CARTON, {"name": ("like", f"%{run}%")})
	if file:
		frappe.delete_doc("File", file.name, force=True, ignore_permissions=True)
		frappe.db.delete(
			"Notification Log", {"for_user": JOB_USER, "subject": ("like", f"%{file.file_url}%")}
		)
	frappe.db.commit()


@pytest.mark.commits
def test_an_export_whose_worker_is_killed_leaves_no_file_and_runs_again(jobs, monkeypatch):
	from frappe.desk.doctype.notification_settings.notification_settings import (
		create_notification_settings,
	)

	from serial_tracking.exchange import export
	from serial_tracking.stock import in_stock_registration

	run = _run()
	codes = [f"FLTE{run}-{n:02d}" for n in range(12)]
	workers, made = [], set()
	files = {"attached_to_name": JOB_USER, "file_name": ("like", "sn-codes-%")}
	try:
		if _free(JOB_ITEM) < len(codes):
			pytest.skip("no room left at the warehouse to register the serials to export")
		in_stock_registration.register(JOB_ITEM, WAREHOUSE, f.text(codes))
		create_notification_settings(JOB_USER)
		frappe.db.commit()
		made = set(frappe.get_all("File", filters=files, pluck="name"))
		frappe.set_user(JOB_USER)
		monkeypatch.setattr(export, "IN_REQUEST", 5)  # a job past 5 rows, as past 5,000
		filters = {"item_code": JOB_ITEM, "serial_no": f"FLTE{run}*"}
		assert export.start(filters, "csv")["count"] == len(codes)
		frappe.db.commit()  # the request ends: the job is queued
		frappe.set_user("Administrator")

		# Held here, the job stops at its notification, after its File is written.
		frappe.db.sql("select name from `tabNotification Settings` where name = %s for update", JOB_USER)
		workers.append(_Worker())
		connection = _waiting_on("update `tabNotification Settings`")
		assert _uncommitted("File", "attached_to_name", JOB_USER) == len(made) + 1
		workers[-1].kill()
		frappe.db.rollback()
		_gone(connection)

		assert set(frappe.get_all("File", filters=files, pluck="name")) == made
		assert not frappe.db.exists(
			"Notification Log", {"for_user": JOB_USER, "subject": ("like", "%export%")}
		)

		# Run again: it completes.
		frappe.set_user(JOB_USER)
		export.start(filters, "csv")
		frappe.db.commit()
		frappe.set_user("Administrator")
		workers.append(_Worker())
		assert f"Your export of {len(codes)} serials is ready" in _done("export")
		(new,) = set(frappe.get_all("File", filters=files, pluck="name")) - made
		content = frappe.get_doc("File", new).get_content()
		content = content.decode() if isinstance(content, bytes) else content
		assert all(code in content for code in codes)
	finally:
		for worker in workers:
			worker.kill()
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for name in set(frappe.get_all("File", filters=files, pluck="name")) - made:
			frappe.delete_doc("File", name, force=True, ignore_permissions=True)
		frappe.db.delete("Notification Log", {"for_user": JOB_USER, "subject": ("like", "%export%")})
		_clear_job_run(run, None)
