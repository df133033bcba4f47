"""Import of SN codes from a filled xlsx template: the template, reading it, checking it, storing it.

The template's first sheet has five columns: Item code (SKU), Item name, Warehouse (location), SN code
and Carton (optional); the code and carton columns are formatted as text. Its second sheet explains
each column. A file is read with openpyxl in read-only mode, row by row; every row is checked before
anything is stored, and every problem is reported at once as (sheet row, column, value, reason).

An import registers units a warehouse already holds, under registration's rules (never more
serials In Stock at a warehouse than it holds; a serial Sold or Returned may be registered again).
Up to ``IN_REQUEST`` rows in the request; more as a job on the ``long`` queue with a progress bar
and the same all-or-nothing result, ending in a notification to the user.
"""

import io
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from uuid import uuid4
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook
from openpyxl.cell.text import Text
from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.styles import Alignment, Font
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import (
	ARC_CONTENT_TYPES,
	ARC_STYLE,
	ARC_WORKBOOK,
	SHARED_STRINGS,
	SHEET_MAIN_NS,
	XLSM,
	XLSX,
	XLTM,
	XLTX,
)
from openpyxl.xml.functions import fromstring, iterparse

import frappe
from frappe import _, _lt
from frappe.translate import get_user_lang
from frappe.utils import escape_html, now_datetime
from frappe.utils.background_jobs import create_job_id

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG
from serial_tracking.core.code_formats import ANY
from serial_tracking.core.codes import key, parse
from serial_tracking.core.states import Operation
from serial_tracking.exchange import retention
from serial_tracking.exchange.notify import notify
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, code_formats, gtins, in_stock_registration, ledger

#: The columns of the template, in order: (key, header, translated when shown).
COLUMNS = (
	("item_code", _lt("Item code (SKU)")),
	("item_name", _lt("Item name")),
	("warehouse", _lt("Warehouse (location)")),
	("serial_no", _lt("SN code")),
	("carton", _lt("Carton (optional)")),
)
KEYS = tuple(k for k, _label in COLUMNS)
LETTERS = dict(zip(KEYS, "ABCDE", strict=True))
#: Data rows a file may have: rows 2 to MAX_ROWS + 1, by the sheet's own numbers.
MAX_ROWS = 1_000_000
#: Bytes a file may unpack to, all its parts together and its sheet alone. A template of 1,000,000
#: rows filled by openpyxl with codes of 24 characters and long item and warehouse names unpacks to
#: 393 MB (20 MB packed); this leaves room for longer values (docs/decisions.md, Import).
MAX_UNPACKED = 1024 * 1024 * 1024
#: Bytes a part read whole (the workbook, its styles, relations) may unpack to.
MAX_PART = 16 * 1024 * 1024
#: How many times its packed size a part of more than MAX_RATIO_FROM bytes may unpack to: the parts
#: of real files unpack to about 20 times theirs, a zip bomb to 1,000.
MAX_RATIO = 100
MAX_RATIO_FROM = 1024 * 1024
#: Parts (zip members) a file may hold, and the bytes their directory may take: Excel's files hold
#: a few dozen.
MAX_PARTS = 1000
MAX_DIRECTORY = 1024 * 1024
#: XML elements a row (or a shared string) may take: Excel's 16,384 columns of a cell, its value
#: and its text each, and room to spare. The reader keeps a row's elements until the row ends.
MAX_ROW_ELEMENTS = 100_000
#: Seconds a request may read a file (it reads at most IN_REQUEST + 1 data rows, or one document
#: row's codes: well under a second), and a job (1,000,000 rows: about 40 s).
READ_SECONDS = 5
JOB_READ_SECONDS = 900
#: Characters a cell may hold.
MAX_CELL = 1000
#: Characters of a refused value shown in a message.
SHOWN = 40
#: Up to this many data rows are imported in the request; more go to a background job.
IN_REQUEST = 1000
#: Codes per statement when reading states.
CHUNK = 5000
#: Problems listed in a job's notification; all of them are in a file attached past that.
LISTED = 100
#: Excel keeps 15 significant digits: a whole number below this came back as typed.
EXACT_BELOW = 10**15


class ImportRefused(messages.SerialTrackingError):
	"""A file's rows are refused; ``problems`` lists every one."""

	problems: list["ImportProblem"]


def _label(column: str) -> str:
	return str(dict(COLUMNS)[column])


@dataclass(frozen=True)
class ImportProblem:
	"""One refused cell: its sheet row, column key, the value as shown (cut short) and the reason."""

	row: int
	column: str
	value: str
	reason: str

	def message(self) -> str:
		return _('Row {0}, {1} (column {2}), "{3}": {4}').format(
			self.row, _label(self.column), LETTERS[self.column], self.value, self.reason
		)

	def as_dict(self) -> dict:
		return {
			"row": self.row,
			"column": LETTERS[self.column],
			"label": _label(self.column),
			"value": self.value,
			"reason": self.reason,
			"message": self.message(),
		}


def shown(text: str) -> str:
	"""A value as a message shows it: never more than a few dozen characters of it."""
	if len(text) <= SHOWN:
		return text
	return _("{0}… ({1} characters)").format(text[:SHOWN], len(text))


@dataclass
class Line:
	"""One data row of the sheet, its cells as text."""

	row: int
	item_code: str = ""
	item_name: str = ""
	warehouse: str = ""
	serial_no: str = ""
	carton: str = ""


# The template


