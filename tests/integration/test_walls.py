"""Walls between users where Frappe's User Permissions do not reach by themselves: the parties of the
app's Dynamic Links (a log row's customer or supplier, the supplier of the receipt that made a
carton), the warehouses a document's rows take units from that ERPNext marks
``ignore_user_permissions``, the documents a row's codes are checked against, and what refusals and
count scans name."""

import json

import pytest

import frappe

from serial_tracking import api
from serial_tracking.constants import CARTON, LOG, SERIAL
from serial_tracking.permissions import query_conditions
from serial_tracking.stock import events, latest_first
from serial_tracking.stock.count_basics import SCAN
from tests.integration import factory as f
from tests.integration.desk import check, desk_document, refused, row, scan, unsaved
from tests.integration.factory import MAIN, PHONE, SHOP, codes, other_company


@pytest.fixture
def trade():
	"""Codes received from two suppliers and sold to two customers, at the main warehouse."""
	run = frappe.generate_hash(length=5).upper()
	ours, theirs = codes(f"WL{run}A", 3), codes(f"WL{run}B", 3)
	f.purchase_receipt([(PHONE, 3, ours, MAIN)])
	other_receipt = f.purchase_receipt([(PHONE, 3, theirs, MAIN)], supplier=f.SUPPLIER2)
	f.delivery_note([(PHONE, 1, [ours[0]], MAIN)])
	other_sale = f.delivery_note([(PHONE, 1, [theirs[0]], MAIN)], customer=f.CUSTOMER2)
	return frappe._dict(ours=ours, theirs=theirs, other_receipt=other_receipt, other_sale=other_sale)


def _receipt(rows: list[dict], submit: bool = True, **values):
	"""A Purchase Receipt of the phone, its rows given in full (fields the factory's rows leave out)."""
	items = [{"item_code": PHONE, "rate": 100, "conversion_factor": 1, **r} for r in rows]
	return f.purchase_receipt([], submit=submit, items=items, **values)


def _parties(codes_):
	return {
		(r.party_type, r.party)
		for r in frappe.get_list(LOG, filters={"serial_no": ("in", codes_)}, fields=["party_type", "party"])
	}


def test_a_user_of_one_customer_lists_no_sale_to_another(trade, restricted):
	frappe.set_user(restricted("wl-customer", "Customer", f.CUSTOMER))
	seen = _parties(trade.ours + trade.theirs)
	assert ("Customer", f.CUSTOMER) in seen
	assert ("Customer", f.CUSTOMER2) not in seen
	# receipts (another party type) stay, as a list lets an empty customer link through ...
	assert {("Supplier", f.SUPPLIER), ("Supplier", f.SUPPLIER2)} <= seen
	# ... but not the movements of a unit sold to the other customer
	assert frappe.get_list(LOG, filters={"serial_no": trade.theirs[0]}) == []
	sale = frappe.db.get_value(LOG, {"voucher_no": trade.other_sale.name}, "name")
	assert not frappe.has_permission(LOG, "read", doc=sale)
	with pytest.raises(frappe.PermissionError):
		frappe.client.get(LOG, sale)
	receipt = frappe.db.get_value(
		LOG, {"serial_no": trade.theirs[0], "voucher_type": "Purchase Receipt"}, "name"
	)
	assert not frappe.has_permission(LOG, "read", doc=receipt)
	# fields=["*"], as the REST resource and the report view ask
	rows = frappe.get_list(LOG, filters={"serial_no": ("in", trade.theirs)}, fields=["*"])
	assert rows and f.CUSTOMER2 not in frappe.as_json(rows)


def test_a_user_of_one_supplier_lists_no_receipt_from_another(trade, restricted):
	frappe.set_user(restricted("wl-supplier", "Supplier", f.SUPPLIER))
	assert _parties(trade.ours + trade.theirs) == {("Supplier", f.SUPPLIER), ("Customer", f.CUSTOMER)}
	# none of the units bought from the other supplier, nor their sales
	assert frappe.get_list(LOG, filters={"serial_no": ("in", trade.theirs)}) == []
	assert frappe.get_list(SERIAL, filters={"name": ("in", trade.theirs)}) == []


