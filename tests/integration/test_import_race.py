"""Imports and a receipt racing on the same new code, in real processes: one wins, the others are
refused cleanly, nothing of theirs is left, and the warehouse never holds more serials than units."""

import uuid

import pytest

import frappe

from serial_tracking.exchange import xlsx_import
from tests.integration import factory as f
from tests.integration.racing import (
	DONE,
	REFUSED,
	WAREHOUSE,
	Session,
	bin_quantity,
	cancel_latest_first,
	carrying,
	delayed_submit,
	in_stock_count,
	make_place,
	new_run,
	no_raw_errors,
	race,
	room_for,
	run_serials,
	summary,
)
from tests.integration.sheets import HEADER, sheet

ITEM = "ST-RACE-IMPORT"
IMPORTERS = 2
ROUNDS = 2


def _file(job):
	"""The importer's file, saved before the race: (File name, rows)."""
	rows = [[ITEM, None, WAREHOUSE, code, None] for code in job]
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"race-{uuid.uuid4().hex[:8]}.xlsx",
			"is_private": 1,
			"content": sheet(rows, HEADER),
		}
	).insert()
	return file


def _import(file):
	lines, problems = xlsx_import.read(file)
	xlsx_import.register(lines, problems, ("File", file.name))


def _draft_receipt(job):
	return f.purchase_receipt([(ITEM, len(job), job, WAREHOUSE)], submit=False)


@pytest.mark.commits
def test_imports_and_a_receipt_of_the_same_new_code_one_wins():
	run = new_run()
	made = []
	try:
		make_place(ITEM)
		importers, receiver = [[] for _ in range(IMPORTERS)], []
		for number in range(ROUNDS):
			shared = f"IMP{run}-{number}"
			for s, jobs in enumerate(importers):
				jobs.append([shared, f"IMP{run}-{number}-{s}"])
			receiver.append([shared])
		made.extend(room_for(ITEM, IMPORTERS * 2 * ROUNDS))
		outcomes = race(
			[Session(_file, _import, jobs) for jobs in importers]
			+ [Session(_draft_receipt, delayed_submit, receiver)]
		)

		no_raw_errors(outcomes)
		print(f"\n{IMPORTERS} importers and a receiver of the same code:\n{summary(outcomes)}")
		for number, found in outcomes.items():
			shared = f"IMP{run}-{number}"
			# Every session names the shared code: exactly one stores it.
			assert [o.kind for o in found].count(DONE) == 1, found
			assert all(o.kind in (DONE, REFUSED) for o in found), found
			winner = next(o for o in found if o.kind == DONE)
			serial = f.serial(shared)
			assert serial.status == "In Stock" and serial.warehouse == WAREHOUSE
			if winner.session < IMPORTERS:
				assert serial.voucher_type == "Item", serial
			else:
				assert (serial.voucher_type, serial.voucher_no) == ("Purchase Receipt", winner.name)
			for s in range(IMPORTERS):
				# A refused import left none of its codes; a winning one stored both.
				own = frappe.db.exists("Serial Number", f"IMP{run}-{number}-{s}")
				assert bool(own) == (winner.session == s), (s, winner)
		assert in_stock_count(ITEM) <= bin_quantity(ITEM)
	finally:
		frappe.db.rollback()
		cancel_latest_first(carrying(run))
		for code in run_serials(run):
			frappe.delete_doc("Serial Number", code)
		for name in frappe.get_all("File", filters={"file_name": ("like", "race-%.xlsx")}, pluck="name"):
			frappe.delete_doc("File", name)
		frappe.db.commit()
		cancel_latest_first(made)
		assert run_serials(run) == []
