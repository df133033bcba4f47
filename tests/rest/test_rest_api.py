"""The whitelisted methods over real HTTP with token authentication: who gets what, and refusals as 4xx."""

import pytest

from tests.integration import factory
from tests.rest.conftest import URL, _token_user, message, refusal

#: Every whitelisted method with arguments a permitted caller could send.
READS = [
	("serial_tracking.api.parse_codes", {"text": "A-1\nA-2"}),
	("serial_tracking.api.generate_codes", {"count": 2, "prefix": "G-"}),
	("serial_tracking.api.in_stock", {"item_code": factory.PHONE, "warehouse": factory.SHOP}),
	("serial_tracking.api.item_stock", {"item_code": factory.PHONE}),
]
MANAGER_ONLY = [
	("serial_tracking.api.check_consistency", {"item_code": factory.PHONE}),
	(
		"serial_tracking.api.register_serials",
		{"item_code": factory.PLAIN, "warehouse": factory.MAIN, "codes": ""},
	),
	("serial_tracking.api.set_tracking", {"items": [factory.PLAIN], "enable": 0}),
]


@pytest.mark.parametrize("method,args", READS + MANAGER_ONLY, ids=lambda v: v if isinstance(v, str) else "")
def test_guest_gets_nothing(users, method, args):
	response = users["guest"].post(method, **args)
	assert response.status_code == 403, response.text[:500]
	assert "message" not in response.json()


@pytest.mark.parametrize("method,args", READS + MANAGER_ONLY, ids=lambda v: v if isinstance(v, str) else "")
def test_a_token_user_without_a_stock_role_gets_nothing(users, method, args):
	response = users["outsider"].post(method, **args)
	assert response.status_code == 403, response.text[:500]
	assert "message" not in response.json()


def test_a_wrong_token_is_refused(users):
	from tests.rest.conftest import Client

	forged = Client(
		"forged", users["manager"].session.headers["Authorization"].split()[1].split(":")[0], "nope"
	)
	response = forged.post("serial_tracking.api.parse_codes", text="A-1")
	assert response.status_code in (401, 403), response.text[:500]


def test_a_stock_user_reads_only_the_warehouse_they_may(users, stock):
	clerk = users["clerk"]
	shop = message(
		clerk.post("serial_tracking.api.in_stock", item_code=factory.PHONE, warehouse=factory.SHOP)
	)
	assert set(stock["shop"]) <= set(shop)
	assert not set(stock["main"]) & set(shop)

	response = clerk.post("serial_tracking.api.in_stock", item_code=factory.PHONE, warehouse=factory.MAIN)
	assert response.status_code == 403
	assert factory.MAIN in refusal(response)

	assert message(clerk.post("serial_tracking.api.history", serial_no=stock["shop"][0]))
	response = clerk.post("serial_tracking.api.history", serial_no=stock["main"][0])
	assert response.status_code == 403

	places = {
		p["warehouse"] for p in message(clerk.post("serial_tracking.api.item_stock", item_code=factory.PHONE))
	}
	assert places == {factory.SHOP}


def test_a_stock_user_may_not_do_what_managers_do(users, stock):
	clerk = users["clerk"]
	for method, args in MANAGER_ONLY:
		response = clerk.post(method, **args)
		assert response.status_code == 403, f"{method}: {response.status_code} {response.text[:300]}"


def test_a_manager_reads_every_warehouse_and_checks_consistency(users, stock):
	manager = users["manager"]
	main = message(
		manager.post("serial_tracking.api.in_stock", item_code=factory.PHONE, warehouse=factory.MAIN)
	)
	assert set(stock["main"]) <= set(main)
	differences = message(manager.post("serial_tracking.api.check_consistency", item_code=factory.PHONE))
	assert isinstance(differences, list)
	assert not [d for d in differences if d.get("code") in stock["main"] + stock["shop"]]


def test_bad_arguments_are_a_4xx_that_names_them(users):
	response = users["manager"].post("serial_tracking.api.generate_codes", count="many", prefix="G-")
	assert response.status_code == 417, response.text[:500]
	text = refusal(response)
	assert "Count" in text and "many" in text

	response = users["manager"].post(
		"serial_tracking.api.in_stock", item_code="NO-SUCH-ITEM", warehouse=factory.MAIN
	)
	assert response.status_code == 404, response.text[:500]
	assert "NO-SUCH-ITEM" in refusal(response)


@pytest.fixture
def item_manager(site):
	email = "st-rest-item-manager@example.com"
	yield _token_user(site, email, ["Stock Manager", "Stock User", "Item Manager"], [])
	site.db.rollback()
	site.delete_doc("User", email, ignore_permissions=True, force=True)
	site.db.commit()


def test_the_conversion_refuses_too_much_at_once_clearly_and_reads_dry_run_as_sent(item_manager):
	import json

	manager = item_manager
	convert = "serial_tracking.api.convert_from_erpnext_serials"
	many = json.dumps([f"ST-NO-SUCH-{n}" for n in range(2000)])
	response = manager.post(convert, items=many, dry_run="false")
	assert response.status_code == 417, response.text[:500]
	assert "Convert at most 500 items at a time, not 2000" in refusal(response)
	# a dry run checks 500 of them and says which it did not
	answer = message(manager.post(convert, items=many, dry_run="true"))
	assert len(answer["items"]) == 500 and len(answer["unchecked"]) == 1500
	response = manager.post(convert, items=json.dumps(["<b>" + "X" * 5000]), dry_run=1)
	assert response.status_code == 417, response.text[:500]
	text = refusal(response)
	assert "An item code has at most 140 characters" in text and "<b>" not in text and len(text) < 1000
	answer = message(manager.post(convert, items=json.dumps(["ST-NO-SUCH-ITEM"]), dry_run="false"))
	assert answer["job"] is None and answer["refused"][0]["item_code"] == "ST-NO-SUCH-ITEM"


def test_post_only_methods_refuse_a_get(users):
	response = users["manager"].get("serial_tracking.api.parse_codes", text="A-1")
	assert response.status_code == 403, response.text[:500]
	assert "message" not in response.json()


def test_the_amc_end_is_set_over_rest_by_a_manager_only_and_the_warranty_by_nobody(users, stock, site):
	code = stock["shop"][0]

	def put(who, **values):
		return users[who].session.put(f"{URL}/api/resource/Serial Number/{code}", json=values, timeout=120)

	answer = put("manager", amc_expiry_date="2030-01-31")
	assert answer.ok, answer.text[:1000]
	assert answer.json()["data"]["amc_expiry_date"] == "2030-01-31"
	assert put("clerk", amc_expiry_date="2031-01-31").status_code == 403
	assert "Warranty Until" in refusal(put("manager", warranty_expiry_date="2031-01-31"))
	site.db.rollback()
	assert str(site.db.get_value("Serial Number", code, "amc_expiry_date")) == "2030-01-31"
	assert site.db.get_value("Serial Number", code, "warranty_expiry_date") is None
