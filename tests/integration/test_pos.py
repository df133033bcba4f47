"""The Point of Sale's server helpers: find_serial (a scanned SN code In Stock at the profile's
warehouse) and is_tracked, with their refusals and permissions."""

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
