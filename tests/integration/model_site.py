"""What the model-checked tests keep on the site: their two items, a third warehouse, and the
counts they make."""

import frappe

from tests.integration import factory as f
from tests.integration.factory import COMPANY

ITEMS = ("ST-MODEL-A", "ST-MODEL-B")
BACK = "ST Back - WP"


def master_data():
	"""Two tracked items and a third warehouse, inside the test's transaction."""
	for code in ITEMS:
		if not frappe.db.exists("Item", code):
			f.make_item(code)
	if not frappe.db.exists("Warehouse", BACK):
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": BACK.rsplit(" - ", 1)[0], "company": COMPANY}
		).insert()
	# Serials do not depend on the accounts: no general ledger postings keeps each step fast.
	frappe.db.set_value("Company", COMPANY, "enable_perpetual_inventory", 0)
	settings_doc = frappe.get_single("Serial Tracking Settings")
	settings_doc.enabled = 1
	settings_doc.purchase_policy = "Optional"
	settings_doc.save()


def count_of(item, warehouse, codes, rate, submit=True):
	"""A Stock Reconciliation of one row listing ``codes`` at ``rate``."""
	return f.reconciliation([(item, len(codes), codes, warehouse)], submit=submit, rate=rate)
