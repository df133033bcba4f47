"""check_row: what submit would say of one row's codes, asked on the unsaved document as Desk holds it."""

import json

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.desk import check, good, refused, row, unsaved
from tests.integration.factory import (
	LAPTOP,
	MAIN,
	PHONE,
	PLAIN,
	SHOP,
	TRANSIT,
	codes,
	other_company,
	user_with,
)


def test_good_codes_of_a_sale_and_the_counter():
	sn = codes("CKG", 3)
	f.receive(sn)
	result = check(unsaved("Delivery Note", [row(PHONE, 3)]), 1, " ".join(sn[:2]))
	assert good(result) == sn[:2] and not refused(result)
	assert (result["entered"], result["required"], result["sets_qty"]) == (2, 3, False)
	assert result["problems"] == ["Item ST-PHONE: 2 SN codes entered for a quantity of 3"]
	assert result["count_problem"] == result["problems"][0]
	assert [c["entry"] for c in result["codes"]] == [1, 2]
	full = check(unsaved("Delivery Note", [row(PHONE, 3)]), 1, "\n".join(sn))
	assert good(full) == sn and full["problems"] == [] and full["count_problem"] is None


def test_sold_names_the_delivery_note():
	sn = codes("CKS", 1)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn, MAIN)])
	result = check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, sn[0])
	assert refused(result) == {
		sn[0]: f"{sn[0]} is not in stock: it is Sold (last moved by Delivery Note {dn.name})"
	}


def test_wrong_item_wrong_warehouse_and_unknown():
	sn = codes("CKW", 2)
	f.receive(sn)
	f.purchase_receipt([(PHONE, 1, None, SHOP)])
	doc = unsaved("Delivery Note", [row(LAPTOP, 1), row(PHONE, 2, SHOP)])
	assert refused(check(doc, 1, sn[0])) == {sn[0]: f"{sn[0]} belongs to item {PHONE}, not {LAPTOP}"}
	assert refused(check(doc, 2, f"{sn[1]} CKW-NONE")) == {
		sn[1]: f"{sn[1]} is in stock at {MAIN}, not at {SHOP}",
		"CKW-NONE": "CKW-NONE is not a known SN code: it was never received or registered",
	}


def test_receiving_a_code_in_stock_and_the_quantity_following():
	sn = codes("CKR", 1)
	f.receive(sn)
	result = check(unsaved("Purchase Receipt", [row(PHONE, 1)]), 1, f"{sn[0]} CKR-NEW1 CKR-NEW2")
	assert refused(result) == {sn[0]: f"{sn[0]} is already in stock at {MAIN}"}
	assert good(result) == ["CKR-NEW1", "CKR-NEW2"]
	assert (result["entered"], result["required"], result["sets_qty"]) == (3, 1, True)
	assert result["count_problem"] == "Item ST-PHONE: 3 SN codes entered for a quantity of 1"


@pytest.mark.parametrize(
	"doctype, values, rows, sets_qty",
	[
		("Purchase Receipt", {}, [row(PHONE, 1)], True),
		("Purchase Receipt", {"is_return": 1}, [row(PHONE, -1)], False),
		("Delivery Note", {}, [row(PHONE, 1)], False),
		("Delivery Note", {"is_return": 1}, [row(PHONE, -1)], False),
		("Stock Entry", {"purpose": "Material Receipt"}, [row(PHONE, 1, t_warehouse=MAIN)], True),
		("Stock Entry", {"purpose": "Material Issue"}, [row(PHONE, 1, s_warehouse=MAIN)], False),
		(
			"Stock Entry",
			{"purpose": "Material Transfer"},
			[row(PHONE, 1, s_warehouse=MAIN, t_warehouse=SHOP)],
			False,
		),
		("Stock Reconciliation", {"purpose": "Stock Reconciliation"}, [row(PHONE, 1)], True),
	],
	ids=[
		"receipt",
		"purchase-return",
		"sale",
		"sales-return",
		"material-receipt",
		"issue",
		"transfer",
		"count",
	],
)
def test_sets_qty_on_receipts_and_counts_only(doctype, values, rows, sets_qty):
	assert check(unsaved(doctype, rows, **values), 1, "")["sets_qty"] is sets_qty


