"""ERPNext's after-sales documents naming units by SN code: a Warranty Claim's *SN Code* and each
Maintenance Visit purpose's.

ERPNext fills a claim's item, warranty and AMC from its own ``Serial No`` by ``fetch_from``, which cannot
point at a second doctype: ``before_validate`` (before ERPNext's own check that a claim has a customer)
fills them from the unit, through REST as in Desk, and refuses a unit of another item, or one the
document's customer does not hold now (only warned of, by the settings). The unit is read as the user may
read it: one who may not read it learns nothing of it (``details`` answers them as for a code that does
not exist).
"""

import frappe
from frappe import _
from frappe.utils import escape_html, nowdate

from serial_tracking.constants import SERIAL, SN_CODE
from serial_tracking.core import after_sales as core
from serial_tracking.messages import AfterSalesError
from serial_tracking.settings import get_settings

#: What is read of a unit.
UNIT_FIELDS = ("name", "item_code", "status", "customer", "warranty_expiry_date", "amc_expiry_date")
#: The fields of a Warranty Claim whose change makes its unit read again (and the unit's own).
CLAIM_WATCHED = (SN_CODE, "item_code", "customer", "complaint_date")
VISIT_ROWS = "purposes"


def read_units(codes, ignore_permissions: bool = False) -> dict[str, frappe._dict]:
	"""The units of ``codes`` by code (as typed, any case), one read; refuses, naming it, a code the
	user may not read (Frappe's link check has refused a code that does not exist)."""
	codes = sorted({c for c in codes if c})
	if not codes:
		return {}
	if not ignore_permissions and not frappe.has_permission(SERIAL, "read"):
		_not_permitted(codes[0])
	reader = frappe.get_all if ignore_permissions else frappe.get_list
	found = reader(SERIAL, filters={"name": ("in", codes)}, fields=list(UNIT_FIELDS), limit_page_length=0)
	by_key = {row.name.casefold(): row for row in found}
	for code in codes:
		if code.casefold() not in by_key:
			_not_permitted(code)
	return {code: by_key[code.casefold()] for code in codes}


