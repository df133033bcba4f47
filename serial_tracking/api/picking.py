"""Units In Stock at a warehouse, for picking them: their codes, or a page of them to choose from."""

import frappe
from frappe import _

from serial_tracking import arguments
from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.constants import SERIAL
from serial_tracking.permissions import require_readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import units_in_stock


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
	search = (search or "").strip()[: limits.max_length]
	return units_in_stock.page(item_code, warehouse, search, start, page_length, left_out)
