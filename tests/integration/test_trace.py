"""Traceability on real documents: a serial's lives, a document's serials, the recall question."""

import html
import re

import pytest

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import CUSTOMER, LAPTOP, MAIN, PHONE, SHOP, SUPPLIER, codes, user_with


def bought_from(supplier, rows):
	"""A submitted Purchase Receipt from ``supplier``; rows: (item, qty, codes, warehouse)."""
	return f._trade("Purchase Receipt", f.supplier(supplier), rows, True, False, None, {})


def sold_to(customer, rows):
	return f._trade("Delivery Note", f.customer(customer), rows, True, False, None, {})


def returned(doc, rows):
	"""The return of ``doc`` (a delivery or a receipt); rows: (item, qty, codes, warehouse)."""
	return f._trade(
		doc.doctype,
		doc.customer if doc.doctype == "Delivery Note" else doc.supplier,
		[(item, -qty, sn, wh) for item, qty, sn, wh in rows],
		True,
		True,
		doc.name,
		{},
	)


def transfer(sn, source, target):
	return f.stock_entry("Material Transfer", [(PHONE, len(sn), sn, source, target)])


def steps(life):
	return [(m["operation"], m["voucher_no"], m["is_cancelled"]) for m in life["movements"]]


def test_a_serials_lives_each_opened_by_a_receipt_from_a_supplier():
	sn = codes("TRL", 1)
	code = sn[0]
	pr1 = f.receive(sn)
	dn1 = f.delivery_note([(PHONE, 1, sn, MAIN)])
	ret1 = returned(dn1, [(PHONE, 1, sn, MAIN)])
	moved = transfer(sn, MAIN, SHOP)
	dn2 = sold_to("ST Trace Customer 2", [(PHONE, 1, sn, SHOP)])
	ret2 = returned(dn2, [(PHONE, 1, sn, MAIN)])
	pret = returned(pr1, [(PHONE, 1, sn, MAIN)])
	pr2 = bought_from("ST Trace Supplier 2", [(PHONE, 1, sn, SHOP)])
	dn3 = sold_to("ST Trace Customer 3", [(PHONE, 1, sn, SHOP)])

	traced = api.trace(serial_no=code)
	assert traced["kind"] == "serial"
	assert traced["serial_no"] == code
	assert [life["life"] for life in traced["lives"]] == [1, 2]
	first, second = traced["lives"]
	assert steps(first) == [
		("Receive", pr1.name, 0),
		("Sell", dn1.name, 0),
		("Sales Return", ret1.name, 0),
		("Transfer", moved.name, 0),
		("Sell", dn2.name, 0),
		("Sales Return", ret2.name, 0),
		("Purchase Return", pret.name, 0),
	]
	assert (first["opened_by"]["voucher_no"], first["opened_by"]["party"]) == (pr1.name, SUPPLIER)
	assert steps(second) == [("Receive", pr2.name, 0), ("Sell", dn3.name, 0)]
	assert second["opened_by"]["party"] == "ST Trace Supplier 2"
	transfer_row = first["movements"][3]
	assert (transfer_row["from_warehouse"], transfer_row["to_warehouse"]) == (MAIN, SHOP)
	assert (transfer_row["status_before"], transfer_row["status_after"]) == ("In Stock", "In Stock")
	sale = second["movements"][1]
	assert (sale["party_type"], sale["party"], sale["from_warehouse"]) == (
		"Customer",
		"ST Trace Customer 3",
		SHOP,
	)
	assert sale["posting_date"] and sale["posting_time"] is not None
	now = traced["now"]
	assert (now["status"], now["customer"], now["voucher_no"]) == ("Sold", "ST Trace Customer 3", dn3.name)
	# The same serial found by its code in another case.
	assert api.trace(serial_no=code.lower())["serial_no"] == code


def test_a_cancelled_movement_is_marked_and_splits_no_life():
	sn = codes("TRC", 1)
	pr1 = f.receive(sn)
	dn1 = f.delivery_note([(PHONE, 1, sn, MAIN)])
	dn1.cancel()
	pret = returned(pr1, [(PHONE, 1, sn, MAIN)])
	pr2 = bought_from("ST Trace Supplier 2", [(PHONE, 1, sn, MAIN)])
	pr2.cancel()
	lives = api.trace(serial_no=sn[0])["lives"]
	assert len(lives) == 1
	assert steps(lives[0]) == [
		("Receive", pr1.name, 0),
		("Sell", dn1.name, 1),
		("Purchase Return", pret.name, 0),
		("Receive", pr2.name, 1),
	]


