"""Reviewing a Serial Count before it is posted: its scans by kind, taking scans out, and what
posting will do.

What a scan *is* comes from the ledger now, as the summary reads it: the scans joined to the serials
by primary key, the kind worked out by one ``CASE`` in SQL. Every answer is a few statements whatever
the number of scans: counts per kind by ``GROUP BY``, the latest scans of each kind by a window
function, and at most :data:`REMOVED_AT_ONCE` scans taken out per request.
"""

import frappe
from frappe import _

from serial_tracking.constants import SERIAL
from serial_tracking.core.states import Status
from serial_tracking.finding.search import permission_condition
from serial_tracking.permissions import readable
from serial_tracking.stock.count_basics import (
	COUNTED,
	FOUND_AGAIN,
	IN_TRANSIT,
	KIND_BY_STATUS,
	KINDS,
	MISPLACED,
	SCAN,
	UNKNOWN,
	WRONG_ITEM,
	CountError,
	count_row,
	items_of,
	require_draft,
	shown_to_user,
)

#: Scans of one kind listed at most, latest first.
LISTED = 50
#: Scans taken out by one request at most (a kind with more is taken out by pressing again).
REMOVED_AT_ONCE = 5000


def _kind_sql(warehouse: str, items: frozenset[str] | None) -> tuple[str, list]:
	"""A SQL expression of a scan's kind (``c``: the scan, ``s``: its serial, left joined), as
	:func:`~serial_tracking.stock.count_basics.kind_of` decides it, with its values."""
	values: list = []
	wrong = "0"
	if items is not None:
		wrong = f"s.`item_code` not in ({', '.join(['%s'] * len(items))})"
		values += sorted(items)
	by_status = " ".join(f"when %s then '{kind}'" for kind in KIND_BY_STATUS.values())
	values += [Status.IN_STOCK.value, warehouse, *KIND_BY_STATUS]
	expression = (
		f"case when s.`name` is null then '{UNKNOWN}' when {wrong} then '{WRONG_ITEM}'"
		f" when s.`status` = %s then if(s.`warehouse` <=> %s, '{COUNTED}', '{MISPLACED}')"
		f" else case s.`status` {by_status} else '{UNKNOWN}' end end"
	)
	return expression, values


def scans(name: str, kind: str | None = None, limit: int = LISTED) -> dict:
	"""How many scans of each kind the count holds, and the latest ``limit`` of each (of ``kind``
	alone when given): code, item, where the ledger has it (a warehouse the user may read), who
	scanned it and when. Two statements."""
	if kind is not None and kind not in KINDS:
		frappe.throw(
			_("Kind must be one of {0}, not '{1}'").format(
				", ".join(KINDS), frappe.utils.escape_html(str(kind))
			)
		)
	limit = max(1, min(int(limit or LISTED), 500))
	row = count_row(name, None)
	items = items_of(name)
	expression, values = _kind_sql(row.warehouse, items)
	totals = dict(
		frappe.db.sql(
			f"select {expression} kind, count(*) from `tab{SCAN}` c force index (count_code)"
			f" left join `tab{SERIAL}` s on s.`name` = c.`code` where c.`serial_count` = %s group by 1",
			[*values, name],
		)
	)
	only = " and kind = %s" if kind else ""
	rows = frappe.db.sql(
		"select `code`, `item_code`, `kind`, `warehouse`, `company`, `customer`, `supplier`, `scanned_by`,"
		" `scanned_at` from ( select c.`code`, s.`item_code`, s.`warehouse`, s.`company`, s.`customer`,"
		" s.`supplier`, c.`scanned_by`, c.`scanned_at`,"
		f" {expression} kind, row_number() over (partition by {expression} order by c.`scanned_at` desc,"
		f" c.`name` desc) n from `tab{SCAN}` c force index (count_code)"
		f" left join `tab{SERIAL}` s on s.`name` = c.`code` where c.`serial_count` = %s) listed"
		f" where n <= %s{only} order by `kind`, n",
		[*values, *values, name, limit, *([kind] if kind else [])],
		as_dict=True,
	)
	shown = shown_to_user((r.item_code, r.company, r.customer, r.supplier) for r in rows)
	places = readable("Warehouse", {r.warehouse for r in rows if r.kind == MISPLACED})
	user = frappe.session.user
	listed: dict[str, list[dict]] = {k: [] for k in KINDS}
	for r in rows:
		if r.item_code and not shown(r.item_code, r.company, r.customer, r.supplier):
			if r.scanned_by != user:
				continue  # a unit the user may not read, scanned by another: nothing of it
			r.kind, r.item_code, r.warehouse = WRONG_ITEM, None, None
		listed[r.kind].append(
			{
				"code": r.code,
				"item_code": r.item_code,
				"warehouse": r.warehouse if r.kind == MISPLACED and r.warehouse in places else None,
				"scanned_by": r.scanned_by,
				"scanned_at": str(r.scanned_at) if r.scanned_at else None,
			}
		)
	return {
		"count": name,
		"totals": {k: int(totals.get(k, 0)) for k in KINDS},
		"scans": {k: found for k, found in listed.items() if found or (totals.get(k) and kind in (None, k))},
		"limit": limit,
	}