def template() -> bytes:
	"""The xlsx template, its headers in the user's language."""
	book = Workbook()
	sheet = book.active
	sheet.title = _("SN codes")[:31]
	bold = Font(bold=True)
	widths = {"item_code": 22, "item_name": 30, "warehouse": 28, "serial_no": 30, "carton": 24}
	for number, (column, _english) in enumerate(COLUMNS, start=1):
		cell = sheet.cell(row=1, column=number, value=_label(column))
		cell.font = bold
		cell.number_format = "@"
		letter = LETTERS[column]
		sheet.column_dimensions[letter].width = widths[column]
		if column in ("serial_no", "carton"):
			# Text for the whole column: a code typed there stays as typed (zeros, long digits).
			sheet.column_dimensions[letter].number_format = "@"
	sheet.freeze_panes = "A2"
	help_sheet = book.create_sheet(_("How to fill")[:31])
	help_sheet.column_dimensions["A"].width = 26
	help_sheet.column_dimensions["B"].width = 90
	help_sheet.column_dimensions["C"].width = 24
	header = [_("Column"), _("What to enter"), _("Example")]
	help_sheet.append(header)
	for cell in help_sheet[1]:
		cell.font = bold
	for column, text, example in _help():
		help_sheet.append([_label(column), text, example])
	help_sheet.append([])
	for line in _rules():
		help_sheet.append(["", line])
	wrap = Alignment(wrap_text=True, vertical="top")
	for row in help_sheet.iter_rows(min_row=2):
		for cell in row:
			cell.alignment = wrap
			cell.number_format = "@"
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def _help() -> list[tuple[str, str, str]]:
	return [
		("item_code", _("The item's code, as on the Item. The item must track SN codes."), "PHONE-X1"),
		(
			"item_name",
			_(
				"The item's name, to check the code against it (case and spaces around do not matter). May be left empty."
			),
			"Phone X1",
		),
		(
			"warehouse",
			_("The warehouse that holds the unit now, by its full name; not a group warehouse."),
			"Stores - WP",
		),
		(
			"serial_no",
			_(
				"One SN code per row: letters, digits and - _ . / : # + ( ); a scanned GS1 string gives its serial (AI 21). The column is text: type codes as they are, zeros first included."
			),
			"SN-000123",
		),
		(
			"carton",
			_("The code of the carton the unit is packed in, if any; the same for every unit of one carton."),
			"C-0001",
		),
	]


def _rules() -> list[str]:
	return [
		_("Headers stay in row 1, in this order; data from row 2, one unit per row."),
		_(
			"Every row is checked before anything is stored: if one row is refused, nothing is imported and every problem is listed with its row, column, value and reason."
		),
		_("A warehouse never gets more SN codes In Stock than it holds of the item."),
		_(
			"A code already In Stock or In Transit, or of another item, is refused; a code sold or returned before may be registered again."
		),
		_(
			"If a spreadsheet turned a code into a number (1.23E+17), format the column as text and type the code again."
		),
	]


# Reading a file


def _headers() -> dict[str, set[str]]:
	"""Each column's accepted headers: English and the user's language, compared without case."""
	return {column: {label.msg.casefold(), str(label).strip().casefold()} for column, label in COLUMNS}


def cell_text(value) -> tuple[str, str | None]:
	"""A cell's value as text, or a reason it cannot be read back as the code that was typed."""
	if value is None:
		return "", None
	if isinstance(value, str):
		return value.strip(), None
	if isinstance(value, bool):
		return str(value).upper(), _(
			"Excel turned this cell into TRUE or FALSE; format the column as text and type it again"
		)
	if isinstance(value, int):
		return str(value), None
	if isinstance(value, float):
		if value.is_integer() and abs(value) < EXACT_BELOW:
			return str(int(value)), None
		return repr(value), _(
			"Excel turned this code into a number and it lost digits; format the column as text and type it again"
		)
	if isinstance(value, datetime | date | time_of_day):
		return str(value), _(
			"Excel turned this cell into a date or time; format the column as text and type it again"
		)
	return str(value), _("This cell holds a value that is not text")


def _refuse_file(message: str) -> None:
	frappe.throw(message, frappe.ValidationError, title=_("File not imported"))


#: What a file cannot be read for, whatever part of it is wrong: not a zip, a part missing or not XML,
#: a number or a shared string that is not one, a packing zipfile cannot unpack (encrypted, Deflate64,
#: corrupt data). A refusal of the app (frappe.ValidationError) is none of these.
_UNREADABLE = (
	zipfile.BadZipFile,
	zipfile.LargeZipFile,
	ParseError,
	KeyError,
	IndexError,
	ValueError,
	TypeError,
	OSError,
	EOFError,
	zlib.error,
	NotImplementedError,
	RuntimeError,
)


@dataclass
class Sheet:
	"""What was read of a file's first sheet: its data rows (the first ``head + 1`` when the reading
	stopped there), the problems of their cells, and the data rows the sheet states it has (its
	``<dimension>``, as Excel, LibreOffice and the template write it), when it states them."""

	lines: list[Line]
	problems: list[ImportProblem]
	stated: int | None = None


def read_file(path: str, name: str, **limits) -> tuple[list[Line], list[ImportProblem]]:
	"""The data rows of an xlsx file and the problems of their cells; refusals of the file itself.

	``name``: the file's name, for messages; ``limits``: those of :func:`read_sheet`.
	"""
	sheet = read_sheet(path, name, **limits)
	return sheet.lines, sheet.problems


