"""Readers of the arguments of whitelisted methods, as a request sends them.

Each returns the value read, or refuses with a translated message that names the argument and
shows the value with its markup escaped. Used by ``serial_tracking.api`` and by the modules that
read an argument it passes on (``finding``, ``stock.unsaved``); imports nothing of the app.
"""

import math
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html

#: A whole number as a request may send it (3, "3", 3.0); ``whole_number`` reads it, so the
#: type is left open here for a clear message instead of a type error.
WholeNumber = Any

#: What ``json_value`` answers for text that is not JSON.
NOT_JSON = object()


def json_value(value: Any) -> Any:
	"""``value`` itself, or the value its JSON text stands for; ``NOT_JSON`` when it is text that is
	not JSON (or nested too deep to read)."""
	if not isinstance(value, str):
		return value
	try:
		return frappe.parse_json(value)
	except (ValueError, RecursionError):  # RecursionError: nested too deep
		return NOT_JSON


def whole_number(value: Any, label: str) -> int:
	"""``value`` as an int, or a refusal naming the argument (``label``, translated) and the value."""
	if isinstance(value, bool | int):
		return int(value)
	number = value
	if isinstance(value, str):
		try:
			return int(value.strip())
		except ValueError:
			try:
				number = float(value.strip())
			except ValueError:
				number = None
	if isinstance(number, float) and math.isfinite(number) and number.is_integer():
		return int(number)
	frappe.throw(
		_("{0} must be a whole number, not '{1}'").format(label, escape_html(str(value))),
		title=_("Invalid argument"),
	)


def codes(value: Any, label: str) -> list[str]:
	"""A list of SN codes, a JSON list of them as a form sends it, or text of codes separated by
	white space; blanks dropped, none when empty."""
	if value in (None, "", []):
		return []
	parsed = json_value(value)
	if parsed is NOT_JSON:
		parsed = value.split()
	if not isinstance(parsed, list) or not all(isinstance(code, str) for code in parsed):
		frappe.throw(
			_("{0} must be a list of SN codes, not '{1}'").format(label, escape_html(str(value))),
			title=_("Invalid argument"),
		)
	return [code.strip() for code in parsed if code.strip()]


def item_codes(items: Any) -> list[str]:
	"""A list of item codes, or a JSON list of them as a form sends it; at least one."""
	if not items:
		frappe.throw(_("Select at least one item"))
	parsed = json_value(items)
	if parsed == []:
		frappe.throw(_("Select at least one item"))
	if not isinstance(parsed, list) or not all(isinstance(i, str) and i for i in parsed):
		frappe.throw(
			_("Items must be a list of item codes, not '{0}'").format(escape_html(str(items))),
			title=_("Invalid argument"),
		)
	return parsed


def iso_date(value: Any, label: str) -> str | None:
	"""A date as ``YYYY-MM-DD`` text (None when empty), or a refusal naming the argument and the value."""
	if value in (None, ""):
		return None
	if isinstance(value, str):
		try:
			return date.fromisoformat(value.strip()[:10]).isoformat()
		except ValueError:
			pass
	frappe.throw(
		_("{0} must be a date (YYYY-MM-DD), not '{1}'").format(label, escape_html(str(value))),
		title=_("Invalid argument"),
	)
