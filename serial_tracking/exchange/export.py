"""Export of the search result to xlsx (openpyxl, write-only) or csv, as a private File.

Up to ``IN_REQUEST`` rows in the request; more as a job on the ``long`` queue with a progress bar,
ending in a private File and a notification to the user who asked. The file is removed after the
days Serial Tracking Settings keep the app's files (:mod:`serial_tracking.exchange.retention`). The rows are those of
``finding.search`` (every match, not only the page shown) with the user's permissions.

Every text is written as a text cell (``data_type`` 's', number format '@'): ``000123`` keeps its
zeros, ``12345678901234567890`` stays text, and a text starting with ``=``, ``+``, ``-`` or ``@``
is never a formula. The csv keeps every value exactly as stored (see docs/decisions.md).
"""

import csv
import io
from datetime import date, datetime
from uuid import uuid4

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

import frappe
from frappe import _
from frappe.translate import get_user_lang
from frappe.utils import cstr, escape_html, now_datetime
from frappe.utils.background_jobs import create_job_id

from serial_tracking.exchange import retention
from serial_tracking.exchange.notify import notify
from serial_tracking.finding import search

FORMATS = ("xlsx", "csv")
#: Up to this many rows are exported in the request; more go to a background job.
IN_REQUEST = 5000


def check_format(fmt: str | None) -> str:
	"""The format asked for (xlsx when none), or a refusal naming it."""
	if fmt is None or fmt == "":
		fmt = "xlsx"
	fmt = fmt.strip().lower() if isinstance(fmt, str) else fmt
	if fmt not in FORMATS:
		frappe.throw(
			_("Unknown export format '{0}'; use one of: {1}").format(
				escape_html(cstr(fmt)), ", ".join(FORMATS)
			),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	return fmt


def start(filters: dict | str | None, fmt: str = "xlsx") -> dict:
	"""``{"file_url"}`` of the export made now, or ``{"job"}`` of the job that will make it."""
	fmt = check_format(fmt)
	filters = search.read_filters(filters)
	total = search.count(filters)
	if not total:
		frappe.throw(
			_("No serial matches these filters"), frappe.ValidationError, title=_("Nothing to export")
		)
	if total <= IN_REQUEST:
		return {"file_url": write(filters, fmt, total).file_url, "count": total}
	return {"job": _enqueue(filters, fmt), "count": total}


@frappe.write_only()
def _enqueue(filters: dict, fmt: str) -> str:
	"""The export's job, queued once the request's transaction on the primary commits (read on a
	replica, the request would otherwise queue it after a commit that never comes)."""
	job_id = f"sn-export-{uuid4().hex}"
	frappe.enqueue(
		export_in_background,
		queue="long",
		timeout=3600,
		job_id=job_id,
		# the job starts once the request is over; nothing to export if it fails before
		enqueue_after_commit=True,
		filters=filters,
		fmt=fmt,
		user=frappe.session.user,
	)
	return create_job_id(job_id)


def export_in_background(filters: dict, fmt: str, user: str) -> str | None:
	"""The job: the same export as the user, with progress, then a notification with the link."""
	frappe.set_user(user)
	frappe.local.lang = get_user_lang(user)
	counted = {"total": 0}
	file = None
	frappe.db.savepoint("sn_export")
	try:
		file = _read_and_write(filters, fmt, counted)
	except Exception as e:
		# The user waits for this notification: tell them why there is no file (a file past the
		# site's largest, say), and keep the error for the Error Log.
		frappe.db.rollback(save_point="sn_export")
		frappe.clear_last_message()
		frappe.log_error(title=_("Export of SN codes failed"))
		reason = str(e) if isinstance(e, frappe.ValidationError) else _("see the Error Log")
		subject = _("Your export of {0} serials failed: {1}").format(counted["total"], reason)
	else:
		if file:
			subject = _("Your export of {0} serials is ready: {1}").format(counted["total"], file.file_name)
		else:
			subject = _("Your export of serials found nothing to export")
	notify(user, subject, file)
	frappe.db.commit()  # a background job owns its transaction
	return file.file_url if file else None


@frappe.read_only()
def _read_and_write(filters: dict, fmt: str, counted: dict):
	"""The job's export: its rows read on a replica when the site has one, as in a request, its File
	written on the primary; ``counted["total"]`` is set to the number of matches once counted."""
	total = counted["total"] = search.count(filters)

	def progress(done: int):
		frappe.publish_progress(
			done * 100 / max(total, 1),
			title=_("Exporting SN codes"),
			description=_("{0} of {1} serials").format(done, total),
		)

	return write(filters, fmt, total, progress) if total else None


def write(filters: dict, fmt: str, total: int, progress=None):
	"""The export as a private File of the user (attached to their User, so that they and a
	System Manager may read it); the rows are read where the request reads (a replica when the
	site has one), the File is written on the primary."""
	batches = search.batches(filters)
	content = _xlsx(batches, progress) if fmt == "xlsx" else _csv(batches, progress)
	return _save(content, fmt)


@frappe.write_only()
def _save(content: bytes, fmt: str):
	"""The export's File, written on the primary even when the rows were read on a replica."""
	user = frappe.session.user
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"sn-codes-{now_datetime():%Y%m%d-%H%M%S}.{fmt}",
			"is_private": 1,
			"content": content,
			"attached_to_doctype": "User",
			"attached_to_name": user,
		}
	)
	file.flags.ignore_permissions = True
	# named by the app, so that the daily clean-up finds it (exchange.retention)
	file.insert(set_name=retention.file_name())
	return file


