"""A label layout: page, grid, label size and barcode sizes, in millimetres."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html

from serial_tracking.printing.layouts import LAYOUT, check


class SNLabelLayout(Document):
	def validate(self):
		if self.kind == "Roll":
			self.columns = self.rows = 1
			self.gap_x_mm = self.gap_y_mm = 0
		if self.is_default and not self.enabled:
			frappe.throw(
				_("Label layout {0} cannot be the default while it is disabled").format(
					escape_html(self.name or self.layout_name or "")
				)
			)
		check(self)

	def on_update(self):
		if self.is_default:
			others = frappe.get_all(
				LAYOUT, filters={"is_default": 1, "name": ("!=", self.name)}, pluck="name"
			)
			for name in others:
				frappe.db.set_value(LAYOUT, name, "is_default", 0)
