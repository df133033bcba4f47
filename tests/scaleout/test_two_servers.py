"""Two web servers of one site: clerks spread over both race as on one.

The site (``ST_SITE``) is served by two processes on two ports, sharing its MariaDB and Redis, as
two app hosts behind a load balancer would. Each clerk is a process of its own calling one of the
two servers over HTTP with a token user; the clerks submit their drafts at the same instant (a
barrier). The outcomes are those of the races on one server (``tests/integration/test_concurrency.py``):
one sale of a unit out of several, receivers of new codes all received, a seller against a counter
ending as one of the two orders leaves the unit. Every lock is in the database, so which server a
clerk calls changes nothing.
"""

import multiprocessing
import os
import re
from pathlib import Path

import pytest

import frappe

from serial_tracking.stock import consistency_check
from tests.integration import factory as f
from tests.integration.racing import (
	BUSY,
	WAREHOUSE,
	active_log,
	clean_up,
	make_place,
	new_run,
)
from tests.scaleout import clerks
from tests.scaleout.clerks import TIMEOUT, Answer
from tests.scaleout.clients import CLERK_ROLES, drop_user, token_user
from tests.scaleout.serving import Served

SITE = os.environ.get("ST_SITE", "st-test.localhost")
CLERK = "st-two-servers-clerk@example.com"
SELLING = "ST-2SRV-SELL"
RECEIVING = "ST-2SRV-IN"
COUNTING = "ST-2SRV-COUNT"
_SOLD = re.compile(r"Row 1: (\S+) is not in stock: it is Sold \(last moved by Delivery Note (\S+)\)")


@pytest.fixture(scope="module")
def servers():
	"""The site served twice, the clerks' token and the servers' addresses."""
	sites = str(Path(".").resolve())
	frappe.init(site=SITE, sites_path=sites)
	frappe.connect()
	frappe.set_user("Administrator")
	served = []
	try:
		f.make_master_data()
		for item in (SELLING, RECEIVING, COUNTING):
			make_place(item)
		frappe.db.commit()
		token = token_user(frappe, CLERK, CLERK_ROLES)
		served = [Served(SITE, sites), Served(SITE, sites)]
		yield token, [s.url for s in served]
	finally:
		for server in served:
			server.stop()
		drop_user(frappe, CLERK)
		frappe.destroy()


def race(token: str, urls: list[str], drafts: list) -> list[Answer]:
	"""Submit the drafts at once, clerk ``n`` on server ``n % 2``; each clerk's answer, in clerk order.

	The drafts are committed first: each clerk's request reads the document on its own connection."""
	frappe.db.commit()
	# spawned: a clerk shares no connection of the test's process
	context = multiprocessing.get_context("spawn")
	barrier, answers = context.Barrier(len(drafts)), context.Queue()
	processes = [
		context.Process(
			target=clerks.submit,
			args=(n, urls[n % len(urls)], token, doc.doctype, doc.name, barrier, answers),
		)
		for n, doc in enumerate(drafts)
	]
	for clerk in processes:
		clerk.start()
	try:
		found = sorted(answers.get(timeout=TIMEOUT * 2) for _ in processes)
	finally:
		for clerk in processes:
			clerk.join(TIMEOUT)
			if clerk.is_alive():
				clerk.terminate()
	frappe.db.rollback()  # a fresh snapshot: see what the clerks committed
	broken = [a for a in found if a.status == 0]
	assert not broken, broken[0].said
	# both servers took part
	assert len({a.url for a in found}) == min(len(urls), len(drafts))
	return found


def _wrote_nothing(doctype: str, name: str) -> None:
	"""A refused document stayed a draft and wrote no stock, accounting or serial entry."""
	assert frappe.db.get_value(doctype, name, "docstatus") == 0
	for ledger in ("Stock Ledger Entry", "GL Entry", "Serial Circulation Log"):
		assert frappe.db.count(ledger, {"voucher_no": name}) == 0, (ledger, name)


