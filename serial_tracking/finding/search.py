"""Which serials match these filters: the one home of the search, for the report, the export and labels.

Filters are read by :func:`read_filters`. Every query sees what ``frappe.get_list`` on Serial
Number would show the user (its match conditions are Frappe's own), and every filter is built with
``frappe.qb`` as a condition an index serves (a prefix is a true prefix).
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from pypika.terms import Criterion, Field, ValueWrapper

import frappe
from frappe import _, _lt
from frappe.model.db_query import DatabaseQuery
from frappe.query_builder.functions import Count
from frappe.utils import cstr, escape_html, getdate, nowdate
from frappe.utils.caching import request_cache

from serial_tracking.arguments import json_value
from serial_tracking.constants import CARTON, LOG, SERIAL, STATEMENT_VOUCHER
from serial_tracking.core.codes import fold
from serial_tracking.core.states import Status
from serial_tracking.stock.documents import SUPPORTED

#: The report's page and the API's default page.
PAGE_LENGTH = 500
#: Rows read per statement by ``batches`` (the export).
BATCH_SIZE = 5000

STATUSES = tuple(s.value for s in Status)
#: Documents a serial's last movement can name: the stock documents, and the Item for a
#: registration or a manager's correction.
VOUCHER_TYPES = (*SUPPORTED, STATEMENT_VOUCHER)

#: Filters naming one document of a doctype: key -> doctype.
LINKS = {
	"item_code": "Item",
	"item_group": "Item Group",
	"warehouse": "Warehouse",
	"supplier": "Supplier",
	"customer": "Customer",
}
DATES = ("from_date", "to_date")
#: Warranty filters: ``under_warranty`` (a check) keeps the units whose warranty runs today or later,
#: ``warranty_within`` (days) those whose warranty ends between today and that many days on.
WARRANTY = ("under_warranty", "warranty_within")
FILTERS = (*LINKS, "serial_no", "status", "voucher_type", "voucher_no", "carton", *DATES, *WARRANTY)
#: The most days ``warranty_within`` takes (a hundred years).
MOST_WARRANTY_DAYS = 36_500

#: The columns of a row, in order: (fieldname, label, fieldtype, options, width). A document type is
#: Data, not a Link to DocType: Frappe checks a report's rows against every linked doctype the user
#: may read, and no stock role reads DocType (every row was refused).
_COLUMNS = (
	("serial_no", _lt("SN Code"), "Link", SERIAL, 180),
	("item_code", _lt("Item"), "Link", "Item", 140),
	("item_name", _lt("Item Name"), "Data", None, 280),
	("status", _lt("Status"), "Data", None, 100),
	("warehouse", _lt("Warehouse"), "Link", "Warehouse", 180),
	("voucher_type", _lt("Last Document Type"), "Data", None, 180),
	("voucher_no", _lt("Last Document"), "Dynamic Link", "voucher_type", 200),
	("supplier", _lt("Supplier"), "Link", "Supplier", 160),
	("purchase_date", _lt("Purchase Date"), "Date", None, 120),
	("customer", _lt("Customer"), "Link", "Customer", 160),
	("delivery_date", _lt("Delivery Date"), "Date", None, 120),
	("carton", _lt("Carton"), "Link", CARTON, 160),
	("warranty_expiry_date", _lt("Warranty Until"), "Date", None, 130),
	("amc_expiry_date", _lt("AMC Until"), "Date", None, 120),
	("posted_at", _lt("Last Movement"), "Datetime", None, 190),
	("days_since_movement", _lt("Days Since Last Movement"), "Int", None, 210),
)
#: The columns read from Serial Number: the item's name is not stored with its serials (it would go
#: stale when the item is renamed) but read from Item for the rows shown (``_item_names``).
FIELDS = ("name", *(c[0] for c in _COLUMNS[1:-1] if c[0] != "item_name"))


def columns() -> list[dict]:
	"""The columns of ``rows`` with labels in the user's language (report and export)."""
	return [
		{"fieldname": name, "label": str(label), "fieldtype": fieldtype, "options": options, "width": width}
		for name, label, fieldtype, options, width in _COLUMNS
	]


