"""The after-sales services of a unit that its lives tell: the Warranty Claims (not cancelled), the
submitted Maintenance Visits and Installation Notes naming its SN code, those the user may read (one
list of each)."""

from html import unescape

import frappe
from frappe.utils import strip_html

from serial_tracking.constants import ROW_FIELD, SN_CODE
from serial_tracking.core import lives as core
from serial_tracking.core.codes import key

CLAIM = "Warranty Claim"
VISIT = "Maintenance Visit"
VISIT_ROW = "Maintenance Visit Purpose"
INSTALLATION = "Installation Note"
INSTALLATION_ROW = "Installation Note Item"


def of_serial(code: str) -> list[core.Service]:
	"""The claims and visits naming ``code``, oldest first, read as ``frappe.get_list`` lets the user
	read them (none of a doctype the user may not read)."""
	return [*_claims(code), *_visits(code), *_installations(code)]


def _readable(doctype: str) -> bool:
	return bool(frappe.has_permission(doctype, "read"))


def _claims(code: str) -> list[core.Service]:
	if not _readable(CLAIM):
		return []
	rows = frappe.get_list(
		CLAIM,
		filters={SN_CODE: code, "docstatus": ("<", 2), "status": ("!=", "Cancelled")},
		fields=["name", "complaint_date", "complaint"],
		order_by="complaint_date asc, name asc",
		limit_page_length=0,
	)
	return [
		core.Service(core.CLAIM, core.day(r.complaint_date), CLAIM, r.name, core.note(_plain(r.complaint)))
		for r in rows
		if r.complaint_date
	]


def _visits(code: str) -> list[core.Service]:
	if not _readable(VISIT):
		return []
	rows = frappe.get_list(
		VISIT,
		filters=[[VISIT_ROW, SN_CODE, "=", code], [VISIT, "docstatus", "=", 1]],
		fields=["name", "mntc_date", f"`tab{VISIT_ROW}`.`work_done` as work_done"],
		order_by="mntc_date asc, name asc",
		limit_page_length=0,
	)
	return [
		core.Service(core.VISIT, core.day(r.mntc_date), VISIT, r.name, core.note(_plain(r.work_done)))
		for r in rows
		if r.mntc_date
	]


def _installations(code: str) -> list[core.Service]:
	"""Submitted notes with a row naming ``code`` among its codes (a row holds them one a line: found by
	their text, then compared code by code)."""
	if not _readable(INSTALLATION):
		return []
	rows = frappe.get_list(
		INSTALLATION,
		filters=[
			[INSTALLATION_ROW, ROW_FIELD, "like", f"%{code}%"],
			[INSTALLATION, "docstatus", "=", 1],
		],
		fields=["name", "inst_date", f"`tab{INSTALLATION_ROW}`.`{ROW_FIELD}` as codes"],
		order_by="inst_date asc, name asc",
		limit_page_length=0,
	)
	wanted = key(code)
	named = {r.name: r for r in rows if r.inst_date and wanted in {key(c) for c in (r.codes or "").split()}}
	return [
		core.Service(core.INSTALLATION, core.day(r.inst_date), INSTALLATION, r.name) for r in named.values()
	]


def _plain(text: str | None) -> str:
	"""A Text Editor's HTML (a claim's complaint) as plain text."""
	return unescape(strip_html(text or ""))
