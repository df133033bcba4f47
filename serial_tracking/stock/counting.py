"""Counting a warehouse by scanning: the scans of a Serial Count, what each code is, and posting.

Scans are rows of their own (``Serial Count Scan``), one statement per scan, unique on the count
and the code: two scanners sending the same code at once keep it once, and saving the count's form
never touches them. What a code *is* (counted, misplaced, sold ...) is read from the ledger when it
is asked, never trusted from the scan: the summary is a few ``GROUP BY`` statements over the scans
joined to the serials by primary key.

Posting makes ERPNext's own documents, in one transaction with the count: a Material Transfer of
the misplaced units brought here, a Stock Reconciliation of each item whose quantity changes (with
the codes scanned, so the app's hooks make the units not scanned Missing), and, for an item whose
quantity does not change but whose serials do (a row ERPNext would drop), the same count
movements logged against the Serial Count itself. Cancelling the count undoes them latest first.
"""

from collections.abc import Callable
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime, nowdate, nowtime

from serial_tracking import messages
from serial_tracking.constants import CARTON, SERIAL
from serial_tracking.core.codes import join, key
from serial_tracking.core.plan import Reading, RowRequest, Voucher, plan
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Operation, Status
from serial_tracking.finding.search import permission_condition
from serial_tracking.permissions import party_restrictions, readable, unit_allowed
from serial_tracking.settings import get_settings, parse_codes
from serial_tracking.stock import background, cartons, latest_first, ledger, posting
from serial_tracking.stock.timing import posted_at

SERIAL_COUNT = "Serial Count"
SCAN = "Serial Count Scan"

COUNTED = "counted"
MISPLACED = "misplaced"
IN_TRANSIT = "in_transit"
UNKNOWN = "unknown"
WRONG_ITEM = "wrong_item"
#: The kind of a code whose serial is at no warehouse: its status, as a kind.
_BY_STATUS = {
	Status.SOLD.value: "sold",
	Status.RETURNED.value: "returned",
	Status.ISSUED.value: "issued",
	Status.MISSING.value: "missing",
	Status.IN_TRANSIT.value: IN_TRANSIT,
}
#: Every kind, in the order the summary shows them.
KINDS = (COUNTED, MISPLACED, "sold", "returned", "issued", "missing", IN_TRANSIT, WRONG_ITEM, UNKNOWN)
#: Kinds a posting brings In Stock here by the count (the unit was found here).
_FOUND = frozenset({"sold", "returned", "issued", "missing"})

#: What refuses a whole scan, storing nothing: past the limits of one operation, or not text. Other
#: problems (a code too long, a carton unknown) are answered with the scan, the other codes stored.
_REFUSED = frozenset({Reason.TOO_MANY, Reason.INPUT_TOO_LONG, Reason.NOT_TEXT})

#: Codes named in one refusal at most.
_NAMED = 20

#: The status of a draft count handed to a background job to be posted.
POSTING = "Posting"
#: The flag of a count saved as a draft by :func:`post_later`.
POSTING_LATER = "serial_tracking_posting_later"
#: Rows of one Stock Reconciliation a count makes: ERPNext queues a bigger one as a background job
#: after the request commits (``StockReconciliation.submit``).
RECONCILED_ROWS = 100
#: The rows of a Stock Reconciliation.
SR_ROWS = "Stock Reconciliation Item"


#: Defined with the app's other refusals; named here for the callers of this module.
CountError = messages.CountError


def kind_of(item_code: str | None, status: str | None, here: bool, items: frozenset[str] | None) -> str:
	"""What a scanned code is for a count of a warehouse (``here``: the serial's warehouse is the
	count's) and, when given, of ``items``."""
	if not status:
		return UNKNOWN
	if items is not None and item_code not in items:
		return WRONG_ITEM
	if status == Status.IN_STOCK.value:
		return COUNTED if here else MISPLACED
	return _BY_STATUS.get(status, UNKNOWN)


