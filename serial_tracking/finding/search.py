"""Which serials match these filters: the one home of the search, for the report, the export and labels.

Filters (``read_filters``): ``item_code``, ``item_group`` (with its child groups), ``serial_no``
(exact, or a prefix when it ends with ``*``; a manager's correction keeps the old code findable),
``status`` (one or several), ``warehouse`` (a group with its children), ``supplier``, ``customer``,
``voucher_type`` + ``voucher_no`` (the serial's last document), ``carton``, and ``from_date`` /
``to_date`` on the last movement (``posted_at``).

Every query sees what ``frappe.get_list`` on Serial Number would show the user: the role check and
the match conditions (User Permissions on the serial and on each of its links, shares, permission
query hooks) are Frappe's own, taken from ``DatabaseQuery``; the filters are built here with
``frappe.qb`` so that a prefix is a true prefix (``_`` is a wildcard of LIKE that ``get_list``
cannot escape) and every filter is a condition an index serves.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from pypika.terms import Criterion

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.query_builder.functions import Count
from frappe.utils import cstr, escape_html, getdate, nowdate

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
TEXTS = ("serial_no", "voucher_type", "voucher_no", "carton")
DATES = ("from_date", "to_date")
FILTERS = (*LINKS, "serial_no", "status", "voucher_type", "voucher_no", "carton", *DATES)

#: The columns of a row, in order: (fieldname, label, fieldtype, options, width). A document type is
#: Data, not a Link to DocType: Frappe checks a report's rows against every linked doctype the user
#: may read, and no stock role reads DocType (every row was refused).
_COLUMNS = (
	("serial_no", "SN Code", "Link", SERIAL, 180),
	("item_code", "Item", "Link", "Item", 140),
	("item_name", "Item Name", "Data", None, 160),
	("status", "Status", "Data", None, 100),
	("warehouse", "Warehouse", "Link", "Warehouse", 160),
	("voucher_type", "Last Document Type", "Data", None, 140),
	("voucher_no", "Last Document", "Dynamic Link", "voucher_type", 160),
	("supplier", "Supplier", "Link", "Supplier", 140),
	("purchase_date", "Purchase Date", "Date", None, 110),
	("customer", "Customer", "Link", "Customer", 140),
	("delivery_date", "Delivery Date", "Date", None, 110),
	("carton", "Carton", "Link", CARTON, 140),
	("posted_at", "Last Movement", "Datetime", None, 160),
	("days_since_movement", "Days Since Last Movement", "Int", None, 90),
)
FIELDS = ("name", *(c[0] for c in _COLUMNS[1:-1]))


def columns() -> list[dict]:
	"""The columns of ``rows`` with labels in the user's language (report and export)."""
	return [
		{"fieldname": name, "label": _(label), "fieldtype": fieldtype, "options": options, "width": width}
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
	raw = filters
	if isinstance(filters, str):
		try:
			raw = frappe.parse_json(filters)
		except ValueError:
			raw = None
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


def _conditions(filters: dict) -> list[Criterion]:
	table = frappe.qb.DocType(SERIAL)
	where = []
	if code := filters.get("serial_no"):
		prefix = code.endswith("*")
		code = code.rstrip("*") if prefix else code
		found = table.name.like(_escape_like(code) + "%") if prefix else table.name == code
		if renamed := _renamed(code, prefix):
			found = found | table.name.isin(renamed)
		where.append(found)
	if item_code := filters.get("item_code"):
		where.append(table.item_code == item_code)
	if group := filters.get("item_group"):
		# the group's items read first: as a subquery, MariaDB joined every serial to the items
		# and sorted them all (24 s for a million serials); a list of items is a range of an index
		item = frappe.qb.DocType("Item")
		groups = _descendants("Item Group", group)
		items = frappe.qb.from_(item).select(item.name).where(item.item_group.isin(groups)).run(pluck=True)
		where.append(table.item_code.isin(items or [""]))
	if statuses := filters.get("status"):
		where.append(table.status.isin(statuses) if len(statuses) > 1 else table.status == statuses[0])
	if warehouse := filters.get("warehouse"):
		places = _descendants("Warehouse", warehouse)
		where.append(table.warehouse.isin(places) if len(places) > 1 else table.warehouse == places[0])
	for key in ("supplier", "customer", "voucher_type", "voucher_no", "carton"):
		if value := filters.get(key):
			where.append(table[key] == value)
	if start := filters.get("from_date"):
		where.append(table.posted_at >= datetime.combine(getdate(start), datetime.min.time()))
	if end := filters.get("to_date"):
		where.append(
			table.posted_at < datetime.combine(getdate(end) + timedelta(days=1), datetime.min.time())
		)
	return where


def query(filters: dict | str | None, *fields):
	"""A select on Serial Number with the filters and the user's permissions applied."""
	filters = read_filters(filters)
	table = frappe.qb.DocType(SERIAL)
	q = frappe.qb.from_(table).select(*fields)
	permitted = permission_condition()
	for condition in _conditions(filters) + ([permitted] if permitted is not None else []):
		q = q.where(condition)
	return q


def _rows_of(found: list[dict]) -> list[dict]:
	today = getdate(nowdate())
	rows = []
	for row in found:
		posted = row.get("posted_at")
		rows.append(
			{
				"serial_no": row.name,
				**{field: row.get(field) for field in FIELDS[1:]},
				"days_since_movement": (today - posted.date()).days if posted else None,
			}
		)
	return rows


def rows(filters: dict | str | None, start: int = 0, page_length: int = PAGE_LENGTH) -> list[dict]:
	"""One page of matching serials, by code, with the report's columns."""
	table = frappe.qb.DocType(SERIAL)
	found = (
		query(filters, *(table[f] for f in FIELDS))
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
