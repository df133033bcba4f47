"""Integration tests on a real site with ERPNext and this app.

Run from the bench's ``sites`` folder with the bench's Python (see README);
``ST_SITE`` names the site. Master data is made once per run and committed;
every test runs in a transaction rolled back after it.
"""

import os
import traceback

import pytest

frappe = pytest.importorskip("frappe")

from tests.integration import factory  # noqa: E402
from tests.integration.issued import Issued  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def site():
	name = os.environ.get("ST_SITE", "st-test.localhost")
	frappe.init(site=name, sites_path=os.environ.get("ST_SITES_PATH", "."))
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	factory.make_master_data()
	frappe.db.commit()
	yield name
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def rollback(site, request, monkeypatch):
	"""Each test runs in a transaction rolled back after it; a commit inside one is a bug.

	Tests that must commit (other connections see only committed data) say so
	with ``@pytest.mark.commits`` and clean up after themselves.
	"""
	frappe.set_user("Administrator")
	frappe.db.rollback()
	# What an earlier test said is not this test's (a request starts with no messages).
	frappe.clear_messages()
	if not request.node.get_closest_marker("commits"):

		def refuse():
			raise AssertionError("something committed inside the test's transaction")

		monkeypatch.setattr(frappe.local.db, "commit", refuse)
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.clear_document_cache("Serial Tracking Settings", "Serial Tracking Settings")


@pytest.fixture
def settings():
	"""Change Serial Tracking Settings inside the test's transaction."""

	def change(**values):
		doc = frappe.get_single("Serial Tracking Settings")
		doc.update(values)
		doc.save()

	return change


@pytest.fixture
def restricted():
	"""Users whose User Permissions allow only some values; their cached permissions go with the test."""
	made = []

	def make(name, allow, *values, roles=("Stock User",)):
		email = f"st-only-{name}@example.com"
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "ST", "send_welcome_email": 0}
		).insert()
		frappe.get_doc("User", email).add_roles(*roles)
		for value in values:
			frappe.get_doc(
				{"doctype": "User Permission", "user": email, "allow": allow, "for_value": value}
			).insert()
		made.append(email)
		frappe.clear_cache(user=email)
		return email

	yield make
	frappe.set_user("Administrator")
	frappe.db.rollback()
	for email in made:
		frappe.clear_cache(user=email)


@pytest.fixture
def issued(monkeypatch):
	"""The SQL statements ``record(action, keep)`` sees issued while ``action`` runs, those whose text
	``keep`` accepts (all by default)."""
	real_sql = frappe.db.sql

	def record(action, keep=lambda query: True) -> list[Issued]:
		found = []

		def sql(*args, **kwargs):
			query = str(args[0] if args else kwargs.get("query"))
			if keep(query):
				values = args[1] if len(args) > 1 else kwargs.get("values", ())
				found.append(Issued(query, values, traceback.extract_stack()))
			return real_sql(*args, **kwargs)

		monkeypatch.setattr(frappe.db, "sql", sql)
		try:
			action()
		finally:
			monkeypatch.setattr(frappe.db, "sql", real_sql)
		return found

	return record


@pytest.fixture
def statements(issued):
	"""Counts the SQL statements issued while ``count(action)`` runs."""
	return lambda action: len(issued(action))
