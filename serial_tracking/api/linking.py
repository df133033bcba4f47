"""What a Link field to the app's doctypes finds as one types (wired by ``standard_queries``).

``search_serial_link`` finds serials by the start of their code, one bounded range of the primary
key, in code order, and shows what ``frappe.get_list`` shows the user of it; ``search_walled``
searches the app's other doctypes behind their walls (Frappe's own search would ignore them).
"""

import json

import frappe
from frappe import _
from frappe.utils import cint, escape_html

from serial_tracking.arguments import NOT_JSON, json_value
from serial_tracking.constants import CARTON, LOG, SERIAL
from serial_tracking.core.codes import fold

#: What a suggestion shows under the code.
DESCRIPTION = ("item_code", "status", "warehouse")
#: Most suggestions one call returns.
MOST = 100
#: Most codes starting with the text that one call reads (in code order); a page is made of these.
#: Under 1,000: MariaDB reads a longer ``IN`` list through a temporary table
#: (``in_predicate_conversion_threshold``) instead of one primary-key lookup per code.
WINDOW = 900
#: The furthest a page may start: past it, type more of the code.
MOST_START = 500
#: Longest text that can start a code (a document name's length in Frappe).
LONGEST = 140
#: Operators a condition of ``filters`` may use.
OPERATORS = ("=", "!=", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "is")
#: The app's doctypes whose rows User Permissions (and, for the log and cartons, the walls of
#: customers and suppliers) keep from some users, searched by ``search_walled``: none of the Link
#: fields to them ignores User Permissions, so nothing in Desk asks their search to.
WALLED = (LOG, CARTON, "Serial Count", "Serial Count Scan")
#: What a suggestion of those shows under the name (the doctype's search fields when not named here).
WALLED_DESCRIPTION = {
	LOG: ("serial_no", "operation", "voucher_no"),
	"Serial Count": ("warehouse", "status"),
	"Serial Count Scan": ("code", "serial_count"),
}


