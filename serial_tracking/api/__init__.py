"""Whitelisted methods under ``serial_tracking.api``: each checks permissions first."""

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.core.codes import parse
from serial_tracking.core.generate import Rule, generate
from serial_tracking.permissions import require_role
from serial_tracking.settings import get_settings
from serial_tracking.stock import bulk, consistency, ledger, registration

SERIAL = "Serial Number"


@frappe.whitelist(methods=["POST"])
def parse_codes(text: str | None = None) -> dict:
	"""Read codes as the SN dialog does: the valid distinct codes and every problem."""
	frappe.has_permission(SERIAL, "read", throw=True)
	limits = get_settings().limits
	parsed = parse(text, max_length=limits.max_length, max_count=limits.max_per_operation)
	return {"codes": parsed.codes, "entered": parsed.entered, "problems": messages.as_dicts(parsed.problems)}


@frappe.whitelist(methods=["POST"])
def generate_codes(
	count: int, prefix: str = "", start: int = 1, increment: int = 1, width: int = 0, suffix: str = ""
) -> dict:
	"""Codes made by a rule, or the reason the rule is refused."""
	frappe.has_permission(SERIAL, "read", throw=True)
	limits = get_settings().limits
	rule = Rule(prefix or "", int(start), int(increment), int(count), int(width), suffix or "")
	codes, problem = generate(rule, max_count=limits.max_per_operation, max_length=limits.max_length)
	return {"codes": codes, "problems": messages.as_dicts([problem] if problem else [])}


@frappe.whitelist()
def in_stock(item_code: str, warehouse: str, limit: int = 1000) -> list[str]:
	"""The codes of an item In Stock at a warehouse, for picking."""
	frappe.has_permission(SERIAL, "read", throw=True)
	limit = min(int(limit), get_settings().limits.max_per_operation)
	return frappe.get_list(
		SERIAL,
		filters={"item_code": item_code, "warehouse": warehouse, "status": "In Stock"},
		pluck="name",
		order_by="name asc",
		limit_page_length=limit,
	)


@frappe.whitelist()
def history(serial_no: str) -> list[dict]:
	"""Every movement of one serial, newest first, cancelled ones included and marked."""
	frappe.has_permission(SERIAL, "read", throw=True)
	frappe.has_permission(ledger.LOG, "read", throw=True)
	return frappe.get_list(
		ledger.LOG,
		filters={"serial_no": serial_no},
		fields=[
			"operation",
			"voucher_type",
			"voucher_no",
			"posting_date",
			"posting_time",
			"status_before",
			"status_after",
			"from_warehouse",
			"to_warehouse",
			"party_type",
			"party",
			"is_cancelled",
			"sequence",
			"creation",
		],
		order_by="sequence desc, creation desc",
		limit_page_length=0,
	)


@frappe.whitelist()
def item_stock(item_code: str) -> list[dict]:
	"""Per warehouse: the quantity held and the serials In Stock (for registration)."""
	frappe.has_permission("Item", "read", doc=item_code, throw=True)
	frappe.has_permission(SERIAL, "read", throw=True)
	counts = {wh: n for (_item, wh), n in ledger.in_stock_counts([item_code]).items()}
	bins = frappe.get_all(
		"Bin", filters={"item_code": item_code}, fields=["warehouse", "actual_qty"], order_by="warehouse"
	)
	places = {b.warehouse: b.actual_qty for b in bins}
	for warehouse in counts:
		places.setdefault(warehouse, 0)
	return [
		{
			"warehouse": w,
			"qty": qty,
			"registered": counts.get(w, 0),
			"missing": max(int(qty) - counts.get(w, 0), 0),
		}
		for w, qty in sorted(places.items())
	]


@frappe.whitelist(methods=["POST"])
def register_serials(item_code: str, warehouse: str, codes: str) -> dict:
	"""Register serials of units a warehouse already holds (after switching an item on)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	registered = registration.register(item_code, warehouse, codes)
	return {"registered": registered, "count": len(registered)}


@frappe.whitelist(methods=["POST"])
def set_tracking(items: list[str] | str, enable: int | bool = 1) -> dict:
	"""Switch SN tracking on or off for many items; past a few hundred it runs as a background job."""
	frappe.has_permission("Item", "write", throw=True)
	items = frappe.parse_json(items) if isinstance(items, str) else items
	if not isinstance(items, list) or not items:
		frappe.throw(_("Select at least one item"))
	return bulk.start(list(dict.fromkeys(items)), bool(int(enable)))


@frappe.whitelist()
def check_consistency(item_code: str | None = None) -> list[dict]:
	"""Differences between the serial ledger and ERPNext's stock, and between serials and their logs."""
	require_role()
	return [
		{
			"kind": d.kind,
			"item_code": d.item_code,
			"warehouse": d.warehouse,
			"code": d.code,
			"message": consistency.describe(d),
		}
		for d in consistency.check(item_code)
	]
