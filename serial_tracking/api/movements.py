"""A serial's history: every movement of it that the user may read."""

import frappe
from frappe import _

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.codes import key
from serial_tracking.permissions import allowed_parties, readable, require_readable
from serial_tracking.stock.code_correction import current_codes


@frappe.whitelist()
@frappe.read_only()
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
