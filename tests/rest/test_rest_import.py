"""The xlsx import over real HTTP with token authentication: the template download, a file uploaded
with /api/method/upload_file and imported, and a refusal as a 4xx listing its rows."""

import io
import json
import secrets
import time

import pytest
from openpyxl import Workbook, load_workbook

from tests.hostile import corpus
from tests.integration import factory
from tests.rest.conftest import message, refusal

HEADER = ["Item code (SKU)", "Item name", "Warehouse (location)", "SN code", "Carton (optional)"]


def xlsx(rows) -> bytes:
	book = Workbook()
	book.active.append(HEADER)
	for row in rows:
		book.active.append(row)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def uploaded(client, content: bytes) -> str:
	response = client.session.post(
		f"{client_url()}/api/method/upload_file",
		files={"file": (f"sn-{secrets.token_hex(4)}.xlsx", content)},
		data={"is_private": 1},
		timeout=120,
	)
	return message(response)["file_url"]


def client_url() -> str:
	from tests.rest.conftest import URL

	return URL


@pytest.fixture
def room(site):
	"""Two units of the phone at the shop without SN codes; what the test registers is deleted after."""
	frappe = site
	entry = factory.stock_entry("Material Receipt", [(factory.PHONE, 2, None, None, factory.SHOP)])
	frappe.db.commit()
	made = []
	yield made
	for code in made:
		if frappe.db.exists("Serial Number", code):
			frappe.delete_doc("Serial Number", code, ignore_permissions=True, force=True)
	entry.reload()
	entry.cancel()
	frappe.db.commit()


def test_guest_and_users_without_a_stock_role_get_no_template_and_import_nothing(users):
	for caller in ("guest", "outsider"):
		response = users[caller].get("serial_tracking.api.import_template")
		assert response.status_code == 403, f"{caller}: {response.status_code}"
		response = users[caller].post("serial_tracking.api.import_serials", file_url="/private/files/x.xlsx")
		assert response.status_code == 403, f"{caller}: {response.status_code}"


def test_the_template_downloads_as_xlsx(users):
	response = users["clerk"].get("serial_tracking.api.import_template")
	assert response.status_code == 200, response.text[:300]
	assert ".xlsx" in response.headers["Content-Disposition"]
	sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
	assert [c.value for c in sheet[1]] == HEADER


def test_an_uploaded_file_is_imported_and_a_bad_one_refused_with_its_rows(site, users, room):
	manager = users["manager"]
	codes = [f"RESTIMP{secrets.token_hex(3).upper()}-{n}" for n in (1, 2)]
	room.extend(codes)
	bad = uploaded(manager, xlsx([[factory.PHONE, None, factory.SHOP, "two codes", None]]))
	response = manager.post("serial_tracking.api.import_serials", file_url=bad)
	assert response.status_code == 417, response.text[:500]
	body = response.json()
	assert body["exc_type"] == "ImportRefused"
	table = json.loads(json.loads(body["_server_messages"])[0])["message"]
	assert table[0] == ["Row", "Column", "Value", "Reason"]
	assert table[1] == ["2", "SN code (D)", "two codes", "this cell holds 2 codes; enter one code per row"]

	good = uploaded(manager, xlsx([[factory.PHONE, None, factory.SHOP, code, None] for code in codes]))
	# A clerk who may not create serials imports nothing.
	assert users["clerk"].post("serial_tracking.api.import_serials", file_url=good).status_code == 403
	assert message(manager.post("serial_tracking.api.import_serials", file_url=good)) == {"registered": 2}
	site.db.rollback()
	assert {site.db.get_value("Serial Number", c, "warehouse") for c in codes} == {factory.SHOP}


def test_a_row_numbered_far_away_and_a_zip_bomb_are_refused_at_once_over_http(site, users):
	"""Files of tests/hostile/corpus.py: a 417 naming the file and the reason, in well under two
	seconds, and nothing stored."""
	manager = users["manager"]
	expected = {
		"far-row": "has more than 1,000,000 rows (it has a row 900,000,000); split it into files",
		"shared-strings-bomb": "holds a part (xl/sharedStrings.xml) that unpacks to",
	}
	for name, reason in expected.items():
		url = uploaded(manager, corpus.HOSTILE_XLSX[name]())
		site.db.rollback()
		before = site.db.count("Serial Number"), site.db.count("Serial Circulation Log")
		started = time.monotonic()
		response = manager.post("serial_tracking.api.import_serials", file_url=url)
		took = time.monotonic() - started
		assert response.status_code == 417, f"{name}: {response.status_code} {response.text[:300]}"
		assert reason in refusal(response), name
		assert took < 2, f"{name}: {took:.1f} s"
		site.db.rollback()
		assert (site.db.count("Serial Number"), site.db.count("Serial Circulation Log")) == before
