"""Switching SN tracking on or off for many items, as a background job past a few hundred."""

import frappe
from frappe import _

from serial_tracking.constants import ITEM_FLAG

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
	"""Switch each item in its own savepoint; report what was refused and why, and what the switch
	means for the serials of each item switched (``warnings``: the item's own messages, collected
	instead of shown one by one)."""
	done, refused, warnings = [], [], []
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
			done.append(item_code)
		except Exception as e:
			frappe.db.rollback(save_point="sn_switch")
			refused.append({"item_code": item_code, "reason": _strip(str(e)) or _("Not allowed")})
			frappe.clear_messages()
		if progress and (number % PROGRESS_EVERY == 0 or number == len(items)):
			progress(number, len(items))
	return {"done": done, "refused": refused, "warnings": warnings}


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