def read_sheet(
	path: str,
	name: str,
	*,
	most: int = MAX_ROWS,
	head: int | None = None,
	seconds: float | None = None,
	one_row: bool = False,
) -> Sheet:
	"""The first sheet of an xlsx file, read within bounds whatever the file holds.

	Before anything is unpacked, the zip's directory (how many parts, their declared sizes and
	how much they inflate) is checked; a part unpacks to no more than it declares (zipfile stops it
	there), and every part is read within a deadline of ``seconds`` (``JOB_READ_SECONDS`` unless
	given). Rows are read as the sheet numbers them, without reading the numbers it skips: a
	row past row ``most + 1`` is refused at once (``one_row``: the file fills one row
	of a document, which takes at most ``most`` codes). ``head``: stop after ``head + 1`` data rows
	(the caller hands a longer file to a job).
	"""
	seconds = JOB_READ_SECONDS if seconds is None else seconds
	shown_name = escape_html(name)
	not_xlsx = _("{0} is not an xlsx file that can be read; save it as an Excel Workbook (.xlsx)").format(
		shown_name
	)
	with open(path, "rb") as handle:
		try:
			_check_directory(handle, shown_name)
			archive = _Archive(handle, shown_name, time.monotonic() + seconds, seconds)
		except _UNREADABLE:
			_refuse_file(not_xlsx)
		with archive:
			_check_parts(archive)
			try:
				sheet_part, strings_part, book = _open_workbook(archive)
			except _UNREADABLE:
				_refuse_file(not_xlsx)
			rows = _SheetRows(archive, sheet_part, strings_part, book)
			try:
				sheet = _read_rows(rows, name, most=most, head=head, one_row=one_row)
			except _UNREADABLE:
				_refuse_file(_("{0} could not be read as an xlsx file").format(shown_name))
			finally:
				rows.close()
	sheet.stated = _stated_rows(rows.dimension, len(sheet.lines))
	return sheet


def _read_rows(
	rows: Iterable[tuple[int, tuple]],
	name: str,
	*,
	most: int = MAX_ROWS,
	head: int | None = None,
	one_row: bool = False,
) -> Sheet:
	"""Lines and cell problems from a sheet's rows as (row number, the values of columns A to E)."""
	rows = iter(rows)
	first = next(rows, None)
	header = first[1] if first is not None and first[0] == 1 else None
	if header is None or not any(v not in (None, "") for v in header):
		_refuse_file(_("{0} is empty: row 1 must hold the template's headers").format(escape_html(name)))
	_check_header(header)
	lines: list[Line] = []
	problems: list[ImportProblem] = []
	last = 1
	for number, values in rows:
		if number <= last:
			_refuse_file(
				_("{0} has row {1} after row {2}; save it again from Excel").format(
					escape_html(name), number, last
				)
			)
		last = number
		if number > most + 1:
			# even an empty row: so that a sheet's rows, each kept until the end, are bounded too
			_too_many(name, most, number, one_row)
		values = values[: len(KEYS)]
		if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
			continue
		line = Line(number)
		for column, value in zip(KEYS, values, strict=False):
			text, reason = cell_text(value)
			if len(text) > MAX_CELL:
				reason = _("This cell holds {0} characters; a cell may hold at most {1}").format(
					len(text), MAX_CELL
				)
			if reason:
				problems.append(ImportProblem(number, column, shown(text), reason))
				text = ""
			setattr(line, column, text)
		lines.append(line)
		if head is not None and len(lines) > head:
			break
	if not lines:
		_refuse_file(_("{0} has no rows of SN codes under its headers").format(escape_html(name)))
	return Sheet(lines, problems)


def _too_many(name: str, most: int, number: int, one_row: bool) -> None:
	if one_row:
		_refuse_file(
			_(
				"{0} has more than {1} rows (it has a row {2}); a row of a document takes at most {1} SN codes"
			).format(escape_html(name), f"{most:,}", f"{number:,}")
		)
	_refuse_file(
		_("{0} has more than {1} rows (it has a row {2}); split it into files of at most {1} rows").format(
			escape_html(name), f"{most:,}", f"{number:,}"
		)
	)


def _stated_rows(dimension: str | None, read: int) -> int | None:
	"""The data rows a sheet's ``<dimension>`` states (a hint: empty rows count), when it is a range
	that holds the rows read and no more than a file may have."""
	if not dimension:
		return None
	try:
		_min_col, _min_row, _max_col, max_row = range_boundaries(dimension.split(":")[-1])
	except (ValueError, TypeError):
		return None
	if max_row is None or not read <= max_row - 1 <= MAX_ROWS:
		return None
	return max_row - 1


# The zip under the sheet: every part bounded before and while it is unpacked

_END = b"PK\x05\x06"
_LOCATOR64 = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
#: A zip's end record: 22 bytes and a comment of up to 65,535.
_END_SEARCH = 22 + 65535
_MB = 1024 * 1024


def _directory(handle) -> tuple[int, int] | None:
	"""(parts, bytes of the directory) as a zip's end record states them, None when it has none.

	Read before zipfile reads the directory, whose every entry it would make an object of.
	"""
	handle.seek(0, os.SEEK_END)
	size = handle.tell()
	start = max(size - _END_SEARCH, 0)
	handle.seek(start)
	tail = handle.read()
	at = tail.rfind(_END)
	if at < 0 or len(tail) - at < 22:
		return None
	parts, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
	if parts == 0xFFFF or directory == 0xFFFFFFFF:
		# zip64: the locator just before the end record points at the zip64 end record
		handle.seek(max(start + at - 20, 0))
		locator = handle.read(20)
		if len(locator) == 20 and locator[:4] == _LOCATOR64:
			(offset,) = struct.unpack("<Q", locator[8:16])
			handle.seek(min(offset, size))
			record = handle.read(56)
			if len(record) == 56 and record[:4] == _END64:
				parts, directory = struct.unpack("<QQ", record[32:48])
	return parts, directory


def _check_directory(handle, shown_name: str) -> None:
	"""Refuse a zip of more parts than an xlsx has, before its directory is read."""
	stated = _directory(handle)
	handle.seek(0)
	if stated is None:
		return  # zipfile refuses it as not a zip
	parts, directory = stated
	if parts > MAX_PARTS:
		_refuse_file(
			_("{0} holds {1} parts; an xlsx file to import may hold at most {2}").format(
				shown_name, f"{parts:,}", f"{MAX_PARTS:,}"
			)
		)
	if directory > MAX_DIRECTORY:
		_refuse_file(
			_(
				"{0} lists its parts in {1} KB; an xlsx file to import may take at most {2} KB for that"
			).format(shown_name, f"{-(-directory // 1024):,}", f"{MAX_DIRECTORY // 1024:,}")
		)


