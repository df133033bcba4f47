"""Reads that only show go to a MariaDB replica; documents, the live check and anything that decides a
movement read the primary.

The test starts MariaDB servers of its own (:mod:`tests.scaleout.mariadb`): a primary with binary
logging holding a copy of the test site's database, and a replica following it (read-only: a write
sent there fails). A site of its own points at the primary with Frappe's ``read_from_replica`` and the
replica's address, and is served over HTTP as the REST tests' site is. With the replica's SQL thread
stopped, a code received a moment ago is missing from whatever reads the replica and present in
whatever reads the primary; once replication resumes, both agree.
"""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import frappe

from serial_tracking.exchange import export
from tests.integration import factory
from tests.scaleout import mariadb
from tests.scaleout.clients import Client, message, refusal, token_user
from tests.scaleout.serving import Served

SOURCE = os.environ.get("ST_SITE", "st-test.localhost")
SITE = os.environ.get("ST_REPLICA_SITE", "st-replica.localhost")
MANAGER = "st-replica-manager@example.com"


def _dump(config: dict, common: dict, into: Path) -> None:
	"""The source site's database, dumped by its own user (a consistent snapshot)."""
	dumper = shutil.which("mariadb-dump") or shutil.which("mysqldump")
	host = config.get("db_host") or common.get("db_host") or "127.0.0.1"
	port = config.get("db_port") or common.get("db_port") or 3306
	with into.open("wb") as out:
		subprocess.run(
			[
				dumper,
				"--no-defaults",
				f"-h{host}",
				f"-P{port}",
				f"-u{config['db_name']}",
				f"-p{config['db_password']}",
				"--single-transaction",
				"--quick",
				config["db_name"],
			],
			stdout=out,
			check=True,
		)


@pytest.fixture(scope="module")
def replicated():
	"""The site on a primary and a replica of the tests' own, served; its replication and a manager."""
	missing = mariadb.installed()
	if missing:
		pytest.skip(f"no MariaDB servers of the test's own: {missing}")
	sites = Path(".").resolve()
	config = json.loads((sites / SOURCE / "site_config.json").read_text())
	common = json.loads((sites / "common_site_config.json").read_text())
	root = Path(tempfile.mkdtemp(prefix="st-replica-"))
	replication = mariadb.Replication(root)
	site_dir = sites / SITE
	served = None
	try:
		_dump(config, common, root / "site.sql")
		name = f"_st_replica_{secrets.token_hex(4)}"
		password = secrets.token_hex(8)
		replication.start(name, name, password, root / "site.sql")
		shutil.rmtree(site_dir, ignore_errors=True)
		for folder in ("logs", "locks", "public/files", "private/files", "private/backups"):
			(site_dir / folder).mkdir(parents=True)
		own = {
			"db_name": name,
			"db_password": password,
			"db_host": "127.0.0.1",
			"db_port": replication.primary.port,
			"read_from_replica": 1,
			"replica_host": "127.0.0.1",
			"replica_db_port": replication.replica.port,
			# its background jobs in queues of its own
			"bench_id": f"serial-tracking-replica-{name}",
		}
		(site_dir / "site_config.json").write_text(json.dumps({**config, **own}, indent=1, sort_keys=True))
		frappe.init(site=SITE, sites_path=str(sites))
		frappe.connect()
		frappe.set_user("Administrator")
		factory.make_master_data()
		frappe.db.commit()
		manager = token_user(frappe, MANAGER, ["Stock Manager", "Stock User"])
		served = Served(SITE, str(sites))
		replication.wait_until_caught_up()
		yield replication, Client(served.url, manager)
	finally:
		if served:
			served.stop()
		if getattr(frappe.local, "site", None) == SITE:
			frappe.destroy()
		replication.stop()
		shutil.rmtree(site_dir, ignore_errors=True)
		shutil.rmtree(root, ignore_errors=True)