def items_of(name: str) -> frozenset[str] | None:
	"""The items a count is limited to, or None: every SN-tracked item."""
	found = frappe.get_all(
		"Serial Count Item", filters={"parent": name, "parenttype": SERIAL_COUNT}, pluck="item_code"
	)
	return frozenset(found) if found else None


def _count_row(name: str, lock: str | None):
	"""The count's warehouse, company, docstatus and status; ``lock``: "share" or "update" (a locking
	read sees the latest committed row, whatever this transaction's snapshot)."""
	suffix = {"share": " lock in share mode", "update": " for update", None: ""}[lock]
	rows = frappe.db.sql(
		f"select `name`, `warehouse`, `company`, `docstatus`, `status` from `tab{SERIAL_COUNT}`"
		" where `name` = %s" + suffix,
		(name,),
		as_dict=True,
	)
	if not rows:
		frappe.throw(
			_("{0} {1} does not exist").format(_(SERIAL_COUNT), escape_html(str(name))),
			frappe.DoesNotExistError,
		)
	return rows[0]


def require_draft(row, doing: str, *, queued: bool = False) -> None:
	"""Refuse, saying why, unless the count is a draft that is not being posted in the background
	(``queued``: the background job posting it)."""
	if row.docstatus == 0 and (
		queued
		or row.status != POSTING
		# Marked Posting by a job that is no longer queued (its worker died): a draft.
		or not background.is_queued(SERIAL_COUNT, row.name, "submit")
	):
		return
	if row.docstatus == 0:
		frappe.throw(
			_("{0} {1} is being posted in the background: {2}").format(_(SERIAL_COUNT), row.name, doing),
			CountError,
			title=_("Count being posted"),
		)
	state = _("posted") if row.docstatus == 1 else _("cancelled")
	frappe.throw(
		_("{0} {1} is already {2}: {3}").format(_(SERIAL_COUNT), row.name, state, doing),
		CountError,
		title=_("Count not changed"),
	)


# Reading a scan


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


def _states(codes: list[str], *, lock: bool = False) -> dict[str, tuple]:
	"""(item, status, warehouse, company) of the known codes, by key, in one statement."""
	rows = ledger.select_in(
		SERIAL, ("name", "item_code", "status", "warehouse", "company"), "name", codes, for_update=lock
	)
	return {key(name): (item, status, warehouse, company) for name, item, status, warehouse, company in rows}


def _shown_to_user(serials) -> Callable[..., bool]:
	"""Whether the user may read what a scan would say of a serial, of ``serials`` (item, company,
	customer, supplier): its item, company and parties, judged as a list of serials judges them (its
	warehouse aside: a misplaced unit is said to be elsewhere, not where). A code of another company,
	of an item the user may not read or of another customer's or supplier's unit is answered as not
	counted here, naming none of them."""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return lambda item, company, customer=None, supplier=None: True
	serials = list(serials)
	items = readable("Item", {s[0] for s in serials})
	companies = readable("Company", {s[1] for s in serials})
	restricted = party_restrictions(SERIAL)

	def shown(item, company, customer=None, supplier=None) -> bool:
		unit = {"customer": customer, "supplier": supplier}
		return (
			(not item or item in items)
			and (not company or company in companies)
			and unit_allowed(unit, restricted)
		)

	return shown


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
	row = _count_row(name, None)
	require_draft(row, _("nothing more can be scanned into it"))
	items = items_of(name)
	states = _states([code for code, _carton in entries])
	parties = _parties([code for code, _carton in entries])
	shown = _shown_to_user((s[0], s[3], *parties.get(k, ())) for k, s in states.items())
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
			require_draft(_count_row(name, "share"), _("nothing more can be scanned into it"))
			new = _insert(row, found)
			break
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			# The database chose this scan to wait for another's: its transaction is gone, and with it
			# only this scan (it wrote nothing else), so it is made again.
			if attempt == 4:
				ledger.refuse_busy(CountError)
	places = readable("Warehouse", {f[4] for f in found if f[5] == MISPLACED})
	results = []
	for code, carton, item, status, warehouse, kind in found:
		where = warehouse if kind == MISPLACED and warehouse in places else None
		stored = key(code) in new
		results.append(
			{
				"code": code,
				"item_code": item,
				"kind": kind,
				"status": status,
				"warehouse": where,
				"carton": carton,
				"new": stored,
				"message": describe(code, kind, status, item, where, stored),
			}
		)
	return {
		"count": name,
		"results": results,
		"message": "; ".join(notes) or None,
		"problems": messages.as_dicts(problems),
		"summary": summary(name, row.warehouse, items, live=False),
	}


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


