"""Fit SN-tracked spare parts into a customer's unit at a Maintenance Visit: one Material Issue of
the parts from a warehouse, linked to the visit, each row naming the unit they went into. The parts
are issued as any Material Issue issues them; the unit does not move."""

from itertools import groupby

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.core.codes import join, key
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Movement, Operation, State, check
from serial_tracking.messages import RepairRefused
from serial_tracking.stock import ledger
from serial_tracking.stock.documents import FITTED_FIELD, ROW_FIELD, VISIT_FIELD

VISIT = "Maintenance Visit"


def fit_parts(visit_name: str, unit_code: str, part_codes: list[str], warehouse: str) -> dict:
	"""Issue ``part_codes`` from ``warehouse`` as fitted into ``unit_code``, the visit's customer's
	unit; the Material Issue's name. Refused, with nothing made, when a part or the unit cannot."""
	visit = frappe.get_doc(VISIT, visit_name)
	unit, parts = _checked(visit, unit_code, part_codes, warehouse)
	frappe.db.savepoint("sn_fit_parts")
	try:
		issue = _issue(visit, unit, parts, warehouse)
	except Exception:
		frappe.db.rollback(save_point="sn_fit_parts")
		raise
	return {"issue": issue.name}


def _checked(visit, unit_code: str | None, part_codes: list[str], warehouse: str | None):
	"""The unit's state and the parts' states, once the unit is the visit's customer's and every
	part is in stock at ``warehouse``."""
	if visit.docstatus == 2:
		_refuse(_("Maintenance Visit {0} is cancelled: no parts are fitted under it"), visit.name)
	if not (unit_code or "").strip():
		_refuse(_("Enter the SN code of the unit the parts are fitted into"))
	if not part_codes:
		_refuse(_("Enter the SN codes of the parts fitted"))
	if not warehouse:
		_refuse(_("Enter the warehouse the parts are taken from"))
	keys = [key(code) for code in part_codes]
	if key(unit_code) in keys:
		_refuse(_("{0} is the unit the parts are fitted into, not a part"), unit_code)
	if twice := next((code for code in part_codes if keys.count(key(code)) > 1), None):
		_refuse(_("{0} is entered twice"), twice)
	states = ledger.read_states([unit_code, *part_codes], creating=False)
	unit = states.get(key(unit_code))
	if unit is None:
		_refuse(_("Unit: {0}"), messages.describe(Problem(Reason.NOT_FOUND, unit_code)))
	held = Movement(
		unit.code, unit.item_code, Operation.SALES_RETURN, party_type="Customer", party=visit.customer
	)
	if problem := check(unit, held):
		_refuse(_("Unit: {0}"), messages.describe(problem))
	problems = [_part_problem(code, states.get(key(code)), warehouse) for code in part_codes]
	messages.throw([p for p in problems if p], title=_("Parts not fitted"), exc=RepairRefused)
	return unit, [states[key(code)] for code in part_codes]


def _part_problem(code: str, state: State | None, warehouse: str) -> Problem | None:
	if state is None:
		return Problem(Reason.NOT_FOUND, code)
	return check(state, Movement(state.code, state.item_code, Operation.ISSUE, from_warehouse=warehouse))


def _refuse(template: str, *values) -> None:
	frappe.throw(
		template.format(*(frappe.utils.escape_html(str(v)) for v in values)),
		RepairRefused,
		title=_("Parts not fitted"),
	)


def _issue(visit, unit: State, parts: list[State], warehouse: str):
	"""The submitted Material Issue of the parts, one row per item, linked to the visit."""
	by_item = groupby(sorted(parts, key=lambda p: p.item_code), key=lambda p: p.item_code)
	rows = []
	for item_code, found in by_item:
		found = list(found)
		rows.append(
			{
				"item_code": item_code,
				"qty": len(found),
				"conversion_factor": 1,
				"s_warehouse": warehouse,
				ROW_FIELD: join([p.code for p in found]),
				FITTED_FIELD: unit.code,
			}
		)
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"purpose": "Material Issue",
			"stock_entry_type": "Material Issue",
			"company": visit.company,
			VISIT_FIELD: visit.name,
			"remarks": _("Spare parts fitted into {0} at Maintenance Visit {1}").format(
				unit.code, visit.name
			),
			"items": rows,
		}
	)
	doc.insert()
	doc.submit()
	return doc