def test_a_delivery_with_several_rows_warehouses_and_the_same_item_twice():
	here, there, laptop = codes("TRD", 2), codes("TRD", 2, start=3), codes("TRDL", 1)
	f.receive(here)
	f.receive(there, warehouse=SHOP)
	f.receive(laptop, item=LAPTOP)
	dn = f.delivery_note([(PHONE, 2, here, MAIN), (PHONE, 2, there, SHOP), (LAPTOP, 1, laptop, MAIN)])
	back = returned(dn, [(PHONE, 1, there[:1], SHOP)])

	traced = api.trace(voucher_type="Delivery Note", voucher_no=dn.name)
	assert (traced["kind"], traced["voucher_no"]) == ("document", dn.name)
	assert "customers" not in traced
	serials = {s["serial_no"]: s for s in traced["serials"]}
	assert [s["serial_no"] for s in traced["serials"]] == [*here, *there, *laptop]
	for code in here + there + laptop:
		(moved,) = serials[code]["movements"]
		assert (moved["operation"], moved["voucher_no"], moved["is_cancelled"]) == ("Sell", dn.name, 0)
	assert serials[there[1]]["movements"][0]["from_warehouse"] == SHOP
	assert serials[laptop[0]]["item_code"] == LAPTOP
	sold = serials[here[0]]["now"]
	assert (sold["status"], sold["customer"], sold["voucher_no"], sold["warehouse"]) == (
		"Sold",
		CUSTOMER,
		dn.name,
		None,
	)
	back_now = serials[there[0]]["now"]
	assert (back_now["status"], back_now["warehouse"], back_now["voucher_no"]) == (
		"In Stock",
		SHOP,
		back.name,
	)

	dn_return = api.trace(voucher_type="Delivery Note", voucher_no=back.name)
	assert [s["serial_no"] for s in dn_return["serials"]] == there[:1]


def test_a_cancelled_documents_rows_are_marked():
	sn = codes("TRX", 2)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 2, sn, MAIN)])
	dn.cancel()
	traced = api.trace(voucher_type="Delivery Note", voucher_no=dn.name)
	assert [(s["serial_no"], s["movements"][0]["is_cancelled"]) for s in traced["serials"]] == [
		(sn[0], 1),
		(sn[1], 1),
	]
	assert {s["now"]["status"] for s in traced["serials"]} == {"In Stock"}


def recall_of(traced):
	return {
		c["customer"]: [(u["serial_no"], u["voucher_no"], u["held"]) for u in c["units"]]
		for c in traced["customers"]
	}


def test_recall_from_a_receipt_and_from_a_supplier():
	supplier = "ST Recall Supplier"
	units = codes("TRR", 4)
	pr = bought_from(supplier, [(PHONE, 4, units, MAIN)])
	elsewhere = codes("TRRO", 1)
	bought_from("ST Trace Supplier 2", [(PHONE, 1, elsewhere, MAIN)])
	kept = sold_to("ST Recall C1", [(PHONE, 1, units[:1], MAIN)])
	gone = sold_to("ST Recall C2", [(PHONE, 1, units[1:2], MAIN)])
	returned(gone, [(PHONE, 1, units[1:2], MAIN)])
	sold_to("ST Recall C3", [(PHONE, 1, elsewhere, MAIN)])
	# units[2] goes back to the supplier and comes again from another: that life is not this receipt's
	returned(pr, [(PHONE, 1, units[2:3], MAIN)])
	again = bought_from("ST Trace Supplier 2", [(PHONE, 1, units[2:3], MAIN)])
	later = sold_to("ST Recall C4", [(PHONE, 1, units[2:3], MAIN)])

	expected = {
		"ST Recall C1": [(units[0], kept.name, True)],
		"ST Recall C2": [(units[1], gone.name, False)],
	}
	from_receipt = api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)
	assert recall_of(from_receipt) == expected
	unit = from_receipt["customers"][0]["units"][0]
	assert (unit["receipt_no"], unit["item_code"], unit["voucher_type"]) == (pr.name, PHONE, "Delivery Note")
	assert unit["posting_date"]
	assert len(from_receipt["serials"]) == 4

	from_supplier = api.trace(supplier=supplier)
	assert from_supplier["kind"] == "supplier"
	assert recall_of(from_supplier) == expected
	assert from_supplier["receipts"] == [{"voucher_type": "Purchase Receipt", "voucher_no": pr.name}]

	assert recall_of(api.trace(voucher_type="Purchase Receipt", voucher_no=again.name)) == {
		"ST Recall C4": [(units[2], later.name, True)]
	}