def test_not_in_transit():
	sn = codes("CKT", 1)
	pr = f.receive(sn)
	doc = unsaved(
		"Stock Entry", [row(PHONE, 1, s_warehouse=TRANSIT, t_warehouse=SHOP)], purpose="Material Transfer"
	)
	assert refused(check(doc, 1, sn[0])) == {
		sn[0]: f"{sn[0]} is not in transit: it is In Stock (last moved by Purchase Receipt {pr.name})"
	}


def test_returns_not_sold_not_on_the_original_and_other_customer():
	sn = codes("CKN", 3)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 1, sn[:1], MAIN)])
	other = f.delivery_note([(PHONE, 1, sn[1:2], MAIN)])
	doc = unsaved("Delivery Note", [row(PHONE, -3)], is_return=1, return_against=dn.name)
	assert refused(check(doc, 1, "\n".join(sn))) == {
		sn[1]: f"{sn[1]} was not sold on {dn.name} (last moved by Delivery Note {other.name})",
		sn[2]: f"{sn[2]} was not sold: it is In Stock (last moved by Purchase Receipt "
		f"{f.serial(sn[2]).voucher_no})",
	}
	stranger = f.customer("ST Other Customer")
	doc = unsaved("Delivery Note", [row(PHONE, -1)], is_return=1, customer=stranger)
	assert refused(check(doc, 1, sn[0])) == {sn[0]: f"{sn[0]} was sold to {f.CUSTOMER}, not to {stranger}"}


def test_purchase_return_to_another_supplier():
	sn = codes("CKP", 1)
	f.receive(sn)
	other = f.supplier("ST Other Supplier")
	doc = unsaved("Purchase Receipt", [row(PHONE, -1)], is_return=1, supplier=other)
	assert refused(check(doc, 1, sn[0])) == {sn[0]: f"{sn[0]} was bought from {f.SUPPLIER}, not from {other}"}


def test_backdated():
	sn = codes("CKB", 1)
	pr = f.receive(sn)
	doc = unsaved("Delivery Note", [row(PHONE, 1)], posting_date=add_days(nowdate(), -1))
	reason = refused(check(doc, 1, sn[0]))[sn[0]]
	assert reason.startswith(f"{sn[0]} was last moved by Purchase Receipt {pr.name} on ")
	assert "cannot come before it" in reason


def test_a_document_without_its_own_posting_time_is_checked_as_of_now():
	"""Desk fills a new document's posting time when the form opens; ERPNext dates it again when it
	is saved and submitted, unless Edit Posting Date and Time is ticked."""
	sn = codes("CKO", 1)
	f.receive(sn)
	opened = unsaved("Delivery Note", [row(PHONE, 1)], set_posting_time=0, posting_time="00:00:01")
	assert good(check(opened, 1, sn[0])) == sn
	opened["set_posting_time"] = 1
	assert "cannot come before it" in refused(check(opened, 1, sn[0]))[sn[0]]


def test_entries_of_the_row_duplicates_and_bad_characters():
	result = check(unsaved("Purchase Receipt", [row(PHONE, 3)]), 1, "CKD1 CKD<2 ckd1 CKD3")
	assert result["codes"] == [
		{"code": "CKD1", "ok": True, "reason": None, "entry": 1},
		{
			"code": "CKD<2",
			"ok": False,
			"reason": "CKD<2 contains <, which an SN code may not contain",
			"entry": 2,
		},
		{"code": "ckd1", "ok": False, "reason": "ckd1 is entered twice (first at entry 1)", "entry": 3},
		{"code": "CKD3", "ok": True, "reason": None, "entry": 4},
	]
	assert result["entered"] == 4


def test_a_code_on_another_row_is_refused_on_both_rows():
	"""Submit names a code given twice only at its second place; the dialog of either row says so."""
	doc = unsaved("Purchase Receipt", [row(PHONE, 1), row(PHONE, 1, SHOP)])
	doc["items"][1]["sn_codes"] = "CKA1"
	assert refused(check(doc, 1, "CKA1")) == {"CKA1": "CKA1 is also on row 2"}
	doc["items"][1]["sn_codes"] = ""
	doc["items"][0]["sn_codes"] = "cka1"
	assert refused(check(doc, 2, "CKA1")) == {"CKA1": "CKA1 is also on row 1"}
	# Without the other row's code, the row is good.
	doc["items"][0]["sn_codes"] = ""
	assert good(check(doc, 2, "CKA1")) == ["CKA1"]


