"""Whitelisted methods under ``serial_tracking.api``: each checks permissions first.

Each answers only about what the user may read: User Permissions on Item, Warehouse and
Company (through the warehouse) apply as in a list. Arguments are read by
``serial_tracking.arguments``, so a bad one gets a message naming it, never a raw ``ValueError``.
"""

import frappe
from frappe import _

from serial_tracking import arguments, messages, settings
from serial_tracking.api.cancelling import cancel_blocked, cancel_chain, cancel_chain_status, cancel_plan  # noqa: F401
from serial_tracking.api.checking import check_row  # noqa: F401
from serial_tracking.api.correction import correct_code  # noqa: F401
from serial_tracking.api.counting import (  # noqa: F401
	cancel_count,
	count_preview,
	count_remove_scans,
	count_scan,
	count_scans,
	count_summary,
	count_unscan,
	post_count,
)
from serial_tracking.api.finding import export_serials, search_serials  # noqa: F401
from serial_tracking.api.importing import import_serials, import_template, read_import  # noqa: F401
from serial_tracking.api.labels import count_labels, print_labels  # noqa: F401
from serial_tracking.api.linking import search_serial_link, search_walled  # noqa: F401
from serial_tracking.api.pos import find_serial, is_tracked  # noqa: F401
from serial_tracking.api.scan_barcode import scan_into_document  # noqa: F401
from serial_tracking.api.scanning import read_scan  # noqa: F401
from serial_tracking.api.tracing import trace  # noqa: F401
from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.codes import key
from serial_tracking.core.generate import Rule, generate
from serial_tracking.permissions import allowed_parties, readable, require_readable, require_role
from serial_tracking.settings import get_settings
from serial_tracking.stock import bulk, consistency, gtins, ledger, registration
from serial_tracking.stock.correction import current_codes


@frappe.whitelist(methods=["POST"])
def parse_codes(text: str | None = None, item_code: str | None = None) -> dict:
	"""Read codes as the SN dialog does: the valid distinct codes, the cartons (SSCC) of GS1 scans,
	and every problem. With ``item_code``, a GS1 scan of a GTIN that is not the item's is refused."""
	frappe.has_permission(SERIAL, "read", throw=True)
	if item_code:
		require_readable("Item", item_code)
	parsed = settings.parse_codes(
		text,
		gtins=gtins.of_items([item_code]).get(item_code) if item_code else None,
		item_code=item_code or "",
	)
	return {
		"codes": parsed.codes,
		"cartons": parsed.cartons,
		"entered": parsed.entered,
		"problems": messages.as_dicts(parsed.problems),
	}


@frappe.whitelist(methods=["POST"])
def generate_codes(
	count: WholeNumber,
	prefix: str = "",
	start: WholeNumber = 1,
	increment: WholeNumber = 1,
	width: WholeNumber = 0,
	suffix: str = "",
) -> dict:
	"""Codes made by a rule, or the reason the rule is refused."""
	frappe.has_permission(SERIAL, "read", throw=True)
	limits = get_settings().limits
	rule = Rule(
		prefix or "",
		whole_number(start, _("Start")),
		whole_number(increment, _("Increment")),
		whole_number(count, _("Count")),
		whole_number(width, _("Width")),
		suffix or "",
	)
	codes, problem = generate(rule, max_count=limits.max_per_operation, max_length=limits.max_length)
	return {"codes": codes, "problems": messages.as_dicts([problem] if problem else [])}


@frappe.whitelist()
def in_stock(item_code: str, warehouse: str, limit: WholeNumber = 1000) -> list[str]:
	"""The codes of an item In Stock at a warehouse, for picking (at most the per-call limit)."""
	frappe.has_permission(SERIAL, "read", throw=True)
	require_readable("Item", item_code)
	require_readable("Warehouse", warehouse)
	limit = whole_number(limit, _("Limit"))
	if limit < 1:
		frappe.throw(_("Limit must be at least 1, not {0}").format(limit), title=_("Invalid argument"))
	limit = min(limit, get_settings().limits.max_per_operation)
	return frappe.get_list(
		SERIAL,
		filters={"item_code": item_code, "warehouse": warehouse, "status": "In Stock"},
		pluck="name",
		order_by="name asc",
		limit_page_length=limit,
	)


#: At most this many units are listed on one page of :func:`stock_units`.
MAX_PAGE = 500


@frappe.whitelist()
def stock_units(
	item_code: str,
	warehouse: str,
	search: str | None = None,
	start: WholeNumber = 0,
	page_length: WholeNumber = 50,
	exclude: list[str] | str | None = None,
) -> dict:
	"""The units of an item In Stock at a warehouse, for picking them: oldest first (by the moment
	each came to the warehouse), ``units`` [{code, carton, received}] from ``start``, at most
	``page_length`` (at most 500); ``search``: the start of a code or of a carton's code; codes in
	``exclude`` (those a dialog holds already) are left out. ``more``: whether more units follow.
	A carton the user may not read is not named."""
	frappe.has_permission(SERIAL, "read", throw=True)
	require_readable("Item", item_code)
	require_readable("Warehouse", warehouse)
	start = whole_number(start, _("Start"))
	page_length = whole_number(page_length, _("Page length"))
	if start < 0 or not 1 <= page_length <= MAX_PAGE:
		frappe.throw(
			_("Start must be at least 0 and the page length from 1 to {0}").format(MAX_PAGE),
			title=_("Invalid argument"),
		)
	limits = get_settings().limits
	left_out = arguments.codes(exclude, _("Exclude"))
	if len(left_out) > limits.max_per_operation:
		frappe.throw(
			_("At most {0} SN codes can be left out, not {1}").format(
				limits.max_per_operation, len(left_out)
			),
			title=_("Invalid argument"),
		)
	filters = [
		[SERIAL, "item_code", "=", item_code],
		[SERIAL, "warehouse", "=", warehouse],
		[SERIAL, "status", "=", "In Stock"],
	]
	if left_out:
		filters.append([SERIAL, "name", "not in", left_out])
	or_filters = None
	search = (search or "").strip()[: limits.max_length]
	if search:
		pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
		or_filters = [[SERIAL, "name", "like", pattern], [SERIAL, "carton", "like", pattern]]
	rows = frappe.get_list(
		SERIAL,
		filters=filters,
		or_filters=or_filters,
		fields=["name", "carton", "posted_at"],
		order_by="posted_at asc, name asc",
		limit_start=start,
		limit_page_length=page_length + 1,
	)
	cartons = readable("Serial Carton", {r.carton for r in rows[:page_length]})
	return {
		"units": [
			{
				"code": r.name,
				"carton": r.carton if r.carton in cartons else None,
				"received": r.posted_at,
			}
			for r in rows[:page_length]
		],
		"more": len(rows) > page_length,
	}


