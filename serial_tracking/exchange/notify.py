"""The notification that ends a background export or import: to the user who started it."""

import frappe


def notify(user: str, subject: str, file=None, content: str | None = None) -> None:
	"""A Notification Log for ``user``, linking ``file`` (a File) when there is one."""
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": user,
			"from_user": user,
			"type": "Alert",
			"subject": subject,
			"email_content": content,
			"document_type": "File" if file else None,
			"document_name": file.name if file else None,
			"link": file.file_url if file else None,
		}
	).insert(ignore_permissions=True)