def test_a_user_of_one_warehouse_sees_nothing_through_another(restricted):
	sn = codes("TRP", 1)
	pr = f.receive(sn)
	dn1 = f.delivery_note([(PHONE, 1, sn, MAIN)])
	back = returned(dn1, [(PHONE, 1, sn, SHOP)])
	f.delivery_note([(PHONE, 1, sn, SHOP)])
	here, there = codes("TRPM", 1), codes("TRPS", 1)
	f.receive(here)
	f.receive(there, warehouse=SHOP)
	both = f.delivery_note([(PHONE, 1, here, MAIN), (PHONE, 1, there, SHOP)])
	assert len(api.trace(serial_no=sn[0])["lives"][0]["movements"]) == 4
	assert len(api.trace(voucher_type="Delivery Note", voucher_no=both.name)["serials"]) == 2

	frappe.set_user(restricted("trace-main", "Warehouse", MAIN))
	(life,) = api.trace(serial_no=sn[0])["lives"]
	assert steps(life) == [("Receive", pr.name, 0), ("Sell", dn1.name, 0)]
	# a document with a row of the other warehouse is not readable at all (as in Desk)
	for name in (back.name, both.name):
		with pytest.raises(
			frappe.PermissionError, match=f"You are not permitted to read Delivery Note {name}"
		):
			api.trace(voucher_type="Delivery Note", voucher_no=name)
	(serial,) = api.trace(voucher_type="Delivery Note", voucher_no=dn1.name)["serials"]
	assert serial["serial_no"] == sn[0]
	assert serial["now"]["status"] == "Sold"


def test_a_user_of_one_warehouse_does_not_see_where_a_serial_went_since(restricted):
	sn = codes("TRW", 1)
	pr = f.receive(sn)
	transfer(sn, MAIN, SHOP)
	frappe.set_user(restricted("trace-main2", "Warehouse", MAIN))
	(serial,) = api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)["serials"]
	assert serial["serial_no"] == sn[0] and serial["now"] is None
	with pytest.raises(frappe.PermissionError, match=f"not permitted to read Serial Number {sn[0]}"):
		api.trace(serial_no=sn[0])


def test_a_user_of_another_item_sees_none_of_its_serials(restricted):
	phone, laptop = codes("TRI", 1), codes("TRIL", 1)
	f.receive(phone)
	f.receive(laptop, item=LAPTOP)
	dn = f.delivery_note([(LAPTOP, 1, laptop, MAIN)])
	mixed = f.delivery_note([(PHONE, 1, phone, MAIN)])
	frappe.set_user(restricted("trace-laptop", "Item", LAPTOP))
	traced = api.trace(voucher_type="Delivery Note", voucher_no=dn.name)
	assert [s["serial_no"] for s in traced["serials"]] == laptop
	with pytest.raises(frappe.PermissionError, match=f"Delivery Note {mixed.name}"):
		api.trace(voucher_type="Delivery Note", voucher_no=mixed.name)
	with pytest.raises(frappe.PermissionError, match=f"Serial Number {phone[0]}"):
		api.trace(serial_no=phone[0])


def test_recall_leaves_out_sales_through_a_warehouse_the_user_may_not_read(restricted):
	units = codes("TRV", 2)
	pr = f.receive(units)
	transfer(units[1:], MAIN, SHOP)
	f.delivery_note([(PHONE, 1, units[:1], MAIN)])
	f.delivery_note([(PHONE, 1, units[1:], SHOP)])
	assert [
		u["serial_no"]
		for u in api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)["customers"][0]["units"]
	] == units
	frappe.set_user(restricted("trace-main3", "Warehouse", MAIN))
	traced = api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)
	assert [u["serial_no"] for c in traced["customers"] for u in c["units"]] == units[:1]


