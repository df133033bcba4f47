"""Search, trace, export and code correction over real HTTP with token authentication."""

import io
import secrets

import pytest

from tests.integration import factory
from tests.rest.conftest import message, refusal

pytestmark = pytest.mark.usefixtures("stock")


def _prefix(stock) -> str:
	return stock["main"][0].split("-M")[0] + "*"


@pytest.mark.parametrize(
	"method,args",
	[
		("serial_tracking.api.search_serials", {}),
		("serial_tracking.api.export_serials", {}),
		("serial_tracking.api.trace", {"serial_no": "X"}),
		("serial_tracking.api.correct_code", {"serial_no": "X", "new_code": "Y"}),
	],
	ids=lambda v: v if isinstance(v, str) else "",
)
def test_guest_and_users_without_a_stock_role_get_nothing(users, method, args):
	for caller in ("guest", "outsider"):
		response = users[caller].post(method, **args)
		assert response.status_code == 403, f"{caller}: {response.status_code} {response.text[:300]}"
		assert "message" not in response.json()


def test_search_shows_a_stock_user_only_the_warehouse_they_may_read(users, stock):
	filters = {"serial_no": _prefix(stock)}
	mine = message(users["clerk"].post("serial_tracking.api.search_serials", filters=filters))
	assert sorted(r["serial_no"] for r in mine["rows"]) == sorted(stock["shop"])
	assert mine["total"] == len(stock["shop"])
	assert mine["status_counts"] == {"In Stock": len(stock["shop"])}

	every = message(users["manager"].post("serial_tracking.api.search_serials", filters=filters))
	assert sorted(r["serial_no"] for r in every["rows"]) == sorted(stock["main"] + stock["shop"])


def test_search_refuses_an_unknown_filter_naming_it(users):
	response = users["manager"].post("serial_tracking.api.search_serials", filters={"colour": "red"})
	assert response.status_code == 417, response.text[:500]
	assert "colour" in refusal(response)


def test_trace_of_a_serial_the_user_may_not_read_is_refused(users, stock):
	response = users["clerk"].post("serial_tracking.api.trace", serial_no=stock["main"][0])
	assert response.status_code == 403, response.text[:500]
	assert not response.json().get("message")

	traced = message(users["clerk"].post("serial_tracking.api.trace", serial_no=stock["shop"][0]))
	assert traced["kind"] == "serial"
	movements = [m for life in traced["lives"] for m in life["movements"]]
	assert [m["voucher_no"] for m in movements] == [stock["receipts"][1][1]]


def test_trace_of_a_document_lists_its_serials(users, stock):
	doctype, name = stock["receipts"][0]
	traced = message(
		users["manager"].post("serial_tracking.api.trace", voucher_type=doctype, voucher_no=name)
	)
	assert traced["kind"] == "document"
	assert sorted(s["serial_no"] for s in traced["serials"]) == sorted(stock["main"])
	# a receipt into a warehouse the clerk may not read: not theirs to open, nor to trace
	response = users["clerk"].post("serial_tracking.api.trace", voucher_type=doctype, voucher_no=name)
	assert response.status_code == 403, response.text[:500]
	assert name in refusal(response)


def test_an_export_is_a_private_file_only_its_maker_downloads(users, stock):
	from openpyxl import load_workbook

	made = message(
		users["manager"].post("serial_tracking.api.export_serials", filters={"serial_no": _prefix(stock)})
	)
	url = made["file_url"]
	assert url.startswith("/private/files/")
	download = users["manager"].download(url)
	assert download.status_code == 200
	sheet = load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0]
	codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
	assert sorted(codes) == sorted(stock["main"] + stock["shop"])
	for caller in ("clerk", "guest"):
		assert users[caller].download(url).status_code in (401, 403), caller

	response = users["manager"].post("serial_tracking.api.export_serials", format="pdf")
	assert response.status_code == 417
	assert "pdf" in refusal(response)


@pytest.fixture
def one_serial(site):
	"""A serial received at the shop for this test alone; cancelled afterwards."""
	frappe = site
	code = f"RESTFIX{secrets.token_hex(3).upper()}"
	receipt = factory.stock_entry("Material Receipt", [(factory.PHONE, 1, [code], None, factory.SHOP)])
	frappe.db.commit()
	yield code
	receipt.reload()
	receipt.cancel()
	frappe.db.commit()


def test_only_a_manager_corrects_a_code(users, one_serial):
	new_code = one_serial.replace("RESTFIX", "RESTOK")
	response = users["clerk"].post(
		"serial_tracking.api.correct_code", serial_no=one_serial, new_code=new_code
	)
	assert response.status_code == 403, response.text[:500]

	response = users["manager"].post(
		"serial_tracking.api.correct_code", serial_no=one_serial, new_code="bad code"
	)
	assert response.status_code == 417, response.text[:500]
	assert "bad code" in refusal(response)

	renamed = message(
		users["manager"].post("serial_tracking.api.correct_code", serial_no=one_serial, new_code=new_code)
	)
	assert renamed == {"serial_no": new_code}
	history = message(users["clerk"].post("serial_tracking.api.history", serial_no=one_serial))
	assert history and all(row.get("serial_no", new_code) == new_code for row in history)
	found = message(
		users["clerk"].post("serial_tracking.api.search_serials", filters={"serial_no": one_serial})
	)
	assert [r["serial_no"] for r in found["rows"]] == [new_code]


def test_labels_are_a_private_pdf_of_exactly_the_codes_asked_for(users, stock):
	import subprocess
	import tempfile

	made = message(
		users["manager"].post("serial_tracking.api.print_labels", codes=stock["main"], layout="A4 3 x 8")
	)
	download = users["manager"].download(made["file_url"])
	assert download.status_code == 200
	assert download.content.startswith(b"%PDF")
	with tempfile.TemporaryDirectory() as folder:
		with open(f"{folder}/labels.pdf", "wb") as file:
			file.write(download.content)
		subprocess.run(
			["pdftoppm", "-r", "300", "-png", f"{folder}/labels.pdf", f"{folder}/page"], check=True
		)
		decoded = subprocess.run(
			f"zbarimg --raw -q {folder}/page*.png", shell=True, capture_output=True, text=True
		).stdout.split()
	assert sorted(decoded) == sorted(stock["main"])
	for caller in ("clerk", "guest"):
		assert users[caller].download(made["file_url"]).status_code in (401, 403), caller

	zpl = message(users["clerk"].post("serial_tracking.api.print_labels", codes=stock["shop"], format="zpl"))
	text = users["clerk"].download(zpl["file_url"]).text
	assert text.count("^XA") == len(stock["shop"]) == text.count("^XZ")


def test_labels_refuse_what_the_user_may_not_read_or_does_not_exist(users, stock):
	response = users["clerk"].post("serial_tracking.api.print_labels", codes=stock["main"][:1])
	assert 400 <= response.status_code < 500, response.text[:500]
	assert stock["main"][0] in refusal(response)
	for args, named in (
		({"codes": ["NO-SUCH-SERIAL-1"]}, "NO-SUCH-SERIAL-1"),
		({"codes": stock["shop"], "layout": "No Such Layout"}, "No Such Layout"),
		({"codes": stock["shop"], "format": "png"}, "png"),
		({}, "codes"),
	):
		response = users["manager"].post("serial_tracking.api.print_labels", **args)
		assert 400 <= response.status_code < 500, f"{args}: {response.text[:500]}"
		assert named in refusal(response), args
	for caller in ("guest", "outsider"):
		assert users[caller].post("serial_tracking.api.print_labels", codes=stock["shop"]).status_code == 403