def test_several_rows_warehouses_and_the_same_item_twice():
	main, shop = codes("CKM", 2), codes("CKH", 2)
	f.receive(main)
	f.receive(shop, warehouse=SHOP)
	doc = unsaved("Delivery Note", [row(PHONE, 2), row(LAPTOP, 1), row(PHONE, 2, SHOP)])
	doc["items"][0]["sn_codes"] = "\n".join(main)
	# The third row is checked against its own warehouse; the first row's codes are not its own.
	result = check(doc, 3, "\n".join([*shop, main[0]]))
	assert good(result) == shop
	assert refused(result) == {main[0]: f"{main[0]} is also on row 1"}
	assert check(doc, 1, "\n".join(main))["problems"] == []
	swapped = check(doc, 1, "\n".join(shop))
	assert refused(swapped) == {c: f"{c} is in stock at {SHOP}, not at {MAIN}" for c in shop}


def test_required_and_quantity_not_whole(settings):
	result = check(unsaved("Delivery Note", [row(PHONE, 2)]), 1, "")
	assert result["problems"] == ["Item ST-PHONE: enter its 2 SN codes; this operation requires them"]
	assert result["count_problem"] == result["problems"][0]
	settings(max_per_operation=2)
	many = check(unsaved("Purchase Receipt", [row(PHONE, 3)]), 1, "CKQ1 CKQ2 CKQ3")
	assert "3 SN codes entered; at most 2 are allowed at once" in many["problems"]


def test_a_sale_in_another_unit_is_refused_on_the_row():
	doc = unsaved("Delivery Note", [row(PHONE, 1, uom="Box")])
	result = check(doc, 1, "CKU1")
	assert result["problems"] == [
		"Item ST-PHONE is SN-tracked and must be sold in its stock unit Nos, not Box"
	]
	assert refused(result) == {"CKU1": result["problems"][0]}


def test_a_dict_is_read_as_well_as_json():
	sn = codes("CKJ", 1)
	f.receive(sn)
	assert good(check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, sn[0], as_json=False)) == sn


def test_nothing_is_written():
	sn = codes("CKX", 2)
	f.receive(sn)
	counted = {d: frappe.db.count(d) for d in ("Serial Number", "Serial Circulation Log", "Delivery Note")}
	doc = unsaved("Delivery Note", [row(PHONE, 2)])
	check(doc, 1, "\n".join([*sn, "CKX-NEW"]))
	check(unsaved("Purchase Receipt", [row(PHONE, 2)]), 1, "CKX-NEW1 CKX-NEW2")
	assert {d: frappe.db.count(d) for d in counted} == counted
	assert not frappe.db.exists("Delivery Note", doc["name"])
	assert {f.serial(c).status for c in sn} == {"In Stock"}


def test_a_row_not_in_the_document_is_named():
	doc = unsaved("Delivery Note", [row(PHONE, 1)])
	with pytest.raises(frappe.DoesNotExistError, match="has no row new-nowhere that carries SN codes"):
		api.check_row(json.dumps(doc), "new-nowhere", "A1")


def test_an_untracked_item_and_a_document_without_codes_are_refused():
	doc = unsaved("Delivery Note", [row(PLAIN, 1)])
	with pytest.raises(frappe.ValidationError, match="Row 1: item ST-PLAIN is not SN-tracked"):
		check(doc, 1, "A1")
	with pytest.raises(frappe.ValidationError, match=r"Documents of type .*Sales Order.* carry no SN codes"):
		api.check_row(json.dumps({"doctype": "Sales Order", "items": []}), "x", "A1")
	with pytest.raises(frappe.ValidationError, match="must be a document as Desk holds it"):
		api.check_row("not json", "x", "A1")


def test_a_submitted_document_is_refused():
	sn = codes("CKE", 1)
	pr = f.receive(sn)
	with pytest.raises(frappe.ValidationError, match="is submitted or cancelled"):
		api.check_row(pr.as_json(), pr.items[0].name, sn[0])