def _check_parts(archive: "_Archive") -> None:
	"""Refuse, from the sizes the zip declares, a file that would unpack to more than an import may
	read or unpacks like a zip bomb (no part of a real xlsx unpacks to more than about 20 times its
	packed size)."""
	infos = archive.infolist()
	if len(infos) > MAX_PARTS:
		_refuse_file(
			_("{0} holds {1} parts; an xlsx file to import may hold at most {2}").format(
				archive.shown_name, f"{len(infos):,}", f"{MAX_PARTS:,}"
			)
		)
	total = 0
	for info in infos:
		total += info.file_size
		if info.file_size > MAX_RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
			_refuse_file(
				_(
					"{0} holds a part ({1}) that unpacks to {2} times its packed size; no spreadsheet does, so the file is not read"
				).format(
					archive.shown_name,
					escape_html(info.filename),
					f"{info.file_size // max(info.compress_size, 1):,}",
				)
			)
	if total > MAX_UNPACKED:
		_refuse_file(
			_(
				"{0} unpacks to {1} MB; an import file may unpack to at most {2} MB: split it into smaller files"
			).format(archive.shown_name, f"{-(-total // _MB):,}", f"{MAX_UNPACKED // _MB:,}")
		)


class _Archive(zipfile.ZipFile):
	"""An xlsx file's zip whose parts are read as :class:`_Timed` streams, never past the reading's
	deadline, and never to more than the size the zip's directory declares: zipfile stops a part
	there (and fails its CRC), however much more its data would inflate to. Those declared sizes
	are checked: every part's by :func:`_check_parts`, a part read whole (workbook, styles,
	relations; not the sheet and its shared strings, ``streamed``) against ``MAX_PART`` here."""

	def __init__(self, handle, shown_name: str, deadline: float, seconds: float):
		super().__init__(handle)
		self.shown_name = shown_name
		self.deadline = deadline
		self.seconds = seconds
		self.streamed: set[str] = set()

	def open(self, name, mode="r", pwd=None, **kwargs):
		stream = super().open(name, mode, pwd, **kwargs)
		if mode != "r":
			return stream
		part = name.filename if isinstance(name, zipfile.ZipInfo) else name
		if part not in self.streamed and self.getinfo(part).file_size > MAX_PART:
			stream.close()
			_refuse_file(
				_("{0} holds a part ({1}) of more than {2} MB; a spreadsheet's is far smaller").format(
					self.shown_name, escape_html(part), MAX_PART // _MB
				)
			)
		return _Timed(stream, self)


class _Timed:
	"""A part of the zip as a stream that refuses to go on once the reading passes its deadline."""

	def __init__(self, stream, archive: _Archive):
		self.stream, self.archive = stream, archive

	def read(self, size: int | None = -1) -> bytes:
		if time.monotonic() > self.archive.deadline:
			_refuse_file(
				_(
					"Reading {0} took more than {1} seconds and was stopped: split it into smaller files, or save it again as an Excel Workbook (.xlsx)"
				).format(self.archive.shown_name, self.archive.seconds)
			)
		if size is None or size < 0:
			return b"".join(iter(lambda: self.read(_CHUNK), b""))
		return self.stream.read(min(size, _CHUNK))

	def close(self) -> None:
		self.stream.close()

	def __enter__(self):
		return self

	def __exit__(self, *exc) -> None:
		self.close()


#: Unpacked bytes read from a part at a time.
_CHUNK = 64 * 1024


# The sheet itself, row by row

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_CELL = f"{{{SHEET_MAIN_NS}}}c"
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
_DIMENSION = f"{{{SHEET_MAIN_NS}}}dimension"
_SHARED = f"{{{SHEET_MAIN_NS}}}si"
_WORKBOOKS = (XLTM, XLTX, XLSM, XLSX)
#: Columns read, by letter.
_COLUMN = {letter: number for number, letter in enumerate("ABCDE"[: len(KEYS)], start=1)}


def _open_workbook(archive: _Archive) -> tuple[str, str | None, Workbook]:
	"""The first worksheet's part, the shared strings' part and the workbook (its date epoch and
	date formats), read by openpyxl's own readers as ``load_workbook`` reads them."""
	manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
	found = next((manifest.find(t) for t in _WORKBOOKS if manifest.find(t)), None)
	if found is not None:
		workbook_part = found.PartName[1:]
	elif {d.ContentType for d in manifest.Default} & set(_WORKBOOKS):
		workbook_part = ARC_WORKBOOK
	else:
		raise KeyError("no workbook")
	parser = WorkbookParser(archive, workbook_part, keep_links=False)
	parser.parse()
	names = set(archive.namelist())
	sheet_part = next(
		(
			rel.target
			for _sheet, rel in parser.find_sheets()
			if rel.target in names and "chartsheet" not in rel.Type
		),
		None,
	)
	if sheet_part is None:
		raise KeyError("no worksheet")
	book = parser.wb
	if ARC_STYLE in names:
		styles = Stylesheet.from_tree(fromstring(archive.read(ARC_STYLE)))
		book._date_formats = styles.date_formats
		book._timedelta_formats = styles.timedelta_formats
	strings = manifest.find(SHARED_STRINGS)
	strings_part = strings.PartName[1:] if strings is not None else None
	archive.streamed = {sheet_part, strings_part} - {None}
	return sheet_part, strings_part, book


