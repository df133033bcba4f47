"""SN code formats over real HTTP: a document sent over REST with a code not of its item's format, and
an Item given a pattern RE2 cannot use or one that would backtrack for ever, are each a 4xx naming
what is wrong, storing nothing; never a 500."""

import secrets
import time

import pytest

from serial_tracking.core.code_formats import luhn_digit
from tests.integration import factory
from tests.rest.conftest import _token_user, refusal


@pytest.fixture(scope="module")
def items(site):
	"""Two items committed for the module, an IMEI one and one for patterns, deleted afterwards."""
	frappe = site
	uid = secrets.token_hex(3).upper()
	made = {
		"imei": factory.make_item(f"ST-REST-IMEI-{uid}", sn_code_format="IMEI").name,
		"pattern": factory.make_item(f"ST-REST-PAT-{uid}").name,
	}
	frappe.db.commit()
	yield made
	for name in made.values():
		frappe.delete_doc("Item", name, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.fixture(scope="module")
def item_manager(site):
	frappe = site
	client = _token_user(frappe, "st-rest-items@example.com", ["Item Manager", "Stock User"], [])
	yield client
	frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


def url() -> str:
	from tests.rest.conftest import URL

	return URL


def receipt(client, item: str, codes: list[str]):
	doc = {
		"company": factory.COMPANY,
		"supplier": factory.SUPPLIER,
		"currency": "USD",
		"buying_price_list": "Standard Buying",
		"items": [
			{
				"item_code": item,
				"qty": len(codes),
				"rate": 100,
				"conversion_factor": 1,
				"warehouse": factory.MAIN,
				"sn_codes": "\n".join(codes),
			}
		],
	}
	return client.session.post(f"{url()}/api/resource/Purchase Receipt", json=doc, timeout=120)


def serials_of(site, item: str) -> int:
	site.db.rollback()
	return site.db.count("Serial Number", {"item_code": item})


def test_a_receipt_over_rest_with_a_mistyped_imei_is_a_4xx_naming_the_check_digit(site, users, items):
	payload = "35693803990001"
	right = luhn_digit(payload)
	code = payload + str((right + 1) % 10)
	said = refusal(receipt(users["manager"], items["imei"], [code]))
	assert f"{code} is not an IMEI of item {items['imei']}: check digit should be {right}" in said
	said = refusal(receipt(users["manager"], items["imei"], [payload]))
	assert "an IMEI has 15 digits, this has 14" in said
	assert serials_of(site, items["imei"]) == 0


def test_an_item_refuses_over_rest_a_pattern_re2_cannot_use(site, items, item_manager):
	put = f"{url()}/api/resource/Item/{items['pattern']}"
	for pattern, words in (("(a)\\1", "invalid escape sequence"), ("[A-Z", "missing ]"), ("A" * 201, "201")):
		values = {"sn_code_format": "Pattern", "sn_code_pattern": pattern}
		said = refusal(item_manager.session.put(put, json=values, timeout=120))
		assert words in said, said
	site.db.rollback()
	assert not site.db.get_value("Item", items["pattern"], "sn_code_format")


def test_a_pattern_that_would_backtrack_for_ever_is_taken_and_matched_at_once(
	site, users, items, item_manager
):
	put = f"{url()}/api/resource/Item/{items['pattern']}"
	values = {"sn_code_format": "Pattern", "sn_code_pattern": "(a+)+$"}
	response = item_manager.session.put(put, json=values, timeout=120)
	assert response.ok, response.text[:1000]
	code = "a" * 98 + "!"
	started = time.monotonic()
	said = refusal(receipt(users["manager"], items["pattern"], [code]))
	assert time.monotonic() - started < 10
	assert f"{code} does not match the pattern (a+)+$ set on item {items['pattern']}" in said
	assert serials_of(site, items["pattern"]) == 0
