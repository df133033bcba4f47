"""Converting an item from ERPNext's serial numbers: real ERPNext documents made with ERPNext's own
serials (bundles, and the serial text of older entries), converted, then moved on with the app."""

import json

import pytest

import frappe
from frappe.utils import add_days, flt, nowdate

from serial_tracking.stock import consistency_check, conversion
from serial_tracking.stock.conversion import ConversionError
from tests.integration import factory as f
from tests.integration.factory import COMPANY, CUSTOMER, MAIN, SHOP, SUPPLIER

ITEM = "ST-CONV"
WARRANTY = 365


def erp_item(code=ITEM, **values):
	return f.make_item(code, sn_tracking=0, has_serial_no=1, warranty_period=WARRANTY, **values)


def day(offset):
	return add_days(nowdate(), offset)


def erp_row(codes, warehouse, rate=100, item=ITEM, **values):
	qty = values.pop("qty", len(codes))
	return {
		"item_code": item,
		"qty": qty,
		"rate": rate,
		"conversion_factor": 1,
		"warehouse": warehouse,
		"use_serial_batch_fields": 1,
		"serial_no": "\n".join(codes),
		**values,
	}


def erp_trade(doctype, rows, offset, **values):
	buying = doctype in ("Purchase Receipt", "Purchase Invoice")
	doc = frappe.get_doc(
		{
			"doctype": doctype,
			"company": COMPANY,
			("supplier" if buying else "customer"): SUPPLIER if buying else CUSTOMER,
			"posting_date": day(offset),
			"posting_time": "10:00:00",
			"set_posting_time": 1,
			"currency": "USD",
			"items": rows,
			**values,
		}
	)
	doc.insert()
	doc.submit()
	return doc