def test_strict_user_permissions_hide_rows_without_the_party(trade, restricted):
	user = restricted("wl-strict", "Customer", f.CUSTOMER)
	settings = frappe.get_cached_doc("System Settings").as_dict()
	frappe.local.system_settings = frappe._dict(settings, apply_strict_user_permissions=1)
	try:
		frappe.set_user(user)
		assert _parties(trade.ours + trade.theirs) == {("Customer", f.CUSTOMER)}
		receipt = frappe.db.get_value(LOG, {"serial_no": trade.ours[1]}, "name")
		assert not frappe.has_permission(LOG, "read", doc=receipt)
	finally:
		frappe.local.system_settings = None


def test_a_permission_applicable_to_another_doctype_does_not_restrict_the_log(trade):
	email = "st-wl-applicable@example.com"
	frappe.get_doc({"doctype": "User", "email": email, "first_name": "ST", "send_welcome_email": 0}).insert()
	frappe.get_doc("User", email).add_roles("Stock User")
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": email,
			"allow": "Customer",
			"for_value": f.CUSTOMER,
			"apply_to_all_doctypes": 0,
			"applicable_for": "Delivery Note",
		}
	).insert()
	frappe.clear_cache(user=email)
	assert query_conditions(email, LOG) == ""
	frappe.set_user(email)
	assert ("Customer", f.CUSTOMER2) in _parties(trade.theirs)
	frappe.set_user("Administrator")
	frappe.clear_cache(user=email)


def test_a_carton_made_by_a_receipt_from_another_supplier_is_hidden(restricted):
	run = frappe.generate_hash(length=5).upper()
	ours, theirs = codes(f"WK{run}A", 1), codes(f"WK{run}B", 1)
	cartons = {"ours": f"WK{run}-KA", "theirs": f"WK{run}-KB", "by hand": f"WK{run}-KH"}
	for carton, sn, supplier in (
		(cartons["ours"], ours, f.SUPPLIER),
		(cartons["theirs"], theirs, f.SUPPLIER2),
	):
		_receipt(
			[{"qty": 1, "warehouse": MAIN, "sn_codes": sn[0], "sn_cartons": json.dumps({carton: sn})}],
			supplier=supplier,
		)
	frappe.get_doc({"doctype": CARTON, "carton_code": cartons["by hand"], "item_code": PHONE}).insert()
	assert frappe.db.get_value(CARTON, cartons["theirs"], "made_by_type") == "Purchase Receipt"
	frappe.set_user(restricted("wl-carton", "Supplier", f.SUPPLIER))
	listed = frappe.get_list(CARTON, filters={"name": ("in", list(cartons.values()))}, pluck="name")
	assert sorted(listed) == sorted([cartons["ours"], cartons["by hand"]])
	assert not frappe.has_permission(CARTON, "read", doc=cartons["theirs"])
	assert frappe.has_permission(CARTON, "read", doc=cartons["ours"])
	with pytest.raises(frappe.PermissionError):
		frappe.client.get(CARTON, cartons["theirs"])
	# Scanned into a sale's row, the hidden carton is answered as no carton at all: none of its units,
	# nothing of it named; the user's own carton enters its unit.
	hidden = scan(cartons["theirs"], desk_document("Delivery Note", [(PHONE, 1, MAIN)]))
	assert hidden["codes"] == [] and hidden["message"] is None
	assert [p["message"] for p in hidden["problems"]] == [f"No carton has the code {cartons['theirs']}"]
	assert scan(cartons["ours"], desk_document("Delivery Note", [(PHONE, 1, MAIN)]))["codes"] == ours
	# ... and so it is scanned into a count: no carton, no note naming it
	count = _count()
	counted = api.count_scan(count, cartons["theirs"])
	assert counted["results"] == [] and counted["message"] is None
	assert [p["message"] for p in counted["problems"]] == [f"No carton has the code {cartons['theirs']}"]
	assert [r["code"] for r in api.count_scan(count, cartons["ours"])["results"]] == ours
	# Strict: only cartons of a receipt from the user's supplier (one by hand has no supplier).
	settings = frappe.get_cached_doc("System Settings").as_dict()
	frappe.local.system_settings = frappe._dict(settings, apply_strict_user_permissions=1)
	try:
		listed = frappe.get_list(CARTON, filters={"name": ("in", list(cartons.values()))}, pluck="name")
		assert listed == [cartons["ours"]]
		assert not frappe.has_permission(CARTON, "read", doc=cartons["by hand"])
	finally:
		frappe.local.system_settings = None


