from frappe.model.document import Document


class SerialCountDocument(Document):
	pass
