"""Replace a customer's faulty unit under a Warranty Claim: the faulty unit comes back into a chosen
warehouse and a new one goes to the claim's customer, through two Stock Entries linked to the claim
(a Material Receipt and a Material Issue: a swap at no charge, no credit note), submitted together
or not at all.

What the entries mean for the units is :mod:`~serial_tracking.stock.documents`' (a claim's receipt
takes the unit back from its customer, its issue hands one over keeping the faulty unit's warranty
end); this module only checks the request and makes them.
"""

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.core.codes import key
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Movement, Operation, State, check
from serial_tracking.messages import ReplacementRefused
from serial_tracking.stock import ledger
from serial_tracking.stock.documents import CLAIM_FIELD, ROW_FIELD, SWAPPED_FIELD

CLAIM = "Warranty Claim"
#: A claim at these statuses is settled: nothing is replaced under it.
SETTLED = ("Closed", "Cancelled")


def replace_unit(claim_name: str, new_code: str, warehouse: str, faulty_code: str | None = None) -> dict:
	"""Take ``faulty_code`` (default: the claim's SN Code) back from the claim's customer into
	``warehouse`` and hand ``new_code`` over in its place; the two entries' names. Refused, with
	nothing made, when either unit cannot move so."""
	claim = frappe.get_doc(CLAIM, claim_name)
	faulty_code = faulty_code or claim.get("sn_code")
	faulty, new = _checked(claim, faulty_code, new_code, warehouse)
	frappe.db.savepoint("sn_replace_unit")
	try:
		receipt = _entry(claim, "Material Receipt", faulty, new, t_warehouse=warehouse)
		issue = _entry(claim, "Material Issue", new, faulty, s_warehouse=new.warehouse)
	except Exception:
		frappe.db.rollback(save_point="sn_replace_unit")
		raise
	return {"receipt": receipt.name, "issue": issue.name}


def _checked(claim, faulty_code: str | None, new_code: str | None, warehouse: str | None):
	"""The two units' states, once the claim is open and each can move as a replacement moves it."""
	if claim.docstatus == 2 or claim.status in SETTLED:
		_refuse(
			_("Warranty Claim {0} is {1}: units are replaced only under an open claim"),
			claim.name,
			_(claim.status),
		)
	if not claim.customer:
		_refuse(
			_("Warranty Claim {0} names no customer: enter the customer the unit was sold to"), claim.name
		)
	for value, label in (
		(faulty_code, _("the faulty unit's SN code")),
		(new_code, _("the new unit's SN code")),
	):
		if not (value or "").strip():
			_refuse(_("Enter {0}"), label)
	if not warehouse:
		_refuse(_("Enter the warehouse the faulty unit comes back to"))
	if key(faulty_code) == key(new_code):
		_refuse(_("{0} is the faulty unit: the new unit must be another one"), faulty_code)
	states = ledger.read_states([faulty_code, new_code], creating=False)
	faulty, new = states.get(key(faulty_code)), states.get(key(new_code))
	item = faulty.item_code if faulty else claim.get("item_code")
	if faulty and claim.get("item_code") and faulty.item_code != claim.item_code:
		_refuse(
			_("{0} is of item {1}, not of the claim's item {2}"),
			faulty.code,
			faulty.item_code,
			claim.item_code,
		)
	back = Movement(
		faulty_code,
		item,
		Operation.SALES_RETURN,
		to_warehouse=warehouse,
		party_type="Customer",
		party=claim.customer,
	)
	_refuse_problem(_("Faulty unit: {0}"), faulty, back)
	out = Movement(new_code, item, Operation.SELL, from_warehouse=new.warehouse if new else None)
	_refuse_problem(_("New unit: {0}"), new, out)
	return faulty, new


def _refuse_problem(template: str, state: State | None, movement: Movement) -> None:
	problem = Problem(Reason.NOT_FOUND, movement.code) if state is None else check(state, movement)
	if problem:
		_refuse(template, messages.describe(problem))


def _refuse(template: str, *values) -> None:
	frappe.throw(
		template.format(*(frappe.utils.escape_html(str(v)) for v in values)),
		ReplacementRefused,
		title=_("Unit not replaced"),
	)


def _entry(claim, purpose: str, unit: State, other: State, **warehouses):
	"""A submitted Stock Entry of ``purpose`` for ``unit``, linked to the claim and naming the unit
	it is swapped with, valued at the item's valuation rate where it moves."""
	warehouse = warehouses.get("t_warehouse") or warehouses.get("s_warehouse")
	rate = _valuation_rate(unit.item_code, warehouse, claim.company)
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"purpose": purpose,
			"stock_entry_type": purpose,
			"company": claim.company,
			CLAIM_FIELD: claim.name,
			"remarks": _("Replacement under Warranty Claim {0}").format(claim.name),
			"items": [
				{
					"item_code": unit.item_code,
					"qty": 1,
					"conversion_factor": 1,
					"basic_rate": rate,
					"allow_zero_valuation_rate": int(not rate),
					ROW_FIELD: unit.code,
					SWAPPED_FIELD: other.code,
					**warehouses,
				}
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def _valuation_rate(item_code: str, warehouse: str, company: str) -> float:
	"""The item's valuation rate at ``warehouse`` as ERPNext reads it (0 when it has none)."""
	from erpnext.stock.stock_ledger import get_valuation_rate

	return get_valuation_rate(
		item_code,
		warehouse,
		"Stock Entry",
		None,
		allow_zero_rate=True,
		company=company,
		raise_error_if_no_rate=False,
	)