def test_refusals_name_another_customer_and_a_document_the_user_may_not_see(trade, restricted):
	frappe.set_user(restricted("wl-refusals", "Customer", f.CUSTOMER))
	# the other customer's sale: sold, by a document the user may not open
	[reason] = refused(check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, trade.theirs[0])).values()
	assert trade.other_sale.name not in reason and "Delivery Note you may not see" in reason
	# a return from this customer of a unit sold to the other one
	doc = unsaved("Delivery Note", [row(PHONE, -1)], is_return=1)
	[reason] = refused(check(doc, 1, trade.theirs[0])).values()
	assert "another customer" in reason and f.CUSTOMER2 not in reason
	# the same sentences on save
	with pytest.raises(frappe.ValidationError) as refusal:
		f.delivery_note([(PHONE, 1, [trade.theirs[0]], MAIN)], submit=False)
	assert trade.other_sale.name not in str(refusal.value)
	frappe.set_user("Administrator")
	[reason] = refused(check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, trade.theirs[0])).values()
	assert trade.other_sale.name in reason


def test_a_code_of_an_item_the_user_may_not_read_is_of_another_item(restricted):
	sn = codes("WLI", 1)
	f.receive(sn, item=f.LAPTOP)
	frappe.set_user(restricted("wl-item", "Item", PHONE))
	[reason] = refused(check(unsaved("Delivery Note", [row(PHONE, 1)]), 1, sn[0])).values()
	assert "another item" in reason and f.LAPTOP not in reason


def test_a_cancellation_names_later_documents_the_user_may_not_see_by_type(trade, restricted):
	frappe.set_user(restricted("wl-cancel", "Customer", f.CUSTOMER))
	receipt = frappe.get_doc("Purchase Receipt", trade.other_receipt.name)
	with pytest.raises(frappe.ValidationError) as refusal:
		latest_first.check_latest(receipt)
	assert trade.other_sale.name not in str(refusal.value)
	assert "a Delivery Note you may not see" in str(refusal.value)


# Frappe's link search, asked to ignore User Permissions


def _searched(doctype: str, txt: str) -> list[dict]:
	"""Frappe's search of ``doctype`` asked, as any user may ask it, to ignore User Permissions and to
	return columns of the rows it finds."""
	from frappe.desk.search import search_widget

	columns = set(frappe.get_meta(doctype).get_valid_columns())
	fields = [f for f in ("serial_no", "party", "made_by_no", "warehouse", "code") if f in columns]
	return search_widget(
		doctype, txt, filter_fields=json.dumps(fields), as_dict=True, ignore_user_permissions=True
	)


def test_frappes_search_asked_to_ignore_user_permissions_reads_nothing_behind_the_walls(trade, restricted):
	"""Frappe's own search would read the rows with no permission at all and return any of their
	columns: the app's search answers for the log, cartons, counts and scans, as their lists do."""
	run = frappe.generate_hash(length=5).upper()
	carton, sn = f"WS{run}-K", codes(f"WS{run}", 1)
	_receipt(
		[{"qty": 1, "warehouse": MAIN, "sn_codes": sn[0], "sn_cartons": json.dumps({carton: sn})}],
		supplier=f.SUPPLIER2,
	)
	count = _count()
	api.count_scan(count, trade.ours[1])
	walled = {
		LOG: frappe.db.get_value(LOG, {"voucher_no": trade.other_sale.name}, "name"),
		CARTON: carton,
		"Serial Count": count,
		"Serial Count Scan": frappe.db.get_value("Serial Count Scan", {"serial_count": count}, "name"),
	}
	for doctype, name in walled.items():
		assert [r["name"] for r in _searched(doctype, name)] == [name], doctype
	customer = restricted("ws-customer", "Customer", f.CUSTOMER)
	users = {
		LOG: customer,
		CARTON: restricted("ws-supplier", "Supplier", f.SUPPLIER),
		"Serial Count": restricted("ws-shop", "Warehouse", SHOP),
		"Serial Count Scan": restricted("ws-shop-scans", "Warehouse", SHOP),
	}
	for doctype, name in walled.items():
		frappe.set_user(users[doctype])
		assert _searched(doctype, name) == [], doctype
		assert name not in {r["name"] for r in _searched(doctype, "")}, doctype
		frappe.set_user("Administrator")
	# the user of one customer still finds the log rows they may read
	ours = frappe.db.get_value(LOG, {"serial_no": trade.ours[1]}, "name")
	frappe.set_user(customer)
	assert [r["name"] for r in _searched(LOG, ours)] == [ours]
	# the app's search serves only its doctypes behind walls
	with pytest.raises(frappe.ValidationError, match="not searched here"):
		api.search_walled("Item", "")


