"""Import of SN codes from an xlsx template: the template, every refusal (nothing stored), numbers
Excel made of codes, a happy import, registering a sold serial again, the room of a warehouse,
the background job and the SN dialog's reading of a file for one row; hostile files (rows numbered
far away, zip bombs, parts lying about their size, too many parts or elements, a slow read) refused
at once."""

import io
import json
import os
import secrets
import time
import uuid
import zipfile

import pytest
from openpyxl import load_workbook

import frappe

from serial_tracking import api
from serial_tracking.constants import LOG, SERIAL
from serial_tracking.exchange import xlsx_import
from tests.hostile import corpus
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP, user_with
from tests.integration.sheets import HEADER, sheet

ITEM_A, ITEM_B = "ST-IMP-A", "ST-IMP-B"


@pytest.fixture(autouse=True)
def no_files_left():
	"""The files a test uploads go with it (their File rows roll back)."""
	made = []
	yield made
	for path in made:
		if os.path.exists(path):
			os.remove(path)
	for name in frappe.get_all("File", filters={"file_name": ("like", "sn-import-problems-%")}, pluck="name"):
		path = frappe.get_doc("File", name).get_full_path()
		if os.path.exists(path):
			os.remove(path)


@pytest.fixture
def upload(no_files_left):
	def make(content: bytes, name: str = "codes.xlsx", private: int = 1) -> str:
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{uuid.uuid4().hex[:8]}-{name}",
				"is_private": private,
				"content": content or b"-",
			}
		)
		file.insert()
		no_files_left.append(file.get_full_path())
		if not content:  # Frappe stores no empty file: empty it on disk
			open(file.get_full_path(), "wb").close()
		return file.file_url

	return make


def stored() -> tuple[int, int]:
	return frappe.db.count(SERIAL), frappe.db.count(LOG)


def items(*codes):
	for code in codes:
		if not frappe.db.exists("Item", code):
			f.make_item(code, item_name=f"{code} name")


def stock(item, warehouse, qty):
	"""Units in a warehouse without SN codes (receipts may leave them out)."""
	f.stock_entry("Material Receipt", [(item, qty, None, None, warehouse)])


def refused(file_url) -> list[xlsx_import.ImportProblem]:
	before = stored()
	with pytest.raises(xlsx_import.ImportRefused) as caught:
		api.import_serials(file_url)
	assert stored() == before, "nothing may be stored when a row is refused"
	return caught.value.problems


def files() -> int:
	return frappe.db.count("File")


def file_refused(file_url, match: str, call=None, seconds: float = 1.5) -> str:
	"""``call`` (the import by default) refuses the file as a whole, with ``match``, in ``seconds``,
	storing nothing: no serial, log row or file."""
	call = call or api.import_serials
	before = (*stored(), files())
	started = time.monotonic()
	with pytest.raises(frappe.ValidationError, match=match) as caught:
		call(file_url)
	took = time.monotonic() - started
	assert took < seconds, f"refused after {took:.2f} s"
	assert not isinstance(caught.value, xlsx_import.ImportRefused)
	assert (*stored(), files()) == before, "nothing may be stored when a file is refused"
	return str(caught.value)


def by_row(problems):
	return {(p.row, p.column): p for p in problems}


def test_template_has_the_columns_text_formats_and_a_sheet_that_explains_them():
	book = load_workbook(io.BytesIO(xlsx_import.template()))
	codes, help_sheet = book.worksheets
	assert codes.title == "SN codes" and help_sheet.title == "How to fill"
	assert [c.value for c in codes[1]] == HEADER
	assert codes.freeze_panes == "A2"
	for letter in "DE":
		assert codes.column_dimensions[letter].number_format == "@"
		assert codes.column_dimensions[letter].width >= 20
	explained = [row[0] for row in help_sheet.iter_rows(min_row=2, values_only=True) if row[0]]
	assert explained == HEADER


