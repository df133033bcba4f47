"""Jinja methods for print formats (the ``jinja`` hook): a row's SN codes, compacted.

In any Jinja print format::

    {% for row in doc.items %} ... {{ sn_codes(row, doc) }} ... {% endfor %}

prints the row's codes as ``PH-0001 \u2013 PH-0050, PH-0077`` (core.ranges), every code
escaped. A row without codes of its own prints those of the row it was made from (an
invoice row made from a delivery note or purchase receipt row), and a product bundle's row
prints the codes of its packed rows. docs/printing.md.
"""

from collections import defaultdict

from markupsafe import Markup, escape

import frappe

from serial_tracking.constants import ROW_FIELD
from serial_tracking.core.codes import split
from serial_tracking.core.ranges import compact
from serial_tracking.stock.documents import PACKED, TABLES

#: Invoices whose rows may be made from a stock document's rows: the document, its row doctype and
#: the row fields that name them.
SOURCES = {
	"Sales Invoice": ("Delivery Note", "Delivery Note Item", "delivery_note", "dn_detail"),
	"Purchase Invoice": ("Purchase Receipt", "Purchase Receipt Item", "purchase_receipt", "pr_detail"),
}


def sn_ranges(codes) -> list[str]:
	"""Codes (a list, or text one a line as a row stores them) as printed items: ranges of
	consecutive codes and single codes, in natural order. Not escaped: for custom formats that
	lay them out themselves (``{{ item | e }}``)."""
	if isinstance(codes, str):
		codes = split(codes)
	return [run.text for run in compact(codes or [])]


def sn_code_list(row, doc=None) -> list[str]:
	"""The row's codes: its own, or those of the delivery note / purchase receipt row it was made
	from when it has none (read once for the whole document)."""
	own = split(row.get(ROW_FIELD))
	if own:
		return own
	doc = _parent(row, doc)
	if doc is None or doc.doctype not in SOURCES:
		return []
	_source, _row_doctype, parent_field, row_field = SOURCES[doc.doctype]
	if not (row.get(parent_field) and row.get(row_field)):
		return []
	return _linked(doc)["rows"].get(row.get(row_field), [])


def sn_packed_codes(row, doc=None) -> list[tuple[str, list[str]]]:
	"""A product bundle row's components and their codes: ``[(item_code, codes), ...]``, from the
	document's packed rows, or from those of the delivery note it was made from."""
	doc = _parent(row, doc)
	if doc is None:
		return []
	found: dict[str, list[str]] = defaultdict(list)
	for packed in doc.get(PACKED.table) or []:
		if packed.get("parent_detail_docname") == row.name:
			found[packed.item_code].extend(split(packed.get(ROW_FIELD)))
	if not any(found.values()) and doc.doctype in SOURCES:
		_source, _row_doctype, parent_field, row_field = SOURCES[doc.doctype]
		if row.get(parent_field) and row.get(row_field):
			found = _linked(doc)["packed"].get(row.get(row_field), {})
	return [(item, codes) for item, codes in found.items() if codes]


def sn_codes(row, doc=None) -> Markup:
	"""The row's codes compacted, as safe HTML (every code escaped); a bundle row's packed
	components' codes, each after its item code. Empty when the row has none."""
	parts = []
	own = sn_code_list(row, doc)
	if own:
		parts.append(_items(own))
	for item, codes in sn_packed_codes(row, doc):
		parts.append(Markup('<span class="sn-item">{0}:</span> {1}').format(item, _items(codes)))
	if not parts:
		return Markup("")
	return Markup('<span class="sn-codes">{0}</span>').format(Markup("; ").join(parts))


def _items(codes: list[str]) -> Markup:
	"""Printed items separated by commas; a range never breaks across lines."""
	return Markup(", ").join(
		Markup('<span class="sn-range" style="white-space: nowrap;">{0}</span>').format(run.text)
		if run.count > 1
		else escape(run.text)
		for run in compact(codes)
	)


def _parent(row, doc):
	if doc is not None:
		return doc
	parent = getattr(row, "parent_doc", None)
	return parent if parent is not None and getattr(parent, "doctype", None) else None


def _linked(doc) -> dict:
	"""The codes of the source rows the document's rows were made from, read once per document:
	``{"rows": {source row: codes}, "packed": {source row: {item: codes}}}``."""
	flags = getattr(doc, "flags", None)
	cached = flags.get("sn_linked_codes") if flags is not None else None
	if cached is not None:
		return cached
	source, row_doctype, parent_field, row_field = SOURCES[doc.doctype]
	wanted = sorted(
		{row.get(row_field) for row in doc.get("items") or [] if row.get(parent_field) and row.get(row_field)}
	)
	linked: dict = {"rows": {}, "packed": {}}
	if wanted:
		# The codes of the units this document's own rows stand for: printed with the document,
		# whoever may read the source document.
		for name, text in frappe.get_all(
			row_doctype,
			filters={"name": ("in", wanted), "docstatus": ("<", 2)},
			fields=["name", ROW_FIELD],
			as_list=True,
		):
			linked["rows"][name] = split(text)
		if PACKED in TABLES.get(source, ()):
			packed: dict = defaultdict(lambda: defaultdict(list))
			for parent_row, item, text in frappe.get_all(
				PACKED.doctype,
				filters={
					"parenttype": source,
					"parent_detail_docname": ("in", wanted),
					"docstatus": ("<", 2),
				},
				fields=["parent_detail_docname", "item_code", ROW_FIELD],
				order_by="idx asc",
				as_list=True,
			):
				packed[parent_row][item].extend(split(text))
			linked["packed"] = {key: dict(value) for key, value in packed.items()}
	if flags is not None:
		flags.sn_linked_codes = linked
	return linked