def _label(key: str) -> str:
	return {
		"item_code": _("Item"),
		"item_group": _("Item Group"),
		"serial_no": _("SN Code"),
		"status": _("Status"),
		"warehouse": _("Warehouse"),
		"supplier": _("Supplier"),
		"customer": _("Customer"),
		"voucher_type": _("Last Document Type"),
		"voucher_no": _("Last Document"),
		"carton": _("Carton"),
		"from_date": _("From Date"),
		"to_date": _("To Date"),
		"under_warranty": _("Under Warranty"),
		"warranty_within": _("Warranty Ends in Days"),
	}.get(key, key)


def _shown(value) -> str:
	"""A value as a message shows it: Desk renders messages as HTML, and a link to the report can
	carry any filter value."""
	return escape_html(cstr(value))


def _refuse(key: str, value, reason: str) -> None:
	frappe.throw(
		_("Filter {0} ({1}) '{2}': {3}").format(_label(key), _shown(key), _shown(value), reason),
		frappe.ValidationError,
		title=_("Invalid filter"),
	)


def read_filters(filters: dict | str | None) -> dict:
	"""The filters parsed (a dict, or JSON text of one) and checked; empty values left out.

	The result is itself valid input. An unknown key, status or document, a bad date, a voucher
	number without its type: ``frappe.ValidationError`` naming the filter and the value.
	"""
	if filters in (None, ""):
		return {}
	raw = json_value(filters)
	if not isinstance(raw, dict):
		frappe.throw(
			_("Filters must be an object of filter names and values, not '{0}'").format(_shown(filters)),
			frappe.ValidationError,
			title=_("Invalid filter"),
		)
	read = {}
	for key, value in raw.items():
		if key not in FILTERS:
			frappe.throw(
				_("Unknown filter '{0}'. Known filters: {1}").format(_shown(key), ", ".join(FILTERS)),
				frappe.ValidationError,
				title=_("Invalid filter"),
			)
		if value in (None, "", []):
			continue
		if key == "status":
			read[key] = _statuses(value)
		elif key in DATES:
			read[key] = _date(key, value)
		elif key == "under_warranty":
			if _check(key, value):
				read[key] = 1
		elif key == "warranty_within":
			read[key] = _days(key, value)
		else:
			if not isinstance(value, str):
				_refuse(key, value, _("a text is expected"))
			value = fold(value).strip()
			if value:
				read[key] = value
	for key, doctype in LINKS.items():
		if key in read and not frappe.db.exists(doctype, read[key]):
			_refuse(key, read[key], _("no such {0}").format(_(doctype)))
	if "voucher_type" in read and read["voucher_type"] not in VOUCHER_TYPES:
		_refuse(
			"voucher_type",
			read["voucher_type"],
			_("serials are moved only by {0}").format(", ".join(_(v) for v in VOUCHER_TYPES)),
		)
	if "voucher_no" in read and "voucher_type" not in read:
		_refuse("voucher_no", read["voucher_no"], _("give the document type too"))
	if read.get("serial_no") and not read["serial_no"].rstrip("*"):
		_refuse("serial_no", read["serial_no"], _("give at least one character before *"))
	if "from_date" in read and "to_date" in read and read["from_date"] > read["to_date"]:
		_refuse("to_date", read["to_date"], _("it is before From Date {0}").format(read["from_date"]))
	return read


def _statuses(value) -> list[str]:
	if isinstance(value, str):
		value = value.replace("\n", ",").split(",")
	if not isinstance(value, list | tuple):
		_refuse("status", value, _("one status or a list of them is expected"))
	chosen = []
	for status in value:
		status = cstr(status).strip() if isinstance(status, str) else status
		if not status:
			continue
		if status not in STATUSES:
			_refuse("status", status, _("not a status; statuses: {0}").format(", ".join(STATUSES)))
		if status not in chosen:
			chosen.append(status)
	return chosen


def _check(key: str, value) -> bool:
	if value in (0, 1, True, False, "0", "1"):
		return bool(int(value))
	_refuse(key, value, _("0 or 1 is expected"))