def test_a_template_filled_in_registers_several_items_and_warehouses(upload):
	items(ITEM_A, ITEM_B)
	stock(ITEM_A, MAIN, 2)
	stock(ITEM_A, SHOP, 1)
	stock(ITEM_B, SHOP, 2)
	book = load_workbook(io.BytesIO(xlsx_import.template()))
	ws = book.worksheets[0]
	tag = uuid.uuid4().hex[:6].upper()
	rows = [
		[ITEM_A, "st-imp-a NAME ", MAIN, f"IA{tag}-1", f"CA{tag}"],
		[ITEM_A, "", MAIN, f"IA{tag}-2", f"CA{tag}"],
		[ITEM_A, None, SHOP, f"IA{tag}-3", None],
		[ITEM_B, f"{ITEM_B} name", SHOP, f"IB{tag}-1", None],
		[ITEM_B, None, SHOP, f"00{tag}", None],
	]
	for row in rows:
		ws.append(row)
	out = io.BytesIO()
	book.save(out)
	before = stored()
	assert api.import_serials(upload(out.getvalue())) == {"registered": 5}
	assert stored() == (before[0] + 5, before[1] + 5)
	assert f.serial(f"IA{tag}-3").warehouse == SHOP
	zero = f.serial(f"00{tag}")
	assert (zero.name, zero.item_code, zero.status, zero.warehouse) == (f"00{tag}", ITEM_B, "In Stock", SHOP)
	log = frappe.get_all(LOG, filters={"serial_no": f"IA{tag}-1"}, fields=["operation", "to_warehouse"])
	assert [(r.operation, r.to_warehouse) for r in log] == [("Registration", MAIN)]
	assert frappe.db.get_value(SERIAL, f"IA{tag}-1", "carton") == f"CA{tag}"
	assert frappe.db.get_value(SERIAL, f"IA{tag}-2", "carton") == f"CA{tag}"
	assert frappe.db.get_value("Serial Carton", f"CA{tag}", "item_code") == ITEM_A


def test_numbers_excel_made_of_codes_come_back_as_their_digits_or_are_refused(upload):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 3)
	tag = 700000 + uuid.uuid4().int % 100000
	url = upload(sheet([[ITEM_A, None, MAIN, tag], [ITEM_A, None, MAIN, float(tag + 1)]]))
	assert api.import_serials(url) == {"registered": 2}
	assert f.serial(str(tag)).status == "In Stock" and f.serial(str(tag + 1)).status == "In Stock"
	assert not frappe.db.exists(SERIAL, f"{tag + 1}.0")

	problems = refused(upload(sheet([[ITEM_A, None, MAIN, 1.23456789012345e17], [ITEM_A, None, MAIN, 0.5]])))
	assert [(p.row, p.column) for p in problems] == [(2, "serial_no"), (3, "serial_no")]
	for p in problems:
		assert p.reason.startswith("Excel turned this code into a number and it lost digits")
	assert "1.23456789012345e+17" in problems[0].message()


def test_every_bad_row_is_reported_at_once_with_row_column_value_and_reason(upload):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 5)
	tag = uuid.uuid4().hex[:6].upper()
	f.receive([f"DB{tag}"], item=ITEM_A, warehouse=MAIN)
	group = frappe.db.get_value("Warehouse", {"is_group": 1, "company": f.COMPANY}, "name")
	rows = [
		[ITEM_A, None, MAIN, f"OK{tag}-1"],  # 2: good
		["NO-SUCH-ITEM", None, MAIN, f"OK{tag}-2"],  # 3
		[f.PLAIN, None, MAIN, f"OK{tag}-3"],  # 4: not SN-tracked
		[ITEM_A, "Another name", MAIN, f"OK{tag}-4"],  # 5
		[ITEM_A, None, "Nowhere - WP", f"OK{tag}-5"],  # 6
		[ITEM_A, None, group, f"OK{tag}-6"],  # 7
		[ITEM_A, None, MAIN, "BAD CODE"],  # 8: two codes in a cell
		[ITEM_A, None, MAIN, "<b>x</b>"],  # 9
		[ITEM_A, None, MAIN, f"ok{tag}-1"],  # 10: row 2 again (case does not matter)
		[ITEM_A, None, MAIN, f"DB{tag}"],  # 11: in stock already
		[ITEM_A, None, MAIN, None],  # 12
		[None, None, None, None],  # an empty row is skipped
		[ITEM_A, None, None, f"OK{tag}-7"],  # 14
	]
	problems = refused(upload(sheet([[*r, None] for r in rows])))
	found = by_row(problems)
	expected = {
		(3, "item_code"): ("NO-SUCH-ITEM", "Item NO-SUCH-ITEM does not exist"),
		(4, "item_code"): (f.PLAIN, f"Item {f.PLAIN} does not track SN codes"),
		(5, "item_name"): ("Another name", f"item {ITEM_A} is named {ITEM_A} name, not Another name"),
		(6, "warehouse"): ("Nowhere - WP", "Warehouse Nowhere - WP does not exist"),
		(7, "warehouse"): (group, f"{group} is a group warehouse"),
		(8, "serial_no"): ("BAD CODE", "this cell holds 2 codes; enter one code per row"),
		(9, "serial_no"): ("<b>x</b>", "<b>x</b> contains <"),
		(10, "serial_no"): (f"ok{tag}-1", f"ok{tag}-1 is also in row 2"),
		(11, "serial_no"): (f"DB{tag}", f"DB{tag} is already in stock at {MAIN}"),
		(12, "serial_no"): ("", "an SN code is required"),
		(14, "warehouse"): ("", "a warehouse is required"),
	}
	assert set(found) == set(expected)
	labels = dict(zip(xlsx_import.KEYS, HEADER, strict=True))
	for (row, column), (value, reason) in expected.items():
		p = found[(row, column)]
		assert (p.value, p.reason[: len(reason)]) == (value, reason)
		message = p.message()
		assert message.startswith(
			f'Row {row}, {labels[column]} (column {xlsx_import.LETTERS[column]}), "{value}": '
		)
		assert reason in message


