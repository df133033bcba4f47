"""Integration tests on a real site with ERPNext and this app.

Run from the bench's ``sites`` folder with the bench's Python (see README);
``ST_SITE`` names the site. Master data is made once per run and committed;
every test runs in a transaction rolled back after it.
"""

import os

import pytest

frappe = pytest.importorskip("frappe")

from tests.integration import factory  # noqa: E402


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
