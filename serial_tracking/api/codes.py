"""Codes for the SN dialog: codes read as the dialog reads them, and codes made by a rule."""

import frappe
from frappe import _

from serial_tracking import messages, settings
from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.constants import SERIAL
from serial_tracking.core.generate import Rule, generate
from serial_tracking.permissions import require_readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import gtins


@frappe.whitelist(methods=["POST"])
def parse_codes(text: str | None = None, item_code: str | None = None) -> dict:
	"""Read codes as the SN dialog does: the valid distinct codes, the cartons (SSCC) of GS1 scans,
	and every problem. With ``item_code``, a GS1 scan of a GTIN that is not the item's is refused."""
	frappe.has_permission(SERIAL, "read", throw=True)
	if item_code:
		require_readable("Item", item_code)
	parsed = settings.parse_codes(
		text,
		gtins=gtins.of_items([item_code]).get(item_code) if item_code else None,
		item_code=item_code or "",
	)
	return {
		"codes": parsed.codes,
		"cartons": parsed.cartons,
		"entered": parsed.entered,
		"problems": messages.as_dicts(parsed.problems),
	}


@frappe.whitelist(methods=["POST"])
def generate_codes(
	count: WholeNumber,
	prefix: str = "",
	start: WholeNumber = 1,
	increment: WholeNumber = 1,
	width: WholeNumber = 0,
	suffix: str = "",
) -> dict:
	"""Codes made by a rule, or the reason the rule is refused."""
	frappe.has_permission(SERIAL, "read", throw=True)
	limits = get_settings().limits
	rule = Rule(
		prefix or "",
		whole_number(start, _("Start")),
		whole_number(increment, _("Increment")),
		whole_number(count, _("Count")),
		whole_number(width, _("Width")),
		suffix or "",
	)
	codes, problem = generate(rule, max_count=limits.max_per_operation, max_length=limits.max_length)
	return {"codes": codes, "problems": messages.as_dicts([problem] if problem else [])}