def erp_entry(purpose, rows, offset):
	"""rows: (codes, source, target, rate)."""
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"company": COMPANY,
			"purpose": purpose,
			"stock_entry_type": purpose,
			"posting_date": day(offset),
			"posting_time": "10:00:00",
			"set_posting_time": 1,
			"items": [
				{
					"item_code": ITEM,
					"qty": len(codes),
					"conversion_factor": 1,
					"s_warehouse": source,
					"t_warehouse": target,
					"basic_rate": rate,
					"use_serial_batch_fields": 1,
					"serial_no": "\n".join(codes),
				}
				for codes, source, target, rate in rows
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def erp_count(codes, warehouse, rate, offset):
	doc = frappe.get_doc(
		{
			"doctype": "Stock Reconciliation",
			"company": COMPANY,
			"purpose": "Stock Reconciliation",
			"posting_date": day(offset),
			"posting_time": "10:00:00",
			"set_posting_time": 1,
			"items": [
				{
					"item_code": ITEM,
					"warehouse": warehouse,
					"qty": len(codes),
					"valuation_rate": rate,
					"use_serial_batch_fields": 1,
					"serial_no": "\n".join(codes),
				}
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def as_older_entry(doc):
	"""Make a document's stock ledger entries carry serial text instead of a bundle, as entries made
	before ERPNext's bundles did."""
	for name, bundle in frappe.get_all(
		"Stock Ledger Entry",
		filters={"voucher_no": doc.name, "is_cancelled": 0},
		fields=["name", "serial_and_batch_bundle"],
		as_list=True,
	):
		codes = frappe.get_all("Serial and Batch Entry", filters={"parent": bundle}, pluck="serial_no")
		frappe.db.set_value(
			"Stock Ledger Entry", name, {"serial_no": "\n".join(codes), "serial_and_batch_bundle": None}
		)
		frappe.db.delete("Serial and Batch Entry", {"parent": bundle})
		frappe.db.delete("Serial and Batch Bundle", {"name": bundle})


def story():
	"""Receipts (the item twice in one receipt), a transfer, a sale, a sales return, a purchase
	return, a receipt of the older kind, and a count: ERPNext's serials, each document on its day."""
	receipt = erp_trade(
		"Purchase Receipt",
		[erp_row(["CV-1", "CV-2", "CV-3"], MAIN, 100), erp_row(["CV-4", "CV-5", "CV-6"], SHOP, 130)],
		-20,
	)
	transfer = erp_entry("Material Transfer", [(["CV-1"], MAIN, SHOP, 100)], -18)
	sale = erp_trade("Delivery Note", [erp_row(["CV-2"], MAIN), erp_row(["CV-4"], SHOP)], -16)
	sales_return = erp_trade(
		"Delivery Note",
		[erp_row(["CV-4"], SHOP, qty=-1, dn_detail=sale.items[1].name)],
		-14,
		is_return=1,
		return_against=sale.name,
	)
	purchase_return = erp_trade(
		"Purchase Receipt",
		[erp_row(["CV-5"], SHOP, 130, qty=-1, purchase_receipt_item=receipt.items[1].name)],
		-12,
		is_return=1,
		return_against=receipt.name,
	)
	older = erp_entry("Material Receipt", [(["CV-8", "CV-9"], None, MAIN, 90)], -10)
	as_older_entry(older)
	count = erp_count(["CV-3", "CV-8", "CV-7"], MAIN, 120, -8)
	return frappe._dict(
		receipt=receipt,
		transfer=transfer,
		sale=sale,
		sales_return=sales_return,
		purchase_return=purchase_return,
		older=older,
		count=count,
	)


def stock_value(warehouse=None):
	filters = {"item_code": ITEM}
	if warehouse:
		filters["warehouse"] = warehouse
	return sum(flt(v) for v in frappe.get_all("Bin", filters=filters, pluck="stock_value"))


def arrivals(report):
	return {(a["status"], a["warehouse"]): a["count"] for a in report["arrivals"]}


def states():
	return {
		r.name: r
		for r in frappe.get_all(
			"Serial Number",
			filters={"item_code": ITEM},
			fields=[
				"name",
				"status",
				"warehouse",
				"customer",
				"supplier",
				"purchase_date",
				"delivery_date",
				"warranty_expiry_date",
				"voucher_type",
				"voucher_no",
			],
		)
	}


def log_of(code):
	return frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": code, "is_cancelled": 0},
		fields=["operation", "voucher_no", "from_warehouse", "to_warehouse", "status_after", "sequence"],
		order_by="sequence asc",
	)


def test_dry_run_tells_what_arrives_and_the_conversion_does_it():
	erp_item()
	docs = story()
	report = conversion.dry_run(ITEM)
	assert report["convertible"], report["refusals"]
	expected = {
		("In Stock", MAIN): 3,
		("In Stock", SHOP): 3,
		("Sold", None): 1,
		("Returned", None): 1,
		("Missing", None): 1,
	}
	assert arrivals(report) == expected
	assert report["serials"] == 9
	# nothing was written by the dry run
	assert not frappe.db.exists("Serial Number", "CV-1")
	value_before = {wh: stock_value(wh) for wh in (MAIN, SHOP)}

	done = conversion.convert(ITEM)

	assert done["serials"] == 9
	found = states()
	counted = {}
	for state in found.values():
		where = (state.status, state.warehouse)
		counted[where] = counted.get(where, 0) + 1
	assert counted == expected == arrivals(done)
	assert (found["CV-1"].status, found["CV-1"].warehouse) == ("In Stock", SHOP)
	assert (found["CV-2"].status, found["CV-2"].customer) == ("Sold", CUSTOMER)
	assert str(found["CV-2"].delivery_date) == day(-16)
	assert str(found["CV-2"].warranty_expiry_date) == str(
		frappe.db.get_value("Serial No", "CV-2", "warranty_expiry_date")
	)
	assert (found["CV-5"].status, found["CV-5"].voucher_no) == ("Returned", docs.purchase_return.name)
	assert (found["CV-6"].supplier, str(found["CV-6"].purchase_date)) == (SUPPLIER, day(-20))
	assert (found["CV-8"].status, found["CV-8"].warehouse) == ("In Stock", MAIN)
	assert (found["CV-9"].status, found["CV-9"].voucher_no) == ("Missing", docs.count.name)
	# the history, in posting order
	assert [(r.operation, r.voucher_no, r.to_warehouse) for r in log_of("CV-4")] == [
		("Receive", docs.receipt.name, SHOP),
		("Sell", docs.sale.name, None),
		("Sales Return", docs.sales_return.name, SHOP),
	]
	assert [(r.operation, r.from_warehouse, r.to_warehouse) for r in log_of("CV-1")] == [
		("Receive", None, MAIN),
		("Transfer", MAIN, SHOP),
	]
	assert [r.operation for r in log_of("CV-8")] == ["Receive"]
	assert [r.operation for r in log_of("CV-7")] == ["Count"]
	# the item's flags
	flags = frappe.db.get_value("Item", ITEM, ["has_serial_no", "sn_tracking"], as_dict=True)
	assert (flags.has_serial_no, flags.sn_tracking) == (0, 1)
	# ... which ERPNext's Item refuses: the conversion says it made the change
	said = frappe.get_all(
		"Comment", filters={"reference_doctype": "Item", "reference_name": ITEM}, pluck="content"
	)
	assert said == [
		"Converted from ERPNext's serial numbers: 9 SN codes with 15 movements of their history."
		" Has Serial No was switched off and Track SN Codes on by the conversion."
	]
	assert consistency_check.check(ITEM) == []
	assert {wh: stock_value(wh) for wh in (MAIN, SHOP)} == value_before
	# ERPNext's Serial No records stay as they were
	assert frappe.db.get_value("Serial No", "CV-1", "warehouse") == SHOP


def test_valuation_starts_from_the_serials_values():
	erp_item()
	story()
	conversion.convert(ITEM)
	latest = frappe.get_all(
		"Stock Ledger Entry",
		filters={"item_code": ITEM, "warehouse": SHOP, "is_cancelled": 0},
		fields=["stock_queue", "stock_value", "qty_after_transaction"],
		order_by="posting_datetime desc, creation desc",
		limit=1,
	)[0]
	# CV-6 (130, received first), CV-1 (100, transferred), CV-4 (130, returned)
	assert json.loads(latest.stock_queue) == [[1, 130], [1, 100], [1, 130]]
	assert flt(latest.stock_value) == 360
	# the next sale takes the oldest value, as FIFO does, and the Stock Balance keeps the rest
	sale = f.delivery_note([(ITEM, 1, ["CV-1"], SHOP)])
	assert flt(sale.items[0].incoming_rate) == 130
	assert stock_value(SHOP) == 230
	main_sale = f.delivery_note([(ITEM, 1, ["CV-3"], MAIN)])
	# MAIN: CV-3, CV-7 and CV-8, all valued at the count's 120
	assert flt(main_sale.items[0].incoming_rate) == 120
	assert stock_value(MAIN) == 240


def test_moving_average_item_keeps_its_average():
	erp_item(valuation_method="Moving Average")
	erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN, 100), erp_row(["CV-2"], MAIN, 160)], -5)
	value = stock_value(MAIN)
	conversion.convert(ITEM)
	sale = f.delivery_note([(ITEM, 1, ["CV-2"], MAIN)])
	assert flt(sale.items[0].incoming_rate) == value / 2 == 130