# The summary


def summary(
	name: str, warehouse: str | None = None, items: frozenset[str] | None = None, *, live: bool = True
) -> dict:
	"""Per item: expected (In Stock here now), counted, missing (expected, not scanned) and the
	unexpected scans by kind, from ``GROUP BY`` statements whatever the number of scans.

	``live``: each scanned code as the ledger has it now (the scans joined to the serials, one
	lookup by primary key per scan); otherwise as it was when scanned (the scans' own ``kind``,
	read from an index of the count's scans alone): what every scan answers with, fast at any size.
	"""
	if warehouse is None:
		warehouse = _count_row(name, None).warehouse
		items = items_of(name)
	serial = frappe.qb.DocType(SERIAL)
	query = (
		frappe.qb.from_(serial)
		.select(serial.item_code, frappe.qb.functions("count", "*"))
		.where((serial.warehouse == warehouse) & (serial.status == Status.IN_STOCK.value))
		.groupby(serial.item_code)
	)
	if items is not None:
		query = query.where(serial.item_code.isin(sorted(items)))
	if (permitted := permission_condition()) is not None:
		# the units here the user may read, as a list of serials shows them
		query = query.where(permitted)
	expected = dict(query.run())
	if live:
		# a party-restricted user's scans are grouped by their units' parties too (judged below)
		parties = ", s.`customer`, s.`supplier`" if party_restrictions(SERIAL) else ", null, null"
		rows = frappe.db.sql(
			f"select coalesce(s.`item_code`, c.`item_code`), s.`status`, s.`warehouse` = %s, s.`company`"
			f"{parties}, count(*) from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
			" on s.`name` = c.`code` where c.`serial_count` = %s group by 1, 2, 3, 4, 5, 6",
			(warehouse, name),
		)
		shown = _shown_to_user((item, company, *more) for item, _status, _here, company, *more, _qty in rows)
		scanned = [
			(item, kind_of(item, status, bool(here), items), qty)
			if not status or shown(item, company, customer, supplier)
			else (None, WRONG_ITEM, qty)
			for item, status, here, company, customer, supplier, qty in rows
		]
	else:
		scanned = frappe.db.sql(
			f"select `item_code`, `kind`, count(*) from `tab{SCAN}` force index (count_item_kind)"
			" where `serial_count` = %s group by `item_code`, `kind`",
			(name,),
		)
	# Only items the user may read are named (a unit of another is a scan not counted here).
	shown = _shown_to_user((item, None) for item, _kind, _qty in scanned)
	scanned = [
		(item, kind, qty) if shown(item, None) else (None, WRONG_ITEM, qty) for item, kind, qty in scanned
	]
	per_item: dict[str, dict] = {}

	def line(item: str | None) -> dict:
		return per_item.setdefault(
			item or "",
			{"item_code": item or "", "expected": 0, "counted": 0, "missing": 0, "unexpected": {}},
		)

	for item, qty in expected.items():
		line(item)["expected"] = qty
	for item, kind, qty in scanned:
		found = line(item if kind != UNKNOWN else None)
		if kind == COUNTED:
			found["counted"] += qty
		else:
			found["unexpected"][kind] = found["unexpected"].get(kind, 0) + qty
	for found in per_item.values():
		found["missing"] = max(found["expected"] - found["counted"], 0)
		found["unexpected_total"] = sum(found["unexpected"].values())
	lines = sorted(per_item.values(), key=lambda found: (not found["item_code"], found["item_code"]))
	totals = {
		field: sum(found[field] for found in lines)
		for field in ("expected", "counted", "missing", "unexpected_total")
	}
	totals["scanned"] = sum(qty for *_rest, qty in scanned)
	return {"warehouse": warehouse, "items": lines, "totals": totals, "live": live}


