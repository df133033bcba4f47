"""Export of the search result: xlsx and csv read back cell by cell, the background job, refusals."""

import csv
import io
import os
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

import frappe
from frappe.utils import now_datetime, nowdate

from serial_tracking import api
from serial_tracking.constants import SERIAL
from serial_tracking.devtools.bench_find import insert_serials
from serial_tracking.exchange import export
from serial_tracking.finding import search
from tests.integration import factory as f
from tests.integration.factory import COMPANY, MAIN, SHOP, user_with

ITEM = "ST-EXPORT"
#: Codes a spreadsheet would change: zeros, a long number, formulas, markup.
TRICKY = ["000123", "12345678901234567890", "=1+1", "+A", "-B", "@C", "<b>x</b>"]


@pytest.fixture(autouse=True)
def no_files_left():
	"""The files exports write go with the test (their File rows roll back)."""
	yield
	for file in frappe.get_all("File", filters={"file_name": ("like", "sn-codes-%")}, fields=["name"]):
		path = frappe.get_doc("File", file.name).get_full_path()
		if os.path.exists(path):
			os.remove(path)


def tricky_serials():
	"""Serials with the tricky codes (inserted as they are, past the code rules), dated."""
	if not frappe.db.exists("Item", ITEM):
		f.make_item(ITEM)
	# the export shows the item's name as Item holds it (serials do not store it)
	frappe.db.set_value("Item", ITEM, "item_name", "=SUM(1) <i>")
	posted = datetime(2026, 3, 4, 10, 30, 15)
	frappe.db.bulk_insert(
		SERIAL,
		[
			"name",
			"serial_no",
			"item_code",
			"status",
			"warehouse",
			"company",
			"posted_at",
			"purchase_date",
			"supplier",
			"creation",
			"modified",
			"owner",
			"modified_by",
		],
		[
			(
				code,
				code,
				ITEM,
				"In Stock",
				MAIN,
				COMPANY,
				posted,
				date(2026, 3, 1),
				f.SUPPLIER,
				now_datetime(),
				now_datetime(),
				"Administrator",
				"Administrator",
			)
			for code in TRICKY
		],
	)
	return posted


def file_of(url):
	return frappe.get_doc("File", {"file_url": url})


def exports():
	return frappe.db.count("File", {"file_name": ("like", "sn-codes-%")})


@pytest.fixture
def german():
	frappe.local.lang = "de"
	yield
	frappe.local.lang = "en"


def test_xlsx_round_trip_keeps_every_code_as_text_and_dates_as_dates(german):
	posted = tricky_serials()
	answer = api.export_serials(filters={"item_code": ITEM}, format="xlsx")
	file = file_of(answer["file_url"])
	assert file.is_private and file.file_name.endswith(".xlsx")
	sheet = load_workbook(io.BytesIO(file.get_content())).active
	rows = list(sheet.iter_rows())
	header = [c.value for c in rows[0]]
	assert header[:3] == ["SN-Code", "Artikel", "Artikelname"]
	assert header == [c["label"] for c in search.columns()]
	assert "Lager" in header and "Kaufdatum" in header
	codes = search.codes({"item_code": ITEM}, limit=100)
	assert len(rows) == 1 + len(TRICKY) and sorted(codes) == sorted(TRICKY)
	column = {name: i for i, name in enumerate(c["fieldname"] for c in search.columns())}
	for row, code in zip(rows[1:], codes, strict=True):
		cell = row[column["serial_no"]]
		assert (cell.value, cell.data_type, cell.number_format) == (code, "s", "@")
		assert isinstance(cell.value, str)
		assert row[column["item_code"]].value == ITEM
		assert row[column["item_name"]].value == "=SUM(1) <i>"
		assert row[column["status"]].value == "In Stock"
		assert row[column["warehouse"]].value == MAIN
		assert row[column["purchase_date"]].is_date
		assert row[column["purchase_date"]].value == datetime(2026, 3, 1)
		assert row[column["posted_at"]].is_date and row[column["posted_at"]].value == posted
		assert (
			row[column["days_since_movement"]].value == (date.fromisoformat(nowdate()) - posted.date()).days
		)
		assert row[column["customer"]].value is None
	assert not [c for r in rows for c in r if c.data_type == "f"]


def test_csv_round_trip_keeps_values_exactly():
	tricky_serials()
	answer = api.export_serials(filters={"item_code": ITEM}, format="CSV")
	file = file_of(answer["file_url"])
	assert file.is_private and file.file_name.endswith(".csv")
	text = file.get_content()
	text = text.decode("utf-8") if isinstance(text, bytes) else text
	rows = list(csv.reader(io.StringIO(text)))
	fields = [c["fieldname"] for c in search.columns()]
	assert rows[0] == [c["label"] for c in search.columns()]
	read = [dict(zip(fields, r, strict=True)) for r in rows[1:]]
	assert sorted(r["serial_no"] for r in read) == sorted(TRICKY)
	assert {r["purchase_date"] for r in read} == {"2026-03-01"}
	assert {r["posted_at"] for r in read} == {"2026-03-04 10:30:15"}
	assert {r["customer"] for r in read} == {""}
	assert {r["item_name"] for r in read} == {"=SUM(1) <i>"}