class _SharedStrings:
	"""A workbook's shared strings, read only as far as the sheet has asked (a cell names one by its
	number), through the capped stream."""

	def __init__(self, archive: _Archive, part: str):
		self.source = archive.open(part)
		self.events = iterparse(self.source)
		self.items: list[str] = []

	def __getitem__(self, index: int) -> str:
		if index < 0:
			raise IndexError(index)
		elements = 0
		while len(self.items) <= index:
			try:
				_event, element = next(self.events)
			except StopIteration:
				raise IndexError(index) from None
			if element.tag == _SHARED:
				# as openpyxl's read_string_table reads it
				self.items.append(Text.from_tree(element).content.replace("x005F_", ""))
				element.clear()
				elements = 0
			else:
				elements += 1
				_check_elements(elements, self.source.archive)
		return self.items[index]

	def close(self) -> None:
		self.source.close()


def _check_elements(elements: int, archive: _Archive) -> None:
	"""Refuse a run of more XML elements than a row of Excel's (16,384 cells) could hold: the reader
	keeps a row's elements until the row ends."""
	if elements > MAX_ROW_ELEMENTS:
		_refuse_file(
			_("{0} holds more than {1} XML elements in one row or one text; no spreadsheet does").format(
				archive.shown_name, f"{MAX_ROW_ELEMENTS:,}"
			)
		)


class _SheetRows:
	"""The rows of a worksheet part as (row number, values of columns A to E), read with the sheet's
	numbers: a row numbered 900,000,000 costs what row 3 costs. Each cell is read by openpyxl's own
	``WorkSheetParser.parse_cell`` (values only), as ``load_workbook`` reads it; cells past column E
	are not read. Reading stops at the end of the sheet's data; ``dimension`` holds the range the
	sheet states, when it does."""

	def __init__(self, archive: _Archive, part: str, strings_part: str | None, book: Workbook):
		self.archive = archive
		self.part = part
		self.strings = _SharedStrings(archive, strings_part) if strings_part else []
		self.parser = WorkSheetParser(
			None,
			self.strings,
			data_only=True,
			epoch=book.epoch,
			date_formats=book._date_formats,
			timedelta_formats=book._timedelta_formats,
		)
		self.source = None
		self.dimension: str | None = None

	def __iter__(self) -> Iterator[tuple[int, tuple]]:
		self.source = self.archive.open(self.part)
		number, elements = 0, 0
		for _event, element in iterparse(self.source):
			tag = element.tag
			if tag == _ROW:
				number = _row_number(element.get("r"), number)
				yield number, self._values(element, number)
				element.clear()
				elements = 0
			elif tag == _SHEET_DATA:
				return  # nothing after the rows is read
			else:
				if tag == _DIMENSION:
					self.dimension = element.get("ref")
				elements += 1
				_check_elements(elements, self.archive)

	def _values(self, row, number: int) -> tuple:
		parser = self.parser
		values = [None] * len(KEYS)
		parser.row_counter, parser.col_counter = number, 0
		for cell in row:
			if cell.tag != _CELL:
				continue
			reference = cell.get("r")
			if reference:
				letters = reference.rstrip("0123456789").replace("$", "").upper()
				if letters not in _COLUMN:
					parser.col_counter = len(KEYS) + 1  # past E: cells without a reference follow it
					continue
			elif parser.col_counter >= len(KEYS):
				parser.col_counter += 1
				continue
			read = parser.parse_cell(cell)
			if 1 <= read["column"] <= len(KEYS):
				values[read["column"] - 1] = read["value"]
		return tuple(values)

	def close(self) -> None:
		if self.source is not None:
			self.source.close()
		if isinstance(self.strings, _SharedStrings):
			self.strings.close()


def _row_number(stated: str | None, previous: int) -> int:
	"""A row's number as its ``r`` states it (``5`` or ``5.0``), else the one after the previous."""
	if stated is None:
		return previous + 1
	number = float(stated) if "." in stated or "e" in stated.lower() else int(stated)
	if number != int(number) or number < 1:
		raise ValueError(f"row number {stated}")
	return int(number)


def _check_header(header: tuple) -> None:
	accepted = _headers()
	problems = []
	for position, (column, _english) in enumerate(COLUMNS):
		found = header[position] if position < len(header) else None
		text = "" if found is None else str(found).strip()
		if text.casefold() in accepted[column]:
			continue
		problems.append(
			ImportProblem(
				1,
				column,
				shown(text),
				_(
					'expected the header "{0}" in column {1}, found "{2}"; keep the template\'s columns in their order'
				).format(_label(column), LETTERS[column], shown(text)),
			)
		)
	refuse(problems, _("Columns renamed or moved"))


# Checking and storing


@dataclass
class Checked:
	"""What a file's rows would do: the plan's steps, the cartons to pack, and every problem."""

	lines: list[Line]
	problems: list[ImportProblem]
	codes: dict[int, str] = field(default_factory=dict)
	"""Sheet row -> the code read from it (rows whose code is good)."""
	cartons: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
	steps: list = field(default_factory=list)


