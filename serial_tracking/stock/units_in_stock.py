"""The units of an item In Stock at a warehouse, oldest first, a page at a time, for picking."""

import frappe

from serial_tracking.constants import SERIAL
from serial_tracking.permissions import readable


def page(item_code: str, warehouse: str, search: str, start: int, length: int, left_out: list[str]) -> dict:
	"""``units`` [{code, carton, received}] by the moment each came to the warehouse, from
	``start``, at most ``length``, as the user's permissions list them; ``search``: the start of a
	code or of a carton's code; ``left_out``: codes not listed. ``more``: whether more units follow.
	A carton the user may not read is not named."""
	filters = [
		[SERIAL, "item_code", "=", item_code],
		[SERIAL, "warehouse", "=", warehouse],
		[SERIAL, "status", "=", "In Stock"],
	]
	if left_out:
		filters.append([SERIAL, "name", "not in", left_out])
	or_filters = None
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
		limit_page_length=length + 1,
	)
	cartons = readable("Serial Carton", {r.carton for r in rows[:length]})
	units = [
		{"code": r.name, "carton": r.carton if r.carton in cartons else None, "received": r.posted_at}
		for r in rows[:length]
	]
	return {"units": units, "more": len(rows) > length}
