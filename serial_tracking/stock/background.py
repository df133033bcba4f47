"""Documents too big to post within a web request (more than :data:`IN_REQUEST_ROWS` rows) post
in a background job on the ``long`` queue, with progress on their form and a Notification Log at
the end: a submission becomes a save and a job submits it; a cancel is refused in the request and
a job cancels the document (docs/decisions.md, "Work a request cannot finish").
"""

import frappe
from frappe import _
from frappe.utils import cint, escape_html, strip_html

from serial_tracking.exchange.notify import notify
from serial_tracking.messages import HandedOver
from serial_tracking.stock import posting

#: Rows (every stock row of the document, of any item) a document may post in a web request; a
#: site's ``serial_tracking_rows_in_request`` (site_config.json) sets another number.
IN_REQUEST_ROWS = 200
#: Seconds a background posting may take before its worker ends it.
TIMEOUT = 4600
#: The flag set on a document its background job posts.
QUEUED = "serial_tracking_queued"
#: The one document that is posted rather than submitted, in what the user is told.
COUNT = "Serial Count"


def in_request() -> bool:
	"""Whether this runs in a web request (not in a background job, a console or a test)."""
	return bool(getattr(frappe.local, "request", None)) and not posting.in_job()


def rows_in_request() -> int:
	return cint(frappe.conf.get("serial_tracking_rows_in_request")) or IN_REQUEST_ROWS


def should_hand_over(rows: int) -> bool:
	"""Whether a document of ``rows`` rows, about to be posted here, goes to a background job."""
	return rows > rows_in_request() and in_request() and posting.holding() is None


def submit_later(doc, rows: int, flags: dict | None = None) -> None:
	"""In ``before_validate`` of a submission: save the document as a draft instead, and submit it in
	a job once that is committed (with ``flags`` set on it, as the submission had them)."""
	doc.docstatus = 0
	doc._action = "save"
	if doc.doctype == COUNT:
		# A count is posted, not submitted, and its rows to post are not the items its form lists.
		message = _(
			"{0} {1} is too big to post at once: it is being posted in the background, and takes no"
			" scans meanwhile. Its form shows the progress, and you will be notified when it is done."
		).format(_(doc.doctype), escape_html(doc.name or ""))
		title = _("Posting in the background")
	else:
		message = _(
			"{0} {1} has {2} rows: it is saved and is being submitted in the background, and cannot be"
			" changed meanwhile. Its form shows the progress, and you will be notified when it is done."
		).format(_(doc.doctype), escape_html(doc.name or ""), rows)
		title = _("Submitting in the background")
	frappe.msgprint(message, title=title, indicator="blue")
	doctype, name = doc.doctype, doc.name
	frappe.db.after_commit.add(lambda: _enqueue(doctype, name, "submit", flags))


def cancel_later(doc, rows: int) -> None:
	"""In ``before_cancel``: refuse the cancellation here, and cancel the document in a job."""
	_enqueue(doc.doctype, doc.name, "cancel")
	frappe.msgprint(
		_(
			"{0} {1} has {2} rows: it is being cancelled in the background. Its form shows the progress,"
			" and you will be notified when it is done."
		).format(_(doc.doctype), escape_html(doc.name), rows),
		title=_("Cancelling in the background"),
		indicator="blue",
	)
	raise HandedOver


def _enqueue(doctype: str, name: str, action: str, flags: dict | None = None) -> None:
	"""Lock the document (nobody changes it meanwhile: Frappe's lock of a queued document, as ERPNext
	locks a queued reconciliation), then queue its job, once."""
	frappe.get_doc(doctype, name).lock()
	frappe.enqueue(
		run,
		queue="long",
		timeout=TIMEOUT,
		job_id=job_id(doctype, name, action),
		deduplicate=True,
		doctype=doctype,
		name=name,
		action=action,
		user=frappe.session.user,
		flags=flags or {},
	)


def job_id(doctype: str, name: str, action: str) -> str:
	return f"serial_tracking::{action}::{doctype}::{name}"


def is_queued(doctype: str, name: str, action: str) -> bool:
	"""Whether the document's job is waiting or running (a job whose worker died is not)."""
	from frappe.utils.background_jobs import is_job_enqueued

	return bool(is_job_enqueued(job_id(doctype, name, action)))


def run(doctype: str, name: str, action: str, user: str, flags: dict | None = None) -> None:
	"""The job: submit or cancel the document as ``user`` (with ``flags`` set on it), then tell them
	how it went."""
	frappe.set_user(user)
	doc = frappe.get_doc(doctype, name)
	doc.unlock()
	expected = 0 if action == "submit" else 1
	if doc.docstatus != expected:
		return
	doc.flags.update(flags or {})
	doc.flags[QUEUED] = True
	label = _("cancelled") if action == "cancel" else _("posted") if doctype == COUNT else _("submitted")
	try:
		getattr(doc, action)()
		frappe.db.commit()
	except Exception as e:
		frappe.db.rollback()
		reason = _reason(e)
		frappe.clear_messages()
		failed = getattr(doc, "background_failed", None)
		if failed:
			failed(reason)
		doc.add_comment(
			"Comment", _("Could not be {0} in the background: {1}").format(label, escape_html(reason))
		)
		notify(
			user,
			_("{0} {1} could not be {2}: {3}").format(
				_(doctype), escape_html(name), label, escape_html(reason)
			),
			document=(doctype, name),
		)
	else:
		notify(
			user, _("{0} {1} is {2}").format(_(doctype), escape_html(name), label), document=(doctype, name)
		)
	frappe.db.commit()
	frappe.publish_progress(100, title=_("{0} {1}").format(_(doctype), name), doctype=doctype, docname=name)
	frappe.get_doc(doctype, name).notify_update()


def _reason(e: Exception) -> str:
	if isinstance(e, frappe.ValidationError | frappe.PermissionError | frappe.DoesNotExistError):
		return strip_html(str(e)).strip() or _("refused")
	frappe.log_error(title=_("Posting in the background"))
	return _("an unexpected error stopped it ({0}); see the Error Log").format(type(e).__name__)
