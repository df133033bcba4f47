"""REST tests: the whitelisted methods over real HTTP, against the test site served by scripts/test.sh.

``ST_REST_URL`` is the served site's address (without it every test is skipped), ``ST_SITE`` the
site, run from the bench's ``sites`` folder with the bench's Python. Set-up runs in-process on the
same site and commits: three token users (a Stock Manager, a Stock User allowed one warehouse by a
User Permission, a user with no stock role), the integration tests' master data and one receipt of
SN codes at each of two warehouses. Everything made is cancelled and deleted afterwards.
"""

import json
import os
import secrets

import pytest
import requests

URL = os.environ.get("ST_REST_URL", "").rstrip("/")


def pytest_collection_modifyitems(config, items):
	if URL:
		return
	skip = pytest.mark.skip(reason="ST_REST_URL is not set: no served site to call")
	for item in items:
		if "tests/rest" in str(item.fspath):
			item.add_marker(skip)


class Client:
	"""One caller of the REST API: a token user, or Guest (no credentials)."""

	def __init__(self, name: str, key: str | None = None, secret: str | None = None):
		self.name = name
		self.session = requests.Session()
		self.session.headers["Accept"] = "application/json"
		if key:
			self.session.headers["Authorization"] = f"token {key}:{secret}"

	def post(self, method: str, **args) -> requests.Response:
		return self.session.post(f"{URL}/api/method/{method}", json=args, timeout=120)

	def get(self, method: str, **args) -> requests.Response:
		return self.session.get(f"{URL}/api/method/{method}", params=args, timeout=120)

	def download(self, path: str) -> requests.Response:
		return self.session.get(f"{URL}{path}", timeout=120)


def message(response: requests.Response):
	assert response.ok, f"{response.status_code} {response.text[:1000]}"
	return response.json().get("message")


#: Where a refusal's error class may come from: Frappe's own errors and the app's (its refusals
#: subclass Frappe's ValidationError), never a raw database or Python error.
REFUSALS = ("frappe.exceptions.", "serial_tracking.messages.")


def refusal(response: requests.Response) -> str:
	"""The refusal's message, after checking it is a 4xx of one of Frappe's own errors."""
	assert 400 <= response.status_code < 500, f"{response.status_code} {response.text[:1000]}"
	body = response.json()
	exception = body.get("exception") or f"frappe.exceptions.{body.get('exc_type')}"
	assert exception.startswith(REFUSALS), exception
	messages = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages", "[]"))]
	return " ".join(messages)


@pytest.fixture(scope="session")
def site():
	import frappe

	from tests.integration import factory

	frappe.init(site=os.environ.get("ST_SITE", "st-test.localhost"), sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	factory.make_master_data()
	frappe.db.commit()
	yield frappe
	frappe.destroy()


def _token_user(frappe, email: str, roles: list[str], allow: list[tuple[str, str]]) -> Client:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.set("roles", [])
	user.add_roles(*roles)
	frappe.db.delete("User Permission", {"user": email})
	for doctype, value in allow:
		frappe.get_doc(
			{"doctype": "User Permission", "user": email, "allow": doctype, "for_value": value}
		).insert(ignore_permissions=True)
	secret = frappe.generate_hash(length=15)
	user.reload()
	user.api_key = user.api_key or frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.clear_cache(user=email)
	return Client(email, user.api_key, secret)


@pytest.fixture(scope="session")
def users(site):
	from tests.integration import factory

	frappe = site
	made = {
		"manager": _token_user(frappe, "st-rest-manager@example.com", ["Stock Manager", "Stock User"], []),
		"clerk": _token_user(
			frappe, "st-rest-clerk@example.com", ["Stock User"], [("Warehouse", factory.SHOP)]
		),
		"outsider": _token_user(frappe, "st-rest-outsider@example.com", ["Accounts User"], []),
		"guest": Client("Guest"),
	}
	yield made
	for client in made.values():
		if client.name != "Guest":
			frappe.db.delete("User Permission", {"user": client.name})
			frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.fixture(scope="session")
def stock(site):
	"""One receipt of SN codes at the main warehouse and one at the shop, cancelled afterwards."""
	from tests.integration import factory

	frappe = site
	uid = secrets.token_hex(3).upper()
	main = factory.codes(f"REST{uid}-M", 3)
	shop = factory.codes(f"REST{uid}-S", 2)
	receipts = [
		factory.stock_entry("Material Receipt", [(factory.PHONE, len(main), main, None, factory.MAIN)]),
		factory.stock_entry("Material Receipt", [(factory.PHONE, len(shop), shop, None, factory.SHOP)]),
	]
	frappe.db.commit()
	yield {"main": main, "shop": shop, "receipts": [(d.doctype, d.name) for d in receipts]}
	for doc in reversed(receipts):
		doc.reload()
		if doc.docstatus == 1:
			doc.cancel()
	frappe.db.commit()
