import frappe
from frappe import _
from frappe.model.document import Document

from serial_tracking.stock.count_basics import SCAN


class SerialCountScan(Document):
	"""One code scanned into a Serial Count: inserted only by ``serial_tracking.api.count_scan``,
	one statement per scan, kept once per count (unique on count and code)."""

	def validate(self):
		frappe.throw(_("Scans are made by scanning into their Serial Count"), frappe.PermissionError)


def on_doctype_update():
	# A code is kept once per count, however many scanners send it at once (compared without case).
	frappe.db.add_unique(SCAN, ["serial_count", "code"], constraint_name="count_code")
	frappe.db.add_index(SCAN, ["serial_count", "item_code", "kind"], "count_item_kind")