def test_the_refusal_is_a_table_with_every_value_escaped(upload):
	items(ITEM_A)
	url = upload(sheet([[ITEM_A, None, MAIN, "<b>x</b>", None]]))
	frappe.clear_messages()
	with pytest.raises(xlsx_import.ImportRefused):
		api.import_serials(url)
	shown = frappe.local.message_log[-1]
	assert shown["as_table"] == 1
	table = shown["message"]
	assert table[0] == ["Row", "Column", "Value", "Reason"]
	assert table[1][:3] == ["2", "SN code (D)", "&lt;b&gt;x&lt;/b&gt;"]
	assert "<b>" not in json.dumps(table)


def test_a_warehouse_never_gets_more_serials_than_it_holds_over_two_rows(upload):
	items(ITEM_A)
	stock(ITEM_A, SHOP, 1)
	tag = uuid.uuid4().hex[:6].upper()
	problems = refused(upload(sheet([[ITEM_A, None, SHOP, f"R{tag}-1"], [ITEM_A, None, SHOP, f"R{tag}-2"]])))
	assert [(p.row, p.column, p.value) for p in problems] == [(3, "warehouse", SHOP)]
	assert f"Warehouse {SHOP} holds 1 of item {ITEM_A}" in problems[0].reason
	assert "at most 1 more can be registered, not 2" in problems[0].reason


def test_a_sold_serial_may_be_registered_again(upload):
	items(ITEM_A)
	code = f"SOLD{uuid.uuid4().hex[:6].upper()}"
	f.receive([code], item=ITEM_A, warehouse=MAIN)
	f.delivery_note([(ITEM_A, 1, [code], MAIN)])
	assert f.serial(code).status == "Sold"
	stock(ITEM_A, SHOP, 1)
	assert api.import_serials(upload(sheet([[ITEM_A, None, SHOP, code]]))) == {"registered": 1}
	assert (f.serial(code).status, f.serial(code).warehouse) == ("In Stock", SHOP)


@pytest.mark.parametrize(
	"name, content, reason",
	[
		("codes.csv", b"Item code (SKU),Item name\n", "codes.csv is not an xlsx file that can be read"),
		("codes.xlsx", b"Item code (SKU),Item name\n", "is not an xlsx file that can be read"),
		("codes.xlsx", b"", "is not an xlsx file that can be read"),
		("codes.xls", b"\xd0\xcf\x11\xe0", "codes.xls is not an xlsx file that can be read"),
	],
)
def test_a_file_that_is_not_xlsx_is_refused(upload, name, content, reason):
	before = stored()
	with pytest.raises(frappe.ValidationError, match=reason):
		api.import_serials(upload(content, name))
	assert stored() == before


def test_an_empty_sheet_or_one_with_only_headers_is_refused(upload):
	with pytest.raises(frappe.ValidationError, match="is empty: row 1 must hold the template's headers"):
		api.import_serials(upload(sheet([], header=None)))
	with pytest.raises(frappe.ValidationError, match="has no rows of SN codes under its headers"):
		api.import_serials(upload(sheet([[None, None], []])))


@pytest.mark.parametrize(
	"header, column, found",
	[
		(
			["Item code (SKU)", "Name", "Warehouse (location)", "SN code", "Carton (optional)"],
			"item_name",
			"Name",
		),
		(
			["Item code (SKU)", "Item name", "SN code", "Warehouse (location)", "Carton (optional)"],
			"warehouse",
			"SN code",
		),
		(["Item code (SKU)", "Item name", "Warehouse (location)", "SN code"], "carton", ""),
	],
)
def test_columns_renamed_or_moved_are_refused_naming_what_was_expected_where(upload, header, column, found):
	items(ITEM_A)
	problems = refused(upload(sheet([[ITEM_A, None, MAIN, "X-1", None]], header=header)))
	p = problems[0]
	assert (p.row, p.column, p.value) == (1, column, found)
	letter = xlsx_import.LETTERS[column]
	expected = dict(zip(xlsx_import.KEYS, HEADER, strict=True))[column]
	assert f'expected the header "{expected}" in column {letter}, found "{found}"' in p.reason


def test_headers_in_the_users_language_are_read_too(upload):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 1)
	frappe.local.lang = "de"
	try:
		german = [str(label) for _key, label in xlsx_import.COLUMNS]
		assert german[0] == "Artikelcode (SKU)", german
		code = f"LANG{uuid.uuid4().hex[:6].upper()}"
		content = sheet([[ITEM_A, None, MAIN, code, None]], header=german)
		assert api.import_serials(upload(content)) == {"registered": 1}
	finally:
		frappe.local.lang = "en"