def test_a_user_of_one_customer_sees_no_other_customer(restricted):
	"""User Permissions on Customer (or Supplier) hide, as in a list, the sales to another customer:
	in the recall, and in the life of a serial the user may read."""
	units = codes("TRCU", 2)
	pr = f.receive(units)
	sold_to("ST Trace Cust Other", [(PHONE, 1, units[:1], MAIN)])
	back = sold_to("ST Trace Cust Other", [(PHONE, 1, units[1:], MAIN)])
	returned(back, [(PHONE, 1, units[1:], MAIN)])
	mine = sold_to(CUSTOMER, [(PHONE, 1, units[1:], MAIN)])
	frappe.set_user(restricted("trace-customer", "Customer", CUSTOMER))
	assert frappe.get_list("Customer", filters={"name": "ST Trace Cust Other"}) == []
	for traced in (
		api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name),
		api.trace(supplier=SUPPLIER),
	):
		assert "ST Trace Cust Other" not in {c["customer"] for c in traced["customers"]}
	(customer,) = [c for c in api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)["customers"]]
	assert [(u["serial_no"], u["voucher_no"]) for u in customer["units"]] == [(units[1], mine.name)]
	(life,) = api.trace(serial_no=units[1])["lives"]
	assert steps(life) == [("Receive", pr.name, 0), ("Sell", mine.name, 0)]
	assert {m["party"] for m in life["movements"]} == {SUPPLIER, CUSTOMER}


def test_guests_and_users_without_stock_roles_get_nothing():
	sn = codes("TRG", 1)
	pr = f.receive(sn)
	for user in ("Guest", user_with(["Accounts User"])):
		frappe.set_user(user)
		with pytest.raises(frappe.PermissionError):
			api.trace(serial_no=sn[0])
		with pytest.raises(frappe.PermissionError):
			api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(api.trace)


def test_a_document_the_user_may_not_read_is_refused(restricted):
	sn = codes("TRN", 1)
	pr = f.receive(sn)
	other = f.supplier("ST Trace Supplier 2")
	frappe.set_user(restricted("trace-supplier", "Supplier", other))
	with pytest.raises(
		frappe.PermissionError, match=f"You are not permitted to read Purchase Receipt {pr.name}"
	):
		api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)
	with pytest.raises(frappe.PermissionError, match=f"Supplier {SUPPLIER}"):
		api.trace(supplier=SUPPLIER)
	assert api.trace(supplier=other)["customers"] == []


@pytest.mark.parametrize(
	"args, error, message",
	[
		({}, frappe.ValidationError, "exactly one of"),
		(
			{"serial_no": "X1", "voucher_type": "Delivery Note", "voucher_no": "DN-1"},
			frappe.ValidationError,
			"exactly one of",
		),
		({"serial_no": "X1", "supplier": SUPPLIER}, frappe.ValidationError, "exactly one of"),
		({"serial_no": "  "}, frappe.ValidationError, "exactly one of"),
		(
			{"voucher_type": "Journal Entry", "voucher_no": "JV-1"},
			frappe.ValidationError,
			"Journal Entry cannot be traced",
		),
		(
			{"voucher_type": "Delivery Note", "voucher_no": "NO-SUCH-DN"},
			frappe.DoesNotExistError,
			"Delivery Note NO-SUCH-DN does not exist",
		),
		({"voucher_no": "DN-1"}, frappe.MandatoryError, "Document Type is required to trace DN-1"),
		({"voucher_type": "Delivery Note"}, frappe.MandatoryError, "Document Number is required"),
		({"serial_no": "NO-SUCH-SN"}, frappe.DoesNotExistError, "Serial Number NO-SUCH-SN does not exist"),
		(
			{"supplier": "No Such Supplier"},
			frappe.DoesNotExistError,
			"Supplier No Such Supplier does not exist",
		),
	],
)
def test_bad_input_is_named(args, error, message):
	with pytest.raises(error, match=message):
		api.trace(**args)