def codes_of_kind(name: str, kinds: tuple[str, ...], limit: int = 100) -> dict[str, list[str]]:
	"""Some scanned codes of each of ``kinds`` (at most ``limit`` each), and the codes expected here
	and not scanned under "missing" when asked: what the user has to look at."""
	row = _count_row(name, None)
	items = items_of(name)
	found: dict[str, list[str]] = {kind: [] for kind in kinds}
	# Every scan but those counted here (the most, and nothing to look at).
	counted_here = "s.`status` <=> %s and s.`warehouse` <=> %s"
	values = [row.warehouse, name, Status.IN_STOCK.value, row.warehouse]
	if items is not None:
		counted_here += f" and s.`item_code` in ({', '.join(['%s'] * len(items))})"
		values += sorted(items)
	scans = frappe.db.sql(
		f"select c.`code`, s.`item_code`, s.`status`, s.`warehouse` = %s, s.`company`, s.`customer`,"
		" s.`supplier`, c.`scanned_by`"
		f" from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s on s.`name` = c.`code`"
		f" where c.`serial_count` = %s and not ({counted_here}) order by c.`code`",
		values,
	)
	shown = _shown_to_user(
		(item, company, customer, supplier) for _code, item, _s, _h, company, customer, supplier, _by in scans
	)
	user = frappe.session.user
	for code, item, status, here, company, customer, supplier, scanned_by in scans:
		if not status or shown(item, company, customer, supplier):
			kind = kind_of(item, status, bool(here), items)
		elif scanned_by != user:
			# a unit the user may not read, scanned by another: nothing of it, its code included
			continue
		else:
			kind = WRONG_ITEM
		if kind in found and len(found[kind]) < limit:
			found[kind].append(code)
	if "not_scanned" in found:
		serial, scanned = frappe.qb.DocType(SERIAL), frappe.qb.DocType(SCAN)
		query = (
			frappe.qb.from_(serial)
			.left_join(scanned)
			.on((scanned.code == serial.name) & (scanned.serial_count == name))
			.select(serial.name)
			.where(
				(serial.warehouse == row.warehouse)
				& (serial.status == Status.IN_STOCK.value)
				& scanned.name.isnull()
			)
			.orderby(serial.name)
			.limit(limit)
		)
		if items is not None:
			query = query.where(serial.item_code.isin(sorted(items)))
		if (permitted := permission_condition()) is not None:
			query = query.where(permitted)
		found["not_scanned"] = query.run(pluck=True)
	return found


def unscan(name: str, code: str) -> bool:
	"""Take a code out of a draft count (a scan made by mistake); whether it was there."""
	row = _count_row(name, "share")
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


# Posting


def lock_draft(name: str, doing: str, *, queued: bool = False) -> None:
	"""Lock the count's row for update and refuse unless it is a draft: a second poster waits here
	for the first, then finds it posted (``queued``: the background job posting it)."""
	require_draft(_count_row(name, "update"), doing, queued=queued)


def rows_to_post(doc) -> int:
	"""About how many rows posting the count writes: one per item counted (a reconciliation row, or
	the count's own movements) and one per place misplaced units come from. Two statements."""
	items = items_of(doc.name)
	if items is None:
		items = set(_items_here(doc.warehouse))
	scanned = frappe.db.sql(
		f"select distinct s.`item_code`, s.`warehouse` from `tab{SCAN}` c force index (count_code)"
		f" join `tab{SERIAL}` s on s.`name` = c.`code` where c.`serial_count` = %s",
		(doc.name,),
	)
	return len(set(items) | {item for item, _warehouse in scanned}) + len(
		{(item, warehouse) for item, warehouse in scanned if warehouse and warehouse != doc.warehouse}
	)