def test_more_rows_than_the_limit_are_refused_reading_no_further(upload, monkeypatch):
	monkeypatch.setattr(xlsx_import, "MAX_ROWS", 5)
	read = []

	def rows():
		yield 1, tuple(HEADER)
		for n in range(1000):
			read.append(n)
			yield n + 2, (ITEM_A, None, MAIN, f"X-{n}", None)

	with pytest.raises(frappe.ValidationError, match="has more than 5 rows"):
		xlsx_import._read_rows(rows(), "big.xlsx", most=xlsx_import.MAX_ROWS)
	assert len(read) == 6

	url = upload(sheet([[ITEM_A, None, MAIN, f"X-{n}", None] for n in range(6)]))
	before = stored()
	with pytest.raises(
		frappe.ValidationError, match=r"has more than 5 rows \(it has a row 7\); split it into"
	):
		xlsx_import.read_file(xlsx_import.file_of(url).get_full_path(), "big.xlsx", most=xlsx_import.MAX_ROWS)
	assert stored() == before


def test_the_limit_counts_row_numbers_not_filled_rows(write, monkeypatch):
	"""Row numbers, not filled rows: a row past row MAX_ROWS + 1 is refused whatever lies between,
	even an empty one (every row a sheet has is bounded so); empty rows before it are skipped."""
	monkeypatch.setattr(xlsx_import, "MAX_ROWS", 5)
	rows = [corpus.xlsx_row(3, (ITEM_A, None, MAIN, "N-1")), corpus.xlsx_row(7, (ITEM_A, None, MAIN, "N-2"))]
	content = corpus.xlsx_file(_sheet_of(*rows))
	with pytest.raises(frappe.ValidationError, match=r"has more than 5 rows \(it has a row 7\)"):
		xlsx_import.read_file(write(content), "gaps.xlsx", most=xlsx_import.MAX_ROWS)
	empty_past = corpus.xlsx_file(_sheet_of(rows[0], '<row r="6"><c r="A6"/></row>', '<row r="9"/>'))
	with pytest.raises(frappe.ValidationError, match=r"has more than 5 rows \(it has a row 9\)"):
		xlsx_import.read_file(write(empty_past), "gaps.xlsx", most=xlsx_import.MAX_ROWS)
	empty_within = corpus.xlsx_file(_sheet_of(rows[0], '<row r="5"/>', '<row r="6"><c r="A6"/></row>'))
	lines, problems = xlsx_import.read_file(write(empty_within), "gaps.xlsx", most=xlsx_import.MAX_ROWS)
	assert [line.row for line in lines] == [3] and not problems
	backwards = corpus.xlsx_file(_sheet_of(rows[1], rows[0]))
	with pytest.raises(frappe.ValidationError, match="has row 3 after row 7; save it again from Excel"):
		xlsx_import.read_file(write(backwards), "backwards.xlsx")


def _sheet_of(*rows: str):
	yield corpus._SHEET_START + corpus.xlsx_row(1, HEADER)
	yield from rows
	yield corpus._SHEET_END


@pytest.fixture
def write(no_files_left):
	"""A file on disk with ``content``, removed after the test."""

	def make(content: bytes) -> str:
		path = os.path.join(frappe.get_site_path("private", "files"), f"st-{uuid.uuid4().hex}.xlsx")
		with open(path, "wb") as out:
			out.write(content)
		no_files_left.append(path)
		return path

	return make


def with_cell(content: bytes, placeholder: str, value: str) -> bytes:
	"""The xlsx with one cell's text replaced (openpyxl writes no cell past 32,767 characters)."""
	source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
	with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
		for info in source.infolist():
			data = source.read(info.filename)
			if info.filename.startswith("xl/worksheets/"):
				data = data.replace(placeholder.encode(), value.encode())
			target.writestr(info, data)
	return out.getvalue()


def test_a_cell_of_ten_megabytes_is_refused_without_echoing_it(upload):
	items(ITEM_A)
	huge = secrets.token_hex(5 * 1024 * 1024)
	content = with_cell(sheet([[ITEM_A, "PLACEHOLDER", MAIN, "HUGE-1", None]]), "PLACEHOLDER", huge)
	problems = refused(upload(content))
	assert len(problems) == 1
	p = problems[0]
	assert (p.row, p.column) == (2, "item_name")
	assert f"This cell holds {len(huge)} characters; a cell may hold at most 1000" == p.reason
	assert len(p.message()) < 300 and p.value.startswith(huge[:40])
	# ten megabytes of one character pack a thousand times smaller: refused as a zip bomb, unread
	bomb = with_cell(sheet([[ITEM_A, "PLACEHOLDER", MAIN, "HUGE-1", None]]), "PLACEHOLDER", "A" * len(huge))
	file_refused(upload(bomb), r"that unpacks to [\d,]+ times its packed size; no spreadsheet does")