def test_converted_units_move_on_with_the_app():
	erp_item()
	docs = story()
	conversion.convert(ITEM)
	# a sale of a converted unit
	sale = f.delivery_note([(ITEM, 1, ["CV-6"], SHOP)])
	assert f.serial("CV-6").status == "Sold"
	assert f.serial("CV-6").voucher_no == sale.name
	# a return of a unit sold before the conversion, against its sale
	back = f.delivery_note(
		[(ITEM, -1, ["CV-2"], MAIN)],
		is_return=True,
		return_against=docs.sale.name,
	)
	assert (f.serial("CV-2").status, f.serial("CV-2").warehouse) == ("In Stock", MAIN)
	assert [r.voucher_no for r in log_of("CV-2")] == [docs.receipt.name, docs.sale.name, back.name]
	# a sale made after the conversion cancels, and the unit is back as the history says
	sale.cancel()
	assert (f.serial("CV-6").status, f.serial("CV-6").warehouse) == ("In Stock", SHOP)
	assert consistency_check.check(ITEM) == []


def test_documents_from_before_the_conversion_are_not_cancelled():
	erp_item()
	docs = story()
	conversion.convert(ITEM)
	entries = frappe.db.count("Stock Ledger Entry", {"item_code": ITEM, "is_cancelled": 0})
	logged = frappe.db.count("Serial Circulation Log", {"item_code": ITEM, "is_cancelled": 0})
	for doc in (docs.count, docs.purchase_return):
		doc.reload()
		with pytest.raises(ConversionError, match=f"{doc.name} cannot be cancelled: it moved item {ITEM}"):
			doc.cancel()
	assert frappe.db.get_value(docs.count.doctype, docs.count.name, "docstatus") == 1
	assert frappe.db.count("Stock Ledger Entry", {"item_code": ITEM, "is_cancelled": 0}) == entries
	assert frappe.db.count("Serial Circulation Log", {"item_code": ITEM, "is_cancelled": 0}) == logged
	assert consistency_check.check(ITEM) == []