def rows_to_cancel(doc) -> int:
	"""How many rows the documents a posted count made hold (their cancel posts as many)."""
	found = 0
	for doctype, table in (("Stock Entry", "Stock Entry Detail"), ("Stock Reconciliation", SR_ROWS)):
		names = [d.document_name for d in doc.documents if d.document_type == doctype]
		if names:
			found += frappe.db.count(table, {"parent": ("in", names), "parenttype": doctype})
	return found


def post_later(doc, rows: int) -> None:
	"""In ``before_validate`` of a count too big to post within a web request: keep it a draft marked
	Posting (scans refused meanwhile) and post it in a background job. Unknown codes refuse it at
	once, as posting would."""
	unknown = frappe.db.sql(
		f"select c.`code` from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
		" on s.`name` = c.`code` where c.`serial_count` = %s and s.`name` is null order by c.`code`",
		(doc.name,),
		pluck=True,
	)
	_refuse_unknown(doc, unknown)
	doc.status = POSTING
	doc.flags[POSTING_LATER] = True
	background.submit_later(doc, rows, {"leave": doc.flags.get("leave") or []})


def _named_codes(codes: list[str]) -> str:
	"""The first codes of a refusal, escaped, and how many more."""
	shown = ", ".join(escape_html(code) for code in codes[:_NAMED])
	return shown + (_(" and {0} more").format(len(codes) - _NAMED) if len(codes) > _NAMED else "")


def _refuse_unknown(doc, unknown: list[str]) -> None:
	if not unknown:
		return
	frappe.throw(
		_(
			"{0} {1} cannot be posted: {2} scanned SN codes are unknown ({3}). Register the units or take the scans out first."
		).format(_(SERIAL_COUNT), doc.name, len(unknown), _named_codes(unknown)),
		CountError,
		title=_("Unknown SN codes"),
	)