def _days(key: str, value) -> int:
	if isinstance(value, bool) or not isinstance(value, int | str):
		_refuse(key, value, _("a whole number of days is expected"))
	text = str(value).strip()
	if not text.isdigit() or int(text) > MOST_WARRANTY_DAYS:
		_refuse(key, value, _("a whole number of days from 0 to {0} is expected").format(MOST_WARRANTY_DAYS))
	return int(text)


def _date(key: str, value) -> str:
	if isinstance(value, datetime):
		value = value.date()
	if isinstance(value, date):
		return value.isoformat()
	if isinstance(value, str):
		said = len(frappe.local.message_log)
		try:
			return getdate(value.strip()).isoformat()
		except Exception:
			# getdate says so itself, showing the value as HTML: the refusal below says it escaped
			del frappe.local.message_log[said:]
	_refuse(key, value, _("not a date (YYYY-MM-DD)"))


# Queries


class _Sql(Criterion):
	"""A condition given as SQL (Frappe's own match conditions), kept as it is."""

	def __init__(self, sql: str):
		super().__init__()
		# the query runs with named parameters, so a literal % in a value must be doubled
		self.sql = sql.replace("%", "%%")

	def get_sql(self, **kwargs) -> str:
		return f"({self.sql})"


def permission_condition() -> Criterion | None:
	"""What ``frappe.get_list(SERIAL)`` adds for the session user, or a PermissionError as it raises.

	Role permission (read or select), User Permissions on the serial and on its links (Item,
	Warehouse, Company, Supplier, Customer, ...), owner-only roles, shares and permission query
	hooks: taken from the same ``DatabaseQuery`` that ``get_list`` runs.
	"""
	if frappe.session.user == "Guest":
		frappe.throw(_("Sign in to search serials"), frappe.PermissionError, title=_("Not permitted"))
	query = DatabaseQuery(SERIAL)
	query.check_read_permission(SERIAL)
	query.fields = [f"`tab{SERIAL}`.`name`"]
	query.tables = [f"`tab{SERIAL}`"]
	query.reference_doctype = SERIAL
	query.conditions = []
	match = query.build_match_conditions()
	parts = [c for c in (*query.conditions, match) if c]
	if not parts:
		return None
	return _Sql(" and ".join(f"({c})" for c in parts))


def _escape_like(text: str) -> str:
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _descendants(doctype: str, name: str) -> list[str]:
	"""``name`` and every document under it in a tree (lft/rgt)."""
	lft, rgt = frappe.db.get_value(doctype, name, ["lft", "rgt"])
	table = frappe.qb.DocType(doctype)
	return (
		frappe.qb.from_(table)
		.select(table.name)
		.where((table.lft >= lft) & (table.rgt <= rgt))
		.run(pluck=True)
	) or [name]


def _renamed(serial_no: str, prefix: bool) -> list[str]:
	"""Serials whose log records ``serial_no`` (or a code starting so) as a previous code."""
	log = frappe.qb.DocType(LOG)
	condition = (
		log.previous_code.like(_escape_like(serial_no) + "%") if prefix else log.previous_code == serial_no
	)
	return frappe.qb.from_(log).select(log.serial_no).distinct().where(condition).run(pluck=True)


def _items_of(group: str) -> list[str]:
	"""The items of an item group and of its child groups."""
	# read first: as a subquery, MariaDB joined every serial to the items and sorted them all (24 s
	# for a million serials); a list of items is a range of an index
	item = frappe.qb.DocType("Item")
	groups = _descendants("Item Group", group)
	return frappe.qb.from_(item).select(item.name).where(item.item_group.isin(groups)).run(pluck=True)


def _equalities(filters: dict) -> list[tuple[str, list[str]]]:
	"""The filters that fix a column to one of some values, as (column, values), in filter order."""
	fixed = []
	if item_code := filters.get("item_code"):
		fixed.append(("item_code", [item_code]))
	if group := filters.get("item_group"):
		fixed.append(("item_code", _items_of(group) or [""]))
	if statuses := filters.get("status"):
		fixed.append(("status", list(statuses)))
	if warehouse := filters.get("warehouse"):
		fixed.append(("warehouse", _descendants("Warehouse", warehouse)))
	for key in ("supplier", "customer", "voucher_type", "voucher_no", "carton"):
		if value := filters.get(key):
			fixed.append((key, [value]))
	return fixed