def check(
	lines: list[Line],
	problems: list[ImportProblem],
	*,
	item_code: str | None = None,
	warehouse: str | None = None,
	store: bool = False,
	progress: Callable[[str, int, int], None] | None = None,
) -> Checked:
	"""Every problem of the rows, and on ``store`` the plan to register them (states locked).

	``item_code`` / ``warehouse``: the row of a document the file fills (the SN dialog): every row
	must be of that item, and of that warehouse or none; states are not planned then (the dialog
	checks them as the document will).
	"""
	problems = list(problems)
	bad = {(p.row, p.column) for p in problems}
	items = _items({line.item_code for line in lines if line.item_code})
	places = _warehouses({line.warehouse for line in lines if line.warehouse})
	settings = get_settings()
	limits = settings.limits
	gs1_digits = settings.gs1_digits
	item_gtins = gtins.of_items({i.name for i in items.values() if i.get(ITEM_FLAG)})
	result = Checked(lines, problems)
	first_row: dict[str, int] = {}
	carton_rows: dict[str, list[Line]] = {}

	def refuse_cell(line: Line, column: str, reason: str) -> None:
		problems.append(ImportProblem(line.row, column, shown(getattr(line, column)), reason))
		bad.add((line.row, column))

	for line in lines:
		item = _item_problem(line, items, item_code, refuse_cell, bad)
		_warehouse_problem(line, places, warehouse, refuse_cell, bad, required=item_code is None)
		if (line.row, "serial_no") not in bad:
			code = _read_code(line, "serial_no", limits, gs1_digits, item, item_gtins.get(item), refuse_cell)
			if code is not None:
				first = first_row.setdefault(key(code), line.row)
				if first != line.row:
					refuse_cell(line, "serial_no", _("{0} is also in row {1}").format(code, first))
				else:
					result.codes[line.row] = code
		if line.carton and (line.row, "carton") not in bad:
			carton = _read_code(line, "carton", limits, gs1_digits, None, None, refuse_cell, carton=True)
			if carton is not None:
				line.carton = carton
				carton_rows.setdefault(key(carton), []).append(line)
	if progress:
		progress(_("Checking"), 1, 3)
	by_row = {line.row: line for line in lines}
	code_row = {key(code): row for row, code in result.codes.items()}
	_check_cartons(result, carton_rows, by_row, code_row, first_row, refuse_cell)
	for problem in cartons.collisions(list(result.codes.values())):
		refuse_cell(by_row[code_row[key(problem.code)]], "serial_no", messages.describe(problem))
	if item_code is None and store:
		_plan(result, by_row, items, places, refuse_cell, progress)
	problems.sort(key=lambda p: (p.row, KEYS.index(p.column)))
	return result


def _items(names: set[str]) -> dict[str, frappe._dict]:
	"""Items by code key: name, item_name and the switch."""
	found = {}
	for chunk in _chunks(sorted(names)):
		for item in frappe.get_all(
			"Item", filters={"name": ("in", chunk)}, fields=["name", "item_name", ITEM_FLAG]
		):
			found[key(item.name)] = item
	return found


def _warehouses(names: set[str]) -> dict[str, frappe._dict]:
	found = {}
	for chunk in _chunks(sorted(names)):
		for place in frappe.get_all(
			"Warehouse", filters={"name": ("in", chunk)}, fields=["name", "is_group"]
		):
			found[key(place.name)] = place
	return found


def _chunks(values: list, size: int = CHUNK):
	for start in range(0, len(values), size):
		yield values[start : start + size]


def _item_problem(line: Line, items, item_code, refuse_cell, bad) -> str | None:
	"""The row's item (its stored name) when it is good; its problems otherwise."""
	if (line.row, "item_code") in bad:
		return None
	if not line.item_code:
		refuse_cell(line, "item_code", _("an item code is required"))
		return None
	if item_code is not None and key(line.item_code) != key(item_code):
		# Filling one row: any other item is refused as such, whether it exists or not.
		refuse_cell(
			line,
			"item_code",
			_("the row being filled is of item {0}: the file may hold only that item, not {1}").format(
				item_code, line.item_code
			),
		)
		return None
	item = items.get(key(line.item_code))
	if not item:
		refuse_cell(line, "item_code", _("Item {0} does not exist").format(line.item_code))
		return None
	if not item.get(ITEM_FLAG):
		refuse_cell(line, "item_code", _("Item {0} does not track SN codes").format(item.name))
		return None
	line.item_code = item.name
	if (
		line.item_name
		and (line.row, "item_name") not in bad
		and line.item_name.strip().casefold() != (item.item_name or "").strip().casefold()
	):
		refuse_cell(
			line,
			"item_name",
			_("item {0} is named {1}, not {2}").format(item.name, item.item_name, line.item_name),
		)
	return item.name


def _warehouse_problem(line: Line, places, warehouse, refuse_cell, bad, required: bool) -> None:
	if (line.row, "warehouse") in bad:
		return
	if not line.warehouse:
		if required:
			refuse_cell(line, "warehouse", _("a warehouse is required"))
		return
	if warehouse and key(line.warehouse) != key(warehouse):
		# Filling one row: any other warehouse is refused as such, whether it exists or not.
		refuse_cell(
			line,
			"warehouse",
			_(
				"the row being filled is at warehouse {0}: the file may name only that warehouse or none, not {1}"
			).format(warehouse, line.warehouse),
		)
		return
	place = places.get(key(line.warehouse))
	if not place:
		refuse_cell(line, "warehouse", _("Warehouse {0} does not exist").format(line.warehouse))
	elif place.is_group:
		refuse_cell(
			line,
			"warehouse",
			_("{0} is a group warehouse; name the warehouse that holds the unit").format(place.name),
		)
	else:
		line.warehouse = place.name


def _read_code(
	line: Line, column: str, limits, gs1_digits, item, item_gtins, refuse_cell, carton=False
) -> str | None:
	"""The one code of a cell (a GS1 scan gives its serial, or for a carton its SSCC), or None."""
	text = getattr(line, column)
	if not text:
		if column == "serial_no":
			refuse_cell(line, column, _("an SN code is required"))
		return None
	parsed = parse(
		text,
		max_length=limits.max_length,
		max_count=1,
		gs1_digits=gs1_digits,
		gtins=item_gtins,
		item_code=item or "",
	)
	if parsed.entered > 1:
		refuse_cell(
			line, column, _("this cell holds {0} codes; enter one code per row").format(parsed.entered)
		)
		return None
	if parsed.problems:
		refuse_cell(line, column, messages.describe(parsed.problems[0]))
		return None
	found = parsed.codes + parsed.cartons
	if not found:
		refuse_cell(line, column, _("no code could be read from this cell"))
		return None
	if not carton and not parsed.codes:
		refuse_cell(line, column, _("this is a carton's SSCC, not an SN code; put it in the Carton column"))
		return None
	return found[0]


