"""Barcode labels for serials: ``print_labels`` makes a private PDF or ZPL file of them."""

import sys
from dataclasses import replace
from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime

from serial_tracking.arguments import json_value
from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.codes import key, split
from serial_tracking.exchange import retention
from serial_tracking.finding import authenticity
from serial_tracking.permissions import require_readable
from serial_tracking.printing import label_pages as pdf_labels
from serial_tracking.printing import qr, zpl
from serial_tracking.printing.barcodes import DoesNotFit, Label, Layout
from serial_tracking.printing.layouts import get_layout
from serial_tracking.settings import get_settings
from serial_tracking.stock.documents import SUPPORTED

FORMATS = {"pdf": "pdf", "zpl": "zpl"}
#: How many offending codes a refusal names before "and N more".
NAMED = 10


@frappe.whitelist(methods=["POST"])
@frappe.read_only()
def print_labels(
	codes: list[str] | str | None = None,
	filters: dict | str | None = None,
	voucher_type: str | None = None,
	voucher_no: str | None = None,
	layout: str | None = None,
	format: str = "pdf",
) -> dict:
	"""Labels for the serials of exactly one source, as a private File: ``{"file_url": ...}``.

	Sources: ``codes`` (a list, a JSON list or text with one code a line), ``filters`` (those of
	Serial Number Search) or a submitted document (``voucher_type`` and ``voucher_no``: the
	serials its active log rows moved, in row order). Every serial must exist and be readable.
	"""
	frappe.has_permission(SERIAL, "read", throw=True)
	kind = _format(format)
	label_layout = get_layout(layout)
	limit = get_settings().limits.max_per_operation
	_require_check_page(label_layout)
	labels = _labels(_source_codes(codes, filters, voucher_type, voucher_no, limit), limit)
	if label_layout.qr_code:
		labels = [replace(label, check_url=authenticity.check_url(label.code)) for label in labels]
	content = _render(labels, label_layout, kind)
	return {"file_url": _save(content, label_layout, kind, len(labels))}


@frappe.whitelist()
@frappe.read_only()
def count_labels(
	codes: list[str] | str | None = None,
	filters: dict | str | None = None,
	voucher_type: str | None = None,
	voucher_no: str | None = None,
	layout: str | None = None,
) -> dict:
	"""What ``print_labels`` with the same source and layout would make, said before it runs:
	``labels`` (one per serial), ``per_sheet`` (the layout's labels on a page) and ``sheets``; or
	``too_many`` with ``limit`` when more serials than one call prints match. Counting by filters
	stops past the limit, so it stays fast on a million serials."""
	frappe.has_permission(SERIAL, "read", throw=True)
	label_layout = get_layout(layout)
	_require_check_page(label_layout)
	limit = get_settings().limits.max_per_operation
	alone = voucher_type is None and voucher_no is None
	if alone and filters is not None and codes is None:
		from serial_tracking.finding import search

		count = sum(search.status_counts(filters, most=limit).values())
	else:
		if alone and codes is not None and filters is None:
			found = _given_codes(codes, sys.maxsize)
		else:
			found = _source_codes(codes, filters, voucher_type, voucher_no, limit)
		# every serial readable, or refused as the print would refuse it (a document's serials too:
		# reading the document is not reading the serials it moved)
		count = len(found) if len(found) > limit else len(_labels(found, limit))
	per_sheet = max(label_layout.per_page, 1)
	return {
		"labels": min(count, limit),
		"per_sheet": per_sheet,
		"sheets": -(-min(count, limit) // per_sheet),
		"too_many": count > limit,
		"limit": limit,
	}


def _format(value: Any) -> str:
	kind = FORMATS.get(str(value or "pdf").strip().lower())
	if not kind:
		frappe.throw(
			_("Format must be one of {0}, not '{1}'").format(", ".join(FORMATS), escape_html(str(value))),
			title=_("Invalid argument"),
		)
	return kind


def _source_codes(codes, filters, voucher_type, voucher_no, limit: int) -> list[str]:
	given = [name for name, value in (("codes", codes), ("filters", filters)) if value is not None]
	if voucher_type is not None or voucher_no is not None:
		given.append("voucher_type / voucher_no")
	if len(given) != 1:
		frappe.throw(
			_("Give exactly one of codes, filters or voucher_type / voucher_no, not {0}").format(
				", ".join(given) or _("none")
			),
			title=_("Invalid argument"),
		)
	if codes is not None:
		return _given_codes(codes, limit)
	if filters is not None:
		from serial_tracking.finding import search

		return search.codes(filters, limit)
	return _voucher_codes(voucher_type, voucher_no)


def _given_codes(codes, limit: int) -> list[str]:
	"""Codes as a list, a JSON list or text; blanks dropped, each once, in order."""
	values = codes
	if isinstance(codes, str):
		stripped = codes.strip()
		values = json_value(stripped) if stripped.startswith(("[", "{")) else stripped.splitlines()
	if not isinstance(values, list) or not all(isinstance(c, str) for c in values):
		frappe.throw(
			_("Codes must be a list of SN codes or text with one code a line, not '{0}'").format(
				escape_html(str(codes))
			),
			title=_("Invalid argument"),
		)
	entries = [code for value in values for code in split(value)]
	if len(entries) > limit:
		_too_many(len(entries), limit)
	seen: set[str] = set()
	return [code for code in entries if not (key(code) in seen or seen.add(key(code)))]


def _voucher_codes(voucher_type: str | None, voucher_no: str | None) -> list[str]:
	if not voucher_type or not voucher_no:
		frappe.throw(_("Give both voucher_type and voucher_no"), title=_("Invalid argument"))
	if voucher_type not in SUPPORTED:
		frappe.throw(
			_("Voucher type must be one of {0}, not '{1}'").format(
				", ".join(SUPPORTED), escape_html(voucher_type)
			),
			title=_("Invalid argument"),
		)
	require_readable(voucher_type, voucher_no)
	if frappe.db.get_value(voucher_type, voucher_no, "docstatus") != 1:
		frappe.throw(_("{0} {1} is not submitted").format(_(voucher_type), escape_html(voucher_no)))
	log = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(log)
		.select(log.serial_no)
		.where((log.voucher_type == voucher_type) & (log.voucher_no == voucher_no) & (log.is_cancelled == 0))
		.orderby(log.row_no)
		.orderby(log.serial_no)
		.run(pluck=True)
	)
	found = list(dict.fromkeys(rows))
	if not found:
		frappe.throw(_("{0} {1} moved no SN codes").format(_(voucher_type), escape_html(voucher_no)))
	return found