def test_a_draft_with_erpnexts_serials_needs_sn_codes_once_converted():
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1", "CV-2"], MAIN, 100)], -5)
	draft = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": COMPANY,
			"customer": CUSTOMER,
			"currency": "USD",
			"items": [erp_row(["CV-1"], MAIN)],
		}
	).insert()
	conversion.convert(ITEM)
	draft.reload()
	# its ERPNext serial text is no SN code: the row must name its SN codes now
	with pytest.raises(frappe.ValidationError, match="1 of its 1 SN codes are missing"):
		draft.submit()


# Bad input


def test_an_item_without_erpnexts_serials_is_refused():
	f.make_item("ST-CONV-PLAIN", sn_tracking=0)
	report = conversion.dry_run("ST-CONV-PLAIN")
	assert not report["convertible"]
	assert report["refusals"] == ["Item ST-CONV-PLAIN does not use serial numbers of ERPNext (Has Serial No)"]
	with pytest.raises(ConversionError, match="does not use serial numbers of ERPNext"):
		conversion.convert("ST-CONV-PLAIN")


def test_an_item_with_no_serial_yet_is_refused():
	erp_item()
	with pytest.raises(ConversionError, match=f"Item {ITEM} has no serial numbers of ERPNext to convert"):
		conversion.convert(ITEM)


def test_an_item_converted_already_is_refused():
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN, 100)], -5)
	conversion.convert(ITEM)
	with pytest.raises(ConversionError, match=f"Item {ITEM} is already converted"):
		conversion.convert(ITEM)


def test_serials_held_inconsistently_are_listed_and_nothing_is_converted():
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1", "CV-2", "CV-3"], MAIN, 100)], -5)
	# ERPNext's record says another warehouse than its ledger; one serial is expired
	frappe.db.set_value("Serial No", "CV-1", "warehouse", SHOP)
	frappe.db.set_value("Serial No", "CV-2", "status", "Expired")
	report = conversion.dry_run(ITEM)
	assert not report["convertible"]
	assert report["refusals"] == [
		f"CV-1: ERPNext's Serial No says {SHOP}, but its stock ledger entries say {MAIN}",
		"CV-2: ERPNext holds it as Expired, a status SN codes do not have",
	]
	with pytest.raises(ConversionError, match="CV-2: ERPNext holds it as Expired"):
		conversion.convert(ITEM)
	assert not frappe.db.exists("Serial Number", {"item_code": ITEM})
	assert frappe.db.get_value("Item", ITEM, ["has_serial_no", "sn_tracking"]) == (1, 0)


def test_a_serial_received_twice_is_held_at_two_places():
	erp_item()
	receipt = erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN, 100)], -5)
	second = erp_entry("Material Receipt", [(["CV-2"], None, SHOP, 100)], -4)
	# the second receipt's ledger names CV-1 too (as an older entry's serial text could)
	as_older_entry(second)
	sle = frappe.db.get_value("Stock Ledger Entry", {"voucher_no": second.name}, "name")
	frappe.db.set_value("Stock Ledger Entry", sle, "serial_no", "CV-1")
	report = conversion.dry_run(ITEM)
	assert (
		f"CV-1: Stock Entry {second.name} brings it into {SHOP} while ERPNext holds it at {MAIN}"
		in (report["refusals"])
	)
	assert receipt.name


def test_a_document_the_user_may_not_read_is_named_only_by_its_type(restricted):
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN, 100)], -5)
	second = erp_entry("Material Receipt", [(["CV-2"], None, SHOP, 100)], -4)
	as_older_entry(second)
	sle = frappe.db.get_value("Stock Ledger Entry", {"voucher_no": second.name}, "name")
	frappe.db.set_value("Stock Ledger Entry", sle, "serial_no", "CV-1")
	# a Stock Manager who reads both warehouses, but only the Stock Entries that issue
	frappe.set_user(
		restricted("issues", "Stock Entry Type", "Material Issue", roles=("Stock Manager", "Stock User"))
	)
	assert not frappe.has_permission("Stock Entry", "read", doc=second.name)
	report = conversion.dry_run(ITEM)
	assert (
		f"CV-1: a Stock Entry you may not see brings it into {SHOP} while ERPNext holds it at {MAIN}"
		in report["refusals"]
	)
	assert second.name not in json.dumps(report)
	with pytest.raises(ConversionError) as refused:
		conversion.convert(ITEM)
	assert second.name not in str(refused.value)