def test_a_file_the_user_may_not_read_or_that_does_not_exist_is_refused(upload):
	owner, other = user_with(["Stock Manager", "Stock User"]), user_with(["Stock Manager"])
	frappe.set_user(owner)
	url = upload(sheet([[ITEM_A, None, MAIN, "P-1", None]]))
	frappe.set_user(other)
	with pytest.raises(frappe.PermissionError, match="You are not permitted to read the file"):
		api.import_serials(url)
	with pytest.raises(frappe.DoesNotExistError, match="does not exist"):
		api.import_serials("/private/files/no-such-file.xlsx")


def test_users_who_may_not_create_serials_or_read_a_warehouse_are_refused(upload, restricted):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 1)
	url = upload(sheet([[ITEM_A, None, MAIN, "PERM-1", None]]), private=0)
	frappe.set_user(user_with(["Stock User"]))
	with pytest.raises(frappe.PermissionError):
		api.import_serials(url)
	frappe.set_user("Administrator")
	frappe.set_user(restricted("import-shop", "Warehouse", SHOP, roles=("Stock Manager", "Stock User")))
	before = stored()
	with pytest.raises(frappe.PermissionError, match=f"You are not permitted to read Warehouse {MAIN}"):
		api.import_serials(url)
	assert stored() == before


def test_more_than_a_thousand_rows_go_to_a_job_with_the_same_all_or_nothing(upload, monkeypatch):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 1200)
	tag = uuid.uuid4().hex[:6].upper()
	rows = [[ITEM_A, None, MAIN, f"J{tag}-{n:04d}", f"JC{tag}-{n // 100}"] for n in range(1200)]
	queued = []
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: queued.append((method, kwargs)))
	owner = frappe.session.user
	before = stored()
	answer = api.import_serials(upload(sheet(rows)))
	assert answer["rows"] == 1200 and answer["job"].endswith(queued[0][1]["job_id"])
	method, kwargs = queued[0]
	assert method is xlsx_import.import_in_background
	assert kwargs["queue"] == "long" and kwargs["enqueue_after_commit"]
	assert stored() == before

	# the job, run here as the worker would run it (it commits its own transaction)
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	assert xlsx_import.import_in_background(kwargs["file_url"], kwargs["user"]) == 1200
	assert stored() == (before[0] + 1200, before[1] + 1200)
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "is done: 1200 registered" in note.subject


def test_a_job_whose_rows_are_refused_stores_nothing_and_lists_the_problems(upload, monkeypatch):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 10)
	rows = [[ITEM_A, None, MAIN, f"JB-{n}", None] for n in range(1100)] + [[ITEM_A, None, MAIN, "bad code"]]
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	url = upload(sheet(rows))
	owner = frappe.session.user
	before = stored()
	assert xlsx_import.import_in_background(url, owner) == 0
	assert stored() == before
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "was refused: 2 problems; nothing was stored" in note.subject
	assert "Row 12, Warehouse (location) (column C)" in note.email_content
	assert "Row 1102, SN code (column D), &quot;bad code&quot;" in note.email_content
	assert not note.link


def test_a_job_with_more_than_a_hundred_problems_attaches_a_file_of_them_all(upload, monkeypatch):
	items(ITEM_A)
	rows = [[ITEM_A, None, MAIN, f"bad {n}", None] for n in range(1050)]
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	owner = frappe.session.user
	xlsx_import.import_in_background(upload(sheet(rows)), owner)
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "1050 problems" in note.subject
	assert note.email_content.count("<li>") == 100 and "950 more problems" in note.email_content
	file = frappe.get_doc("File", {"file_url": note.link})
	assert file.is_private and file.attached_to_name == owner
	listed = list(load_workbook(io.BytesIO(file.get_content())).active.iter_rows(values_only=True))
	assert len(listed) == 1051 and listed[1][:3] == (2, "SN code (D)", "bad 0")


