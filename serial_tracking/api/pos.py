"""What the Point of Sale page asks of the server (public/js/pos.js, docs/pos.md)."""

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG, SERIAL
from serial_tracking.core import gs1
from serial_tracking.core.codes import parse
from serial_tracking.permissions import require_readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import gtins

POS_INVOICE = "POS Invoice"


@frappe.whitelist()
def find_serial(
	code: str | None = None, warehouse: str | None = None, return_against: str | None = None
) -> dict | None:
	"""The serial a scan in the POS search names, when it is In Stock at ``warehouse``:
	``{"code", "item_code", "item_name"}``; ``None`` for anything else (an item code, name or
	barcode, a serial sold or elsewhere), so that the page goes on with ERPNext's own search.

	In the cart of a return (``return_against``: the POS invoice returned against) the serial is
	found whatever its state: the return's own check (``check_row``) says whether it may come back.

	A GS1 scan is read for its serial (AI 21) as everywhere else; a GS1 scan that cannot be read,
	or whose GTIN is not its item's, is refused with the reason.
	"""
	frappe.has_permission(SERIAL, "read", throw=True)
	require_readable("Warehouse", warehouse)
	if return_against:
		require_readable(POS_INVOICE, return_against)
	if not (code or "").strip():
		frappe.throw(_("{0} is required").format(_("Code")), frappe.MandatoryError)
	settings = get_settings()
	if not settings.enabled:
		return None
	limits = settings.limits
	scanned = gs1.is_gs1(code.strip(), limits.gs1_digits)
	parsed = parse(code, max_length=limits.max_length, max_count=1, gs1_digits=limits.gs1_digits)
	if scanned and parsed.problems:
		_refuse(parsed.problems[0])
	if parsed.entered != 1 or len(parsed.codes) != 1:
		return None
	where = {"name": parsed.codes[0]}
	if not return_against:
		where.update(warehouse=warehouse, status="In Stock")
	found = frappe.get_list(
		SERIAL,
		filters=where,
		fields=["name as code", "item_code"],
		limit_page_length=1,
	)
	item = found[0].item_code if found else None
	tracked, name = frappe.db.get_value("Item", item, [ITEM_FLAG, "item_name"]) if item else (0, None)
	if not tracked:
		return None
	if scanned and (known := gtins.of_items([item]).get(item)):
		checked = parse(
			code,
			max_length=limits.max_length,
			max_count=1,
			gs1_digits=limits.gs1_digits,
			gtins=known,
			item_code=item,
		)
		if checked.problems:
			_refuse(checked.problems[0])
	return {"code": found[0].code, "item_code": item, "item_name": name}


def _refuse(problem) -> None:
	frappe.throw(
		frappe.utils.escape_html(messages.describe(problem)), frappe.ValidationError, title=_("Scan refused")
	)


@frappe.whitelist()
def is_tracked(item_code: str | None = None) -> bool:
	"""Whether the Point of Sale asks for the SN codes of ``item_code`` (the app on, the item SN-tracked)."""
	require_readable("Item", item_code)
	return bool(get_settings().enabled and frappe.db.get_value("Item", item_code, ITEM_FLAG))