SELLERS = 4
ROUNDS = 3


@pytest.mark.commits
def test_one_seller_of_a_unit_wins_whichever_server_each_calls(servers):
	token, urls = servers
	run = new_run()
	codes = [f"TWO{run}-{n}" for n in range(ROUNDS)]
	try:
		f.receive([*codes, f"TWO{run}-SPARE"], item=SELLING, warehouse=WAREHOUSE)
		for code in codes:
			drafts = [
				f.delivery_note([(SELLING, 1, [code], WAREHOUSE)], submit=False) for _ in range(SELLERS)
			]
			answers = race(token, urls, drafts)

			winners = [a.name for a in answers if a.status == 200]
			assert len(winners) == 1, answers
			for a in answers:
				if a.status != 200:
					assert a.said.endswith(BUSY) or _SOLD.search(a.said).groups() == (code, winners[0]), (
						a.said
					)
					_wrote_nothing("Delivery Note", a.name)
			state = frappe.db.get_value("Serial Number", code, ["status", "voucher_no"], as_dict=True)
			assert (state.status, state.voucher_no) == ("Sold", winners[0])
			assert [(op, no) for op, _type, no, _status in active_log(code)][1:] == [("Sell", winners[0])]
			assert frappe.db.count("Stock Ledger Entry", {"voucher_no": winners[0], "is_cancelled": 0}) == 1
	finally:
		clean_up(run)


RECEIVERS = 4
CODES = 20


@pytest.mark.commits
def test_first_receivers_of_new_codes_on_both_servers_all_receive(servers):
	"""Receipts of new codes of one item at a warehouse where it has no Bin yet, dated when submitted
	(as Desk dates them), on both servers at once: each posts after the ones before it, so the Bin and
	ERPNext's running balance hold every unit."""
	token, urls = servers
	run = new_run()
	warehouse = f"ST Two Servers {run} - {f.ABBR}"
	jobs = [[f"TWOIN{run}-{r}-{n:02d}" for n in range(CODES)] for r in range(RECEIVERS)]
	try:
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": f"ST Two Servers {run}", "company": f.COMPANY}
		).insert()
		drafts = [
			f.purchase_receipt([(RECEIVING, CODES, codes, warehouse)], submit=False, set_posting_time=0)
			for codes in jobs
		]
		answers = race(token, urls, drafts)

		assert [(a.status, a.said) for a in answers] == [(200, "")] * RECEIVERS, answers
		for answer, codes in zip(answers, jobs, strict=True):
			serials = frappe.get_all(
				"Serial Number",
				filters={"name": ("in", codes)},
				fields=["status", "warehouse", "voucher_no"],
				distinct=True,
			)
			assert serials == [{"status": "In Stock", "warehouse": warehouse, "voucher_no": answer.name}]
			assert (
				frappe.db.count("Serial Circulation Log", {"voucher_no": answer.name, "is_cancelled": 0})
				== CODES
			)
		total = RECEIVERS * CODES
		assert frappe.get_all(
			"Bin", filters={"item_code": RECEIVING, "warehouse": warehouse}, pluck="actual_qty"
		) == [total]
		latest = frappe.get_all(
			"Stock Ledger Entry",
			filters={"item_code": RECEIVING, "warehouse": warehouse, "is_cancelled": 0},
			fields=["qty_after_transaction"],
			order_by="posting_datetime desc, creation desc",
			limit=1,
		)
		assert [e.qty_after_transaction for e in latest] == [total]
	finally:
		clean_up(run)


#: Whether the count names the unit being sold: the active movements the two orders can leave.
_NAMED = {("Receive", "Sell"), ("Receive", "Sell", "Count"), ("Receive",)}
_NOT_NAMED = {("Receive", "Sell"), ("Receive", "Count Missing")}
_LEAVES = {"Receive": "In Stock", "Sell": "Sold", "Count": "In Stock", "Count Missing": "Missing"}