def escape_like(text: str) -> str:
	"""``text`` as a LIKE pattern matching itself only: ``\\``, ``%`` and ``_`` escaped."""
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@frappe.whitelist()
@frappe.read_only()
def search_serial_link(
	doctype: str = SERIAL,
	txt: str = "",
	searchfield: str | None = None,
	start: int = 0,
	page_len: int = 10,
	filters: str | dict | list | None = None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""Serials whose code starts with ``txt`` (case-insensitive, full-width folded; ``%``, ``_`` and
	``\\`` as typed), in code order, that the user may read as a list shows them (User Permissions
	apply; ``ignore_user_permissions`` is not honoured), with ``filters`` as Frappe's link search
	takes them. Rows: code, item, status, warehouse.

	Among the first ``WINDOW`` codes starting with ``txt`` only: a page may be short when the user
	may see few of them or ``filters`` keep few; ``start`` may be at most ``MOST_START``."""
	_require_searchable(SERIAL)
	return _search(SERIAL, DESCRIPTION, txt, start, page_len, filters, as_dict, reference_doctype)


@frappe.whitelist()
@frappe.read_only()
def search_walled(
	doctype: str,
	txt: str = "",
	searchfield: str | None = None,
	start: int = 0,
	page_len: int = 10,
	filters: str | dict | list | None = None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""The link search of the app's doctypes behind walls (``WALLED``): the rows whose name starts
	with ``txt``, in name order, that the user may read as a list shows them (User Permissions and
	the app's walls apply; ``ignore_user_permissions`` is not honoured), with ``filters`` on the
	doctype's own fields. Rows: the name and ``WALLED_DESCRIPTION``. Bounded as
	``search_serial_link`` is."""
	if doctype not in WALLED:
		frappe.throw(
			_("{0} is not searched here").format(escape_html(str(doctype))),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	_require_searchable(doctype)
	description = WALLED_DESCRIPTION.get(doctype) or tuple(
		f for f in frappe.get_meta(doctype).get_search_fields() if f != "name"
	)
	return _search(doctype, description, txt, start, page_len, filters, as_dict, reference_doctype)


def _require_searchable(doctype: str) -> None:
	"""Refuse a user who may neither select nor read ``doctype``."""
	if not (frappe.has_permission(doctype, "select") or frappe.has_permission(doctype, "read")):
		frappe.throw(_("Not permitted to search {0}").format(_(doctype)), frappe.PermissionError)


def _search(doctype, description, txt, start, page_len, filters, as_dict, reference_doctype) -> list:
	"""A page of the names of ``doctype`` starting with ``txt``; the caller checked the user may search it."""
	start = max(cint(start), 0)
	if start > MOST_START:
		frappe.throw(
			_("start may be at most {0} (it was {1}): type more of the code to find it").format(
				MOST_START, escape_html(str(start))
			),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	page_len = min(max(cint(page_len), 1), MOST)
	text = (txt or "").strip() if isinstance(txt, str) else ""
	if len(text) > LONGEST:
		# no name is that long: nothing starts with it
		return []
	prefix = fold(text)
	window = _window(prefix, doctype)
	if not window:
		return []
	page = frappe.get_list(
		doctype,
		filters=[*_filters(filters, doctype), [doctype, "name", "in", window]],
		fields=["name", *description],
		order_by="name asc",
		limit_start=start,
		limit_page_length=page_len,
		reference_doctype=reference_doctype,
	)
	if as_dict:
		return page
	return [[r.name, *(r.get(f) for f in description)] for r in page]


def _window(prefix: str, doctype: str = SERIAL) -> list[str]:
	"""The first ``WINDOW`` names starting with ``prefix``, in name order: one range of the primary key."""
	table = frappe.qb.DocType(doctype)
	query = frappe.qb.from_(table).select(table.name).orderby(table.name).limit(WINDOW)
	if prefix:
		query = query.where(table.name.like(escape_like(prefix) + "%"))
	return query.run(pluck=True)


def _filters(filters, doctype: str = SERIAL) -> list[list]:
	"""Frappe's link-search ``filters`` (JSON, a dict or a list) as ``[doctype, field, operator,
	value]`` conditions on ``doctype``'s own fields; anything else is refused, naming it."""
	if isinstance(filters, str):
		text = filters
		filters = json_value(text) if text.strip() else None
		if filters is NOT_JSON:
			_refuse_filter(text, doctype)
	if not filters:
		return []
	if isinstance(filters, dict):
		filters = [
			[key, *(value if isinstance(value, list | tuple) else ("=", value))]
			for key, value in filters.items()
		]
	if not isinstance(filters, list | tuple):
		_refuse_filter(filters, doctype)
	fields = set(frappe.get_meta(doctype).get_valid_columns())
	conditions = []
	for condition in filters:
		if not isinstance(condition, list | tuple) or len(condition) not in (3, 4):
			_refuse_filter(condition, doctype)
		field, operator, value = condition[-3:]
		if (
			(len(condition) == 4 and condition[0] != doctype)
			or not (isinstance(field, str) and field in fields)
			or not (isinstance(operator, str) and operator.lower() in OPERATORS)
			or not _plain(value, operator.lower())
		):
			_refuse_filter(condition, doctype)
		conditions.append([doctype, field, operator.lower(), value])
	return conditions


def _plain(value, operator: str) -> bool:
	"""A value a condition may compare with: text, a number, true/false or null; for ``in`` and
	``not in`` a list of those too."""
	if isinstance(value, list) and operator in ("in", "not in"):
		return all(_plain(v, "=") for v in value)
	return value is None or isinstance(value, str | int | float | bool)


def _refuse_filter(value, doctype: str = SERIAL) -> None:
	shown = value if isinstance(value, str) else json.dumps(value, default=str)
	frappe.throw(
		_(
			"filters: {0} is not a condition on a field of {1} (a field, an operator among {2}, and a value)"
		).format(
			escape_html(shown[:60] + ("…" if len(shown) > 60 else "")), _(doctype), ", ".join(OPERATORS)
		),
		frappe.ValidationError,
		title=_("Invalid argument"),
	)
