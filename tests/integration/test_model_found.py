"""Sequences the model-checked ledger (test_model.py) found diverging, each kept as a plain test."""

import frappe

from serial_tracking.stock import consistency
from tests.integration import factory as f
from tests.integration.factory import MAIN
from tests.integration.test_model import ITEMS, _master_data, count_of


def test_a_count_is_the_quantity_erpnext_holds():
	"""Found by the machine: one count of one new unit, and the consistency check said the stock
	ledger held 0 there. ERPNext's Stock Reconciliation writes its quantity as the entry's
	``qty_after_transaction`` (its ``actual_qty`` is 0); what follows adds to it."""
	_master_data()
	item = ITEMS[0]
	f.reconciliation([(item, 1, ["HMX-01"], MAIN)])
	assert consistency.check(item) == []
	f.purchase_receipt([(item, 2, ["HMX-02", "HMX-03"], MAIN)])
	f.delivery_note([(item, 1, ["HMX-02"], MAIN)])
	assert consistency.check(item) == []
	count = count_of(item, MAIN, ["HMX-03"], 150)
	assert frappe.db.get_value("Serial Number", "HMX-01", "status") == "Missing"
	assert consistency.check(item) == []
	count.cancel()
	assert consistency.check(item) == []