#: A text starting so is read as a formula by openpyxl ("=") or by a spreadsheet when edited.
FORMULA_START = ("=", "+", "-", "@")


def _text(sheet, value: str) -> WriteOnlyCell:
	"""A text cell: never a number, never a formula, whatever the text."""
	cell = WriteOnlyCell(sheet, value=None)
	cell._value = _clean(value)
	cell.data_type = "s"
	cell.number_format = "@"
	return cell


def _clean(value: str) -> str:
	# control characters cannot be stored in xlsx; codes never have them, names might
	return ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value


def _value(sheet, value):
	"""A plain value where openpyxl writes it as it is (a text cell for texts, a date cell with a date
	format for dates and datetimes), and a forced text cell where it would not."""
	if isinstance(value, str):
		return _text(sheet, value) if value.startswith(FORMULA_START) else _clean(value)
	return value


def _xlsx(batches, progress=None) -> bytes:
	book = Workbook(write_only=True)
	sheet = book.create_sheet(_("SN Codes")[:31])
	cols = search.columns()
	for column, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (c["width"] for c in cols), strict=False):
		sheet.column_dimensions[column].width = max(width // 7, 8)
	bold = Font(bold=True)
	header = []
	for c in cols:
		cell = _text(sheet, c["label"])
		cell.font = bold
		header.append(cell)
	sheet.append(header)
	code, others = cols[0]["fieldname"], [c["fieldname"] for c in cols[1:]]
	done = 0
	for rows in batches:
		for row in rows:
			# every code is a text cell with the text format, so it stays text when edited
			sheet.append([_text(sheet, row[code]), *(_value(sheet, row.get(f)) for f in others)])
		done += len(rows)
		if progress:
			progress(done)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def _csv(batches, progress=None) -> bytes:
	cols = search.columns()
	out = io.StringIO()
	writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
	writer.writerow([c["label"] for c in cols])
	done = 0
	for rows in batches:
		writer.writerows([_csv_value(row.get(c["fieldname"])) for c in cols] for row in rows)
		done += len(rows)
		if progress:
			progress(done)
	return out.getvalue().encode("utf-8")


def _csv_value(value) -> str:
	if value is None:
		return ""
	if isinstance(value, datetime):
		return value.strftime("%Y-%m-%d %H:%M:%S")
	if isinstance(value, date):
		return value.isoformat()
	return str(value)
