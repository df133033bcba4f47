"""``serial_tracking.api.cancel_plan`` and ``cancel_chain``: what blocks a cancellation, and
cancelling it all, latest first."""

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking.stock import cancel_planner


@frappe.whitelist()
def cancel_plan(voucher_type: str | None = None, voucher_no: str | None = None) -> dict:
	"""Every document that must be cancelled before this submitted one, in the order to cancel them
	(the document itself last), each with the SN codes (or the counted places) that tie it to the
	documents it holds back. Documents the user may not read are named by their type only.

	``confirm`` in the answer is what :func:`cancel_chain` takes to cancel exactly this chain.
	"""
	_require_submitted(voucher_type, voucher_no)
	return cancel_planner.described(cancel_planner.chain_of(voucher_type, voucher_no))


@frappe.whitelist()
def cancel_blocked(voucher_type: str | None = None, voucher_no: str | None = None) -> dict:
	"""Whether later documents stand in the way of cancelling this submitted one (``blocked``), asked
	in a few statements instead of planning the whole chain: what the form asks on each refresh.
	``made_by``: the Serial Count that made the document (its cancel cancels it), named only to a
	user who may read it; None for any other document."""
	_require_submitted(voucher_type, voucher_no)
	return cancel_planner.is_blocked(voucher_type, voucher_no)


@frappe.whitelist(methods=["POST"])
def cancel_chain(
	voucher_type: str | None = None, voucher_no: str | None = None, confirm: str | None = None
) -> dict:
	"""Cancel the chain :func:`cancel_plan` showed, latest first, through ERPNext's own cancel.

	``confirm`` must be the plan's: when the chain changed since, nothing is cancelled. Each
	document is cancelled and committed in turn; the first one refused stops it (``status``
	"stopped", ``stopped_at`` with the reason): the ones before it stay cancelled, it and the
	ones after it (``untouched``) stay as they were. A document another user cancelled meanwhile
	is passed over ("already cancelled").

	A chain of more than 20 documents is cancelled the same way by a background job instead:
	the answer is then ``{"status": "queued", "job", "documents"}``, the job's progress and its
	report come to the user's Desk, and :func:`cancel_chain_status` answers the report.
	"""
	if (
		isinstance(voucher_type, str)
		and voucher_type in cancel_planner.CANCELLABLE
		and isinstance(voucher_no, str)
		and frappe.db.get_value(voucher_type, voucher_no, "docstatus") == 2
		and frappe.has_permission(voucher_type, "read", doc=voucher_no)
	):
		# Cancelled by another user since the plan was shown: what was asked is done.
		return {
			"status": "done",
			"done": [
				{"voucher_type": voucher_type, "voucher_no": voucher_no, "outcome": "already cancelled"}
			],
			"stopped_at": None,
			"untouched": [],
		}
	_require_submitted(voucher_type, voucher_no)
	if not isinstance(confirm, str) or not confirm.strip():
		frappe.throw(
			_("{0} is required: show what blocks first, then confirm what it showed").format(_("Confirm")),
			frappe.MandatoryError,
		)
	return cancel_planner.cancel(cancel_planner.chain_of(voucher_type, voucher_no), confirm.strip())


@frappe.whitelist()
def cancel_chain_status(voucher_type: str | None = None, voucher_no: str | None = None) -> dict | None:
	"""The report of the user's latest background cancellation of this document's chain (kept a day):
	``status`` "queued", "running", "done", "stopped", "failed" or "interrupted" (its job ended
	before it finished), the documents ``done``, ``stopped_at`` with the reason and those left
	``untouched``; None when there is none."""
	_require_readable(voucher_type, voucher_no)
	return cancel_planner.report_of(voucher_type, voucher_no)


def _require_submitted(voucher_type, voucher_no) -> None:
	_require_readable(voucher_type, voucher_no)
	if frappe.db.get_value(voucher_type, voucher_no, "docstatus") != 1:
		frappe.throw(
			_("{0} {1} is not submitted: there is nothing to cancel").format(
				_(voucher_type), escape_html(voucher_no)
			),
			title=_("Not submitted"),
		)


def _require_readable(voucher_type, voucher_no) -> None:
	if not isinstance(voucher_type, str) or voucher_type not in cancel_planner.CANCELLABLE:
		frappe.throw(
			_("{0} is not a stock document that moves SN codes").format(
				escape_html(str(voucher_type or _("(no document type)")))
			),
			title=_("Invalid argument"),
		)
	if not isinstance(voucher_no, str) or not voucher_no.strip():
		frappe.throw(_("{0} is required").format(_("Document Number")), frappe.MandatoryError)
	if not frappe.db.exists(voucher_type, voucher_no):
		frappe.throw(
			_("{0} {1} not found").format(_(voucher_type), escape_html(voucher_no)), frappe.DoesNotExistError
		)
	if not frappe.has_permission(voucher_type, "read", doc=voucher_no):
		frappe.throw(
			_("You may not read {0} {1}").format(_(voucher_type), escape_html(voucher_no)),
			frappe.PermissionError,
		)
