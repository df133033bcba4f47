"""Switching SN tracking on or off for many items, as a background job past a few hundred."""

import frappe
from frappe import _

from serial_tracking.constants import ITEM_FLAG
from serial_tracking.permissions import readable
from serial_tracking.stock import consistency_check

#: Up to this many items are switched in the request itself.
IN_REQUEST = 200
PROGRESS_EVERY = 25


def start(items: list[str], enable: bool) -> dict:
	if len(items) <= IN_REQUEST:
		return {"queued": False, **switch(items, enable)}
	job = frappe.enqueue(
		switch_in_background,
		queue="long",
		timeout=3600,
		items=items,
		enable=enable,
		user=frappe.session.user,
		enqueue_after_commit=True,
	)
	return {"queued": True, "job": job.id if job else None, "count": len(items)}


def switch(items: list[str], enable: bool, progress=None) -> dict:
	"""Switch each item in its own savepoint and say what happened to each, truthfully:

	``switched`` (changed now), ``already`` (already on, or off, as asked: nothing done), ``refused``
	(item, reason), ``done`` (both of the first two, as before), ``warnings`` (the item's own
	messages, collected instead of shown one by one) and, switching on, ``without_codes``: per item
	now on with units in stock that no SN code stands for (in the warehouses the user may read),
	how many, to register with the item's *Adjust In-stock Serial Numbers*.
	"""
	switched, already, refused, warnings = [], [], [], []
	for number, item_code in enumerate(items, start=1):
		try:
			frappe.db.savepoint("sn_switch")
			doc = frappe.get_doc("Item", item_code)
			doc.check_permission("write")
			if bool(doc.get(ITEM_FLAG)) != enable:
				doc.set(ITEM_FLAG, int(enable))
				doc.flags.serial_tracking_notes = []
				doc.save()
				said = [_strip(m.get("message", "")) for m in _messages()]
				said += [_strip(note) for note in doc.flags.serial_tracking_notes]
				warnings.extend({"item_code": item_code, "message": m} for m in said if m)
				frappe.clear_messages()
				switched.append(item_code)
			else:
				already.append(item_code)
		except Exception as e:
			frappe.db.rollback(save_point="sn_switch")
			refused.append({"item_code": item_code, "reason": _strip(str(e)) or _("Not allowed")})
			frappe.clear_messages()
		if progress and (number % PROGRESS_EVERY == 0 or number == len(items)):
			progress(number, len(items))
	return {
		"switched": switched,
		"already": already,
		"refused": refused,
		"done": switched + already,
		"warnings": warnings,
		"without_codes": units_without_codes(switched + already) if enable else [],
	}


def units_without_codes(items: list[str]) -> list[dict]:
	"""Per item, the units in stock no SN code stands for: ``{"item_code", "units", "warehouses"}``,
	summed over the warehouses the user may read where the stock ledger holds more units than
	serials (one statement for all the items); items with none are left out."""
	if not items:
		return []
	short = [d for d in consistency_check.stock_check(items) if d.found < d.expected]
	allowed = readable("Warehouse", {d.warehouse for d in short})
	per_item = {}
	for d in short:
		if d.warehouse in allowed:
			units, places = per_item.get(d.item_code, (0, 0))
			per_item[d.item_code] = (units + int(d.expected) - d.found, places + 1)
	return [
		{"item_code": item, "units": per_item[item][0], "warehouses": per_item[item][1]}
		for item in items
		if item in per_item
	]


def _messages() -> list[dict]:
	"""The messages said while switching (a table's rows are not a sentence to pass on)."""
	return [m for m in frappe.get_message_log() if isinstance(m.get("message"), str)]


def _strip(message: str) -> str:
	return frappe.utils.strip_html(message).strip()


def switch_in_background(items: list[str], enable: bool, user: str):
	frappe.set_user(user)

	def progress(number, total):
		frappe.publish_progress(
			number * 100 / total,
			title=_("Switching SN tracking"),
			description=_("{0} of {1} items").format(number, total),
		)

	result = switch(items, enable, progress)
	frappe.db.commit()  # a background job owns its transaction
	frappe.publish_realtime("sn_tracking_switched", result, user=user)
	return result