# Warehouses read through links ERPNext marks ignore_user_permissions


def test_a_receipt_from_a_warehouse_the_user_may_not_read_is_refused(restricted):
	"""An internal receipt's From Warehouse is where its codes must be: checking them would tell what
	that warehouse holds (codes held there answered good, others unknown)."""
	sn = codes("WLF", 2)
	f.receive(sn, warehouse=SHOP)
	frappe.set_user(restricted("wl-from", "Warehouse", MAIN))
	doc = unsaved("Purchase Receipt", [row(PHONE, 2, MAIN, from_warehouse=SHOP)])
	with pytest.raises(frappe.PermissionError, match="leave from warehouse"):
		check(doc, 1, "\n".join(sn))
	with pytest.raises(frappe.PermissionError, match="leave from warehouse"):
		api.read_scan(json.dumps(doc), doc["items"][0]["name"], sn[0])
	# ... and on save (ERPNext keeps a From Warehouse only for an internal supplier's receipt)
	receipt = frappe.get_doc(unsaved("Purchase Receipt", [row(PHONE, 2, MAIN, from_warehouse=SHOP)]))
	receipt.items[0].sn_codes = "\n".join(sn)
	with pytest.raises(frappe.PermissionError, match="leave from warehouse"):
		events.validate(receipt)


def test_a_sales_return_into_a_target_the_user_may_not_read_is_refused_a_delivery_there_is_not(
	restricted,
):
	"""A delivery's Target Warehouse is where units go (not read); a return's is where they come from."""
	sn = codes("WLT", 1)
	f.receive(sn)
	frappe.set_user(restricted("wl-target", "Warehouse", MAIN))
	delivery = unsaved("Delivery Note", [row(PHONE, 1, MAIN, target_warehouse=SHOP)])
	assert refused(check(delivery, 1, sn[0])) == {}
	back = unsaved("Delivery Note", [row(PHONE, -1, MAIN, target_warehouse=SHOP)], is_return=1)
	with pytest.raises(frappe.PermissionError, match="leave from warehouse"):
		check(back, 1, sn[0])


def test_a_return_against_a_document_the_user_may_not_read_is_refused(trade, restricted):
	frappe.set_user(restricted("wl-against", "Customer", f.CUSTOMER))
	doc = unsaved("Delivery Note", [row(PHONE, -1)], is_return=1, return_against=trade.other_sale.name)
	with pytest.raises(frappe.PermissionError, match=trade.other_sale.name):
		check(doc, 1, trade.theirs[0])
	# ... and on save
	saved = frappe.get_doc(doc)
	saved.items[0].sn_codes = trade.theirs[0]
	with pytest.raises(frappe.PermissionError, match=trade.other_sale.name):
		events.validate(saved)


# Counts


def _count(item=PHONE) -> str:
	doc = frappe.get_doc({"doctype": "Serial Count", "warehouse": MAIN})
	return doc.insert().name