def _check_cartons(result: Checked, carton_rows, by_row, code_row, first_row, refuse_cell) -> None:
	"""Each carton of one item, never an SN code of the file; packing checked by the cartons' rules."""
	packing: dict[str, tuple[str, list[str]]] = {}
	for lines in carton_rows.values():
		first = lines[0]
		item = first.item_code
		for line in lines[1:]:
			if line.item_code != item and line.item_code and item:
				refuse_cell(
					line,
					"carton",
					_("carton {0} holds item {1} (row {2}); a carton holds one item").format(
						line.carton, item, first.row
					),
				)
		if key(first.carton) in first_row:
			refuse_cell(
				first,
				"carton",
				_("{0} is also an SN code in row {1}; a carton code is never an SN code").format(
					first.carton, first_row[key(first.carton)]
				),
			)
		codes = [result.codes[line.row] for line in lines if line.row in result.codes]
		if codes and item:
			packing[first.carton] = (item, codes)
	result.cartons = packing
	if not packing:
		return
	carton_first = {key(carton): lines[0].row for carton, lines in carton_rows.items()}
	for problem in cartons.check_packing(packing):
		row = carton_first.get(key(problem.code)) or code_row.get(key(problem.code))
		line = by_row[row] if row else next(iter(carton_rows.values()))[0]
		refuse_cell(line, "carton", messages.describe(problem))


def _plan(result: Checked, by_row, items, places, refuse_cell, progress) -> None:
	"""Registration's plan for every good row, per (item, warehouse), with the room locked first."""
	groups: dict[tuple[str, str], list[int]] = {}
	bad_rows = {p.row for p in result.problems}
	for row in result.codes:
		line = by_row[row]
		if row in bad_rows or not line.item_code or not line.warehouse:
			continue
		groups.setdefault((line.item_code, line.warehouse), []).append(row)
	# The Bins first, as a stock document does before it moves serials.
	for (item, warehouse), rows in sorted(groups.items()):
		problem = in_stock_registration.capacity_problem(item, warehouse, len(rows))
		if problem:
			free = problem.params["free"]
			refuse_cell(by_row[rows[free]], "warehouse", messages.describe(problem))
	codes = [result.codes[row] for rows in groups.values() for row in rows]
	states = {}
	for number, chunk in enumerate(_chunks(codes), start=1):
		states.update(ledger.read_states(chunk, lock=True))
		if progress:
			progress(_("Reading SN codes"), number * CHUNK, len(codes))
	code_row = {key(code): row for row, code in result.codes.items()}
	formats = code_formats.of_items({item for item, _warehouse in groups})
	for (item, warehouse), rows in groups.items():
		group = [result.codes[row] for row in rows]
		known = {key(c): states[key(c)] for c in group if key(c) in states}
		plan = in_stock_registration.statement_plan(
			item, Operation.REGISTER, group, known, target=warehouse, code_format=formats.get(item, ANY)
		)
		for problem in plan.problems:
			refuse_cell(by_row[code_row[key(problem.code)]], "serial_no", messages.describe(problem))
		result.steps.extend(plan.steps)


def refuse(problems: list[ImportProblem], title: str | None = None) -> None:
	"""Refuse with every problem as a table of row, column, value and reason (escaped)."""
	if not problems:
		return
	table = [[_("Row"), _("Column"), _("Value"), _("Reason")]]
	table += [
		[
			str(p.row),
			escape_html(f"{_label(p.column)} ({LETTERS[p.column]})"),
			escape_html(p.value),
			escape_html(p.reason),
		]
		for p in problems
	]
	error = ImportRefused()
	error.problems = problems
	frappe.msgprint(
		table,
		title=title or _("SN codes not imported: {0} problems").format(len(problems)),
		raise_exception=error,
		as_table=True,
		wide=True,
	)


def store(checked: Checked, source: tuple[str, str], progress=None) -> int:
	"""Write a checked import: the serials and their log, then the cartons."""
	ledger.apply_steps(checked.steps)
	if progress:
		progress(_("Storing"), len(checked.steps), len(checked.steps))
	if checked.cartons:
		cartons.pack(checked.cartons, *source)
	return len(checked.steps)


def register(lines: list[Line], problems: list[ImportProblem], source: tuple[str, str], progress=None) -> int:
	"""Check every row and register them all, or refuse with every problem; nothing stored then."""
	_require_readable(lines)
	with ledger.concurrent_moves_refused():
		checked = check(lines, problems, store=True, progress=progress)
		refuse(checked.problems)
		return store(checked, source, progress)


def _require_readable(lines: list[Line]) -> None:
	"""Every item and warehouse named must be one the user may read (User Permissions)."""
	for doctype, column in (("Item", "item_code"), ("Warehouse", "warehouse")):
		named = {getattr(line, column) for line in lines if getattr(line, column)}
		if not named:
			continue
		allowed = {key(n) for n in readable(doctype, named)}
		known = {key(n) for n in _existing(doctype, named)}
		hidden = sorted(n for n in named if key(n) in known and key(n) not in allowed)
		if hidden:
			frappe.throw(
				_("You are not permitted to read {0} {1}").format(
					_(doctype), escape_html(", ".join(hidden[:10]) + (" …" if len(hidden) > 10 else ""))
				),
				frappe.PermissionError,
				title=_("Not permitted"),
			)


def _existing(doctype: str, names: set[str]) -> list[str]:
	found = []
	for chunk in _chunks(sorted(names)):
		found += frappe.get_all(doctype, filters={"name": ("in", chunk)}, pluck="name")
	return found


# Files


