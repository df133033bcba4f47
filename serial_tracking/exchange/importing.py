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
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import uuid4

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

import frappe
from frappe import _
from frappe.translate import get_user_lang
from frappe.utils import escape_html, now_datetime
from frappe.utils.background_jobs import create_job_id

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG
from serial_tracking.core.codes import key, parse
from serial_tracking.core.states import Operation
from serial_tracking.exchange import retention
from serial_tracking.exchange.notify import notify
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, gtins, ledger, registration

#: The columns of the template, in order: (key, English header).
COLUMNS = (
	("item_code", "Item code (SKU)"),
	("item_name", "Item name"),
	("warehouse", "Warehouse (location)"),
	("serial_no", "SN code"),
	("carton", "Carton (optional)"),
)
KEYS = tuple(k for k, _label in COLUMNS)
LETTERS = dict(zip(KEYS, "ABCDE", strict=True))
#: Data rows a file may have.
MAX_ROWS = 1_000_000
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
	return _(dict(COLUMNS)[column])


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
	return {column: {english.casefold(), _(english).strip().casefold()} for column, english in COLUMNS}


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
	if isinstance(value, datetime | date | time):
		return str(value), _(
			"Excel turned this cell into a date or time; format the column as text and type it again"
		)
	return str(value), _("This cell holds a value that is not text")


def _refuse_file(message: str) -> None:
	frappe.throw(message, frappe.ValidationError, title=_("File not imported"))


def read_file(path: str, name: str) -> tuple[list[Line], list[ImportProblem]]:
	"""The data rows of an xlsx file and the problems of its cells; refusals of the file itself.

	``name``: the file's name, for messages.
	"""
	try:
		book = load_workbook(path, read_only=True, data_only=True)
	except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
		_refuse_file(
			_("{0} is not an xlsx file that can be read; save it as an Excel Workbook (.xlsx)").format(
				escape_html(name)
			)
		)
	try:
		return _read_rows(book.worksheets[0].iter_rows(values_only=True), name)
	except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
		_refuse_file(_("{0} could not be read as an xlsx file").format(escape_html(name)))
	finally:
		book.close()


def _read_rows(rows: Iterable[tuple], name: str) -> tuple[list[Line], list[ImportProblem]]:
	rows = iter(rows)
	header = next(rows, None)
	if header is None or not any(v not in (None, "") for v in header):
		_refuse_file(_("{0} is empty: row 1 must hold the template's headers").format(escape_html(name)))
	_check_header(header)
	lines: list[Line] = []
	problems: list[ImportProblem] = []
	for number, values in enumerate(rows, start=2):
		values = values[:5]
		if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
			continue
		if len(lines) >= MAX_ROWS:
			_refuse_file(
				_("{0} has more than {1} rows; split it into files of at most {1} rows").format(
					escape_html(name), f"{MAX_ROWS:,}"
				)
			)
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
	if not lines:
		_refuse_file(_("{0} has no rows of SN codes under its headers").format(escape_html(name)))
	return lines, problems


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
		problem = registration.capacity_problem(item, warehouse, len(rows))
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
	for (item, warehouse), rows in groups.items():
		group = [result.codes[row] for row in rows]
		known = {key(c): states[key(c)] for c in group if key(c) in states}
		plan = registration.statement_plan(item, Operation.REGISTER, group, known, target=warehouse)
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


def read(file) -> tuple[list[Line], list[ImportProblem]]:
	return read_file(file.get_full_path(), file.file_name or file.file_url)


# The request and the job


def start(file_url: str) -> dict:
	"""Import now (up to ``IN_REQUEST`` rows) or hand the file to a job."""
	file = file_of(file_url)
	lines, problems = read(file)
	if len(lines) <= IN_REQUEST:
		return {"registered": register(lines, problems, ("File", file.name))}
	_require_readable(lines)
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
	return {"job": create_job_id(job_id), "rows": len(lines)}


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
