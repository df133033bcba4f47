"""A Link field to Serial Number: Desk's search (frappe.desk.search.search_link) finds serials by the
start of their code, in code order, as a list shows them to the user."""

import pytest

import frappe
from frappe.desk.search import search_link

from serial_tracking.constants import SERIAL
from serial_tracking.devtools.bench_find import insert_serials
from tests.integration.factory import COMPANY, MAIN, SHOP
from tests.integration.test_api import restricted  # noqa: F401


def values(txt, **kwargs):
	return [r["value"] for r in search_link(SERIAL, txt, **kwargs)]


def test_finds_codes_by_their_start_in_code_order_with_item_status_and_warehouse():
	insert_serials(3, "LKA", company=COMPANY, warehouses=(MAIN,))
	insert_serials(2, "XLKA", company=COMPANY, warehouses=(MAIN,))
	found = search_link(SERIAL, "lka000000")
	assert [r["value"] for r in found] == ["LKA0000000", "LKA0000001", "LKA0000002"]
	assert "BENCH-FIND" in found[0]["description"] and "In Stock" in found[0]["description"]
	# not by a part in the middle of the code, as Frappe's own search would
	assert "XLKA0000000" not in values("LKA")


def test_like_wildcards_in_the_text_are_taken_literally_and_pages_fill():
	insert_serials(1, "LK_B", company=COMPANY)
	insert_serials(30, "LKXB", company=COMPANY)
	assert values("LK_") == ["LK_B0000000"]
	assert values("LKXB", page_length=25) == [f"LKXB{n:07d}" for n in range(25)]


def test_a_user_finds_only_serials_of_warehouses_they_may_read(restricted):  # noqa: F811
	insert_serials(1, "LKM", company=COMPANY, warehouses=(MAIN,))
	insert_serials(1, "LKS", company=COMPANY, warehouses=(SHOP,))
	user = restricted("link-shop", "Warehouse", SHOP)
	frappe.set_user(user)
	assert values("LK") == ["LKS0000000"]


def test_guest_finds_nothing():
	insert_serials(1, "LKG", company=COMPANY)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		search_link(SERIAL, "LKG")
