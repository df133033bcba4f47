"""Walls over real HTTP: the links ERPNext marks ``ignore_user_permissions`` that the live check
reads (a row's units leave from there) are checked against the user's User Permissions, those it
does not read are not; a user of one customer or supplier reads no log row, in a list or Desk's
report view, of another's (tests/hostile/corpus.py has the tables)."""

import json
import secrets

import pytest

from tests.hostile import corpus
from tests.integration import factory
from tests.rest.conftest import URL, _token_user, message, refusal

MAIN, SHOP, PHONE = factory.MAIN, factory.SHOP, factory.PHONE
LOG = "Serial Circulation Log"
SEARCH = "frappe.desk.search.search_widget"


@pytest.fixture(scope="module")
def walled(site):
	"""A Stock User who also makes invoices (Accounts User), allowed only the shop."""
	frappe = site
	client = _token_user(
		frappe, "st-rest-walled@example.com", ["Stock User", "Accounts User"], [("Warehouse", SHOP)]
	)
	yield client
	frappe.db.delete("User Permission", {"user": client.name})
	frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


def _unsaved(doctype: str, is_return: bool, row: dict | None = None, parent: dict | None = None):
	"""A new document of one phone row at the shop as Desk holds it, and its row's name; ``row`` and
	``parent``: more values of the row and of the document."""
	slug = doctype.lower().replace(" ", "-")
	buying = doctype in ("Purchase Receipt", "Purchase Invoice")
	qty = -1 if is_return else 1
	name = f"new-{slug}-item-1"
	doc = {
		"doctype": doctype,
		"name": f"new-{slug}-1",
		"__islocal": 1,
		"docstatus": 0,
		"company": factory.COMPANY,
		"set_posting_time": 0,
		"is_return": int(is_return),
		"update_stock": 1,
		("supplier" if buying else "customer"): factory.SUPPLIER if buying else factory.CUSTOMER,
		**(parent or {}),
		"items": [
			{
				"doctype": f"{doctype} Item",
				"name": name,
				"__islocal": 1,
				"idx": 1,
				"item_code": PHONE,
				"qty": qty,
				"stock_qty": qty,
				"uom": "Nos",
				"stock_uom": "Nos",
				"conversion_factor": 1,
				"rate": 100,
				"warehouse": SHOP,
				**(row or {}),
			}
		],
	}
	return doc, name


@pytest.mark.parametrize(
	"doctype, field, is_return, read",
	corpus.IGNORED_LINKS,
	ids=[f"{d}-{f}-{'return' if r else 'forward'}" for d, f, r, _read in corpus.IGNORED_LINKS],
)
def test_a_link_that_ignores_user_permissions_is_checked_when_the_check_reads_it(
	walled, stock, doctype, field, is_return, read
):
	"""The shop's user asks about codes held at the main warehouse on a row of the shop whose other
	warehouse is the main one: refused when the units would leave from there (the answers would say
	which codes it holds), answered without naming it when they would go there."""
	doc, row = _unsaved(doctype, is_return, row={field: MAIN})
	response = walled.post("serial_tracking.api.check_row", doc=doc, row=row, text=stock["main"][0])
	if read:
		assert response.status_code == 403, response.text[:500]
		assert "leave from warehouse" in refusal(response)
	else:
		answer = message(response)
		assert MAIN not in json.dumps(answer)
		[code] = answer["codes"]
		assert not code["ok"] and "another warehouse" in code["reason"]


@pytest.mark.parametrize(
	"doctype, field", corpus.IGNORED_UNREAD, ids=[f"{d}-{f}" for d, f in corpus.IGNORED_UNREAD]
)
def test_a_link_that_ignores_user_permissions_and_is_never_read_is_not_refused(walled, stock, doctype, field):
	doc, row = _unsaved(doctype, False, parent={field: MAIN})
	answer = message(walled.post("serial_tracking.api.check_row", doc=doc, row=row, text=stock["shop"][0]))
	assert MAIN not in json.dumps(answer)


@pytest.fixture(scope="module")
def parties(site):
	"""Codes bought from the second supplier at the shop, one of them sold to the second customer."""
	frappe = site
	codes = factory.codes(f"RW{secrets.token_hex(3).upper()}-", 2)
	receipt = factory.purchase_receipt([(PHONE, 2, codes, SHOP)], supplier=factory.SUPPLIER2)
	sale = factory.delivery_note([(PHONE, 1, codes[:1], SHOP)], customer=factory.CUSTOMER2)
	frappe.db.commit()
	yield {
		"codes": codes,
		("Supplier", "Purchase Receipt"): receipt.name,
		("Customer", "Delivery Note"): sale.name,
	}
	for doc in (sale, receipt):
		doc.reload()
		if doc.docstatus == 1:
			doc.cancel()
	frappe.db.commit()


@pytest.mark.parametrize(
	"restricted, doctype, field", corpus.PARTY_WALLS, ids=[w[0] for w in corpus.PARTY_WALLS]
)
def test_a_user_of_one_party_reads_no_log_row_of_another(site, users, parties, restricted, doctype, field):
	frappe = site
	first = factory.CUSTOMER if restricted == "Customer" else factory.SUPPLIER
	client = _token_user(
		frappe, f"st-rest-{restricted.lower()}@example.com", ["Stock User"], [(restricted, first)]
	)
	try:
		other = parties[(restricted, doctype)]
		filters = json.dumps([["voucher_no", "=", other]])
		params = {"filters": filters, "fields": '["*"]'}
		view = {
			"doctype": LOG,
			"fields": json.dumps([f"`tab{LOG}`.`name`", f"`tab{LOG}`.`serial_no`", f"`tab{LOG}`.`party`"]),
			"filters": filters,
		}
		# a Stock Manager of no party reads them ...
		manager = users["manager"].session
		assert manager.get(f"{URL}/api/resource/{LOG}", params=params, timeout=120).json()["data"]
		assert manager.post(f"{URL}/api/method/frappe.desk.reportview.get", data=view, timeout=120).json()[
			"message"
		]["values"]
		# ... the user of one party, none of them
		listed = client.session.get(f"{URL}/api/resource/{LOG}", params=params, timeout=120)
		assert listed.ok and listed.json()["data"] == []
		shown = client.session.post(f"{URL}/api/method/frappe.desk.reportview.get", data=view, timeout=120)
		assert shown.ok and not (shown.json().get("message") or {}).get("values")
		assert not any(code in listed.text + shown.text for code in parties["codes"])
		row = frappe.db.get_value(LOG, {"voucher_no": other}, "name")
		assert client.session.get(f"{URL}/api/resource/{LOG}/{row}", timeout=120).status_code == 403
		# Frappe's link search asked to ignore User Permissions, with columns of the rows it finds
		search = {
			"doctype": LOG,
			"txt": row,
			"filter_fields": json.dumps(["serial_no", "party"]),
			"as_dict": 1,
			"ignore_user_permissions": 1,
		}
		assert [r["name"] for r in message(users["manager"].post(SEARCH, **search))] == [row]
		searched = client.post(SEARCH, **search)
		assert message(searched) == [] and not any(code in searched.text for code in parties["codes"])
	finally:
		frappe.db.delete("User Permission", {"user": client.name})
		frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
		frappe.db.commit()