def test_a_count_scan_of_a_code_of_another_item_or_company_names_neither(restricted):
	laptop, elsewhere, phone, seen = codes("WLC", 4)
	f.receive([laptop, seen], item=f.LAPTOP)
	f.receive([elsewhere, phone])
	company = other_company()
	frappe.db.set_value(SERIAL, elsewhere, "company", company)
	count = _count()
	# scanned by a user who may read it: stored as what it is
	api.count_scan(count, seen)
	user = restricted("wl-count", "Item", PHONE)
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Company", "for_value": f.COMPANY}
	).insert()
	frappe.clear_cache(user=user)
	frappe.set_user(user)
	answer = api.count_scan(count, f"{laptop}\n{elsewhere}\n{phone}")
	by_code = {r["code"]: r for r in answer["results"]}
	for code in (laptop, elsewhere):
		assert (by_code[code]["item_code"], by_code[code]["status"], by_code[code]["kind"]) == (
			None,
			None,
			"wrong_item",
		)
		assert by_code[code]["message"] == f"{code}: not counted here: an SN code you may not read"
	assert by_code[phone]["kind"] == "counted"
	said = frappe.as_json(answer) + frappe.as_json(api.count_summary(count))
	assert f.LAPTOP not in said and company not in said
	summary = api.count_summary(count)["summary"]
	assert {line["item_code"] for line in summary["items"]} <= {PHONE, ""}
	[hidden] = [line for line in summary["items"] if not line["item_code"]]
	assert hidden["unexpected"] == {"wrong_item": 3}
	# A user who may read both is told what they are.
	frappe.set_user("Administrator")
	live = api.count_summary(count)
	assert f.LAPTOP in {line["item_code"] for line in live["summary"]["items"]}


def test_a_count_scan_of_another_customers_or_suppliers_unit_names_nothing_of_it(trade, restricted):
	count = _count()
	of_customer = restricted("wl-count-customer", "Customer", f.CUSTOMER)
	of_supplier = restricted("wl-count-supplier", "Supplier", f.SUPPLIER)
	frappe.set_user(of_customer)
	answer = api.count_scan(count, f"{trade.theirs[0]}\n{trade.ours[0]}")
	by_code = {r["code"]: r for r in answer["results"]}
	assert (by_code[trade.theirs[0]]["kind"], by_code[trade.theirs[0]]["status"]) == ("wrong_item", None)
	assert by_code[trade.ours[0]]["kind"] == "sold"
	# listed with the codes not counted here, not as sold
	assert trade.theirs[0] in api.count_summary(count)["codes"]["wrong_item"]
	frappe.set_user(of_supplier)
	answer = api.count_scan(count, trade.theirs[1])
	assert answer["results"][0]["kind"] == "wrong_item"
	# the other supplier's units at the warehouse are neither expected nor listed as not scanned
	summary = api.count_summary(count)
	assert not set(trade.theirs) & set(summary["codes"]["not_scanned"])
	assert trade.ours[1] in summary["codes"]["not_scanned"]
	frappe.set_user("Administrator")
	codes = api.count_summary(count)["codes"]
	assert trade.theirs[2] in codes["not_scanned"] and trade.theirs[0] not in codes["wrong_item"]


def test_scans_of_another_customers_or_suppliers_unit_by_another_user_are_not_read(trade, restricted):
	"""A scan keeps the code and what its scanner was told (sold, counted): a user of one customer or
	supplier reads no scan of a unit of another's, in a list, a form or the count's summary."""
	count = _count()
	sold_away, bought_away = trade.theirs[0], trade.theirs[1]
	api.count_scan(count, "\n".join([sold_away, bought_away, trade.ours[0], trade.ours[1]]))
	scans = {r.code: r.name for r in frappe.get_all(SCAN, {"serial_count": count}, ["code", "name"])}
	walls = {
		restricted("ws-scan-customer", "Customer", f.CUSTOMER): sold_away,
		restricted("ws-scan-supplier", "Supplier", f.SUPPLIER): bought_away,
	}
	for user, hidden in walls.items():
		frappe.set_user(user)
		listed = frappe.get_list(SCAN, filters={"serial_count": count}, pluck="code")
		assert hidden not in listed and trade.ours[1] in listed, listed
		assert not frappe.has_permission(SCAN, "read", doc=scans[hidden])
		with pytest.raises(frappe.PermissionError):
			frappe.client.get(SCAN, scans[hidden])
		assert hidden not in frappe.as_json(api.count_summary(count)["codes"])
		frappe.set_user("Administrator")
	# the user's own scan of such a unit stays theirs to see, as what they were told
	frappe.set_user(next(iter(walls)))
	api.count_unscan(count, sold_away)
	api.count_scan(count, sold_away)
	assert sold_away in api.count_summary(count)["codes"]["wrong_item"]
