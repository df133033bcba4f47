"""The per-item switch and its guards."""

import frappe
from frappe import _

from serial_tracking.constants import ITEM_FLAG
from serial_tracking.messages import SerialGuardError
from serial_tracking.stock import code_formats, consistency_check, ledger

#: The flag in which validate tells on_update that the switch changed, and how.
_SWITCHED = "serial_tracking_switched"


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
	"""Item validate: refuse the switch, a change that the switch forbids, or an SN code format the
	item cannot have."""
	code_formats.validate(doc)
	was_on = not doc.is_new() and bool(frappe.db.get_value("Item", doc.name, ITEM_FLAG))
	if not doc.get(ITEM_FLAG):
		if was_on:
			doc.flags[_SWITCHED] = "off"
		return
	switching_on = doc.is_new() or not was_on
	if switching_on and not doc.is_new():
		doc.flags[_SWITCHED] = "on"
	reasons = refusals(doc, stock=switching_on)
	if reasons:
		frappe.throw(
			"<br>".join(frappe.utils.escape_html(r) for r in reasons),
			SerialGuardError,
			title=_("Cannot track SN codes for this item"),
		)


def on_update(doc, method=None):
	"""Say what switching the item off means for its serials, and, for a bulk switch, what switching
	it on shows: the ledger never drifts silently. A new SN code format lists the existing codes not
	of it."""
	switched = doc.flags.pop(_SWITCHED, None)
	code_formats.report_mismatches(doc)
	if switched == "off":
		warning = switched_off_warning(doc.name)
		if warning:
			frappe.msgprint(warning, title=_("SN tracking switched off"), indicator="orange")
	elif switched == "on" and doc.flags.get("serial_tracking_notes") is not None:
		# Desk shows the differences in its registration dialog (api.item_stock); a bulk switch
		# reports them per item.
		table = differences_table(doc.name)
		if table:
			doc.flags.serial_tracking_notes.append(table)


def switched_off_warning(item_code: str) -> str | None:
	"""What will drift while the item is off, or None when no serial is held anywhere."""
	held = sum(ledger.in_stock_counts([item_code]).values())
	if not held:
		return None
	return _(
		"Item {0} has {1} SN codes in stock. While SN tracking is off, documents move this item without "
		"SN codes, so these serials stay where the ledger last saw them. Cancelling earlier documents "
		"still restores their serials. When you switch tracking on again, the differences per warehouse "
		"are shown to register or correct."
	).format(frappe.bold(item_code), held)


def differences_table(item_code: str) -> str | None:
	"""Per warehouse where they differ: the quantity ERPNext holds against the serials held there."""
	rows = consistency_check.stock_check([item_code])
	if not rows:
		return None
	cell = lambda value: f"<td>{frappe.utils.escape_html(str(value))}</td>"  # noqa: E731
	body = "".join(
		"<tr>"
		+ cell(d.warehouse)
		+ cell(int(d.expected) if d.expected == int(d.expected) else d.expected)
		+ cell(d.found)
		+ cell(
			_("register {0}").format(int(d.expected) - d.found)
			if d.found < d.expected
			else _(
				"{0} too many: count the warehouse with a Stock Reconciliation listing its SN codes"
			).format(d.found - int(d.expected))
		)
		+ "</tr>"
		for d in rows
	)
	return (
		f"<table class='table table-bordered small'><tr><th>{_('Warehouse')}</th><th>{_('Quantity')}</th>"
		f"<th>{_('SN codes held')}</th><th>{_('To do')}</th></tr>{body}</table>"
	)