def file_of(file_url: str | None):
	"""The File at ``file_url`` that the user may read, with its path on disk; a refusal otherwise."""
	if not file_url or not isinstance(file_url, str):
		frappe.throw(_("File URL is required"), frappe.MandatoryError, title=_("Invalid argument"))
	names = frappe.get_all(
		"File", filters={"file_url": file_url, "is_folder": 0}, pluck="name", order_by="creation"
	)
	if not names:
		frappe.throw(_("File {0} does not exist").format(escape_html(file_url)), frappe.DoesNotExistError)
	for name in names:
		file = frappe.get_doc("File", name)
		if file.has_permission("read"):
			break
	else:
		frappe.throw(
			_("You are not permitted to read the file {0}").format(escape_html(file_url)),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	if not file_url.startswith(("/files/", "/private/files/")) or not os.path.isfile(file.get_full_path()):
		frappe.throw(
			_("File {0} is not stored on this site").format(escape_html(file_url)), frappe.ValidationError
		)
	return file


def read(file, **limits) -> tuple[list[Line], list[ImportProblem]]:
	"""A File's data rows and their cell problems, as a job reads them (``limits``: :func:`read_sheet`'s)."""
	return read_file(file.get_full_path(), file.file_name or file.file_url, **limits)


def read_head(file, **limits) -> Sheet:
	"""A File's first rows, as a request reads them: at most ``IN_REQUEST + 1`` data rows, within
	``READ_SECONDS`` (``limits``: :func:`read_sheet`'s, which may narrow these)."""
	return read_sheet(
		file.get_full_path(),
		file.file_name or file.file_url,
		**{"head": IN_REQUEST, "seconds": READ_SECONDS, **limits},
	)


# The request and the job


def start(file_url: str) -> dict:
	"""Import now (up to ``IN_REQUEST`` rows) or hand the file to a job.

	The request reads no more than ``IN_REQUEST + 1`` data rows: a longer file is read whole by the
	job, which refuses what the request could not see (a row past ``MAX_ROWS``, an item or warehouse
	the user may not read further down). ``rows`` in the answer is what the sheet states it holds,
	None when it does not say.
	"""
	file = file_of(file_url)
	sheet = read_head(file)
	if len(sheet.lines) <= IN_REQUEST:
		return {"registered": register(sheet.lines, sheet.problems, ("File", file.name))}
	_require_readable(sheet.lines)
	job_id = f"sn-import-{uuid4().hex}"
	frappe.enqueue(
		import_in_background,
		queue="long",
		timeout=3600,
		job_id=job_id,
		enqueue_after_commit=True,
		file_url=file_url,
		user=frappe.session.user,
	)
	return {"job": create_job_id(job_id), "rows": sheet.stated}


def import_in_background(file_url: str, user: str) -> int:
	"""The job: the same check and store as the user, with progress, then a notification."""
	frappe.set_user(user)
	frappe.local.lang = get_user_lang(user)

	def progress(stage: str, done: int, total: int):
		frappe.publish_progress(
			min(done, total) * 100 / max(total, 1),
			title=_("Importing SN codes"),
			description=_("{0}: {1} of {2}").format(stage, min(done, total), total),
		)

	registered, attached = 0, None
	frappe.db.savepoint("sn_import")
	try:
		file = file_of(file_url)
		lines, problems = read(file)
		registered = register(lines, problems, ("File", file.name), progress)
	except ImportRefused as e:
		_roll_back()
		frappe.clear_last_message()
		subject = _("Your import of SN codes from {0} was refused: {1} problems; nothing was stored").format(
			escape_html(file_url), len(e.problems)
		)
		content = _problem_list(e.problems)
		if len(e.problems) > LISTED:
			attached = _problem_file(e.problems)
	except Exception as e:
		_roll_back()
		frappe.clear_last_message()
		if isinstance(e, frappe.ValidationError):
			reason = str(e)
		else:
			frappe.log_error(title=_("Import of SN codes failed"))
			reason = _("see the Error Log")
		subject = _("Your import of SN codes from {0} failed; nothing was stored: {1}").format(
			escape_html(file_url), reason
		)
		content = None
	else:
		subject = _("Your import of SN codes from {0} is done: {1} registered").format(
			escape_html(file_url), registered
		)
		content = None
	notify(user, subject, attached, content)
	frappe.db.commit()  # a background job owns its transaction
	return registered


def _roll_back() -> None:
	"""Back to the job's savepoint; the whole transaction when the database rolled it back already
	(the loser of a deadlock loses its savepoints too)."""
	try:
		frappe.db.rollback(save_point="sn_import")
	except frappe.db.OperationalError:
		frappe.db.rollback()


def _problem_list(problems: list[ImportProblem]) -> str:
	items = "".join(f"<li>{escape_html(p.message())}</li>" for p in problems[:LISTED])
	more = ""
	if len(problems) > LISTED:
		more = (
			"<p>"
			+ escape_html(
				_("{0} more problems are listed in the attached file").format(len(problems) - LISTED)
			)
			+ "</p>"
		)
	return f"<ul>{items}</ul>{more}"


def _problem_file(problems: list[ImportProblem]):
	"""Every problem as a private xlsx of the user: row, column, value, reason, all text."""
	from serial_tracking.exchange.export import _text

	book = Workbook(write_only=True)
	sheet = book.create_sheet(_("Problems")[:31])
	sheet.append([_text(sheet, h) for h in (_("Row"), _("Column"), _("Value"), _("Reason"))])
	for p in problems:
		sheet.append(
			[
				p.row,
				_text(sheet, f"{_label(p.column)} ({LETTERS[p.column]})"),
				_text(sheet, p.value),
				_text(sheet, p.reason),
			]
		)
	out = io.BytesIO()
	book.save(out)
	user = frappe.session.user
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"sn-import-problems-{now_datetime():%Y%m%d-%H%M%S}.xlsx",
			"is_private": 1,
			"content": out.getvalue(),
			"attached_to_doctype": "User",
			"attached_to_name": user,
		}
	)
	file.flags.ignore_permissions = True
	# named by the app, so that the daily clean-up finds it (exchange.retention)
	file.insert(set_name=retention.file_name())
	return file
