from frappe.model.document import Document


class SerialCountItem(Document):
	pass
