"""The Point of Sale's server helpers: find_serial (a scanned SN code In Stock at the profile's
warehouse, or any sold one in a return's cart) and is_tracked, with their refusals and permissions;
returns of POS invoices (partial, without an original) and their consolidation at closing."""

import pytest

import frappe

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, PLAIN, SHOP, TRANSIT, codes, user_with


def gtin(body: str) -> str:
	"""``body`` (13 digits) with its GS1 check digit: a GTIN-14."""
	total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
	return body + str((10 - total % 10) % 10)


def test_a_code_in_stock_at_the_warehouse_names_its_item():
	code, elsewhere, sold, travelling = codes("POSF", 4)
	f.receive([code, sold, travelling])
	f.receive([elsewhere], warehouse=SHOP)
	f.delivery_note([(PHONE, 1, [sold], MAIN)])
	f.stock_entry("Material Transfer", [(PHONE, 1, [travelling], MAIN, TRANSIT)])
	assert f.serial(travelling).status == "In Transit"
	name = frappe.db.get_value("Item", PHONE, "item_name")
	assert api.find_serial(code, MAIN) == {"code": code, "item_code": PHONE, "item_name": name}
	# Found as the database compares codes (without case), answered as stored.
	assert api.find_serial(f"  {code.lower()} ", MAIN)["code"] == code
	# Anything else goes on to ERPNext's own search.
	assert api.find_serial(elsewhere, MAIN) is None
	assert api.find_serial(sold, MAIN) is None
	assert api.find_serial(travelling, TRANSIT) is None
	assert api.find_serial("POSF-NEVER", MAIN) is None
	assert api.find_serial(PHONE, MAIN) is None
	assert api.find_serial(f"{code} {code}", MAIN) is None


def test_a_serial_of_an_item_no_longer_tracked_is_not_found(settings):
	(code,) = codes("POSO", 1)
	f.receive([code])
	frappe.db.set_value("Item", PHONE, "sn_tracking", 0)
	assert api.find_serial(code, MAIN) is None
	frappe.db.set_value("Item", PHONE, "sn_tracking", 1)
	settings(enabled=0)
	assert api.find_serial(code, MAIN) is None
	assert api.is_tracked(PHONE) is False


def test_gs1_scans_are_read_for_their_serial():
	(code,) = codes("POSG", 1)
	f.receive([code])
	phone, other = gtin("0950600013435"), gtin("0950600013436")
	assert api.find_serial(f"(01){phone}(21){code}", MAIN)["code"] == code
	assert api.find_serial(f"]C101{phone}21{code}", MAIN)["code"] == code
	bad = phone[:-1] + str((int(phone[-1]) + 1) % 10)
	with pytest.raises(frappe.ValidationError):
		api.find_serial(f"(01){bad}(21){code}", MAIN)
	# The item's own GTIN: a scan of another is refused with the reason.
	item = frappe.get_doc("Item", PHONE)
	item.append("barcodes", {"barcode": phone})
	item.save()
	assert api.find_serial(f"(01){phone}(21){code}", MAIN)["code"] == code
	with pytest.raises(frappe.ValidationError, match=other):
		api.find_serial(f"(01){other}(21){code}", MAIN)


def test_is_tracked():
	assert api.is_tracked(PHONE) is True
	assert api.is_tracked(PLAIN) is False
	with pytest.raises(frappe.DoesNotExistError):
		api.is_tracked("ST-NO-SUCH-ITEM")
	with pytest.raises(frappe.MandatoryError):
		api.is_tracked(None)


def test_bad_arguments_are_named():
	with pytest.raises(frappe.MandatoryError, match="Code is required"):
		api.find_serial("  ", MAIN)
	with pytest.raises(frappe.MandatoryError, match="Warehouse is required"):
		api.find_serial("X1", None)
	with pytest.raises(frappe.DoesNotExistError, match="Warehouse ST-NO-SUCH does not exist"):
		api.find_serial("X1", "ST-NO-SUCH")


@pytest.mark.parametrize("method, args", [(api.find_serial, ("X1", MAIN)), (api.is_tracked, (PHONE,))])
def test_guests_get_nothing(method, args):
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(method)
	with pytest.raises(frappe.PermissionError):
		method(*args)