def _refuse_hidden_sources(doc, bring: dict[tuple[str, str], list[str]]) -> None:
	"""Refuse, naming the codes, to bring misplaced units from a warehouse the user's User Permissions
	do not let them read: Frappe would refuse the transfer naming that warehouse. They may be left
	where they are (``leave``, or *Bring misplaced units* off)."""
	if not bring or not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	if not (frappe.has_permission("Warehouse", "read") or frappe.has_permission("Warehouse", "select")):
		return
	allowed = readable("Warehouse", {at for _item, at in bring})
	hidden = sorted(code for (_item, at), codes in bring.items() if at not in allowed for code in codes)
	if not hidden:
		return
	frappe.throw(
		_(
			"{0} {1} cannot be posted: {2} misplaced SN codes ({3}) are held at another warehouse, which you are not permitted to read. Leave them where they are, or let a user who may read it post the count."
		).format(_(SERIAL_COUNT), doc.name, len(hidden), _named_codes(hidden)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def _refuse_hidden_items(doc, counted: list[str]) -> None:
	"""Refuse a count of items the user's User Permissions do not let them read (a count without an
	item list counts every SN-tracked item held here): its summary showed them none of those, and
	posting would set their quantities (Frappe would refuse the reconciliation naming the item)."""
	if not counted or not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	if not (frappe.has_permission("Item", "read") or frappe.has_permission("Item", "select")):
		return
	hidden = len(set(counted) - readable("Item", counted))
	if hidden:
		frappe.throw(
			_(
				"{0} {1} cannot be posted: it counts {2} SN-tracked items you are not permitted to read. List the items it counts in its Items table."
			).format(_(SERIAL_COUNT), doc.name, hidden),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def posting_failed(name: str) -> None:
	"""A background posting refused: the count is a draft again (the reason is in its comments)."""
	frappe.db.set_value(SERIAL_COUNT, name, "status", "Draft", update_modified=False)


def stamp(doc) -> None:
	"""Before submit: the count is posted now."""
	doc.posting_date, doc.posting_time = nowdate(), nowtime()
	doc.status = "Posted"


def post(doc, leave: list[str] | None = None) -> None:
	"""Make the documents that bring the books in line with the count (on submit of ``doc``)."""
	# Before any lock of its own, as every document that moves SN codes: the count then locks its
	# serials, and the documents it makes find the turn theirs already.
	posting.take_turn(doc, rows=rows_to_post(doc))
	items = items_of(doc.name)
	warehouse, company = doc.warehouse, doc.company
	# A locking read: every scan committed before this count's lock, whatever the snapshot.
	scans = frappe.db.sql(
		f"select `code` from `tab{SCAN}` where `serial_count` = %s order by `code` lock in share mode",
		(doc.name,),
		pluck=True,
	)
	states = _states(scans, lock=True)
	left = {key(code) for code in leave or ()}
	unknown: list[str] = []
	bring: dict[tuple[str, str], list[str]] = {}
	here: dict[str, list[str]] = {}
	for code in scans:
		item, status, at, owner = states.get(key(code), (None, None, None, None))
		kind = kind_of(item, status, at == warehouse, items)
		if kind == UNKNOWN:
			unknown.append(code)
		elif kind in (WRONG_ITEM, IN_TRANSIT):
			continue
		elif kind == MISPLACED:
			# ``leave``: misplaced units left where the ledger has them (a unit scanned here stays counted).
			if owner == company and doc.bring_misplaced and key(code) not in left:
				bring.setdefault((item, at), []).append(code)
				here.setdefault(item, []).append(code)
		else:
			here.setdefault(item, []).append(code)
	_refuse_unknown(doc, unknown)
	_refuse_hidden_sources(doc, bring)
	# The misplaced units are brought here a moment before the count: ERPNext would read a
	# reconciliation at the very moment of the transfer as dated before it, and repost every item
	# of the reconciliation.
	moved_at = now_datetime()
	moved_date, moved_time = _date_and_time(moved_at)
	date, time = _date_and_time(moved_at + timedelta(milliseconds=1) if bring else moved_at)
	doc.posting_date, doc.posting_time = date, time
	frappe.db.set_value(
		SERIAL_COUNT, doc.name, {"posting_date": date, "posting_time": time, "status": "Posted"}
	)
	doc.status = "Posted"
	limit = get_settings().limits.max_per_operation
	made: list[tuple[str, str, str]] = []
	transfers = _groups(sorted(bring.items()), lambda entry: len(entry[1]), limit)
	counted_items = sorted(set(items) if items is not None else set(here) | set(_items_here(warehouse)))
	_refuse_hidden_items(doc, counted_items)
	# What posting does, as its progress: each transfer, each item's balance, each reconciliation.
	steps = len(transfers) + len(counted_items) + len(counted_items) // RECONCILED_ROWS + 1
	for group in transfers:
		entry = frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"company": company,
				"purpose": "Material Transfer",
				"stock_entry_type": "Material Transfer",
				"posting_date": moved_date,
				"posting_time": moved_time,
				"set_posting_time": 1,
				"remarks": _("Misplaced units found by {0} {1}").format(_(SERIAL_COUNT), doc.name),
				"items": [
					{
						"item_code": item,
						"qty": len(codes),
						"transfer_qty": len(codes),
						"conversion_factor": 1,
						"s_warehouse": source,
						"t_warehouse": warehouse,
						"sn_codes": join(codes),
					}
					for (item, source), codes in group
				],
			}
		)
		entry.insert()
		entry.submit()
		made.append(("Stock Entry", entry.name, _("Transfer of misplaced units")))
		posting.progress(len(made), steps)
	changed, same = [], []
	for number, item in enumerate(counted_items, start=1):
		codes = here.get(item, [])
		qty, rate = _balance(item, warehouse, date, time)
		posting.progress(len(transfers) + number, steps)
		if len(codes) > limit:
			frappe.throw(
				_(
					"{0} {1} cannot be posted: item {2} has {3} units counted, more than {4} SN codes a document may carry (Serial Tracking Settings)"
				).format(_(SERIAL_COUNT), doc.name, item, len(codes), limit),
				CountError,
				title=_("Too many SN codes"),
			)
		if len(codes) != qty:
			changed.append((item, codes, rate))
		else:
			same.append((item, codes))
	# At most ERPNext's own size of a reconciliation it posts at once: a bigger one would be queued
	# by ERPNext after this commits, and the count would not post whole.
	for group in _groups(changed, lambda entry: max(len(entry[1]), 1), limit, RECONCILED_ROWS):
		count = frappe.get_doc(
			{
				"doctype": "Stock Reconciliation",
				"company": company,
				"purpose": "Stock Reconciliation",
				"posting_date": date,
				"posting_time": time,
				"set_posting_time": 1,
				"items": [
					{
						"item_code": item,
						"warehouse": warehouse,
						"qty": len(codes),
						"valuation_rate": rate or _item_rate(item),
						"sn_codes": join(codes),
					}
					for item, codes, rate in group
				],
			}
		)
		count.insert()
		count.submit()
		made.append(("Stock Reconciliation", count.name, _("Quantities and SN codes counted")))
		posting.progress(len(transfers) + len(counted_items) + len(made) - len(transfers), steps)
	_move_same_quantity(doc, same, date, time)
	for document_type, document_name, purpose in made:
		row = doc.append(
			"documents", {"document_type": document_type, "document_name": document_name, "purpose": purpose}
		)
		# Submitted with the count: Frappe then refuses cancelling the document alone (it is linked).
		row.docstatus = 1
		row.db_insert()


def _date_and_time(moment) -> tuple[str, str]:
	return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S.%f")


def _items_here(warehouse: str) -> list[str]:
	"""The SN-tracked items with serials In Stock at the warehouse."""
	serial = frappe.qb.DocType(SERIAL)
	return (
		frappe.qb.from_(serial)
		.select(serial.item_code)
		.distinct()
		.where((serial.warehouse == warehouse) & (serial.status == Status.IN_STOCK.value))
		.run(pluck=True)
	)


def _groups(entries: list, size, limit: int, rows: int | None = None) -> list[list]:
	"""``entries`` in groups whose ``size`` adds up to at most ``limit`` and, when given, of at most
	``rows`` entries (one document each)."""
	groups: list[list] = []
	total = 0
	for entry in entries:
		if not groups or total + size(entry) > limit or (rows and len(groups[-1]) >= rows):
			groups.append([])
			total = 0
		groups[-1].append(entry)
		total += size(entry)
	return groups


def _balance(item: str, warehouse: str, date: str, time: str) -> tuple[float, float]:
	"""ERPNext's quantity and valuation rate of the item at the warehouse at that moment."""
	from erpnext.stock.utils import get_stock_balance

	qty, rate = get_stock_balance(item, warehouse, date, time, with_valuation_rate=True)[:2]
	return qty or 0, rate or 0


def _item_rate(item: str) -> float:
	"""A rate for units found where ERPNext holds none: the item's valuation rate, else its last
	purchase rate (ERPNext refuses the count, naming the item, when neither is known)."""
	values = frappe.db.get_value("Item", item, ["valuation_rate", "last_purchase_rate"], as_dict=True) or {}
	return values.get("valuation_rate") or values.get("last_purchase_rate") or 0


def voucher_of(doc) -> Voucher:
	return Voucher(
		voucher_type=SERIAL_COUNT,
		voucher_no=doc.name,
		posting_date=str(doc.posting_date),
		posting_time=str(doc.posting_time),
		posted_at=posted_at(doc.posting_date, doc.posting_time),
		company=doc.company,
	)


def _move_same_quantity(doc, same: list[tuple[str, list[str]]], date: str, time: str) -> None:
	"""Items whose quantity the count does not change but whose serials it does: ERPNext would drop
	their reconciliation rows, so their count movements are logged against the Serial Count itself
	(found units In Stock here, units not scanned Missing), as a Stock Reconciliation's would be."""
	warehouse = doc.warehouse
	places = {(item, warehouse) for item, _codes in same}
	with ledger.concurrent_moves_refused():
		# The posting turn is the count's already (:func:`post`).
		held = ledger.held_at_places(places, lock=True)
		requests, codes_by_ref = [], {}
		for number, (item, codes) in enumerate(same, start=1):
			there = {key(state.code) for state in held.get((item, warehouse), ())}
			if there == {key(code) for code in codes}:
				continue
			request = RowRequest(
				row=number, item_code=item, operation=Operation.COUNT, qty=len(codes), to_warehouse=warehouse
			)
			requests.append(request)
			codes_by_ref[request.ref] = codes
		if not requests:
			return
		reading = Reading(codes_by_ref, [])
		states = ledger.read_states(reading.all_codes(), lock=True)
		result = plan(voucher_of(doc), requests, reading, states, held)
		messages.throw(result.problems, title=_("Count not posted"), exc=CountError)
		ledger.apply_steps(result.steps)


#: The documents a count makes when it is posted.
MAKES = ("Stock Entry", "Stock Reconciliation")


def made_by(doc: tuple[str, str]) -> tuple[str, str] | None:
	"""The submitted Serial Count that made ``doc`` (doctype, name): its transfer or reconciliation."""
	if doc[0] not in MAKES:
		return None
	found = frappe.db.sql(
		f"select c.`name` from `tab{SERIAL_COUNT} Document` d join `tab{SERIAL_COUNT}` c on c.`name` = d.`parent`"
		" where d.`document_type` = %s and d.`document_name` = %s and c.`docstatus` = 1 limit 1",
		doc,
	)
	return (SERIAL_COUNT, found[0][0]) if found else None


def refuse_alone(doc) -> None:
	"""Refuse cancelling on its own a document a submitted count made: the count's cancel cancels it
	(and puts back what the count moved itself)."""
	owner = made_by((doc.doctype, doc.name))
	if owner:
		frappe.throw(
			_("{0} {1} was made by {2} {3}: cancelling the count cancels it.").format(
				_(doc.doctype), escape_html(doc.name), _(owner[0]), escape_html(owner[1])
			),
			messages.SerialCancelError,
			title=_("Cancel the count"),
		)


# Cancelling


def require_cancellable(doc) -> None:
	"""Before cancelling: refuse, naming them as the user may see them, when the user may not cancel
	a document the count made (a transfer out of a warehouse they may not read, say); Frappe would
	refuse it halfway, naming what the user may not read."""
	refused = [
		(row.document_type, row.document_name)
		for row in doc.documents
		if frappe.db.get_value(row.document_type, row.document_name, "docstatus") == 1
		and not frappe.has_permission(row.document_type, "cancel", doc=row.document_name)
	]
	if not refused:
		return
	named = ", ".join(
		f"{_(doctype)} {escape_html(name)}"
		if frappe.has_permission(doctype, "read", doc=name)
		else _("a {0} you may not see").format(_(doctype))
		for doctype, name in refused
	)
	frappe.throw(
		_(
			"{0} {1} cannot be cancelled: you may not cancel {2}, which it made; nothing was cancelled."
		).format(_(SERIAL_COUNT), escape_html(doc.name), named),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def cancel(doc) -> None:
	"""Undo what posting made, latest first: the count's own movements, then its documents through
	ERPNext's cancel."""
	posting.take_turn(doc, rows=rows_to_cancel(doc))
	_void_own(doc)
	made = sorted(doc.documents, key=lambda row: row.idx, reverse=True)
	for number, row in enumerate(made, start=1):
		document = frappe.get_doc(row.document_type, row.document_name)
		if document.docstatus == 1:
			# ERPNext's cancel itself, here and now: a reconciliation of more than 100 rows (made by a
			# count before they were kept smaller) would otherwise be cancelled by a job after this
			# commits, and the count would not cancel whole.
			document._cancel()
		posting.progress(number, len(made))
	frappe.db.set_value(SERIAL_COUNT, doc.name, "status", "Cancelled")
	doc.status = "Cancelled"


def _void_own(doc) -> None:
	"""The count's own movements (items whose quantity it did not change), voided as a document's
	are: refused while a later document moved those serials or a later count counted their places."""
	with ledger.concurrent_moves_refused():
		found = latest_first.check_latest(doc)
	if found:
		with ledger.concurrent_moves_refused():
			ledger.void(found)
