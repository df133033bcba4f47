import frappe
from frappe.model.document import Document

from serial_tracking.constants import SERIAL
from serial_tracking.stock import in_stock_registration


class SerialNumber(Document):
	"""One unit's SN code. Created by stock documents or registered by hand; moved only by documents.

	Stock documents write serials set-based, past this controller; what comes
	through it (Desk, REST, Data Import) is a registration, a manager's move to
	another warehouse, or a deletion, each guarded in ``registration``.
	"""

	def before_insert(self):
		in_stock_registration.check_new(self)

	def after_insert(self):
		in_stock_registration.log_new(self)

	def validate(self):
		if self.is_new():
			return
		before = self.get_doc_before_save()
		if before:
			in_stock_registration.check_change(self, before)

	def on_update(self):
		in_stock_registration.log_change(self)

	def on_trash(self):
		in_stock_registration.check_delete(self)


def on_doctype_update():
	"""The composite indexes; single-column ones are ``search_index`` in the doctype (Frappe keeps
	those through migrations; ``item_code`` is made here too, see below). Together they serve every
	filter of the search (serial_tracking.finding.search) and the ledger's reads."""
	frappe.db.add_index(SERIAL, ["item_code", "warehouse", "status"], "item_place")
	# a warehouse, alone or with statuses (Missing at one warehouse: rare, never a scan)
	frappe.db.add_index(SERIAL, ["warehouse", "status"], "place_status")
	frappe.db.add_index(SERIAL, ["voucher_type", "voucher_no"], "last_document")
	# a supplier's or customer's serials counted per status from the index alone
	frappe.db.add_index(SERIAL, ["supplier", "status"], "supplier_status")
	frappe.db.add_index(SERIAL, ["customer", "status"], "customer_status")
	# the last movement in a date range, counted per status from the index alone; named as the
	# single-column index it replaces (posted_at is no longer a search_index, so Frappe drops that one)
	frappe.db.add_index(SERIAL, ["posted_at", "status"], "posted_at")
	# an item's or an item group's serials in code order (the search's page). `item_code` is a
	# search_index, but Frappe adds none on a column that already starts an index (item_place): on a
	# site made before it, it is added here (not by add_index, which would also save a Property Setter)
	if not frappe.db.has_index(f"tab{SERIAL}", "item_code"):
		frappe.db.sql_ddl(f"alter table `tab{SERIAL}` add index `item_code`(`item_code`)")
	# A search_index Frappe adds to an existing table is named `<field>_index`, one it makes with the
	# table `<field>`: each field's index is named alike on every site, however the site was made.
	names = {row[2] for row in frappe.db.sql(f"show index from `tab{SERIAL}`")}
	for df in frappe.get_meta(SERIAL).fields:
		if df.search_index and f"{df.fieldname}_index" in names and df.fieldname not in names:
			frappe.db.sql_ddl(
				f"alter table `tab{SERIAL}` rename index `{df.fieldname}_index` to `{df.fieldname}`"
			)