def test_a_batch_and_negative_stock_are_refused():
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN, 100)], -5)
	frappe.db.set_value("Item", ITEM, "has_batch_no", 1)
	assert "Item ST-CONV uses batch numbers" in conversion.dry_run(ITEM)["refusals"]


def test_codes_off_the_items_format_are_listed():
	erp_item(sn_code_format="Digits", sn_code_length=4)
	erp_trade("Purchase Receipt", [erp_row(["1234", "CV-2"], MAIN, 100)], -5)
	report = conversion.dry_run(ITEM)
	assert report["convertible"]
	assert report["off_format"] == ["CV-2"]


def test_nothing_is_posted_before_the_conversion():
	"""ERPNext would repost the item from a document posted earlier, through its serialised entries,
	and lose the valuation queue the conversion set."""
	erp_item()
	story()
	conversion.convert(ITEM)
	queue = frappe.get_all(
		"Stock Ledger Entry",
		filters={"item_code": ITEM, "warehouse": SHOP, "is_cancelled": 0},
		pluck="stock_queue",
		order_by="posting_datetime desc, creation desc",
		limit=1,
	)
	frappe.db.savepoint("backdated")
	with pytest.raises(ConversionError, match=f"before item {ITEM} was converted to SN codes"):
		f.stock_entry(
			"Material Receipt",
			[(ITEM, 1, ["CV-NEW"], None, SHOP)],
			posting_date=day(-1),
			posting_time="10:00",
		)
	# what a request does with a refusal
	frappe.db.rollback(save_point="backdated")
	assert not frappe.db.exists("Serial Number", "CV-NEW")
	assert (
		frappe.get_all(
			"Stock Ledger Entry",
			filters={"item_code": ITEM, "warehouse": SHOP, "is_cancelled": 0},
			pluck="stock_queue",
			order_by="posting_datetime desc, creation desc",
			limit=1,
		)
		== queue
	)


def test_a_receipt_after_the_conversion_adds_to_the_queue():
	erp_item()
	story()
	conversion.convert(ITEM)
	f.stock_entry("Material Receipt", [(ITEM, 1, ["CV-NEW"], None, SHOP)])
	latest = frappe.get_all(
		"Stock Ledger Entry",
		filters={"item_code": ITEM, "warehouse": SHOP, "is_cancelled": 0},
		pluck="stock_queue",
		order_by="posting_datetime desc, creation desc",
		limit=1,
	)[0]
	assert json.loads(latest) == [[1, 130], [1, 100], [1, 130], [1, 100]]
	assert f.serial("CV-NEW").status == "In Stock"


def test_erpnexts_old_records_are_not_taken_for_the_units():
	erp_item()
	story()
	conversion.convert(ITEM)

	def claim(**values):
		return frappe.get_doc(
			{
				"doctype": "Warranty Claim",
				"status": "Open",
				"complaint_date": nowdate(),
				"customer": CUSTOMER,
				"complaint": "no sound",
				"company": COMPANY,
				**values,
			}
		)

	with pytest.raises(ConversionError, match="Serial No CV-2 is a record of ERPNext from before item"):
		claim(serial_no="CV-2").insert()
	made = claim(sn_code="CV-2").insert()
	assert (made.item_code, made.customer) == (ITEM, CUSTOMER)
	# a scan finds the SN code, not ERPNext's record
	from serial_tracking.api import scan_into_document

	draft = {
		"doctype": "Delivery Note",
		"company": COMPANY,
		"customer": CUSTOMER,
		"items": [],
	}
	answer = scan_into_document(draft, "CV-1")
	assert answer["ours"] and answer["codes"] == ["CV-1"]


def test_a_cancel_that_skips_the_apps_checks_is_refused_at_the_stock_ledger():
	"""Whatever path cancels a document from before the conversion (one the app's events do not
	see), its reversal of ERPNext's serials is refused where it is written."""
	erp_item()
	docs = story()
	conversion.convert(ITEM)
	sale = frappe.get_doc("Delivery Note", docs.sales_return.name)
	sale.flags.ignore_validate = True
	with pytest.raises(ConversionError, match=f"{sale.name} cannot be cancelled: it moved item {ITEM}"):
		sale.cancel()