def remove(name: str, codes: list[str] | None = None, kind: str | None = None) -> dict:
	"""Take scans out of a draft count: the ``codes`` named, or (at most :data:`REMOVED_AT_ONCE`) the
	scans of ``kind``; how many were taken out and how many of that kind are left."""
	if bool(codes) == bool(kind):
		frappe.throw(_("Name the SN codes to take out, or a kind of scan, not both"), CountError)
	if kind is not None and kind not in KINDS:
		frappe.throw(
			_("Kind must be one of {0}, not '{1}'").format(
				", ".join(KINDS), frappe.utils.escape_html(str(kind))
			),
			CountError,
		)
	row = count_row(name, "share")
	require_draft(row, _("no scan can be taken out of it"))
	if codes:
		limit = REMOVED_AT_ONCE
		if len(codes) > limit:
			frappe.throw(
				_("At most {0} SN codes can be taken out at once, not {1}").format(limit, len(codes)),
				CountError,
			)
		found = frappe.db.sql(
			f"select `name` from `tab{SCAN}` where `serial_count` = %s"
			f" and `code` in ({', '.join(['%s'] * len(codes))}) for update",
			[name, *codes],
			pluck=True,
		)
	else:
		expression, values = _kind_sql(row.warehouse, items_of(name))
		found = frappe.db.sql(
			f"select c.`name` from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
			f" on s.`name` = c.`code` where c.`serial_count` = %s and {expression} = %s"
			" order by c.`name` limit %s for update",
			[name, *values, kind, REMOVED_AT_ONCE],
			pluck=True,
		)
	if found:
		scan = frappe.qb.DocType(SCAN)
		frappe.qb.from_(scan).delete().where(scan.name.isin(found)).run()
	left = None
	if kind:
		expression, values = _kind_sql(row.warehouse, items_of(name))
		left = frappe.db.sql(
			f"select count(*) from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
			f" on s.`name` = c.`code` where c.`serial_count` = %s and {expression} = %s",
			[name, *values, kind],
		)[0][0]
	return {"removed": len(found), "left": left}


def preview(doc) -> dict:
	"""What posting the count would do now, from a few ``GROUP BY`` statements: units found in place,
	units found here that the ledger has elsewhere (brought here from each warehouse, or left there),
	units found here that the ledger has sold, returned, issued or missing (In Stock here again), units
	expected here and not scanned (to become Missing), and the unknown codes that refuse posting."""
	name, warehouse = doc.name, doc.warehouse
	items = items_of(name)
	expression, values = _kind_sql(warehouse, items)
	rows = frappe.db.sql(
		f"select {expression} kind, s.`warehouse`, s.`company` = %s, count(*)"
		f" from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s on s.`name` = c.`code`"
		" where c.`serial_count` = %s group by 1, 2, 3",
		[*values, doc.company, name],
	)
	by_kind: dict[str, int] = {}
	moved: dict[str, int] = {}
	left_elsewhere = 0
	for kind, at, same_company, qty in rows:
		by_kind[kind] = by_kind.get(kind, 0) + qty
		if kind == MISPLACED:
			if same_company and doc.bring_misplaced:
				moved[at] = moved.get(at, 0) + qty
			else:
				left_elsewhere += qty
	places = readable("Warehouse", set(moved))
	named = [{"warehouse": at, "qty": qty} for at, qty in sorted(moved.items()) if at in places]
	hidden = sum(qty for at, qty in moved.items() if at not in places)
	if hidden:
		named.append({"warehouse": None, "qty": hidden})
	serial, scanned = frappe.qb.DocType(SERIAL), frappe.qb.DocType(SCAN)
	query = (
		frappe.qb.from_(serial)
		.left_join(scanned)
		.on((scanned.code == serial.name) & (scanned.serial_count == name))
		.select(frappe.qb.functions("count", "*"))
		.where(
			(serial.warehouse == warehouse) & (serial.status == Status.IN_STOCK.value) & scanned.name.isnull()
		)
	)
	if items is not None:
		query = query.where(serial.item_code.isin(sorted(items)))
	if (permitted := permission_condition()) is not None:
		query = query.where(permitted)
	missing = query.run()[0][0]
	found_again = sum(by_kind.get(k, 0) for k in FOUND_AGAIN)
	return {
		"count": name,
		"warehouse": warehouse,
		"counted": by_kind.get(COUNTED, 0),
		"misplaced": sum(qty for at, qty in moved.items()),
		"moved_from": named,
		"left_elsewhere": left_elsewhere,
		"found_again": found_again,
		"missing": missing,
		"unknown": by_kind.get(UNKNOWN, 0),
		"ignored": by_kind.get(WRONG_ITEM, 0) + by_kind.get(IN_TRANSIT, 0),
		"scanned": sum(by_kind.values()),
	}