def test_tracing_a_document_issues_a_fixed_number_of_statements(statements):
	counts = {}
	for n, prefix in ((2, "TRQA"), (60, "TRQB")):
		sn = codes(prefix, n)
		pr = f.receive(sn)
		dn = f.delivery_note([(PHONE, n, sn, MAIN)])
		for doctype, name in (("Delivery Note", dn.name), ("Purchase Receipt", pr.name)):
			api.trace(voucher_type=doctype, voucher_no=name)  # caches warm
			counts[(doctype, n)] = statements(
				lambda doctype=doctype, name=name: api.trace(voucher_type=doctype, voucher_no=name)
			)
		api.trace(serial_no=sn[0])
		counts[("serial", n)] = statements(lambda code=sn[0]: api.trace(serial_no=code))
	for kind in ("Delivery Note", "Purchase Receipt", "serial"):
		assert counts[(kind, 2)] == counts[(kind, 60)], counts
	assert counts[("Delivery Note", 60)] <= 20, counts


def test_the_report_shows_lives_documents_and_recall_as_trees():
	from serial_tracking.serial_tracking.report.serial_traceability.serial_traceability import execute

	sn = codes("TRT", 2)
	pr = f.receive(sn)
	dn1 = f.delivery_note([(PHONE, 1, sn[:1], MAIN)])
	dn1.cancel()
	dn2 = f.delivery_note([(PHONE, 1, sn[:1], MAIN)])

	columns, rows, message = execute({"serial_no": sn[0]})
	assert columns[0]["fieldname"] == "label"
	assert [(r["indent"], r["label"], r.get("voucher_no"), r.get("is_cancelled")) for r in rows] == [
		(0, "Life 1", pr.name, None),
		(1, "Receive", pr.name, 0),
		(1, "Sell", dn1.name, 1),
		(1, "Sell", dn2.name, 0),
	]
	assert message == f"{sn[0]} ({PHONE}) is now Sold to {CUSTOMER} by Delivery Note {dn2.name}"

	columns, rows = execute({"voucher_type": "Purchase Receipt", "voucher_no": pr.name})[:2]
	assert [(r["indent"], r.get("serial_no"), r.get("status")) for r in rows] == [
		(0, sn[0], "Sold"),
		(1, None, None),
		(0, sn[1], "In Stock"),
		(1, None, None),
	]
	assert rows[0]["customer"] == CUSTOMER and rows[2]["warehouse"] == MAIN

	columns, rows = execute({"voucher_type": "Purchase Receipt", "voucher_no": pr.name, "recall": 1})[:2]
	assert [(r["indent"], r.get("customer"), r.get("serial_no"), r.get("held")) for r in rows] == [
		(0, CUSTOMER, None, None),
		(1, None, sn[0], 1),
	]
	with pytest.raises(
		frappe.ValidationError, match=f"Delivery Note {dn2.name} received no units from a supplier"
	):
		execute({"voucher_type": "Delivery Note", "voucher_no": dn2.name, "recall": 1})
	assert execute({})[1] == []


def test_the_reports_message_escapes_what_it_shows():
	from serial_tracking.serial_tracking.report.serial_traceability.serial_traceability import now_message

	traced = {
		"serial_no": "A&B",
		"now": {
			"item_code": "<b>x</b>",
			"status": "In Stock",
			"warehouse": "<img src=x onerror=alert(1)>",
			"customer": None,
			"voucher_type": "Purchase Receipt",
			"voucher_no": "PR<1>",
		},
	}
	message = now_message(traced)
	assert "<img" not in message and "<b>" not in message
	assert (
		"A&amp;B" in message and "&lt;img src=x onerror=alert(1)&gt;" in message and "PR&lt;1&gt;" in message
	)


def test_a_corrected_serial_is_found_by_its_previous_code_and_the_correction_is_a_line_of_its_life():
	old = codes("TRK", 1)[0]
	new = old + "-FIXED"
	pr = f.receive([old])
	api.correct_code(old, new)
	dn = f.delivery_note([(PHONE, 1, [new], MAIN)])
	traced = api.trace(serial_no=old)
	assert traced["serial_no"] == new
	(life,) = traced["lives"]
	assert [(m["voucher_no"], m["previous_code"]) for m in life["movements"]] == [
		(pr.name, None),
		(PHONE, old),
		(dn.name, None),
	]
	assert life["opened_by"]["voucher_no"] == pr.name
	customers = api.trace(voucher_type="Purchase Receipt", voucher_no=pr.name)["customers"]
	assert [(u["serial_no"], u["held"]) for c in customers for u in c["units"]] == [(new, True)]


