import frappe
from frappe import _
from frappe.model.document import Document

#: The name column of Serial Number is a varchar(140).
LONGEST_CODE = 140


class SerialTrackingSettings(Document):
	def validate(self):
		if not 1 <= (self.max_length or 0) <= LONGEST_CODE:
			frappe.throw(_("Longest SN code must be between 1 and {0} characters").format(LONGEST_CODE))
		if (self.max_per_operation or 0) < 1:
			frappe.throw(_("Most SN codes per document must be at least 1"))

	def on_update(self):
		if self.has_value_changed("public_check"):
			# Outside developer mode Frappe remembers the addresses it answered 404 and the pages it
			# rendered: the public check's page appears or goes at once.
			frappe.cache.delete_value("website_404")
			frappe.cache.hdel("website_page", "sn-check")