def test_a_dry_run_of_every_item_reads_a_bounded_number_of_serials(monkeypatch):
	from serial_tracking.api import converting

	erp_item()
	erp_item("ST-CONV-B")
	erp_trade("Purchase Receipt", [erp_row(["CV-1", "CV-2", "CV-3"], MAIN)], -5)
	erp_trade("Purchase Receipt", [erp_row(["CVB-1", "CVB-2", "CVB-3"], MAIN, item="ST-CONV-B")], -5)
	answer = converting.convert_from_erpnext_serials("*")
	reported = {r["item_code"]: r for r in answer["items"]}
	assert reported[ITEM]["serials"] == reported["ST-CONV-B"]["serials"] == 3
	# past the serials one request reads, the next items are left for the next request
	monkeypatch.setattr(converting, "DRY_RUN_SERIALS", 4)
	answer = converting.convert_from_erpnext_serials([ITEM, "ST-CONV-B"])
	assert [r["item_code"] for r in answer["items"]] == [ITEM]
	assert answer["unchecked"] == ["ST-CONV-B"]


def test_a_unit_on_its_way_through_a_transit_warehouse_arrives_in_transit():
	erp_item()
	erp_trade("Purchase Receipt", [erp_row(["CV-1", "CV-2"], MAIN, 100)], -5)
	out = erp_entry("Material Transfer", [(["CV-1"], MAIN, f.TRANSIT, 100)], -4)
	report = conversion.dry_run(ITEM)
	assert arrivals(report) == {("In Stock", MAIN): 1, ("In Transit", f.TRANSIT): 1}
	conversion.convert(ITEM)
	assert [(r.operation, r.voucher_no) for r in log_of("CV-1")][-1] == ("Transfer Out", out.name)
	assert consistency_check.check(ITEM) == []
	# and arrives with the app
	f.stock_entry("Material Transfer", [(ITEM, 1, ["CV-1"], f.TRANSIT, SHOP)])
	assert (f.serial("CV-1").status, f.serial("CV-1").warehouse) == ("In Stock", SHOP)
	assert log_of("CV-1")[-1].operation == "Transfer In"
	assert consistency_check.check(ITEM) == []


def test_a_request_checks_a_bounded_number_of_items_and_reads_dry_run_as_sent(monkeypatch):
	from serial_tracking.api import converting

	erp_item()
	erp_item("ST-CONV-B")
	erp_trade("Purchase Receipt", [erp_row(["CV-1"], MAIN)], -5)
	erp_trade("Purchase Receipt", [erp_row(["CVB-1"], MAIN, item="ST-CONV-B")], -5)
	monkeypatch.setattr(converting, "MAX_ITEMS", 1, raising=False)
	# past the items one request checks, the rest are left for the next request, unchecked
	answer = converting.convert_from_erpnext_serials([ITEM, "ST-CONV-B", "ST-NO-SUCH-ITEM"])
	assert [r["item_code"] for r in answer["items"]] == [ITEM]
	assert answer["unchecked"] == ["ST-CONV-B", "ST-NO-SUCH-ITEM"]
	answer = converting.convert_from_erpnext_serials("*")
	assert len(answer["items"]) == 1 and answer["unchecked"]
	with pytest.raises(frappe.ValidationError, match="Convert at most 1 items at a time, not 2"):
		converting.convert_from_erpnext_serials([ITEM, "ST-CONV-B"], dry_run=0)
	with pytest.raises(frappe.ValidationError, match="An item code has at most 140 characters"):
		converting.convert_from_erpnext_serials(["X" * 100_000])
	# a conversion asked for as a form or a JSON client sends "no dry run"; the job goes with the rollback
	for no in (0, "0", "false", False, " False "):
		assert "job" in converting.convert_from_erpnext_serials([ITEM], dry_run=no)
	for yes in (1, "1", "true", True):
		assert "unchecked" in converting.convert_from_erpnext_serials([ITEM], dry_run=yes)
	with pytest.raises(frappe.ValidationError, match="Dry run must be a whole number"):
		converting.convert_from_erpnext_serials([ITEM], dry_run="maybe")