def test_registrations_are_traced_from_their_item():
	sn = codes("TRJ", 2)
	f.purchase_receipt([(PHONE, 2, None, MAIN)])
	api.register_serials(PHONE, MAIN, "\n".join(sn))
	traced = api.trace(voucher_type="Item", voucher_no=PHONE)
	moved = {s["serial_no"]: s["movements"][0]["operation"] for s in traced["serials"]}
	assert {code: moved.get(code) for code in sn} == {code: "Registration" for code in sn}
	(life,) = api.trace(serial_no=sn[0])["lives"]
	assert life["opened_by"]["operation"] == "Registration"


@pytest.mark.parametrize(
	"args",
	[
		{"serial_no": "<img src=x onerror=alert(1)>"},
		{"voucher_type": "<img src=x onerror=alert(1)>", "voucher_no": "X"},
		{"voucher_type": "Delivery Note", "voucher_no": "<img src=x onerror=alert(1)>"},
		{"voucher_type": "Item", "voucher_no": "<img src=x onerror=alert(1)>"},
		{"voucher_no": "<img src=x onerror=alert(1)>"},
		{"supplier": "<img src=x onerror=alert(1)>"},
	],
)
def test_a_refused_value_is_escaped_in_the_message(args):
	"""Desk shows the message as HTML, and a link to the report can carry any filter value."""
	with pytest.raises(frappe.ValidationError) as refused:
		api.trace(**args)
	assert "<img" not in str(refused.value) and "&lt;img src=x onerror=alert(1)&gt;" in str(refused.value)


# The recall a page at a time


def _pages(**asked):
	"""Every page of a recall, following ``next``; the units of each page."""
	pages, after = [], None
	while True:
		traced = api.trace(**asked, after=after)
		pages.append(traced)
		if not traced["more"]:
			return pages
		after = traced["next"]
		assert after and len(pages) < 50


def _sold_units(traced) -> set:
	return {(u["serial_no"], u["voucher_no"]) for c in traced["customers"] for u in c["units"]}


def test_recall_pages_follow_each_other_and_together_are_the_whole_recall():
	supplier = "ST Paged Supplier"
	first, second, third = codes("TRPG", 3), codes("TRPH", 2), codes("TRPI", 1)
	pr1 = bought_from(supplier, [(PHONE, 3, first, MAIN)])
	pr2 = bought_from(supplier, [(PHONE, 2, second, MAIN)])
	pr3 = bought_from(supplier, [(PHONE, 1, third, MAIN)])
	sold_to("ST Paged C1", [(PHONE, 3, first, MAIN)])
	sold_to("ST Paged C2", [(PHONE, 3, second + third, MAIN)])

	whole = api.trace(supplier=supplier)
	assert (whole["more"], whole["next"], whole["units"]) == (False, None, 6)
	assert len(_sold_units(whole)) == 6
	assert [r["voucher_no"] for r in whole["receipts"]] == sorted([pr1.name, pr2.name, pr3.name])

	pages = _pages(supplier=supplier, page_length=2)
	assert [p["units"] for p in pages] == [2, 2, 2]
	assert [p["more"] for p in pages] == [True, True, False]
	seen = [unit for p in pages for unit in _sold_units(p)]
	assert len(seen) == 6 and set(seen) == _sold_units(whole)
	# the customers of each page only: the first page's two units were sold to the first customer
	assert [c["customer"] for c in pages[0]["customers"]] == ["ST Paged C1"]

	# A receipt's own recall, paged the same way.
	pages = _pages(voucher_type="Purchase Receipt", voucher_no=pr1.name, page_length=2)
	assert [p["units"] for p in pages] == [2, 1]
	assert {u for p in pages for u in _sold_units(p)} == {u for u in _sold_units(whole) if u[0] in first}
	assert all(len(p["serials"]) == 3 for p in pages)