def test_permissions(restricted):
	(code,) = codes("POSP", 1)
	f.receive([code])
	frappe.set_user(user_with(["Accounts User"]))
	with pytest.raises(frappe.PermissionError):
		api.find_serial(code, MAIN)
	frappe.set_user("Administrator")
	frappe.set_user(restricted("pos-shop", "Warehouse", SHOP, roles=("Sales User", "Stock User")))
	with pytest.raises(frappe.PermissionError, match=f"You are not permitted to read Warehouse {MAIN}"):
		api.find_serial(code, MAIN)
	frappe.set_user("Administrator")
	frappe.set_user(restricted("pos-plain", "Item", PLAIN, roles=("Sales User", "Stock User")))
	# The serial of an item the user may not read is not found; the item is refused by name.
	assert api.find_serial(code, MAIN) is None
	with pytest.raises(frappe.PermissionError, match=f"Item {PHONE}"):
		api.is_tracked(PHONE)


# Returns at the Point of Sale


def _return_of(pos, codes_):
	"""The return the POS page makes of ``pos`` (ERPNext's ``make_sales_return``), taking back only
	``codes_`` of its one row."""
	from erpnext.accounts.doctype.pos_invoice.pos_invoice import make_sales_return

	ret = make_sales_return(pos.name)
	ret.items[0].qty = -len(codes_)
	ret.items[0].sn_codes = "\n".join(codes_)
	ret.calculate_taxes_and_totals()
	total = ret.rounded_total or ret.grand_total
	ret.payments[0].amount = ret.payments[0].base_amount = total
	ret.paid_amount = ret.base_paid_amount = total
	return ret


def test_a_pos_return_takes_back_only_units_its_original_sold_partly():
	sold_here, kept, sold_elsewhere = codes("POSR", 3)
	f.receive([sold_here, kept, sold_elsewhere])
	pos = f.pos_invoice([(PHONE, 2, [sold_here, kept], MAIN)])
	other = f.pos_invoice([(PHONE, 1, [sold_elsewhere], MAIN)])
	# Scanned into the search of the return's cart, a sold unit is found (any sold unit: the
	# return's check says whether it may come back); in a sale's cart it is not.
	assert api.find_serial(sold_elsewhere, MAIN) is None
	assert api.find_serial(sold_elsewhere, MAIN, pos.name)["item_code"] == PHONE
	assert api.find_serial("POSR-NEVER", MAIN, pos.name) is None
	with pytest.raises(frappe.DoesNotExistError):
		api.find_serial(sold_here, MAIN, "ACC-PSINV-NO-SUCH")
	# The SN dialog's live check of the return line: a unit of another sale is refused with the
	# ledger's reason, before anything is saved.
	ret = _return_of(pos, [sold_elsewhere])
	doc = ret.as_dict()
	doc["items"][0]["name"] = "new-pos-invoice-item-1"
	answer = api.check_row(doc, "new-pos-invoice-item-1", f"{sold_here}\n{sold_elsewhere}")
	assert [(c["code"], c["ok"]) for c in answer["codes"]] == [(sold_here, True), (sold_elsewhere, False)]
	assert answer["codes"][1]["reason"].startswith(f"{sold_elsewhere} was not sold on {pos.name}")
	with pytest.raises(frappe.ValidationError, match=f"{sold_elsewhere} was not sold on {pos.name}"):
		ret.insert()
	# One of the two comes back: the other stays sold on the original.
	ret = _return_of(pos, [sold_here])
	ret.insert()
	ret.submit()
	assert (f.serial(sold_here).status, f.serial(sold_here).warehouse) == ("In Stock", MAIN)
	assert (f.serial(kept).status, f.serial(kept).voucher_no) == ("Sold", pos.name)
	assert f.serial(sold_elsewhere).voucher_no == other.name
	# A second return of the same unit is refused; the other unit can still come back.
	again = _return_of(pos, [sold_here])
	with pytest.raises(frappe.ValidationError, match=f"{sold_here} was not sold: it is In Stock"):
		again.insert()
	rest = _return_of(pos, [kept])
	rest.insert()
	rest.submit()
	assert f.serial(kept).status == "In Stock"


def _return_without_original(pos, code):
	"""A POS return of one unit with no *Return Against*, as Desk's POS Invoice form makes one."""
	ret = frappe.copy_doc(pos)
	ret.is_return = 1
	ret.posting_time = frappe.utils.nowtime()
	ret.items = ret.items[:1]
	ret.items[0].update({"qty": -1, "stock_qty": -1, "sn_codes": code})
	ret.payments = ret.payments[:1]
	ret.payments[0].amount = -100
	ret.paid_amount = ret.base_paid_amount = -100
	return ret


