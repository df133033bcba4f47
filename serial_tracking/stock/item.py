"""The per-item switch and its guards."""

import frappe
from frappe import _

from serial_tracking.messages import SerialGuardError
from serial_tracking.stock.documents import ITEM_FLAG


def refusals(item, *, stock: bool = True) -> list[str]:
	"""Every reason the item cannot be SN-tracked, translated; empty when it can.

	``stock``: also refuse negative or fractional quantities (checked when switching on).
	"""
	name = item.name or item.item_code
	reasons = []
	if not item.is_stock_item:
		reasons.append(_("Item {0} is not a stock item").format(name))
	if item.has_batch_no:
		reasons.append(_("Item {0} uses batch numbers").format(name))
	if item.has_expiry_date or item.shelf_life_in_days:
		reasons.append(_("Item {0} has an expiry date or shelf life").format(name))
	if item.has_serial_no:
		reasons.append(_("Item {0} already uses serial numbers of ERPNext (Has Serial No)").format(name))
	if item.has_variants:
		reasons.append(_("Item {0} is a template with variants; switch on its variants instead").format(name))
	if item.name and frappe.db.exists("Product Bundle", {"new_item_code": item.name}):
		reasons.append(_("Item {0} is a product bundle").format(name))
	if stock and item.name and not item.is_new():
		reasons.extend(_stock_refusals(item.name))
	return reasons


def _stock_refusals(item_code: str) -> list[str]:
	bins = frappe.get_all(
		"Bin", filters={"item_code": item_code, "actual_qty": ("!=", 0)}, fields=["warehouse", "actual_qty"]
	)
	reasons = []
	for b in bins:
		if b.actual_qty < 0:
			reasons.append(
				_("Item {0} has a negative quantity {1} at warehouse {2}").format(
					item_code, b.actual_qty, b.warehouse
				)
			)
		elif b.actual_qty != int(b.actual_qty):
			reasons.append(
				_("Item {0} has a fractional quantity {1} at warehouse {2}").format(
					item_code, b.actual_qty, b.warehouse
				)
			)
	return reasons


def validate(doc, method=None):
	"""Item validate: refuse the switch, or a change that the switch forbids."""
	if not doc.get(ITEM_FLAG):
		return
	switching_on = doc.is_new() or not frappe.db.get_value("Item", doc.name, ITEM_FLAG)
	reasons = refusals(doc, stock=switching_on)
	if reasons:
		frappe.throw(
			"<br>".join(frappe.utils.escape_html(r) for r in reasons),
			SerialGuardError,
			title=_("Cannot track SN codes for this item"),
		)
