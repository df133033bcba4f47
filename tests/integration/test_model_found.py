"""Sequences the model-checked ledger (test_model.py) found diverging, each kept as a plain test."""

import pytest

import frappe

from serial_tracking.messages import SerialCancelError
from serial_tracking.stock import consistency_check
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP
from tests.integration.model_site import ITEMS, count_of, master_data


def test_a_count_is_the_quantity_erpnext_holds():
	"""Found by the machine: one count of one new unit, and the consistency check said the stock
	ledger held 0 there. ERPNext's Stock Reconciliation writes its quantity as the entry's
	``qty_after_transaction`` (its ``actual_qty`` is 0); what follows adds to it."""
	master_data()
	item = ITEMS[0]
	f.reconciliation([(item, 1, ["HMX-01"], MAIN)])
	assert consistency_check.check(item) == []
	f.purchase_receipt([(item, 2, ["HMX-02", "HMX-03"], MAIN)])
	f.delivery_note([(item, 1, ["HMX-02"], MAIN)])
	assert consistency_check.check(item) == []
	count = count_of(item, MAIN, ["HMX-03"], 150)
	assert frappe.db.get_value("Serial Number", "HMX-01", "status") == "Missing"
	assert consistency_check.check(item) == []
	count.cancel()
	assert consistency_check.check(item) == []


def _cancel_if_allowed(doc):
	"""Cancel ``doc``; a refusal (naming the later count) is one right answer, so it is let through."""
	try:
		doc.cancel()
	except frappe.ValidationError:
		frappe.db.rollback(save_point="st_found_cancel")
		return False
	return True


def test_cancelling_a_receipt_that_a_later_count_confirmed_keeps_the_ledger_with_the_stock():
	"""Found by the machine (shrunk): a unit received, then counted where it is (the count moves and
	logs nothing for it), then its receipt cancelled. Latest-first alone saw the receipt as the
	unit's latest movement and let it go: the serial was deleted, while ERPNext's quantity there
	stays the count's, 1. The receipt now waits for the count; the unit is never lost."""
	master_data()
	item = ITEMS[0]
	receipt = f.purchase_receipt([(item, 1, ["HMX-01"], SHOP)])
	count_of(item, SHOP, ["HMX-01"], 150)
	frappe.db.savepoint("st_found_cancel")
	_cancel_if_allowed(receipt)
	assert consistency_check.check(item) == []


def test_cancelling_a_transfer_out_of_a_place_counted_since_keeps_the_ledger_with_the_stock():
	"""Found by the machine (shrunk): a unit moved from MAIN to SHOP, then MAIN counted (without it,
	rightly), then the transfer cancelled. The unit went back In Stock at MAIN, where ERPNext's
	quantity is the count's, which did not include it: MAIN held one serial more than its stock.
	The transfer now waits for the count."""
	master_data()
	item = ITEMS[0]
	f.purchase_receipt([(item, 2, ["HMX-01", "HMX-02"], MAIN)])
	transfer = f.stock_entry("Material Transfer", [(item, 1, ["HMX-01"], MAIN, SHOP)])
	count_of(item, MAIN, ["HMX-02"], 150)
	frappe.db.savepoint("st_found_cancel")
	_cancel_if_allowed(transfer)
	assert consistency_check.check(item) == []


def test_a_cancel_behind_a_later_count_of_its_place_names_the_count():
	"""The refusal names the count to cancel first, as it names later documents."""
	master_data()
	item = ITEMS[0]
	receipt = f.purchase_receipt([(item, 1, ["HMX-01"], SHOP)])
	count = count_of(item, SHOP, ["HMX-01"], 150)
	with pytest.raises(SerialCancelError) as refused:
		receipt.cancel()
	assert str(refused.value) == (
		f"Purchase Receipt {receipt.name} cannot be cancelled: later documents moved its SN codes; "
		f"cancel them first, in this order: Stock Reconciliation {count.name}"
	)
	assert frappe.db.get_value("Serial Number", "HMX-01", ["status", "warehouse"]) == ("In Stock", SHOP)
	# A count of another warehouse holds nothing back.
	other = f.purchase_receipt([(item, 1, ["HMX-02"], MAIN)])
	count_of(item, SHOP, ["HMX-01"], 175)
	other.cancel()