def test_guests_and_users_without_serial_read_get_nothing():
	doc = json.dumps(unsaved("Delivery Note", [row(PHONE, 1)]))
	sales_user = user_with(["Sales User"])
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(api.check_row)
	with pytest.raises(frappe.PermissionError):
		api.check_row(doc, "new-delivery-note-item-1", "A1")
	# A Sales User may make a Delivery Note but not read serials.
	frappe.set_user(sales_user)
	with pytest.raises(frappe.PermissionError):
		api.check_row(doc, "new-delivery-note-item-1", "A1")


def test_an_unsaved_document_needs_create_permission():
	"""A Stock User reads serials but may not make a Stock Reconciliation."""
	frappe.set_user(user_with(["Stock User"]))
	assert check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, "")["required"] == 1
	with pytest.raises(frappe.PermissionError):
		check(unsaved("Stock Reconciliation", [row(PHONE, 1)], purpose="Stock Reconciliation"), 1, "")


def test_user_permissions_on_the_warehouse_of_unsaved_and_saved_documents(restricted):
	sn = codes("CKV", 1)
	f.receive(sn)
	saved = f.delivery_note([(PHONE, 1, sn, MAIN)], submit=False)
	frappe.set_user(restricted("ckv", "Warehouse", SHOP))
	# The shop's user checks a row at the shop, but not one at the main warehouse.
	assert check(unsaved("Delivery Note", [row(PHONE, 1, SHOP)]), 1, "")["required"] == 1
	with pytest.raises(frappe.PermissionError):
		check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, sn[0])
	# A saved document at the main warehouse: the stored one decides, whatever the request says.
	sent = saved.as_dict(convert_dates_to_str=True)
	for r in sent["items"]:
		r["warehouse"] = SHOP
	with pytest.raises(frappe.PermissionError):
		api.check_row(json.dumps(sent, default=str), saved.items[0].name, sn[0])


def test_a_saved_draft_is_checked_with_its_rows_names():
	sn = codes("CKF", 1)
	f.receive(sn)
	saved = f.delivery_note([(PHONE, 1, sn, MAIN)], submit=False)
	result = api.check_row(saved.as_json(), saved.items[0].name, sn[0])
	assert good(result) == sn and result["problems"] == []


def received_in_carton(carton, sn):
	"""A submitted receipt that packs ``sn`` in ``carton``."""
	doc = f.purchase_receipt([(PHONE, len(sn), sn, MAIN)], submit=False)
	doc.items[0].sn_cartons = json.dumps({carton: sn})
	doc.save()
	doc.submit()
	return doc


def test_carton_problems_of_a_receiving_row():
	received_in_carton("CKC-BOX1", codes("CKC", 1))
	doc = unsaved("Purchase Receipt", [row(PHONE, 2)])
	# A code that is a carton's code is refused as a code of the row.
	taken = check(doc, 1, "ckc-box1 CKC-NEW1")
	assert refused(taken) == {
		"ckc-box1": "ckc-box1 is the code of a carton; an SN code may never equal a carton code"
	}
	# A carton the row packs its codes in: its code may not be an SN code, its codes must be the row's.
	doc["items"][0]["sn_cartons"] = json.dumps({"CKC0001": ["CKC-NEW1"], "CKC-BOX2": ["CKC-ELSEWHERE"]})
	result = check(doc, 1, "CKC-NEW1 CKC-NEW2")
	assert good(result) == ["CKC-NEW1", "CKC-NEW2"]
	assert "Carton code CKC0001 is an SN code; a carton code may never equal one" in result["problems"]
	assert (
		"CKC-ELSEWHERE is packed in carton CKC-BOX2 but is not among the row's SN codes" in result["problems"]
	)
	doc["items"][0]["sn_cartons"] = json.dumps({"CKC-BOX3": ["CKC-NEW1", "CKC-NEW2"]})
	assert check(doc, 1, "CKC-NEW1 CKC-NEW2")["problems"] == []


def test_a_gs1_scan_is_read_for_its_serial():
	sn = codes("CKG1", 1)
	f.receive(sn)
	scan = f"(01)09506000134352(21){sn[0]}"
	result = check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, scan)
	assert result["codes"] == [{"code": sn[0], "ok": True, "reason": None, "entry": 1}]


# Documents a request may send


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
