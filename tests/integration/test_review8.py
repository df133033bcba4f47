"""Holes found reviewing the scanner-speed entry of SN codes (check_row, read_scan, read_import,
cartons, the import): each test guards one of them."""

import json

import pytest

import frappe

from serial_tracking import api
from serial_tracking.exchange import importing
from tests.integration import factory as f
from tests.integration.desk import row, unsaved
from tests.integration.factory import (
	MAIN,
	PHONE,
	SHOP,
	codes,
	hand_carton,
	other_company,
	received_in_cartons,
)
from tests.integration.test_import import ITEM_A, items, no_files_left, sheet, upload  # noqa: F401


def _as_desk(doc: dict) -> str:
	return json.dumps(doc)


@pytest.mark.parametrize("method", ["check_row", "read_scan"])
def test_a_warehouse_of_a_company_the_user_may_not_read_is_refused(method, restricted):
	"""A user restricted to one company may not learn, through a document of that company whose row
	names another company's warehouse, which SN codes are in stock there (a list of warehouses
	hides it; ERPNext would refuse to save such a document)."""
	sn = codes("RVC", 1)
	f.receive(sn)
	company = other_company()
	frappe.set_user(restricted("rvc", "Company", company))
	doc = unsaved("Delivery Note", [row(PHONE, 1, MAIN)], company=company)
	name = doc["items"][0]["name"]
	with pytest.raises(frappe.PermissionError, match=MAIN):
		if method == "check_row":
			api.check_row(_as_desk(doc), name, sn[0])
		else:
			api.read_scan(_as_desk(doc), name, sn[0])


@pytest.mark.parametrize(
	"change",
	[
		{"docstatus": "x"},
		{"docstatus": {"a": 1}},
		{"items": "abc"},
		{"items": [1]},
		{"items": {"a": 1}},
	],
	ids=["docstatus-text", "docstatus-object", "items-text", "items-number", "items-object"],
)
def test_a_document_of_the_wrong_shape_is_a_clear_refusal(change):
	"""Whatever the request sends as the document, the answer is a 4xx naming it, never a raw error."""
	doc = {**unsaved("Delivery Note", [row(PHONE, 1)]), **change}
	with pytest.raises((frappe.ValidationError, frappe.PermissionError, frappe.DoesNotExistError)):
		api.check_row(_as_desk(doc), "new-delivery-note-item-1", "A1")


def test_a_carton_by_hand_may_not_pack_serials_the_user_may_not_read(restricted):
	"""A Stock Manager of the shop may not pack units held at the main warehouse (nor learn their item)."""
	at_main = codes("RVH", 1)
	f.receive(at_main)
	frappe.set_user(restricted("rvh", "Warehouse", SHOP, roles=("Stock User", "Stock Manager")))
	with pytest.raises(frappe.ValidationError, match="RVH0001 is not a known SN code"):
		hand_carton("RV-HAND", at_main[0])
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Serial Number", at_main[0], "carton") is None


def test_a_unit_received_again_in_another_carton_leaves_its_old_cartons_count():
	"""A unit sold and received again in a new carton leaves the old one: its count says so."""
	unit = codes("RVR", 2)
	received_in_cartons({"RV-OLD": unit})
	f.delivery_note([(PHONE, 1, unit[:1], MAIN)])
	received_in_cartons({"RV-NEW": unit[:1]})
	assert frappe.db.get_value("Serial Number", unit[0], "carton") == "RV-NEW"
	assert frappe.db.get_value("Serial Carton", "RV-OLD", "serial_count") == 1
	assert frappe.db.get_value("Serial Carton", "RV-NEW", "serial_count") == 1


def test_a_job_whose_transaction_the_database_rolled_back_still_tells_the_user(upload, monkeypatch):  # noqa: F811
	"""A deadlock with a receipt of the same code makes the database roll the job's whole
	transaction back (its savepoint with it): the job still ends in a notification, not a raw error."""
	items(ITEM_A)

	def deadlocked(*args, **kwargs):
		frappe.db.sql("rollback")  # what the server does to the loser of a deadlock
		raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")

	url = upload(sheet([[ITEM_A, None, MAIN, "RVD-0001", None]]))
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	monkeypatch.setattr(importing, "register", deadlocked)
	owner = frappe.session.user
	assert importing.import_in_background(url, owner) == 0
	note = frappe.get_last_doc("Notification Log", filters={"for_user": owner})
	assert "failed; nothing was stored" in note.subject
