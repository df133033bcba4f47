import frappe
from frappe import _
from frappe.model.document import Document

from serial_tracking.constants import LOG


class SerialCirculationLog(Document):
	"""One movement of one serial. Written by the stock hooks in bulk; never edited, only marked cancelled."""

	def validate(self):
		if not self.is_new():
			frappe.throw(_("A circulation log row cannot be edited"))

	def on_trash(self):
		frappe.throw(_("A circulation log row cannot be deleted"))


def on_doctype_update():
	frappe.db.add_index(LOG, ["serial_no", "is_cancelled", "sequence"], "serial_history")
	frappe.db.add_index(LOG, ["voucher_type", "voucher_no"], "voucher_rows")
	# every active row of an item's serials, in replay order (the consistency check of one item)
	frappe.db.add_index(LOG, ["item_code", "is_cancelled", "serial_no", "sequence"], "item_history")