def test_many_rows_go_to_a_job_that_ends_in_a_private_file_and_a_notification(monkeypatch):
	monkeypatch.setattr(export, "IN_REQUEST", 5)
	made = insert_serials(8, "SRE", warehouses=(MAIN,), company=COMPANY)
	owner = user_with(["Stock User"])
	other, admin = user_with(["Stock User", "Stock Manager"]), user_with(["System Manager"])
	queued = []
	enqueue = frappe.enqueue

	def spy(method, **kwargs):
		queued.append((method, kwargs))
		return enqueue(method, **kwargs)

	monkeypatch.setattr(frappe, "enqueue", spy)
	frappe.set_user(owner)
	answer = api.export_serials(filters={"serial_no": "SRE*"})
	assert set(answer) == {"job", "count"} and answer["count"] == 8
	assert answer["job"] == f"{frappe.local.site}::{queued[0][1]['job_id']}"
	method, kwargs = queued[0]
	assert method is export.export_in_background
	assert kwargs["queue"] == "long" and kwargs["enqueue_after_commit"]
	assert exports() == 0

	# the job, run here as the worker would run it (it commits its own transaction)
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	frappe.set_user("Administrator")
	url = export.export_in_background(kwargs["filters"], kwargs["fmt"], kwargs["user"])
	file = file_of(url)
	assert (file.owner, file.is_private, file.attached_to_doctype, file.attached_to_name) == (
		owner,
		1,
		"User",
		owner,
	)
	sheet = load_workbook(io.BytesIO(file.get_content())).active
	assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == made
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert note.link == url and note.document_type == "File" and note.document_name == file.name
	assert "8" in note.subject

	# only the user who asked, and a System Manager, may download it
	frappe.set_user(owner)
	assert file_of(url).is_downloadable()
	frappe.set_user(other)
	assert not file_of(url).is_downloadable()
	frappe.set_user(admin)
	assert file_of(url).is_downloadable()


def test_a_job_that_cannot_write_its_file_tells_the_user_why(monkeypatch):
	"""Past the site's largest file (25 MB unless set: about 170,000 rows of csv), the job must not
	end in silence: the user who asked gets a notification naming the reason, and no file."""
	insert_serials(50, "SREX", warehouses=(MAIN,), company=COMPANY)
	owner = user_with(["Stock User"])
	monkeypatch.setitem(frappe.conf, "max_file_size", 2000)
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	assert export.export_in_background({"serial_no": "SREX*"}, "csv", owner) is None
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "Your export of 50 serials failed" in note.subject
	assert "File size exceeded the maximum allowed size" in note.subject
	assert not note.link and not note.document_name
	assert exports() == 0


def test_an_export_has_only_what_the_user_may_read(restricted):
	here = insert_serials(2, "SREM", warehouses=(MAIN,), company=COMPANY)
	insert_serials(2, "SRES", warehouses=(SHOP,), company=COMPANY)
	frappe.set_user(restricted("export-main", "Warehouse", MAIN))
	answer = api.export_serials(filters={"serial_no": "SRE*"}, format="csv")
	content = file_of(answer["file_url"]).get_content()
	content = content.decode() if isinstance(content, bytes) else content
	assert [r[0] for r in csv.reader(io.StringIO(content))][1:] == here


@pytest.mark.parametrize("fmt", ["pdf", "xls", "", None])
def test_unknown_format_is_refused_and_no_file_is_written(fmt):
	insert_serials(1, "SREF", warehouses=(MAIN,), company=COMPANY)
	if fmt in ("", None):  # the default
		assert api.export_serials(filters={"serial_no": "SREF*"}, format=fmt)["file_url"]
		return
	with pytest.raises(frappe.ValidationError, match=f"Unknown export format '{fmt}'; use one of: xlsx, csv"):
		api.export_serials(filters={"serial_no": "SREF*"}, format=fmt)
	assert exports() == 0


@pytest.mark.parametrize(
	"filters, message",
	[
		({"serial_no": "NOTHING-HERE*"}, "No serial matches these filters"),
		({"colour": "red"}, "Unknown filter 'colour'"),
	],
)
def test_nothing_to_export_or_bad_filters_write_no_file(filters, message):
	with pytest.raises(frappe.ValidationError, match=message):
		api.export_serials(filters=filters)
	assert exports() == 0


def test_guests_and_users_without_stock_roles_cannot_export():
	outsider = user_with(["Accounts User"])
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(api.export_serials)
	with pytest.raises(frappe.PermissionError):
		api.export_serials()
	frappe.set_user(outsider)
	with pytest.raises(frappe.PermissionError):
		api.export_serials()
	assert exports() == 0
