"""The notification that ends a background job (an export, an import, a posting): to the user who
started it."""

import frappe


def notify(
	user: str, subject: str, file=None, content: str | None = None, document: tuple[str, str] | None = None
) -> None:
	"""A Notification Log for ``user``, linking ``file`` (a File) when there is one, else ``document``
	(its doctype and name)."""
	linked = ("File", file.name) if file else document or (None, None)
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": user,
			"from_user": user,
			"type": "Alert",
			"subject": subject,
			"email_content": content,
			"document_type": linked[0],
			"document_name": linked[1],
			"link": file.file_url if file else None,
		}
	).insert(ignore_permissions=True)
