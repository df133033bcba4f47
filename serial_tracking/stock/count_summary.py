"""A Serial Count's summary: per item, the units expected here, counted and missing, and the scans not
counted by kind, from a few ``GROUP BY`` statements whatever the number of scans; and the first codes
of each difference, for the user to look at."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.core.states import Status
from serial_tracking.finding.search import permission_condition
from serial_tracking.permissions import party_restrictions
from serial_tracking.stock.count_basics import (
	COUNTED,
	SCAN,
	UNKNOWN,
	WRONG_ITEM,
	count_row,
	items_of,
	kind_of,
	shown_to_user,
)


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
		warehouse = count_row(name, None).warehouse
		items = items_of(name)
	expected = _expected(warehouse, items)
	scanned = _scanned_live(name, warehouse, items) if live else _scanned_as_kept(name)
	# Only items the user may read are named (a unit of another is a scan not counted here).
	shown = shown_to_user((item, None) for item, _kind, _qty in scanned)
	scanned = [
		(item, kind, qty) if shown(item, None) else (None, WRONG_ITEM, qty) for item, kind, qty in scanned
	]
	lines = _per_item(expected, scanned)
	totals = {
		field: sum(found[field] for found in lines)
		for field in ("expected", "counted", "missing", "unexpected_total")
	}
	totals["scanned"] = sum(qty for *_rest, qty in scanned)
	return {"warehouse": warehouse, "items": lines, "totals": totals, "live": live}


def _expected(warehouse: str, items: frozenset[str] | None) -> dict[str, int]:
	"""Per item, the units In Stock at the warehouse that the user may read."""
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
	return dict(query.run())


def _scanned_live(name: str, warehouse: str, items: frozenset[str] | None) -> list[tuple]:
	"""(item, kind, scans) of the count's scans as the ledger has their codes now."""
	# a party-restricted user's scans are grouped by their units' parties too (judged below)
	parties = ", s.`customer`, s.`supplier`" if party_restrictions(SERIAL) else ", null, null"
	rows = frappe.db.sql(
		f"select coalesce(s.`item_code`, c.`item_code`), s.`status`, s.`warehouse` = %s, s.`company`"
		f"{parties}, count(*) from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
		" on s.`name` = c.`code` where c.`serial_count` = %s group by 1, 2, 3, 4, 5, 6",
		(warehouse, name),
	)
	shown = shown_to_user((item, company, *more) for item, _status, _here, company, *more, _qty in rows)
	return [
		(item, kind_of(item, status, bool(here), items), qty)
		if not status or shown(item, company, customer, supplier)
		else (None, WRONG_ITEM, qty)
		for item, status, here, company, customer, supplier, qty in rows
	]


def _scanned_as_kept(name: str) -> list[tuple]:
	"""(item, kind, scans) of the count's scans as each was when scanned."""
	return frappe.db.sql(
		f"select `item_code`, `kind`, count(*) from `tab{SCAN}` force index (count_item_kind)"
		" where `serial_count` = %s group by `item_code`, `kind`",
		(name,),
	)


def _per_item(expected: dict[str, int], scanned: list[tuple]) -> list[dict]:
	"""One line per item (codes of no item last): expected, counted, missing and unexpected by kind."""
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
	return sorted(per_item.values(), key=lambda found: (not found["item_code"], found["item_code"]))


def codes_of_kind(name: str, kinds: tuple[str, ...], limit: int = 100) -> dict[str, list[str]]:
	"""Some scanned codes of each of ``kinds`` (at most ``limit`` each), and the codes expected here
	and not scanned under "missing" when asked: what the user has to look at."""
	row = count_row(name, None)
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
	shown = shown_to_user(
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