@pytest.mark.parametrize(
	"asked, message",
	[
		({"page_length": 0}, "Page Length must be between 1 and 2000, not 0"),
		({"page_length": 2001}, "Page Length must be between 1 and 2000, not 2001"),
		({"page_length": "many"}, "Page Length must be a whole number, not 'many'"),
		({"after": "not json"}, "After is not where a page of this recall ends: 'not json'"),
		({"after": '["Delivery Note", "X", null]'}, "After is not where a page of this recall ends"),
		({"after": '["Purchase Receipt", "", null]'}, "After is not where a page of this recall ends"),
		({"after": "<img src=x onerror=alert(1)>"}, "&lt;img src=x onerror=alert(1)&gt;"),
	],
)
def test_a_bad_page_is_refused_by_name(asked, message):
	with pytest.raises(frappe.ValidationError, match=re.escape(message)):
		api.trace(supplier=SUPPLIER, **asked)


def test_a_page_of_another_receipt_is_refused():
	pr = f.receive(codes("TRPX", 1))
	with pytest.raises(frappe.ValidationError, match="not where a page of this recall ends"):
		api.trace(
			voucher_type="Purchase Receipt",
			voucher_no=pr.name,
			after='["Purchase Receipt", "SOME-OTHER-PR", null]',
		)


def _rows_read() -> int:
	"""The rows this connection's statements have read so far (InnoDB handler reads)."""
	return sum(
		int(value)
		for _name, value in frappe.db.sql("show session status like 'Handler\\_read\\_%'")
		if value.isdigit()
	)


def test_a_page_of_the_recall_reads_the_same_rows_whatever_the_suppliers_history(statements):
	"""Two suppliers, one with one receipt of 8 units, one with twelve (96 units), all sold: the first
	page of each reads the same statements and, but for the two receipts more read at once, the
	same rows."""
	small, big = "ST History Small", "ST History Big"
	units = codes("TRHS", 8)
	bought_from(small, [(PHONE, 8, units, MAIN)])
	sold_to(CUSTOMER, [(PHONE, 8, units, MAIN)])
	for n in range(12):
		many = codes(f"TRHB{n:02}", 8)
		bought_from(big, [(PHONE, 8, many, MAIN)])
		sold_to(CUSTOMER, [(PHONE, 8, many, MAIN)])
	read, issued = {}, {}
	for supplier in (small, big, small, big):
		api.trace(supplier=supplier, page_length=2)  # caches warm
		before = _rows_read()
		traced = api.trace(supplier=supplier, page_length=2)
		read[supplier] = _rows_read() - before
		issued[supplier] = statements(lambda s=supplier: api.trace(supplier=s, page_length=2))
		assert traced["units"] == 2 and traced["more"] is True
	print(f"rows read by a page: {read}")
	assert issued[big] == issued[small], issued
	assert read[big] <= read[small] + 6, read


def test_the_report_shows_the_recall_a_page_at_a_time(monkeypatch):
	from serial_tracking.finding import trace as tracing
	from serial_tracking.serial_tracking.report.serial_traceability.serial_traceability import execute

	monkeypatch.setattr(tracing, "PAGE", 2)
	supplier = "ST Paged Report Supplier"
	units = codes("TRPR", 3)
	bought_from(supplier, [(PHONE, 3, units, MAIN)])
	sold_to("ST Paged Report C1", [(PHONE, 3, units, MAIN)])
	_columns, rows, message = execute({"supplier": supplier})[:3]
	first = [r["serial_no"] for r in rows if r["indent"]]
	assert len(first) == 2
	after = re.search(r'class="sn-recall-page" data-after="([^"]*)">Next page', message).group(1)
	assert "The customers of the next 2 units are shown; more units follow." in message
	# as the browser reads the attribute
	after = html.unescape(after)
	_columns, rows, message = execute({"supplier": supplier, "after": after})[:3]
	second = [r["serial_no"] for r in rows if r["indent"]]
	assert sorted(first + second) == units
	assert "The customers of the last 1 units are shown." in message and "Next page" not in message
	assert 'data-after="">First page' in message
	assert execute({"supplier": supplier, "recall": 1})[2] is not None