def _one_of(column, values: list[str]) -> Criterion:
	return column.isin(values) if len(values) > 1 else column == values[0]


def _conditions(filters: dict, fixed: list[tuple[str, list[str]]] | None = None) -> list[Criterion]:
	table = frappe.qb.DocType(SERIAL)
	where = []
	if code := filters.get("serial_no"):
		prefix = code.endswith("*")
		code = code.rstrip("*") if prefix else code
		found = table.name.like(_escape_like(code) + "%") if prefix else table.name == code
		if renamed := _renamed(code, prefix):
			found = found | table.name.isin(renamed)
		where.append(found)
	for column, values in _equalities(filters) if fixed is None else fixed:
		where.append(_one_of(table[column], values))
	if start := filters.get("from_date"):
		where.append(table.posted_at >= datetime.combine(getdate(start), datetime.min.time()))
	if end := filters.get("to_date"):
		where.append(
			table.posted_at < datetime.combine(getdate(end) + timedelta(days=1), datetime.min.time())
		)
	if filters.get("under_warranty") or "warranty_within" in filters:
		today = getdate(nowdate())
		where.append(table.warranty_expiry_date >= today)
		if "warranty_within" in filters:
			where.append(table.warranty_expiry_date <= today + timedelta(days=filters["warranty_within"]))
	return where


def query(filters: dict | str | None, *fields):
	"""A select on Serial Number with the filters and the user's permissions applied."""
	return _query(read_filters(filters), fields)


def _query(filters: dict, fields, fixed: list[tuple[str, list[str]]] | None = None):
	table = frappe.qb.DocType(SERIAL)
	q = frappe.qb.from_(table).select(*fields)
	permitted = permission_condition()
	for condition in _conditions(filters, fixed) + ([permitted] if permitted is not None else []):
		q = q.where(condition)
	return q


# Pages in code order read along an index
#
# A page is the first matching serials by code. Left to itself, MariaDB reads them from the primary
# key and skips every serial that does not match: a page of a warehouse's 30,000 serials among a
# million read 17,000 rows. InnoDB ends each secondary index with the primary key, so once every
# column of an index is fixed to one value its entries are in code order: the page is then the
# first entries of each such read, merged in one statement (a UNION ALL of ordered, limited reads,
# sorted and cut once more), and only the page's rows are read in full. With many reads (the items
# of a group) each first gives about twice its part of the page: for a user whose User Permissions
# the index does not hold, every code read is a row looked up.

#: The indexes of Serial Number whose columns the filters can fix, by their columns.
ORDERED_INDEXES = (
	("status",),
	("item_code",),
	("carton",),
	("warehouse", "status"),
	("item_code", "warehouse", "status"),
	("supplier", "status"),
	("customer", "status"),
	("voucher_type", "voucher_no"),
)
#: A page read along an index is made of at most this many ordered reads ...
MOST_READS = 64
#: ... which together keep at most this many codes before the last sort.
MOST_KEPT = 100_000
#: With this many ordered reads or more (the items of a group), each first reads SHARE times its
#: part of the page, and all of it only when that was not enough (a read cut before the page's end)
SHARED_READS = 8
SHARE = 2
#: The filters an ordered read does not take: the page is then MariaDB's own plan.
_UNORDERED = ("serial_no", "from_date", "to_date", *WARRANTY)
#: The serials at no status of STATUSES (an empty or unknown one): the last read of a status no filter
#: fixes, so that the reads of each status and this one take every serial once.
_OTHER_STATUS = None


@request_cache
def _indexes() -> dict[tuple[str, ...], str]:
	"""Serial Number's indexes on this site: their columns -> their name (Frappe names a
	``search_index`` after its column or, when added to a table made before, with ``_index``; a site
	not migrated yet may lack one)."""
	columns = {}
	for row in frappe.db.sql(f"show index from `tab{SERIAL}`", as_dict=True):
		columns.setdefault(row.Key_name, {})[row.Seq_in_index] = row.Column_name
	found = {}
	for name, by_place in columns.items():
		found.setdefault(tuple(by_place[n] for n in sorted(by_place)), name)
	return found