def _not_permitted(code: str):
	frappe.throw(
		_("You are not permitted to read {0} {1}").format(_(SERIAL), escape_html(code)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def status_on(unit, on) -> str | None:
	"""The unit's *Warranty / AMC Status* on the date ``on``."""
	return core.warranty_amc_status(unit.warranty_expiry_date, unit.amc_expiry_date, on or nowdate())


def claim_values(unit, on) -> dict:
	"""What a Warranty Claim takes from its unit (the item's name read from Item)."""
	return {
		"item_code": unit.item_code,
		"item_name": frappe.db.get_value("Item", unit.item_code, "item_name"),
		"warranty_expiry_date": unit.warranty_expiry_date,
		"amc_expiry_date": unit.amc_expiry_date,
		"warranty_amc_status": status_on(unit, on),
	}


def holder(unit) -> str | None:
	"""The customer who holds the unit now (None: no customer does)."""
	return unit.customer if unit.status == "Sold" else None


def require_item(unit, item_code: str | None, where: str = "") -> None:
	"""Refuse a unit of another item than the one a document (or its row ``where``) names."""
	if item_code and unit.item_code != item_code:
		frappe.throw(
			where
			+ _("SN code {0} is a unit of item {1}, not of item {2}").format(
				escape_html(unit.name), escape_html(unit.item_code), escape_html(item_code)
			),
			AfterSalesError,
			title=_("Wrong SN code"),
		)


def why_not_held(unit, customer: str) -> str | None:
	"""Why ``customer`` does not hold the unit now, in words naming only them (None: they hold it)."""
	reason = core.not_held(core.Unit(unit.name, unit.item_code, unit.status, unit.customer), customer)
	if reason is None:
		return None
	code, party, status = escape_html(unit.name), escape_html(customer), _(unit.status or "")
	if reason == core.NO_LONGER:
		return _("SN code {0} is no longer customer {1}'s: it was returned (it is {2} now)").format(
			code, party, status
		)
	if reason == core.NO_CUSTOMER:
		return _("SN code {0} is not with a customer now (it is {1})").format(code, status)
	if reason == core.NEVER_SOLD:
		return _("SN code {0} was never sold to a customer (it is {1})").format(code, status)
	return _("SN code {0} was not sold to customer {1}").format(code, party)


def judge_customer(customer: str | None, units: list, where: dict | None = None) -> None:
	"""Refuse (or, by the settings, warn of) the units ``customer`` does not hold, every one at once."""
	where = where or {}
	reasons = [where.get(u.name, "") + why for u in units if (why := why_not_held(u, customer or ""))]
	if not reasons:
		return
	if get_settings().warn_other_customer:
		frappe.msgprint("<br>".join(reasons), title=_("Not the customer's unit"), indicator="orange")
		return
	frappe.throw("<br>".join(reasons), AfterSalesError, title=_("Not the customer's unit"))


def _fill_customer(doc, customer: str | None) -> None:
	"""The document's customer and its name, as ERPNext fetches them on a customer chosen in Desk."""
	if customer:
		doc.customer = customer
		doc.customer_name = frappe.db.get_value("Customer", customer, "customer_name")


def _changed(doc, fields) -> bool:
	return doc.is_new() or any(doc.has_value_changed(f) for f in fields)


# The hooks


def claim_before_validate(doc, method=None) -> None:
	"""A Warranty Claim naming a unit: refuse one of another item, fill the rest from it, judge its
	customer. Read again only when the unit, the item, the customer or the date changed."""
	if not doc.get(SN_CODE) or not _changed(doc, CLAIM_WATCHED):
		return
	unit = read_units([doc.get(SN_CODE)], doc.flags.ignore_permissions)[doc.get(SN_CODE)]
	doc.set(SN_CODE, unit.name)
	require_item(unit, doc.item_code)
	doc.update(claim_values(unit, doc.complaint_date))
	if not doc.customer:
		_fill_customer(doc, holder(unit))
	judge_customer(doc.customer, [unit])


def visit_before_validate(doc, method=None) -> None:
	"""A Maintenance Visit's purposes naming units: each of its own item (filled when empty), each held
	by the visit's customer (the first unit's holder when the visit has none yet); checked again at
	submit."""
	rows = [row for row in doc.get(VISIT_ROWS) or [] if row.get(SN_CODE)]
	if doc._action != "submit" and not doc.has_value_changed("customer"):
		rows = _changed_rows(doc, rows)
	if not rows:
		return
	units = read_units([row.get(SN_CODE) for row in rows], doc.flags.ignore_permissions)
	where = {}
	for row in rows:
		unit = units[row.get(SN_CODE)]
		row.set(SN_CODE, unit.name)
		where[unit.name] = _("Row {0}:").format(row.idx) + " "
		require_item(unit, row.item_code, where[unit.name])
		if row.item_code != unit.item_code:
			row.item_code = unit.item_code
			row.item_name = frappe.get_cached_value("Item", unit.item_code, "item_name")
	if not doc.customer:
		_fill_customer(doc, next((holder(u) for u in units.values() if holder(u)), None))
	judge_customer(doc.customer, list({u.name: u for u in units.values()}.values()), where)


def _changed_rows(doc, rows: list) -> list:
	"""The rows whose unit or item is new or changed since the document was last saved."""
	before = doc.get_doc_before_save()
	if before is None:
		return rows
	saved = {row.name: row for row in before.get(VISIT_ROWS) or []}
	return [
		row
		for row in rows
		if row.name not in saved
		or (saved[row.name].get(SN_CODE), saved[row.name].item_code) != (row.get(SN_CODE), row.item_code)
	]


def details(code: str, on=None) -> dict:
	"""What a form fills from a unit the user may read: the claim's values and the customer holding
	it (for the SN Code field of Desk)."""
	unit = read_units([code])[code]
	return {"sn_code": unit.name, **claim_values(unit, on), "customer": holder(unit)}
