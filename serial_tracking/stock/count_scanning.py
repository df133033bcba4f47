"""Scanning into a Serial Count: a scan read as the SN dialog reads it, its codes stored once per count
and code (one statement, whoever else scans at once), what each code is, and a scan taken out. Scans
are rows of their own (``Serial Count Scan``): saving the count's form never touches them."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from serial_tracking import messages
from serial_tracking.constants import CARTON, SERIAL
from serial_tracking.core.code_formats import check as check_format
from serial_tracking.core.codes import key
from serial_tracking.core.plan import RowRequest
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Operation
from serial_tracking.permissions import party_restrictions, readable
from serial_tracking.settings import parse_codes
from serial_tracking.stock import cartons, code_formats, ledger
from serial_tracking.stock.count_basics import (
	COUNTED,
	MISPLACED,
	SCAN,
	UNKNOWN,
	WRONG_ITEM,
	CountError,
	count_row,
	items_of,
	kind_of,
	require_draft,
	serial_states,
	shown_to_user,
)
from serial_tracking.stock.count_summary import summary

#: What refuses a whole scan, storing nothing: past the limits of one operation, or not text. Other
#: problems (a code too long, a carton unknown) are answered with the scan, the other codes stored.
_REFUSED = frozenset({Reason.TOO_MANY, Reason.INPUT_TOO_LONG, Reason.NOT_TEXT})


def read(text: str | None) -> tuple[list[tuple[str, str | None]], list[Problem], list[str]]:
	"""The codes a scan enters, each with the carton it came from (None), as the SN dialog reads
	them: GS1 scans for their serial (AI 21) or carton (AI 00), a carton's code for every serial
	packed in it that the user may read, any other code as itself. Also the problems and the
	carton notes ("carton C-1: 20 codes")."""
	parsed = parse_codes(text)
	problems = list(parsed.problems)
	if not parsed.entered:
		problems.append(Problem(Reason.NOTHING_ENTERED))
	entries = [*parsed.codes, *parsed.cartons]
	rows = cartons.rows_named(CARTON, entries, ("name", "item_code"))
	# A carton the user may not read (made by a receipt from a supplier they may not read) is no
	# carton to them: none of its units, nothing of it named.
	readable_cartons = {key(name) for name in readable(CARTON, [row.name for row in rows])}
	known = {key(row.name): row for row in rows if key(row.name) in readable_cartons}
	hidden = {key(row.name) for row in rows} - set(known)
	found: dict[str, tuple[str, str | None]] = {}
	notes: list[str] = []
	for entry in entries:
		if key(entry) in hidden:
			problems.append(Problem(Reason.CARTON_UNKNOWN, entry))
			continue
		carton = known.get(key(entry))
		if carton is None:
			if entry in parsed.cartons:
				problems.append(Problem(Reason.CARTON_UNKNOWN, entry))
			else:
				found.setdefault(key(entry), (entry, None))
			continue
		# Every unit of the carton: those a count could not take (in transit) are scanned too.
		request = RowRequest(row=0, item_code=carton.item_code, operation=Operation.COUNT, qty=0)
		expansion = cartons.expand(carton.name, request)
		for code in [*expansion.codes, *expansion.left]:
			found.setdefault(key(code), (code, carton.name))
		notes.append(
			_("carton {0}: {1} codes").format(carton.name, len(expansion.codes) + len(expansion.left))
		)
	return list(found.values()), problems, notes


def _parties(codes: list[str]) -> dict[str, tuple]:
	"""(customer, supplier) of the known codes, by key, when the user's User Permissions restrict
	parties (one statement); else none read."""
	if not party_restrictions(SERIAL):
		return {}
	rows = ledger.select_in(SERIAL, ("name", "customer", "supplier"), "name", codes)
	return {key(name): (customer, supplier) for name, customer, supplier in rows}


def scan(name: str, text: str | None) -> dict:
	"""Store the codes of one scan into the count and answer what each is, with the live summary.

	A code already scanned into the count (by anyone) is answered "already scanned" and kept once.
	"""
	entries, problems, notes = read(text)
	refused = [problem for problem in problems if problem.reason in _REFUSED]
	if refused:
		messages.throw(refused, title=_("Nothing scanned"), exc=CountError)
	row = count_row(name, None)
	require_draft(row, _("nothing more can be scanned into it"))
	items = items_of(name)
	states = serial_states([code for code, _carton in entries])
	parties = _parties([code for code, _carton in entries])
	shown = shown_to_user((s[0], s[3], *parties.get(k, ())) for k, s in states.items())
	found = []
	for code, carton in entries:
		item, status, warehouse, company = states.get(key(code), (None, None, None, None))
		if status and not shown(item, company, *parties.get(key(code), ())):
			# Stored as answered: its scanner may not read what it is.
			found.append((code, carton, None, None, None, WRONG_ITEM))
			continue
		found.append(
			(code, carton, item, status, warehouse, kind_of(item, status, warehouse == row.warehouse, items))
		)
	for attempt in range(5):
		try:
			# Shared with other scanners, exclusive with posting: a scan is stored before the count
			# is posted, or refused after.
			require_draft(count_row(name, "share"), _("nothing more can be scanned into it"))
			new = _insert(row, found)
			break
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			# The database chose this scan to wait for another's: its transaction is gone, and with it
			# only this scan (it wrote nothing else), so it is made again.
			if attempt == 4:
				ledger.refuse_busy(CountError)
	places = readable("Warehouse", {f[4] for f in found if f[5] == MISPLACED})
	formats = _formats_of(items, found)
	results = []
	for code, carton, item, status, warehouse, kind in found:
		where = warehouse if kind == MISPLACED and warehouse in places else None
		stored = key(code) in new
		message = describe(code, kind, status, item, where, stored)
		if kind == UNKNOWN and stored and (mistyped := _format_hint(code, formats)):
			message = _("{0}: unknown SN code, and {1}").format(code, mistyped)
		results.append(
			{
				"code": code,
				"item_code": item,
				"kind": kind,
				"status": status,
				"warehouse": where,
				"carton": carton,
				"new": stored,
				"message": message,
			}
		)
	return {
		"count": name,
		"results": results,
		"message": "; ".join(notes) or None,
		"problems": messages.as_dicts(problems),
		"summary": summary(name, row.warehouse, items, live=False),
	}


def _formats_of(items: frozenset[str] | None, found: list[tuple]) -> dict:
	"""The SN code formats of a count limited to items that all have one, when a scan is unknown: a
	code that none of its items' formats takes is most likely mistyped, and is told why."""
	if not items or not any(entry[5] == UNKNOWN for entry in found):
		return {}
	formats = code_formats.of_items(items)
	return formats if len(formats) == len(items) else {}