def test_read_import_fills_a_row_of_an_unsaved_receipt_and_stores_nothing(upload):
	items(ITEM_A, ITEM_B)
	tag = uuid.uuid4().hex[:6].upper()
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"company": f.COMPANY,
			"supplier": f.SUPPLIER,
			"items": [{"item_code": ITEM_A, "qty": 3, "rate": 100, "warehouse": MAIN, "name": "new-row-1"}],
		}
	).as_dict()
	doc["__islocal"] = 1
	rows = [
		[ITEM_A, None, MAIN, f"RI{tag}-1", f"RC{tag}"],
		[ITEM_A, None, None, f"RI{tag}-2", f"RC{tag}"],
		[ITEM_A, None, MAIN, f"RI{tag}-3", None],
	]
	before = stored()
	url = upload(sheet(rows))
	answer = api.read_import(url, json.dumps(doc, default=str), "new-row-1")
	assert answer["codes"] == [f"RI{tag}-1", f"RI{tag}-2", f"RI{tag}-3"]
	assert answer["cartons"] == {f"RC{tag}": [f"RI{tag}-1", f"RI{tag}-2"]}
	assert answer["problems"] == []
	assert stored() == before

	other = upload(
		sheet(
			[
				[ITEM_B, None, MAIN, "X-1", None],
				[ITEM_A, None, SHOP, "X-2", None],
				["NO-SUCH-ITEM", None, MAIN, "X-3", None],
				[ITEM_A, None, "No Such Place", "X-4", None],
			]
		)
	)
	answer = api.read_import(other, json.dumps(doc, default=str), "new-row-1")
	assert answer["codes"] == []
	assert [(p["row"], p["column"], p["value"]) for p in answer["problems"]] == [
		(2, "A", ITEM_B),
		(3, "C", SHOP),
		(4, "A", "NO-SUCH-ITEM"),
		(5, "C", "No Such Place"),
	]
	messages = [p["message"] for p in answer["problems"]]
	# Another item or warehouse is refused as such, whether it exists or not: the dialog's file
	# says nothing of what exists elsewhere.
	assert f"is of item {ITEM_A}: the file may hold only that item, not {ITEM_B}" in messages[0]
	assert f"is at warehouse {MAIN}: the file may name only that warehouse or none, not {SHOP}" in messages[1]
	assert "not NO-SUCH-ITEM" in messages[2] and "does not exist" not in messages[2]
	assert "not No Such Place" in messages[3] and "does not exist" not in messages[3]


def test_a_gs1_scan_gives_its_serial_and_a_carton_its_sscc(upload):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 1)
	serial = f"G{uuid.uuid4().hex[:6].upper()}"
	sscc = "106141412345678908"
	if frappe.db.exists(SERIAL, serial):
		pytest.skip("code taken")
	rows = [[ITEM_A, None, MAIN, f"(01)09506000134352(21){serial}", f"(00){sscc}"]]
	if frappe.db.exists("Serial Carton", sscc):
		pytest.skip("carton taken")
	assert api.import_serials(upload(sheet(rows))) == {"registered": 1}
	assert f.serial(serial).warehouse == MAIN
	assert frappe.db.get_value(SERIAL, serial, "carton") == sscc

	problems = refused(upload(sheet([[ITEM_A, None, MAIN, f"(00){sscc}", None]])))
	assert [(p.row, p.column) for p in problems] == [(2, "serial_no")]
	assert "carton's SSCC, not an SN code" in problems[0].reason


def test_carton_problems_are_reported_at_their_rows(upload):
	items(ITEM_A, ITEM_B)
	stock(ITEM_A, MAIN, 5)
	stock(ITEM_B, MAIN, 5)
	tag = uuid.uuid4().hex[:6].upper()
	f.receive([f"EX{tag}"], item=ITEM_A, warehouse=MAIN)
	frappe.get_doc({"doctype": "Serial Carton", "carton_code": f"OLD{tag}", "item_code": ITEM_A}).insert()
	rows = [
		[ITEM_A, None, MAIN, f"C{tag}-1", f"MIX{tag}"],  # 2
		[ITEM_B, None, MAIN, f"C{tag}-2", f"MIX{tag}"],  # 3: another item in the carton
		[ITEM_A, None, MAIN, f"C{tag}-3", f"EX{tag}"],  # 4: a carton code that is an SN code
		[ITEM_A, None, MAIN, f"C{tag}-4", f"C{tag}-5"],  # 5: a carton code that is an SN code of row 6
		[ITEM_A, None, MAIN, f"C{tag}-5", None],  # 6
		[ITEM_A, None, MAIN, f"OLD{tag}", None],  # 7: an SN code that is a carton code
	]
	problems = refused(upload(sheet(rows)))
	found = by_row(problems)
	assert set(found) == {(3, "carton"), (4, "carton"), (5, "carton"), (7, "serial_no")}
	assert (
		f"carton MIX{tag} holds item {ITEM_A} (row 2); a carton holds one item" == found[(3, "carton")].reason
	)
	assert f"EX{tag}" in found[(4, "carton")].reason
	assert f"C{tag}-5 is also an SN code in row 6" in found[(5, "carton")].reason
	assert f"OLD{tag}" in found[(7, "serial_no")].reason


# Hostile files (tests/hostile/corpus.py): each refused at once, by the import and by the SN dialog


def receipt_row() -> tuple[str, str]:
	"""An unsaved receipt of ITEM_A at the main warehouse as Desk holds it, and its row's name."""
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"company": f.COMPANY,
			"supplier": f.SUPPLIER,
			"items": [{"item_code": ITEM_A, "qty": 1, "rate": 100, "warehouse": MAIN, "name": "new-row-1"}],
		}
	).as_dict()
	doc["__islocal"] = 1
	return json.dumps(doc, default=str), "new-row-1"


