import frappe
from frappe.model.document import Document

from serial_tracking.stock import registration


class SerialNumber(Document):
	"""One unit's SN code. Created by stock documents or registered by hand; moved only by documents."""

	def before_insert(self):
		if not self.flags.registered:
			registration.check_new(self)

	def after_insert(self):
		if not self.flags.registered:
			registration.log_new(self)

	def validate(self):
		if self.is_new():
			return
		before = self.get_doc_before_save()
		if before and before.warehouse != self.warehouse:
			registration.check_correction(self, before)

	def on_update(self):
		before = self.get_doc_before_save()
		if before and before.warehouse != self.warehouse:
			registration.log_correction(self, before)

	def on_trash(self):
		registration.check_delete(self)


def on_doctype_update():
	frappe.db.add_index("Serial Number", ["item_code", "warehouse", "status"], "item_place")