def _received(code: str) -> None:
	"""``code`` received at the main warehouse by a submitted Material Receipt, committed (on the primary)."""
	factory.stock_entry("Material Receipt", [(factory.PHONE, 1, [code], None, factory.MAIN)])
	frappe.db.commit()


def _on_replica(replication, code: str) -> bool:
	return bool(
		replication.replica.sql(
			f"SELECT name FROM `{frappe.conf.db_name}`.`tabSerial Number` WHERE name = %s", (code,)
		)
	)


def _sale_row(code: str) -> dict:
	"""The live check of ``code`` on a new Delivery Note's row at the main warehouse, as the SN dialog asks it."""
	row = "new-delivery-note-item-1"
	doc = {
		"doctype": "Delivery Note",
		"name": "new-delivery-note-1",
		"__islocal": 1,
		"__unsaved": 1,
		"docstatus": 0,
		"company": factory.COMPANY,
		"customer": factory.CUSTOMER,
		"items": [
			{
				"doctype": "Delivery Note Item",
				"name": row,
				"__islocal": 1,
				"idx": 1,
				"item_code": factory.PHONE,
				"qty": 1,
				"stock_qty": 1,
				"uom": "Nos",
				"stock_uom": "Nos",
				"conversion_factor": 1,
				"rate": 100,
				"warehouse": factory.MAIN,
			}
		],
	}
	return {"doc": doc, "row": row, "text": code}


def _reads(client: Client, code: str) -> dict:
	"""What each read that only shows answers about ``code``: found, or not (a clean refusal naming it
	unknown, never an error of another kind)."""
	report = message(
		client.post(
			"frappe.desk.query_report.run", report_name="Serial Number Search", filters={"serial_no": code}
		)
	)
	search = message(client.post("serial_tracking.api.search_serials", filters={"serial_no": code}))
	history = message(client.post("serial_tracking.api.history", serial_no=code))
	link = message(client.post("serial_tracking.api.search_serial_link", txt=code))

	def found(response, missing: str) -> bool:
		if response.ok:
			return True
		exception, said = refusal(response)
		assert exception == missing, (exception, said)
		return False

	# the code's log row by its name, as a Link field to the log searches it (read on the primary here)
	log_row = frappe.db.get_value("Serial Circulation Log", {"serial_no": code}, "name")
	walled = message(
		client.post("serial_tracking.api.search_walled", doctype="Serial Circulation Log", txt=log_row)
	)
	trace = client.post("serial_tracking.api.trace", serial_no=code)
	labels = client.post("serial_tracking.api.count_labels", codes=[code])
	printed = client.post("serial_tracking.api.print_labels", codes=[code], format="zpl")
	exported = client.post("serial_tracking.api.export_serials", filters={"serial_no": code}, format="csv")
	return {
		"search report": [row.get("serial_no") for row in report["result"] if isinstance(row, dict)]
		== [code],
		"search_serials": [r["serial_no"] for r in search["rows"]] == [code],
		"trace": found(trace, "frappe.exceptions.DoesNotExistError") and bool(message(trace)["lives"]),
		"history": bool(history),
		"link search": [r[0] for r in link] == [code],
		"log search": [r[0] for r in walled] == [log_row],
		"labels": found(labels, "frappe.exceptions.DoesNotExistError") and message(labels)["labels"] == 1,
		"labels printed": found(printed, "frappe.exceptions.DoesNotExistError")
		and bool(message(printed)["file_url"]),
		"export": found(exported, "frappe.exceptions.ValidationError") and message(exported)["count"] == 1,
	}


def _live(client: Client, code: str) -> dict:
	"""What the paths that read the primary answer about ``code``."""
	checked = message(client.post("serial_tracking.api.check_row", **_sale_row(code)))
	document = client.session.get(f"{client.url}/api/resource/Serial Number/{code}", timeout=60)
	return {
		"live check": [(c["code"], c.get("reason")) for c in checked["codes"]] == [(code, None)],
		"document": document.ok and document.json()["data"]["status"] == "In Stock",
	}