def _too_many(count: int, limit: int) -> None:
	frappe.throw(
		_("{0} SN codes asked for; labels are printed for at most {1} in one call").format(count, limit),
		title=_("Too many serials"),
	)


def _named(codes: list[str]) -> str:
	shown = ", ".join(escape_html(code) for code in codes[:NAMED])
	if len(codes) > NAMED:
		shown += " " + _("and {0} more").format(len(codes) - NAMED)
	return shown


def _labels(codes: list[str], limit: int) -> list[Label]:
	"""One label per code, in order, with its item: every code readable, or a refusal naming them."""
	if not codes:
		frappe.throw(_("Select at least one SN code"), title=_("Nothing to print"))
	if len(codes) > limit:
		_too_many(len(codes), limit)
	rows = frappe.get_list(
		SERIAL,
		filters={"name": ("in", codes)},
		fields=["name", "item_code"],
		limit_page_length=0,
	)
	found = {key(r.name): r for r in rows}
	missing = [code for code in codes if key(code) not in found]
	if missing:
		existing = {
			key(name)
			for name in frappe.get_all(
				SERIAL, filters={"name": ("in", missing)}, pluck="name", limit_page_length=0
			)
		}
		hidden = [code for code in missing if key(code) in existing]
		if hidden:
			frappe.throw(
				_("You are not permitted to read {0} {1}").format(_(SERIAL), _named(hidden)),
				frappe.PermissionError,
				title=_("Not permitted"),
			)
		frappe.throw(
			_("{0} {1} does not exist").format(_(SERIAL), _named(missing)),
			frappe.DoesNotExistError,
		)
	from serial_tracking.finding import search

	# the item's current name, read from Item (serials do not store it)
	names = search.item_names(r.item_code for r in rows)
	labels = []
	for code in codes:
		row = found[key(code)]
		labels.append(Label(row.name, row.item_code or "", names.get(row.item_code) or ""))
	return labels


def _render(labels: list[Label], layout: Layout, kind: str) -> bytes:
	try:
		if kind == "zpl":
			return zpl.render(labels, layout).encode("utf-8")
		return pdf_labels.render_pdf(labels, layout)
	except qr.QrDoesNotFit as e:
		frappe.throw(
			_(
				"The QR code of SN code {0} needs {1} mm on a label of layout {2}, which has {3} mm for it; choose a layout with taller labels"
			).format(escape_html(e.code), f"{e.needed:.1f}", escape_html(e.layout), f"{e.room:.1f}"),
			title=_("Code too long"),
		)
	except DoesNotFit as e:
		frappe.throw(
			_(
				"SN code {0} is too long for a label of layout {1}: its barcode needs {2} mm at the narrowest bars, the label has {3} mm; choose a wider layout"
			).format(escape_html(e.code), escape_html(e.layout), f"{e.needed:.1f}", f"{e.room:.1f}"),
			title=_("Code too long"),
		)


def _require_check_page(layout: Layout) -> None:
	"""A layout with QR codes of the public check page prints them only while the page answers."""
	if layout.qr_code and not authenticity.is_on():
		frappe.throw(
			_(
				"Label layout {0} prints a QR code of the public check page, which is switched off: switch it on in Serial Tracking Settings, or choose another layout"
			).format(escape_html(layout.name)),
			title=_("Public check switched off"),
		)


@frappe.write_only()
def _save(content: bytes, layout: Layout, kind: str, count: int) -> str:
	"""The labels' File, written on the primary even when the serials were read on a replica."""
	stamp = now_datetime().strftime("%Y%m%d-%H%M%S")
	name = frappe.scrub(layout.name).replace("_", "-")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"sn-labels-{name}-{count}-{stamp}.{kind}",
			"is_private": 1,
			"content": content,
		}
	)
	# named by the app, so that the daily clean-up finds it (exchange.retention)
	file.insert(ignore_permissions=True, set_name=retention.file_name())
	return file.file_url