def read_for_row(file_url):
	doc, row = receipt_row()
	return api.read_import(file_url, doc, row)


HOSTILE = {
	"far-row": r"has more than 1,000,000 rows \(it has a row 900,000,000\); split it into files",
	"shared-strings-bomb": r"holds a part \(xl/sharedStrings.xml\) that unpacks to [\d,]+ times its packed size",
	"sheet-bomb": r"holds a part \(xl/worksheets/sheet1.xml\) that unpacks to [\d,]+ times its packed size",
	"lying-size": "could not be read as an xlsx file",
	"lying-size-crc": "could not be read as an xlsx file",
	"wide-row": "holds more than 100,000 XML elements in one row or one text; no spreadsheet does",
	"wide-string": "holds more than 100,000 XML elements in one row or one text; no spreadsheet does",
	"many-parts": "holds 5,006 parts; an xlsx file to import may hold at most 1,000",
	"entity-bomb": "could not be read as an xlsx file",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_at_once_storing_nothing(upload, name):
	items(ITEM_A)
	url = upload(corpus.HOSTILE_XLSX[name]())
	file_refused(url, HOSTILE[name])
	# the SN dialog's reading: a row of a document takes at most 1,000 codes
	expected = HOSTILE[name].replace(
		"1,000,000 rows \\(it has a row 900,000,000\\); split it into files",
		"1,000 rows \\(it has a row 900,000,000\\); a row of a document takes at most 1,000 SN codes",
	)
	file_refused(url, expected, call=read_for_row)


def test_a_row_numbered_far_away_costs_what_the_next_row_costs(write):
	"""The rows are read as the sheet numbers them: the 899,999,997 numbers skipped are never rows."""
	path = write(corpus.far_row())
	with (
		open(path, "rb") as handle,
		xlsx_import._Archive(handle, "far.xlsx", time.monotonic() + 5, 5) as archive,
	):
		sheet_part, strings_part, book = xlsx_import._open_workbook(archive)
		rows = xlsx_import._SheetRows(archive, sheet_part, strings_part, book)
		try:
			read = [number for number, _values in rows]
		finally:
			rows.close()
	assert read == [1, 2, 900_000_000]


def test_zip_parts_are_counted_before_zipfile_reads_their_directory(upload, monkeypatch):
	url = upload(corpus.many_parts())

	def never(*args, **kwargs):
		raise AssertionError("the zip's directory was read")

	monkeypatch.setattr(xlsx_import, "_Archive", never)
	file_refused(url, "holds 5,006 parts")
	monkeypatch.undo()
	# an end record stating 5 parts: zipfile reads the directory (a few hundred KB), then the count
	content = bytearray(corpus.many_parts())
	end = content.rfind(b"PK\x05\x06")
	content[end + 8 : end + 12] = (5).to_bytes(2, "little") * 2
	stating_five = upload(bytes(content))
	file_refused(stating_five, "holds 5,006 parts")
	# and its directory (330 KB) past a smaller bound is refused before zipfile reads it
	monkeypatch.setattr(xlsx_import, "MAX_DIRECTORY", 100_000)
	monkeypatch.setattr(xlsx_import, "_Archive", never)
	file_refused(stating_five, "lists its parts in 3.. KB; an xlsx file to import may take at most 97 KB")


def with_part(content: bytes, part: str, data: bytes) -> bytes:
	"""The xlsx with one part's data replaced or added."""
	source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
	with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
		for info in source.infolist():
			if info.filename != part:
				target.writestr(info, source.read(info.filename))
		target.writestr(part, data)
	return out.getvalue()


def test_what_a_file_unpacks_to_is_bounded_in_all_and_part_by_part(upload, monkeypatch):
	items(ITEM_A)
	content = sheet([[ITEM_A, None, MAIN, "CAP-1", None]])
	# 3 MB that pack no smaller (a picture, say): not read, yet counted
	monkeypatch.setattr(xlsx_import, "MAX_UNPACKED", 2 * 1024 * 1024)
	padded = with_part(content, "xl/media/image1.bin", secrets.token_bytes(3 * 1024 * 1024))
	file_refused(upload(padded), "unpacks to 4 MB; an import file may unpack to at most 2 MB: split it")
	monkeypatch.setattr(xlsx_import, "MAX_UNPACKED", 1024 * 1024 * 1024)
	# a part read whole (the styles) past MAX_PART, though it packs like any part
	monkeypatch.setattr(xlsx_import, "MAX_PART", 1024 * 1024)
	styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml")
	big = styles.replace(b"</styleSheet>", f"<!-- {secrets.token_hex(1024 * 1024)} --></styleSheet>".encode())
	file_refused(
		upload(with_part(content, "xl/styles.xml", big)),
		r"holds a part \(xl/styles.xml\) of more than 1 MB; a spreadsheet's is far smaller",
	)
	# and the same file read with the usual limit is imported as any
	monkeypatch.setattr(xlsx_import, "MAX_PART", 16 * 1024 * 1024)
	stock(ITEM_A, MAIN, 1)
	assert api.import_serials(upload(with_part(content, "xl/styles.xml", big))) == {"registered": 1}


def test_a_part_declaring_less_than_it_inflates_to_is_read_no_further_than_it_declares(write):
	content = corpus.lying_size_crc()
	book = zipfile.ZipFile(io.BytesIO(content))
	assert book.getinfo("xl/worksheets/sheet1.xml").file_size == 4096
	with book.open("xl/worksheets/sheet1.xml") as part:
		assert len(part.read()) == 4096  # of about 30 MB its data inflates to
	with pytest.raises(frappe.ValidationError, match="could not be read as an xlsx file"):
		xlsx_import.read_file(write(content), "lying.xlsx")


def test_a_reading_past_its_deadline_is_stopped(upload, monkeypatch):
	"""A million rows with nothing in columns A to E (each a cell further right): no data row, so
	the request's reading would go on to the end; it stops at its deadline."""
	rows = (
		"".join(
			f'<row r="{n}"><c r="F{n}" t="inlineStr"><is><t>{n}</t></is></c></row>'
			for n in range(s, s + 20_000)
		)
		for s in range(2, 1_000_002, 20_000)
	)
	url = upload(
		corpus.xlsx_file([corpus._SHEET_START + corpus.xlsx_row(1, HEADER), *rows, corpus._SHEET_END])
	)
	monkeypatch.setattr(xlsx_import, "READ_SECONDS", 0.3)
	message = file_refused(url, r"took more than 0.3 seconds and was stopped: split it into smaller files")
	assert "Reading " in message


def test_the_request_reads_no_further_than_what_it_imports_and_the_job_reads_the_rest(upload, monkeypatch):
	items(ITEM_A)
	stock(ITEM_A, MAIN, 30)
	monkeypatch.setattr(xlsx_import, "IN_REQUEST", 10)
	queued = []
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: queued.append(kwargs))
	tag = uuid.uuid4().hex[:6].upper()
	good = [corpus.xlsx_row(n, (ITEM_A, None, MAIN, f"RQ{tag}-{n}")) for n in range(2, 22)]
	far = corpus.xlsx_row(900_000_000, (ITEM_A, None, MAIN, f"RQ{tag}-FAR"))
	url = upload(corpus.xlsx_file(_sheet_of(*good, far)))
	before = stored()
	# the request reads 11 data rows (never the far one) and hands the file to a job; it states no size
	answer = api.import_serials(url)
	assert answer["rows"] is None and answer["job"].endswith(queued[0]["job_id"])
	assert stored() == before
	# the job reads every row, and refuses the file: nothing stored
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	owner = frappe.session.user
	assert xlsx_import.import_in_background(url, owner) == 0
	assert stored() == before
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "failed; nothing was stored" in note.subject
	assert "has more than 1,000,000 rows (it has a row 900,000,000)" in note.subject
	# a sheet that states its rows (as Excel and the template do) has them said in the answer
	stated = upload(sheet([[ITEM_A, None, MAIN, f"RS{tag}-{n}", None] for n in range(25)]))
	assert api.import_serials(stated)["rows"] == 25