def _ordered_plan(
	filters: dict, fixed: list[tuple[str, list[str]]], start: int, length: int
) -> tuple[str, list[dict]] | None:
	"""(index, the columns fixed by each ordered read) that read the page in code order, or None
	when no index fits the filters or the reads would keep too many codes."""
	if start < 0 or length <= 0 or any(filters.get(key) for key in _UNORDERED):
		return None
	columns = [column for column, _values in fixed]
	if not fixed or len(set(columns)) < len(columns):
		return None
	fixed = dict(fixed)
	best = None
	for key in ORDERED_INDEXES:
		index = _indexes().get(key)
		if index is None or not set(fixed) <= set(key) or not set(key) - set(fixed) <= {"status"}:
			continue
		reads = [{}]
		for column in key:
			values = fixed.get(column) or [*STATUSES, _OTHER_STATUS]
			reads = [{**read, column: value} for read in reads for value in values]
		if len(reads) > MOST_READS or len(reads) * (start + length) > MOST_KEPT:
			continue
		if best is None or len(reads) < len(best[1]):
			best = (index, reads)
	return best


def _ordered_rows(filters: dict, fixed: list[tuple[str, list[str]]], start: int, length: int, fields):
	"""The rows of the page ``start``, ``length`` in code order, their codes read along an index
	and only the page's rows read in full; None when no index fits (see ``_ordered_plan``)."""
	plan = _ordered_plan(filters, fixed, start, length)
	if plan is None:
		return None
	index, reads = plan
	table = frappe.qb.DocType(SERIAL)
	permitted = permission_condition()

	def ordered(read: dict, *columns):
		q = frappe.qb.from_(table).force_index(index).select(*columns)
		for column, value in read.items():
			if value is _OTHER_STATUS:
				q = q.where(table[column].notin(STATUSES) | table[column].isnull())
			else:
				q = q.where(table[column] == value)
		if permitted is not None:
			q = q.where(permitted)
		return q.orderby(table.name)

	if len(reads) == 1:
		return ordered(reads[0], *fields).limit(length).offset(start).run(as_dict=True)
	wanted = start + length
	share = -(-SHARE * wanted // len(reads))
	if len(reads) >= SHARED_READS and share < wanted:
		names = _first_names(
			[ordered(read, table.name, ValueWrapper(n)) for n, read in enumerate(reads)], share, wanted
		)
		if names is not None:
			page = tuple(names[start:wanted])
			if not page:
				return []
			# the page's codes as one parameter (frappe.qb makes one of each value)
			return frappe.db.sql(
				f"select {', '.join(f'`{f}`' for f in FIELDS)} from `tab{SERIAL}` where `name` in %(page)s"
				" order by `name`",
				{"page": page},
				as_dict=True,
			)
	page = _union([ordered(read, table.name) for read in reads], wanted)
	page = page.orderby(Field("name")).limit(length).offset(start).as_("page")
	return (
		frappe.qb.from_(table)
		.join(page)
		.on(table.name == page.name)
		.select(*fields)
		.orderby(table.name)
		.run(as_dict=True)
	)


def _union(selects: list, most: int):
	"""The selects, each in parentheses with its own order and limit, as one UNION ALL."""
	union = None
	for q in selects:
		q = q.limit(most)
		q.wrap_set_operation_queries = True
		union = q if union is None else union.union_all(q)
	return union


def _first_names(selects: list, share: int, wanted: int) -> list[str] | None:
	"""The first ``wanted`` codes of all the reads (selects of the code and the read's number), read
	as the first ``share`` of each merged in code order; None when that may not be all of them.

	A read cut at ``share`` may hold more codes, each after the last one it gave: the merged codes
	are then whole up to that one's place, and the first ``wanted`` are whole when every read that
	was cut gave its last code at or past that place.
	"""
	found = _union(selects, share).orderby(Field("name")).run()
	given, last = Counter(), {}
	for place, (_name, read) in enumerate(found):
		given[read] += 1
		last[read] = place
	if any(n == share and last[read] < wanted - 1 for read, n in given.items()):
		return None
	return [name for name, _read in found[:wanted]]


def item_names(item_codes) -> dict[str, str]:
	"""The current names of these items, in one statement (a primary-key lookup per item)."""
	codes = sorted({code for code in item_codes if code})
	if not codes:
		return {}
	item = frappe.qb.DocType("Item")
	return dict(frappe.qb.from_(item).select(item.name, item.item_name).where(item.name.isin(codes)).run())


def _rows_of(found: list[dict]) -> list[dict]:
	today = getdate(nowdate())
	names = item_names(row.get("item_code") for row in found)
	rows = []
	for row in found:
		posted = row.get("posted_at")
		rows.append(
			{
				"serial_no": row.name,
				"item_code": row.get("item_code"),
				"item_name": names.get(row.get("item_code")) or "",
				**{field: row.get(field) for field in FIELDS[2:]},
				"days_since_movement": (today - posted.date()).days if posted else None,
			}
		)
	return rows


def rows(filters: dict | str | None, start: int = 0, page_length: int = PAGE_LENGTH) -> list[dict]:
	"""One page of matching serials, by code, with the report's columns."""
	filters = read_filters(filters)
	table = frappe.qb.DocType(SERIAL)
	fields = [table[f] for f in FIELDS]
	fixed = _equalities(filters)
	found = _ordered_rows(filters, fixed, start, page_length, fields)
	if found is None:
		found = (
			_query(filters, fields, fixed)
			.orderby(table.name)
			.limit(page_length)
			.offset(start)
			.run(as_dict=True)
		)
	return _rows_of(found)


#: The search report counts matches exactly up to this many; past it, it says "more than".
COUNT_MOST = 10_000


def status_counts(filters: dict | str | None, most: int | None = None) -> dict[str, int]:
	"""How many matching serials are at each status (one GROUP BY statement), in the statuses' order.

	With ``most``, only the first ``most`` + 1 matches are counted: a total past ``most`` says there
	are more, and then the counts per status are of those read, not of all. Counting a million
	serials reads a million index entries; counting ten thousand and one takes milliseconds.
	"""
	table = frappe.qb.DocType(SERIAL)
	if most is None:
		counted = dict(query(filters, table.status, Count("*")).groupby(table.status).run())
	else:
		first = query(filters, table.status).limit(most + 1)
		counted = dict(frappe.qb.from_(first).select(first.status, Count("*")).groupby(first.status).run())
	ordered = {status: counted.pop(status) for status in STATUSES if status in counted}
	return {**ordered, **{cstr(status): n for status, n in counted.items()}}


def count(filters: dict | str | None) -> int:
	"""How many serials match."""
	return sum(status_counts(filters).values())


def codes(filters: dict | str | None, limit: int) -> list[str]:
	"""Every matching code, by code; refused when none, or more than ``limit``, match."""
	table = frappe.qb.DocType(SERIAL)
	found = query(filters, table.name).orderby(table.name).limit(limit + 1).run(pluck=True)
	if not found:
		frappe.throw(_("No serial matches these filters"), frappe.ValidationError, title=_("Nothing found"))
	if len(found) > limit:
		frappe.throw(
			_("More than {0} serials match these filters; narrow them down to {0} at most").format(limit),
			frappe.ValidationError,
			title=_("Too many serials"),
		)
	return found


def batches(filters: dict | str | None, size: int = BATCH_SIZE) -> Iterator[list[dict]]:
	"""Every matching serial, ``size`` rows at a time, by code (keyset pagination on the primary key)."""
	filters = read_filters(filters)
	table = frappe.qb.DocType(SERIAL)
	last = None
	while True:
		q = query(filters, *(table[f] for f in FIELDS))
		if last is not None:
			q = q.where(table.name > last)
		found = q.orderby(table.name).limit(size).run(as_dict=True)
		if not found:
			return
		yield _rows_of(found)
		if len(found) < size:
			return
		last = found[-1].name