def _format_hint(code: str, formats: dict) -> str | None:
	"""Why ``code`` is of none of ``formats`` (the first item's reason), or None."""
	if not formats:
		return None
	problems = [check_format(code, fmt, item) for item, fmt in sorted(formats.items())]
	if all(problems):
		return messages.describe(problems[0])
	return None


def _insert(count, found: list[tuple]) -> set[str]:
	"""Insert the scans into ``count`` (its row: name, warehouse, company) in one statement, in one
	order (by code) as every scanner does; the keys of the codes this scan stored (the others were
	scanned already, by anyone). Each scan carries the count's warehouse and company, so that User
	Permissions on them apply to a list of scans as to any list."""
	if not found:
		return set()
	now, user = now_datetime(), frappe.session.user
	name, warehouse, company = count.name, count.warehouse, count.company
	rows, names = [], {}
	for code, carton, item, _status, _warehouse, kind in sorted(found, key=lambda entry: key(entry[0])):
		scan_name = frappe.generate_hash(length=20)
		names[scan_name] = key(code)
		rows.append(
			(scan_name, name, warehouse, company, code, item, kind, carton, user, now, now, now, user, user)
		)
	marks = ", ".join(["(" + ", ".join(["%s"] * 14) + ")"] * len(rows))
	frappe.db.sql(
		f"insert into `tab{SCAN}` (`name`, `serial_count`, `warehouse`, `company`, `code`, `item_code`,"
		" `kind`, `carton`, `scanned_by`, `scanned_at`, `creation`, `modified`, `owner`, `modified_by`)"
		f" values {marks} on duplicate key update `name` = `name`",
		[value for values in rows for value in values],
	)
	stored = ledger.select_in(SCAN, ("name",), "name", list(names))
	return {names[stored_name] for (stored_name,) in stored}


def describe(code: str, kind: str, status: str | None, item: str | None, where: str | None, new: bool) -> str:
	"""One line for a scanned code (plain text; escaped where it is shown)."""
	if not new:
		return _("{0}: already scanned").format(code)
	if kind == COUNTED:
		return _("{0}: counted").format(code)
	if kind == MISPLACED:
		if where:
			return _("{0}: the ledger has it In Stock at {1}").format(code, where)
		return _("{0}: the ledger has it In Stock at another warehouse").format(code)
	if kind == UNKNOWN:
		return _("{0}: unknown SN code; register the unit or correct the scan before posting").format(code)
	if kind == WRONG_ITEM and not item:
		return _("{0}: not counted here: an SN code you may not read").format(code)
	if kind == WRONG_ITEM:
		return _("{0}: item {1} is not counted here").format(code, item)
	return _("{0}: the ledger has it {1}").format(code, _(status))


def unscan(name: str, code: str) -> bool:
	"""Take a code out of a draft count (a scan made by mistake); whether it was there."""
	row = count_row(name, "share")
	require_draft(row, _("no scan can be taken out of it"))
	scan = frappe.qb.DocType(SCAN)
	found = (
		frappe.qb.from_(scan)
		.select(scan.name)
		.where((scan.serial_count == name) & (scan.code == code))
		.for_update()
		.run(pluck=True)
	)
	if found:
		frappe.qb.from_(scan).delete().where(scan.name.isin(found)).run()
	return bool(found)
