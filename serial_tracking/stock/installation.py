"""Installation Note rows carrying the SN codes of the units installed, as the app's stock document rows
carry theirs (``sn_codes``, one a line; ERPNext's *Installation Note* from a Delivery Note maps them from
the delivered row). No stock moves: ``validate`` checks that each code is a unit of the row's item that
the user may read, held by the note's customer (or only warned of, by the settings), delivered by the
Delivery Note row the row comes from, entered once, as many as the row's quantity."""

import frappe
from frappe import _
from frappe.utils import escape_html, flt

from serial_tracking.constants import ROW_FIELD
from serial_tracking.core.codes import key
from serial_tracking.messages import AfterSalesError, throw
from serial_tracking.settings import parse_codes
from serial_tracking.stock.after_sales import judge_customer, read_units, require_item

DELIVERED_ROW = "Delivery Note Item"


def validate(doc, method=None) -> None:
	"""Check the codes of every row that has some; all of a row's problems of reading at once."""
	rows = [(row, _codes_of(row)) for row in doc.get("items") or [] if (row.get(ROW_FIELD) or "").strip()]
	if not rows:
		return
	_require_once(rows)
	units = read_units([c for _row, codes in rows for c in codes], doc.flags.ignore_permissions)
	delivered = _delivered(row for row, _codes in rows)
	where = {}
	for row, codes in rows:
		prefix = _("Row {0}:").format(row.idx) + " "
		for code in codes:
			require_item(units[code], row.item_code, prefix)
			_require_delivered(row, code, delivered, prefix)
			where[units[code].name] = prefix
		row.set(ROW_FIELD, "\n".join(units[code].name for code in codes))
	judge_customer(doc.customer, list({u.name: u for u in units.values()}.values()), where)


def _codes_of(row) -> list[str]:
	"""The row's codes, read as every entry of the app reads them; refused row by row, as many as its
	quantity."""
	parsed = parse_codes(row.get(ROW_FIELD))
	throw([p.at_row(row.idx) for p in parsed.problems], exc=AfterSalesError)
	if len(parsed.codes) != flt(row.qty):
		frappe.throw(
			_("Row {0}: {1} SN codes entered for a quantity of {2}").format(
				row.idx, len(parsed.codes), flt(row.qty)
			),
			AfterSalesError,
			title=_("SN codes refused"),
		)
	return parsed.codes


def _require_once(rows) -> None:
	"""Refuse a unit entered on two rows."""
	first: dict[str, int] = {}
	for row, codes in rows:
		for code in codes:
			if (seen := first.setdefault(key(code), row.idx)) != row.idx:
				frappe.throw(
					_("Row {0}: SN code {1} is entered on row {2} too").format(
						row.idx, escape_html(code), seen
					),
					AfterSalesError,
					title=_("SN codes refused"),
				)


def _delivered(rows) -> dict[str, set[str]]:
	"""The codes of the Delivery Note rows the rows come from (one read), by row name."""
	names = {row.prevdoc_detail_docname for row in rows if row.get("prevdoc_detail_docname")}
	if not names:
		return {}
	found = frappe.get_all(DELIVERED_ROW, filters={"name": ("in", sorted(names))}, fields=["name", ROW_FIELD])
	return {r.name: {key(c) for c in parse_codes(r.get(ROW_FIELD)).codes} for r in found}


def _require_delivered(row, code: str, delivered: dict[str, set[str]], prefix: str) -> None:
	"""A row made from a Delivery Note row installs only units that row delivered (as ERPNext checks
	its own serial numbers)."""
	codes = delivered.get(row.get("prevdoc_detail_docname") or "")
	if codes is not None and key(code) not in codes:
		frappe.throw(
			prefix
			+ _("SN code {0} was not delivered by Delivery Note {1}").format(
				escape_html(code), escape_html(row.prevdoc_docname or "")
			),
			AfterSalesError,
			title=_("Wrong SN code"),
		)
