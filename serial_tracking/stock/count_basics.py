"""What every part of a Serial Count shares: its doctypes, the kinds of a scanned code, the count's
own row (locked when asked), the refusal of a count that is no longer a draft, and what of a serial
its user may be told."""

from collections.abc import Callable

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking import messages
from serial_tracking.constants import SERIAL
from serial_tracking.core.codes import key
from serial_tracking.core.states import Status
from serial_tracking.permissions import party_restrictions, readable, unit_allowed
from serial_tracking.stock import background, ledger

SERIAL_COUNT = "Serial Count"
SCAN = "Serial Count Scan"

COUNTED = "counted"
MISPLACED = "misplaced"
IN_TRANSIT = "in_transit"
UNKNOWN = "unknown"
WRONG_ITEM = "wrong_item"
#: The kind of a code whose serial is at no warehouse: its status, as a kind.
KIND_BY_STATUS = {
	Status.SOLD.value: "sold",
	Status.RETURNED.value: "returned",
	Status.ISSUED.value: "issued",
	Status.MISSING.value: "missing",
	Status.IN_TRANSIT.value: IN_TRANSIT,
}
#: Every kind, in the order the summary shows them.
KINDS = (COUNTED, MISPLACED, "sold", "returned", "issued", "missing", IN_TRANSIT, WRONG_ITEM, UNKNOWN)
#: Kinds a posting brings In Stock here by the count (the unit was found here).
FOUND_AGAIN = frozenset({"sold", "returned", "issued", "missing"})

#: The status of a draft count handed to a background job to be posted.
POSTING = "Posting"


#: Defined with the app's other refusals; named here for the count's modules and their callers.
CountError = messages.CountError


def kind_of(item_code: str | None, status: str | None, here: bool, items: frozenset[str] | None) -> str:
	"""What a scanned code is for a count of a warehouse (``here``: the serial's warehouse is the
	count's) and, when given, of ``items``."""
	if not status:
		return UNKNOWN
	if items is not None and item_code not in items:
		return WRONG_ITEM
	if status == Status.IN_STOCK.value:
		return COUNTED if here else MISPLACED
	return KIND_BY_STATUS.get(status, UNKNOWN)


def items_of(name: str) -> frozenset[str] | None:
	"""The items a count is limited to, or None: every SN-tracked item."""
	found = frappe.get_all(
		"Serial Count Item", filters={"parent": name, "parenttype": SERIAL_COUNT}, pluck="item_code"
	)
	return frozenset(found) if found else None


def count_row(name: str, lock: str | None):
	"""The count's warehouse, company, docstatus and status; ``lock``: "share" or "update" (a locking
	read sees the latest committed row, whatever this transaction's snapshot)."""
	suffix = {"share": " lock in share mode", "update": " for update", None: ""}[lock]
	rows = frappe.db.sql(
		f"select `name`, `warehouse`, `company`, `docstatus`, `status` from `tab{SERIAL_COUNT}`"
		" where `name` = %s" + suffix,
		(name,),
		as_dict=True,
	)
	if not rows:
		frappe.throw(
			_("{0} {1} does not exist").format(_(SERIAL_COUNT), escape_html(str(name))),
			frappe.DoesNotExistError,
		)
	return rows[0]


def require_draft(row, doing: str, *, queued: bool = False) -> None:
	"""Refuse, saying why, unless the count is a draft that is not being posted in the background
	(``queued``: the background job posting it)."""
	if row.docstatus == 0 and (
		queued
		or row.status != POSTING
		# Marked Posting by a job that is no longer queued (its worker died): a draft.
		or not background.is_queued(SERIAL_COUNT, row.name, "submit")
	):
		return
	if row.docstatus == 0:
		frappe.throw(
			_("{0} {1} is being posted in the background: {2}").format(_(SERIAL_COUNT), row.name, doing),
			CountError,
			title=_("Count being posted"),
		)
	state = _("posted") if row.docstatus == 1 else _("cancelled")
	frappe.throw(
		_("{0} {1} is already {2}: {3}").format(_(SERIAL_COUNT), row.name, state, doing),
		CountError,
		title=_("Count not changed"),
	)


def lock_draft(name: str, doing: str, *, queued: bool = False) -> None:
	"""Lock the count's row for update and refuse unless it is a draft: a second poster waits here
	for the first, then finds it posted (``queued``: the background job posting it)."""
	require_draft(count_row(name, "update"), doing, queued=queued)


def serial_states(codes: list[str], *, lock: bool = False) -> dict[str, tuple]:
	"""(item, status, warehouse, company) of the known codes, by key, in one statement."""
	rows = ledger.select_in(
		SERIAL, ("name", "item_code", "status", "warehouse", "company"), "name", codes, for_update=lock
	)
	return {key(name): (item, status, warehouse, company) for name, item, status, warehouse, company in rows}


def shown_to_user(serials) -> Callable[..., bool]:
	"""Whether the user may read what a scan would say of a serial, of ``serials`` (item, company,
	customer, supplier): its item, company and parties, judged as a list of serials judges them (its
	warehouse aside: a misplaced unit is said to be elsewhere, not where). A code of another company,
	of an item the user may not read or of another customer's or supplier's unit is answered as not
	counted here, naming none of them."""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return lambda item, company, customer=None, supplier=None: True
	serials = list(serials)
	items = readable("Item", {s[0] for s in serials})
	companies = readable("Company", {s[1] for s in serials})
	restricted = party_restrictions(SERIAL)

	def shown(item, company, customer=None, supplier=None) -> bool:
		unit = {"customer": customer, "supplier": supplier}
		return (
			(not item or item in items)
			and (not company or company in companies)
			and unit_allowed(unit, restricted)
		)

	return shown