def test_showing_reads_the_replica_and_the_live_check_the_primary(replicated):
	replication, client = replicated
	code = f"REPL{secrets.token_hex(4).upper()}"

	replication.stop_applying()
	try:
		_received(code)
		assert not _on_replica(replication, code)
		lagging = _reads(client, code)
		live = _live(client, code)
	finally:
		replication.resume_applying()
	# it read the replica: the new code is not there yet
	assert lagging == dict.fromkeys(lagging, False), lagging
	# it read the primary
	assert live == dict.fromkeys(live, True), live

	replication.wait_until_caught_up()
	assert _on_replica(replication, code)
	caught_up = _reads(client, code)
	assert caught_up == dict.fromkeys(caught_up, True), caught_up
	assert _live(client, code) == dict.fromkeys(live, True)


def test_files_made_while_reading_the_replica_are_written_on_the_primary(replicated):
	"""An export and labels read the replica and write their File on the primary, while it lags."""
	replication, client = replicated
	code = f"REPF{secrets.token_hex(4).upper()}"
	_received(code)
	replication.wait_until_caught_up()

	replication.stop_applying()
	try:
		exported = message(
			client.post("serial_tracking.api.export_serials", filters={"serial_no": code}, format="csv")
		)
		labels = message(client.post("serial_tracking.api.print_labels", codes=[code], format="zpl"))
	finally:
		replication.resume_applying()
	frappe.db.rollback()  # a fresh snapshot of the primary
	for url in (exported["file_url"], labels["file_url"]):
		assert frappe.db.exists("File", {"file_url": url}), url
	content = client.session.get(f"{client.url}{exported['file_url']}", timeout=60)
	assert content.ok and code in content.text
	replication.wait_until_caught_up()


def test_an_export_too_big_for_the_request_is_queued_when_the_primary_commits(replicated, monkeypatch):
	"""A request that reads the replica queues its export job on the primary's commit, not on the
	replica's (which never commits): the job is in the queue once the request's transaction ends."""
	from rq.exceptions import NoSuchJobError
	from rq.job import Job

	from frappe.utils.background_jobs import get_redis_conn

	replication, _client = replicated
	code = f"REPQ{secrets.token_hex(4).upper()}"
	_received(code)
	replication.wait_until_caught_up()
	monkeypatch.setattr(export, "IN_REQUEST", 0)
	_new_request()

	@frappe.read_only()
	def started() -> dict:
		assert frappe.db is not frappe.local.primary_db, "not reading the replica"
		return export.start({"serial_no": code}, "csv")

	job_id = started()["job"]
	frappe.db.commit()
	try:
		job = Job.fetch(job_id, connection=get_redis_conn())
	except NoSuchJobError:
		job = None
	try:
		assert job is not None, "the export's job was never queued"
	finally:
		if job:
			job.delete()


def _new_request() -> None:
	"""This process as at the start of a request or a job: Frappe connects to the replica once in
	each (``frappe.connect_replica`` keeps the connections it made on ``frappe.local``)."""
	for attribute in ("primary_db", "replica_db"):
		if hasattr(frappe.local, attribute):
			delattr(frappe.local, attribute)


def test_the_export_job_reads_the_replica_and_writes_its_file_on_the_primary(replicated):
	"""The export's background job, as a worker runs it: its rows come from the replica, so a code
	received while the replica lags is not in it yet; its File and notification are the primary's."""
	replication, _client = replicated
	code = f"REPJ{secrets.token_hex(4).upper()}"
	replication.stop_applying()
	try:
		_received(code)
		_new_request()
		lagging = export.export_in_background({"serial_no": code}, "csv", "Administrator")
	finally:
		replication.resume_applying()
	assert lagging is None  # nothing matched on the replica
	replication.wait_until_caught_up()
	_new_request()
	url = export.export_in_background({"serial_no": code}, "csv", "Administrator")
	assert url and frappe.db.exists("File", {"file_url": url})
	assert frappe.db.exists("Notification Log", {"for_user": "Administrator", "link": url})