def test_the_sn_dialog_refuses_a_file_of_more_rows_than_a_row_takes(upload, settings):
	items(ITEM_A)
	settings(max_per_operation=3)
	tag = uuid.uuid4().hex[:6].upper()
	three = upload(sheet([[ITEM_A, None, MAIN, f"DL{tag}-{n}", None] for n in range(3)]))
	assert read_for_row(three)["codes"] == [f"DL{tag}-{n}" for n in range(3)]
	four = upload(sheet([[ITEM_A, None, MAIN, f"DL{tag}-{n}", None] for n in range(4)]))
	file_refused(
		four,
		r"has more than 3 rows \(it has a row 5\); a row of a document takes at most 3 SN codes",
		call=read_for_row,
	)


def test_a_job_whose_transaction_the_database_rolled_back_still_tells_the_user(upload, monkeypatch):
	"""A deadlock with a receipt of the same code makes the database roll the job's whole
	transaction back (its savepoint with it): the job still ends in a notification, not a raw error."""
	items(ITEM_A)

	def deadlocked(*args, **kwargs):
		frappe.db.sql("rollback")  # what the server does to the loser of a deadlock
		raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")

	url = upload(sheet([[ITEM_A, None, MAIN, "RVD-0001", None]]))
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	monkeypatch.setattr(xlsx_import, "register", deadlocked)
	owner = frappe.session.user
	assert xlsx_import.import_in_background(url, owner) == 0
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "failed; nothing was stored" in note.subject