@pytest.mark.commits
def test_a_seller_and_a_counter_on_two_servers_end_consistent(servers):
	token, urls = servers
	run = new_run()
	try:
		for number, names_it in enumerate((False, True, False, True)):
			code, others = f"TWOC{run}-{number}", [f"TWOC{run}-{number}-O{n}" for n in range(2)]
			f.receive([code, *others], item=COUNTING, warehouse=WAREHOUSE)
			counted = [*others, code] if names_it else others
			sale = f.delivery_note([(COUNTING, 1, [code], WAREHOUSE)], submit=False)
			count = f.reconciliation([(COUNTING, len(counted), counted, WAREHOUSE)], submit=False)
			# the seller on one server, the counter on the other, in turn
			seller, counter = race(token, urls if number % 2 else urls[::-1], [sale, count])

			operations = tuple(operation for operation, *_rest in active_log(code))
			assert operations in (_NAMED if names_it else _NOT_NAMED), (operations, seller, counter)
			assert frappe.db.get_value("Serial Number", code, "status") == _LEAVES[operations[-1]]
			assert (seller.status == 200) == ("Sell" in operations), (seller, operations)
			if seller.status != 200:
				assert seller.said.endswith(BUSY) or f"Row 1: {code} " in seller.said, seller.said
				_wrote_nothing("Delivery Note", seller.name)
			if counter.status != 200:
				assert counter.said.endswith(BUSY) or code in counter.said, counter.said
				_wrote_nothing("Stock Reconciliation", counter.name)
			replayed = [d for d in consistency_check.check(COUNTING) if d.kind == "replay" and run in d.code]
			assert not replayed, (replayed, active_log(code))
	finally:
		clean_up(run)


#: (clerks, servers) of each throughput round; each clerk submits its drafts one after the other.
_LOADS = ((1, 1), (4, 1), (4, 2), (8, 2))
_EACH = 10


@pytest.mark.commits
@pytest.mark.skipif(
	not os.environ.get("ST_SCALE_BENCHMARK"), reason="a measurement: ST_SCALE_BENCHMARK=1 runs it"
)
def test_documents_per_second_on_one_and_two_servers(servers):
	"""Receipts of one new SN code each, submitted by clerks over one or both servers: documents a
	second, and each document's time as a clerk waits for it (docs/scaling.md)."""
	token, urls = servers
	run = new_run()
	lines = []
	try:
		for round_, (clerk_count, server_count) in enumerate(_LOADS):
			drafts = [
				[
					f.purchase_receipt(
						[(RECEIVING, 1, [f"TPUT{run}-{round_}-{c}-{n}"], WAREHOUSE)], submit=False
					)
					for n in range(_EACH)
				]
				for c in range(clerk_count)
			]
			frappe.db.commit()
			context = multiprocessing.get_context("spawn")
			barrier, answers = context.Barrier(clerk_count), context.Queue()
			processes = [
				context.Process(
					target=clerks.submit_all,
					args=(
						c,
						urls[c % server_count],
						token,
						[(d.doctype, d.name) for d in mine],
						barrier,
						answers,
					),
				)
				for c, mine in enumerate(drafts)
			]
			for process in processes:
				process.start()
			found = [answers.get(timeout=TIMEOUT * 4) for _ in processes]
			for process in processes:
				process.join(TIMEOUT)
			statuses = [s for _n, got, _t in found for s in got]
			assert statuses == [200] * (clerk_count * _EACH), found
			wall = max(seconds for _n, _s, seconds in found)
			documents = clerk_count * _EACH
			lines.append(
				f"{clerk_count} clerks on {server_count} server(s): {documents} receipts in {wall:.1f} s, "
				f"{documents / wall:.1f} a second, {wall / _EACH * 1000:.0f} ms a document as a clerk waits"
			)
		frappe.db.rollback()
		print("\n" + "\n".join(lines))
	finally:
		clean_up(run)
