"""A manager's correction of a serial's code, and old codes read as their serials' current ones.

The rename is set-based, in the caller's transaction, under a row lock of the
serial: the serial's name and code, every link to it (its log rows), and one
log row ``Code Correction`` that keeps the previous code. It is no movement
(``core.states.NOT_MOVEMENTS``): status, warehouse, last document and dates stay.
Frappe's ``rename_doc`` is not used: it loads and saves the document through its
controller (whose guards refuse hand edits), walks every doctype's links one by
one, and adds a comment; here four statements do it.
"""

from dataclasses import replace

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime, nowdate, nowtime

from serial_tracking import messages
from serial_tracking.constants import LOG, SERIAL, STATEMENT_VOUCHER
from serial_tracking.core import code_changes
from serial_tracking.core.code_formats import check as check_format
from serial_tracking.core.codes import key, split
from serial_tracking.core.plan import RowRequest
from serial_tracking.core.states import Operation
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, code_formats, ledger

_TITLE = "SN code not corrected"


def _refuse(message: str, exc=messages.SerialGuardError) -> None:
	frappe.throw(message, exc, title=_(_TITLE))


def correct(serial_no: str, new_code: str) -> str:
	"""Rename ``serial_no`` to ``new_code``; the new name. Nothing changes on a refusal.

	The caller checks that the user may (``serial_tracking.api.correct_code``)."""
	new = code_changes.new_code(new_code)
	shown_old, shown_new = escape_html(serial_no), escape_html(new)
	problem = code_changes.code_problem(new, get_settings().limits.max_length)
	if not problem and new:
		# A serial may never take a carton's code.
		problem = next(iter(cartons.collisions([new])), None)
	if problem:
		_refuse(
			_("{0} cannot be renamed to {1}: {2}").format(
				shown_old, shown_new or "''", escape_html(messages.describe(problem))
			)
		)
	with ledger.concurrent_moves_refused():
		serial = _lock(serial_no)
		old = serial.name
		if new == old:
			_refuse(_("{0} cannot be renamed to {1}: it is its code already").format(shown_old, shown_new))
		_require_format(serial, new, shown_old, shown_new)
		if not code_changes.is_case_change(old, new):
			other = frappe.db.sql(f"select `name` from `tab{SERIAL}` where `name` = %s", [new])
			if other:
				_refuse(
					_("{0} cannot be renamed to {1}: another serial, {2}, has that code").format(
						shown_old, shown_new, escape_html(other[0][0])
					),
					frappe.DuplicateEntryError,
				)
		try:
			_rename(serial, new)
		except Exception as e:
			if frappe.db.is_duplicate_entry(e):
				_refuse(
					_("{0} cannot be renamed to {1}: another serial has that code").format(
						shown_old, shown_new
					),
					frappe.DuplicateEntryError,
				)
			raise
	frappe.clear_document_cache(SERIAL, old)
	return new


def _require_format(serial, new: str, shown_old: str, shown_new: str) -> None:
	"""The new code is a new code of the serial's item: it must be of the item's SN code format."""
	problem = check_format(new, code_formats.of_item(serial.item_code), serial.item_code)
	if problem:
		_refuse(
			_("{0} cannot be renamed to {1}: {2}").format(
				shown_old, shown_new, escape_html(messages.describe(problem))
			)
		)


def _lock(serial_no: str):
	"""The serial's row, locked until the end of the transaction."""
	found = frappe.db.sql(
		f"select `name`, `item_code`, `status`, `warehouse`, `movement_seq`, `company` from `tab{SERIAL}`"
		" where `name` = %s for update",
		[serial_no],
		as_dict=True,
	)
	if not found:
		frappe.throw(
			_("{0} {1} does not exist").format(_(SERIAL), escape_html(serial_no)), frappe.DoesNotExistError
		)
	return found[0]