def test_a_pos_return_without_an_original_takes_only_units_sold_to_its_customer():
	mine, theirs = codes("POSW", 2)
	f.receive([mine, theirs])
	pos = f.pos_invoice([(PHONE, 1, [mine], MAIN)])
	f.delivery_note([(PHONE, 1, [theirs], MAIN)], customer=f.CUSTOMER2)
	with pytest.raises(
		frappe.ValidationError, match=f"{theirs} was sold to {f.CUSTOMER2}, not to {f.CUSTOMER}"
	):
		_return_without_original(pos, theirs).insert()
	ret = _return_without_original(pos, mine)
	ret.insert()
	ret.submit()
	assert not ret.return_against
	assert (f.serial(mine).status, f.serial(mine).warehouse) == ("In Stock", MAIN)
	assert f.serial(theirs).status == "Sold"


def _opening_of_this_user(profile):
	"""The session user's open POS Opening Entry of ``profile`` (a closing takes only its user's
	invoices; the factory's invoices use any open entry of the profile), begun an hour ago."""
	where = {"pos_profile": profile, "user": frappe.session.user, "status": "Open", "docstatus": 1}
	start = frappe.utils.add_to_date(frappe.utils.now_datetime(), hours=-1)
	if name := frappe.db.get_value("POS Opening Entry", where):
		# One the browser tests opened is dated in the machine's time zone, maybe after the site's now.
		frappe.db.set_value("POS Opening Entry", name, "period_start_date", start)
		return frappe.get_doc("POS Opening Entry", name)
	opening = frappe.get_doc(
		{
			"doctype": "POS Opening Entry",
			"pos_profile": profile,
			"company": f.COMPANY,
			"user": frappe.session.user,
			"period_start_date": start,
			"posting_date": frappe.utils.nowdate(),
			"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
		}
	)
	opening.insert()
	opening.submit()
	return opening


def test_closing_the_pos_consolidates_a_sale_and_its_partial_return_without_moving_again(monkeypatch):
	from erpnext.accounts.doctype.pos_closing_entry.pos_closing_entry import make_closing_entry_from_opening

	from serial_tracking.stock.consistency_check import check

	item = f"ST-POSRET-{frappe.generate_hash(length=5).upper()}"
	f.make_item(item)
	back, kept = codes(f"{item}-", 2)
	f.receive([back, kept], item=item)
	pos = f.pos_invoice([(item, 2, [back, kept], MAIN)])
	ret = _return_of(pos, [back])
	ret.insert()
	ret.submit()
	closing = make_closing_entry_from_opening(_opening_of_this_user(pos.pos_profile))
	# This test's invoices only (others of the session may be open).
	closing.set(
		"pos_transactions", [t for t in closing.pos_transactions if t.pos_invoice in (pos.name, ret.name)]
	)
	assert {t.pos_invoice for t in closing.pos_transactions} == {pos.name, ret.name}
	closing.insert()
	# ERPNext's consolidation commits when it ends: here the test's transaction is rolled back instead.
	monkeypatch.setattr(frappe.local.db, "commit", lambda *args, **kwargs: None)
	closing.submit()
	consolidated = frappe.db.get_value("POS Invoice", pos.name, "consolidated_invoice")
	credit_note = frappe.db.get_value("POS Invoice", ret.name, "consolidated_invoice")
	assert consolidated and credit_note and consolidated != credit_note
	assert frappe.db.get_value("Sales Invoice", credit_note, ["is_return", "docstatus"]) == (1, 1)
	# The consolidation carries the codes and moves nothing again.
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": ("in", [consolidated, credit_note])}) == 0
	assert frappe.get_all("Sales Invoice Item", {"parent": credit_note}, pluck="sn_codes") == [back]
	assert (f.serial(back).status, f.serial(back).warehouse, f.serial(back).voucher_no) == (
		"In Stock",
		MAIN,
		ret.name,
	)
	assert (f.serial(kept).status, f.serial(kept).voucher_no) == ("Sold", pos.name)
	# The serials agree with ERPNext's stock ledger, written by the consolidation.
	assert frappe.db.get_value("Bin", {"item_code": item, "warehouse": MAIN}, "actual_qty") == 1
	assert check(item) == []
