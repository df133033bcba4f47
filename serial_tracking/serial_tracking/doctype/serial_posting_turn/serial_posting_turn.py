from frappe.model.document import Document


class SerialPostingTurn(Document):
	"""The row a document locks to post SN codes (:mod:`serial_tracking.stock.posting`); made on install."""