def _links() -> list[tuple[str, str]]:
	"""(doctype, field) of every stored Link to a Serial Number (the log's, and any a later doctype or
	a custom field adds)."""
	found = set()
	for source in ("DocField", "Custom Field"):
		parent = "parent" if source == "DocField" else "dt"
		for doctype, fieldname in frappe.get_all(
			source,
			filters={"fieldtype": "Link", "options": SERIAL},
			fields=[parent, "fieldname"],
			as_list=True,
		):
			if not frappe.get_meta(doctype).issingle and not frappe.get_meta(doctype).is_virtual:
				found.add((doctype, fieldname))
	return sorted(found)


def _rename(serial, new: str) -> None:
	old, now, user = serial.name, now_datetime(), frappe.session.user
	sequence = (serial.movement_seq or 0) + 1
	frappe.db.sql(
		f"update `tab{SERIAL}` set `name` = %s, `serial_no` = %s, `movement_seq` = %s, `modified` = %s,"
		" `modified_by` = %s where `name` = %s",
		[new, new, sequence, now, user, old],
	)
	for doctype, fieldname in _links():
		frappe.db.sql(
			f"update `tab{doctype}` set `{fieldname}` = %s where `{fieldname}` = %s",
			[new, old],
		)
	log = frappe.qb.DocType(LOG)
	values = {
		"name": frappe.generate_hash(length=12),
		"creation": now,
		"modified": now,
		"owner": user,
		"modified_by": user,
		"docstatus": 0,
		"serial_no": new,
		"previous_code": old,
		"item_code": serial.item_code,
		"operation": Operation.CORRECT.value,
		"sequence": sequence,
		"is_cancelled": 0,
		# As a registration: a manager's statement, logged against the item.
		"voucher_type": STATEMENT_VOUCHER,
		"voucher_no": serial.item_code,
		"posting_date": nowdate(),
		"posting_time": nowtime(),
		"status_before": serial.status,
		"from_warehouse": serial.warehouse,
		"status_after": serial.status,
		"to_warehouse": serial.warehouse,
		"company": serial.company,
	}
	frappe.qb.into(log).columns(*values).insert(*values.values()).run()


def current_codes(codes: list[str]) -> dict[str, str]:
	"""Old codes among ``codes`` (by key) that are no serial now, with their serial's current code."""
	codes = sorted({c for c in codes if c}, key=key)
	if not codes:
		return {}
	# The codes joined by index (a long ``in`` list may be run as a scan of the whole log). The index
	# is named: its column is empty on almost every row, so MariaDB's statistics say a code matches
	# the whole log and it would scan it (25 s a document at 30 million log rows).
	found = frappe.db.sql(
		f"select l.`previous_code`, l.`serial_no` from {ledger.json_table(('code',))} e"
		f" straight_join `tab{LOG}` l force index (`previous_code`) on l.`previous_code` = e.`code`"
		f" straight_join `tab{SERIAL}` s on s.`name` = l.`serial_no`"
		f" left join `tab{SERIAL}` c on c.`name` = l.`previous_code`"
		" where l.`is_cancelled` = 0 and c.`name` is null",
		(ledger.json_rows([[code] for code in codes if len(code) <= 140]),),
	)
	return code_changes.current_codes([(old, new) for old, new in found], set())


def read_renamed(requests: list[RowRequest], limit: int) -> list[RowRequest]:
	"""The rows' requests with each old code of a serial read as its current code, in the rows that
	move only existing serials (a return made from its original names the codes as printed).

	More codes than ``limit``: left as they are, the reading refuses them anyway.
	"""
	moving = {id(r) for r in requests if r.text and code_changes.names_known_serials(r.operation)}
	codes = [code for r in requests if id(r) in moving for code in split(r.text)]
	if not codes or len(codes) > limit:
		return requests
	renamed = current_codes(codes)
	if not renamed:
		return requests
	return [
		replace(r, text=code_changes.rename_entries(r.text, renamed)) if id(r) in moving else r
		for r in requests
	]
