import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html

from serial_tracking.constants import ITEM_FLAG
from serial_tracking.stock import background, count_basics, count_cancelling, count_posting

_TITLE = "Count not saved"


class SerialCount(Document):
	"""A count of one warehouse (and, optionally, some items) by scanning. Its scans are rows of
	their own (``Serial Count Scan``); submitting posts it (:func:`~serial_tracking.stock.count_posting.post`), cancelling undoes
	what posting made (:func:`~serial_tracking.stock.count_cancelling.cancel`)."""

	def before_validate(self):
		if self._action == "submit":
			rows = count_posting.rows_to_post(self)
			if background.should_hand_over(rows):
				# Too big to post within a web request: a background job posts it, whole.
				count_posting.post_later(self, rows)

	def validate(self):
		self._check_warehouse()
		self._check_items()
		if self.docstatus == 0 and not self.flags.get(count_posting.POSTING_LATER):
			self.status = "Draft"

	def _check_warehouse(self):
		values = frappe.db.get_value(
			"Warehouse", self.warehouse, ["company", "is_group", "warehouse_type"], as_dict=True
		)
		if not values:
			frappe.throw(
				_("Warehouse {0} does not exist").format(escape_html(str(self.warehouse or ""))),
				frappe.ValidationError,
				title=_(_TITLE),
			)
		if values.is_group or values.warehouse_type == "Transit":
			frappe.throw(
				_("{0} is a group or transit warehouse: count a warehouse that holds units").format(
					escape_html(self.warehouse)
				),
				frappe.ValidationError,
				title=_(_TITLE),
			)
		self.company = values.company

	def _check_items(self):
		codes = [row.item_code for row in self.items]
		tracked = set(
			frappe.get_all("Item", filters={"name": ("in", codes or [""]), ITEM_FLAG: 1}, pluck="name")
		)
		seen = set()
		for row in self.items:
			if row.item_code not in tracked:
				frappe.throw(
					_("Row {0}: item {1} does not track SN codes").format(
						row.idx, escape_html(str(row.item_code or ""))
					),
					frappe.ValidationError,
					title=_(_TITLE),
				)
			if row.item_code in seen:
				frappe.throw(
					_("Row {0}: item {1} is listed twice").format(row.idx, escape_html(row.item_code)),
					frappe.ValidationError,
					title=_(_TITLE),
				)
			seen.add(row.item_code)

	def before_submit(self):
		count_basics.lock_draft(
			self.name, _("it cannot be posted again"), queued=bool(self.flags.get(background.QUEUED))
		)

	def on_submit(self):
		count_posting.post(self, self.flags.get("leave"))

	def before_cancel(self):
		count_cancelling.require_cancellable(self)
		rows = count_cancelling.rows_to_cancel(self)
		if background.should_hand_over(rows):
			background.cancel_later(self, rows)

	def on_cancel(self):
		count_cancelling.cancel(self)

	def background_failed(self, reason: str) -> None:
		"""Its background posting was refused: a draft again (the reason is in its comments)."""
		if self.docstatus == 0:
			count_posting.posting_failed(self.name)

	def on_trash(self):
		frappe.db.delete(count_basics.SCAN, {"serial_count": self.name})