@frappe.whitelist()
def history(serial_no: str | None = None) -> list[dict]:
	"""Every movement of one serial, newest first, cancelled ones included and marked.

	A serial that exists must be readable, and so must the warehouse it is at; a deleted one
	keeps only its log. Rows through a warehouse the user may not read, or with a customer or
	supplier their User Permissions do not allow, are left out.
	"""
	frappe.has_permission(SERIAL, "read", throw=True)
	frappe.has_permission(LOG, "read", throw=True)
	if not serial_no:
		frappe.throw(_("{0} is required").format(_(SERIAL)), frappe.MandatoryError)
	serial = frappe.db.get_value(SERIAL, serial_no, ["name", "warehouse"], as_dict=True)
	if not serial and (current := current_codes([serial_no]).get(key(serial_no))):
		# A code corrected since: the serial under its current code.
		serial_no = current
		serial = frappe.db.get_value(SERIAL, serial_no, ["name", "warehouse"], as_dict=True)
	if serial:
		require_readable(SERIAL, serial.name)
		if serial.warehouse:
			require_readable("Warehouse", serial.warehouse)
	rows = frappe.get_list(
		LOG,
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
	allowed = readable("Warehouse", {w for r in rows for w in (r.from_warehouse, r.to_warehouse)})
	parties = allowed_parties(((r.party_type, r.party) for r in rows), (SERIAL, LOG))
	return [
		r
		for r in rows
		if all(w in allowed for w in (r.from_warehouse, r.to_warehouse) if w)
		and (not r.party or (r.party_type, r.party) in parties)
	]


@frappe.whitelist()
def item_stock(item_code: str) -> list[dict]:
	"""Per warehouse the user may read: the quantity held and the serials In Stock (for registration)."""
	frappe.has_permission(SERIAL, "read", throw=True)
	require_readable("Item", item_code)
	counts = {wh: n for (_item, wh), n in ledger.in_stock_counts([item_code]).items()}
	bins = frappe.get_all(
		"Bin", filters={"item_code": item_code}, fields=["warehouse", "actual_qty"], order_by="warehouse"
	)
	places = {b.warehouse: b.actual_qty for b in bins}
	for warehouse in counts:
		places.setdefault(warehouse, 0)
	allowed = readable("Warehouse", places)
	return [
		{
			"warehouse": w,
			"qty": qty,
			"registered": counts.get(w, 0),
			"missing": max(int(qty) - counts.get(w, 0), 0),
			"surplus": max(counts.get(w, 0) - int(qty), 0),
		}
		for w, qty in sorted(places.items())
		if w in allowed
	]


@frappe.whitelist(methods=["POST"])
def register_serials(item_code: str, warehouse: str, codes: str) -> dict:
	"""Register serials of units a warehouse already holds (after switching an item on)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	# registration names a missing or unknown item or warehouse itself
	require_readable("Item", item_code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
	registered = registration.register(item_code, warehouse, codes)
	return {"registered": registered, "count": len(registered)}


@frappe.whitelist(methods=["POST"])
def check_registration(item_code: str, warehouse: str, text: str | None = None) -> dict:
	"""What registering ``text`` at ``warehouse`` would say, nothing written: as ``check_row`` answers
	(``codes`` [{code, ok, reason, entry}], ``required``: the units held there without a code)."""
	frappe.has_permission(SERIAL, "create", throw=True)
	require_readable("Item", item_code, known_only=True)
	require_readable("Warehouse", warehouse, known_only=True)
	return registration.check(item_code, warehouse, text)


@frappe.whitelist(methods=["POST"])
def set_tracking(items: list[str] | str, enable: WholeNumber = 1) -> dict:
	"""Switch SN tracking on or off for many items; past a few hundred it runs as a background job."""
	frappe.has_permission("Item", "write", throw=True)
	enable = bool(whole_number(enable, _("Enable")))
	return bulk.start(list(dict.fromkeys(arguments.item_codes(items))), enable)


@frappe.whitelist()
def check_consistency(item_code: str | None = None) -> list[dict]:
	"""Differences between the serial ledger and ERPNext's stock, and between serials and their logs.

	Only of items and warehouses the user may read.
	"""
	require_role()
	if item_code:
		require_readable("Item", item_code)
	differences = consistency.check(item_code)
	items = readable("Item", {d.item_code for d in differences})
	warehouses = readable("Warehouse", {d.warehouse for d in differences})
	return [
		{
			"kind": d.kind,
			"item_code": d.item_code,
			"warehouse": d.warehouse,
			"code": d.code,
			"message": consistency.describe(d),
		}
		for d in differences
		if d.item_code in items and (not d.warehouse or d.warehouse in warehouses)
	]
