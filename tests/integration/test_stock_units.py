"""Units to pick from stock (serial_tracking.api.stock_units): oldest first, filtered by the start of a
code or carton, paged and bounded, leaving out the codes a dialog holds, behind User Permissions."""

import secrets

import pytest

import frappe

from serial_tracking import api
from serial_tracking.settings import get_settings
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP, codes


@pytest.fixture
def item():
	return f.make_item(f"ST-PICK-{secrets.token_hex(3).upper()}").name


def listed(answer):
	return [u["code"] for u in answer["units"]]


def test_units_are_oldest_first_filtered_paged_and_never_those_entered(item):
	older, newer = codes(f"{item}-A", 2), codes(f"{item}-B", 2)
	f.receive(older, item=item)
	f.receive(newer, item=item)
	# The first receipt's units came an hour before the second's, whatever their codes.
	for code in newer:
		frappe.db.set_value("Serial Number", code, "posted_at", "2020-01-01 10:00:00")
	for code in older:
		frappe.db.set_value("Serial Number", code, "posted_at", "2020-01-01 11:00:00")
	answer = api.stock_units(item, MAIN)
	assert listed(answer) == newer + older
	assert answer["more"] is False
	assert [str(u["received"]) for u in answer["units"]][:1] == ["2020-01-01 10:00:00"]
	assert {u["carton"] for u in answer["units"]} == {None}

	assert listed(api.stock_units(item, MAIN, search=f"{item}-a".lower())) == older
	first = api.stock_units(item, MAIN, page_length=3)
	assert (listed(first), first["more"]) == (newer + older[:1], True)
	assert listed(api.stock_units(item, MAIN, start=3, page_length=3)) == older[1:]
	assert listed(api.stock_units(item, MAIN, exclude=[newer[0], older[1]])) == [newer[1], older[0]]
	assert listed(api.stock_units(item, MAIN, exclude=frappe.as_json([newer[1]]))) == [newer[0], *older]
	# A search is the start of a code: a wildcard in it is a character like any other.
	assert listed(api.stock_units(item, MAIN, search="%")) == []
	assert listed(api.stock_units(item, MAIN, search=f"{item}_")) == []
	# Sold units are not in stock.
	f.delivery_note([(item, 1, newer[:1], MAIN)])
	assert listed(api.stock_units(item, MAIN)) == newer[1:] + older


@pytest.mark.parametrize(
	"args",
	[{"page_length": 0}, {"page_length": 501}, {"start": -1}, {"page_length": "many"}],
	ids=["no-page", "page-too-long", "before-the-start", "not-a-number"],
)
def test_bounds_are_refused_by_name(item, args):
	with pytest.raises(frappe.ValidationError):
		api.stock_units(item, MAIN, **args)


def test_too_many_codes_left_out_are_refused(item):
	limit = get_settings().limits.max_per_operation
	with pytest.raises(frappe.ValidationError, match="can be left out"):
		api.stock_units(item, MAIN, exclude=[f"X{n}" for n in range(limit + 1)])


def test_a_user_of_one_warehouse_sees_none_of_another(item, restricted):
	here, there = codes(f"{item}-M", 2), codes(f"{item}-S", 2)
	f.receive(here, item=item)
	f.receive(there, item=item, warehouse=SHOP)
	frappe.set_user(restricted("pick-main", "Warehouse", MAIN))
	assert listed(api.stock_units(item, MAIN)) == here
	with pytest.raises(frappe.PermissionError, match=f"You are not permitted to read Warehouse {SHOP}"):
		api.stock_units(item, SHOP)


def test_a_user_of_another_item_gets_nothing(item, restricted):
	f.receive(codes(f"{item}-I", 1), item=item)
	frappe.set_user(restricted("pick-item", "Item", f.PHONE))
	with pytest.raises(frappe.PermissionError):
		api.stock_units(item, MAIN)
