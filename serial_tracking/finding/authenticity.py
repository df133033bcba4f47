"""The public authenticity and warranty check: what anyone may learn of one SN code.

Only whether this business sold the unit (it has an active sale to a customer in the ledger, even
if the customer since returned it), the item's name, and the end of its warranty when that is today
or later. An unsold, unknown, malformed or empty code all get the same answer, so the check tells
nothing of the stock.
"""

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import get_url, getdate, nowdate

from serial_tracking.constants import LOG, SERIAL, SETTINGS
from serial_tracking.core.codes import fold
from serial_tracking.core.states import TO_CUSTOMER
from serial_tracking.settings import get_settings

#: The whole answer for a code not known to have been sold here.
NOT_KNOWN = {"known": False, "item_name": None, "warranty_until": None}


def is_on() -> bool:
	return bool(frappe.get_cached_doc(SETTINGS).get("public_check"))


def check_url(code: str) -> str:
	"""The address of the page's answer for ``code``, as a label's QR code holds it."""
	return get_url("/sn-check?" + urlencode({"code": code}))


def refuse_when_off() -> None:
	if not is_on():
		frappe.throw(_("The public authenticity check is switched off"), frappe.PermissionError)


def check(code) -> dict:
	"""The answer for ``code``: ``known``, ``item_name`` and ``warranty_until`` (ISO date or None).

	A code empty, not a string or longer than the settings allow is not known without a query;
	any other is one statement on the serial's primary key, the item's and the ledger's serial index."""
	code = fold(code).strip() if isinstance(code, str) else ""
	if not code or len(code) > get_settings().limits.max_length:
		return dict(NOT_KNOWN)
	sold = [o.value for o in TO_CUSTOMER]
	marks = ", ".join(["%s"] * len(sold))
	rows = frappe.db.sql(
		"select i.`item_name`, s.`item_code`, s.`warranty_expiry_date`"
		f" from `tab{SERIAL}` s left join `tabItem` i on i.`name` = s.`item_code`"
		" where s.`name` = %s and exists ("
		f" select 1 from `tab{LOG}` l where l.`serial_no` = s.`name` and l.`is_cancelled` = 0"
		f" and l.`operation` in ({marks}) and l.`party_type` = %s)",
		(code, *sold, "Customer"),
	)
	if not rows:
		return dict(NOT_KNOWN)
	item_name, item_code, until = rows[0]
	until = getdate(until) if until else None
	return {
		"known": True,
		"item_name": item_name or item_code,
		"warranty_until": str(until) if until and until >= getdate(nowdate()) else None,
	}
