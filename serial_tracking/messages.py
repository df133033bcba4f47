"""The wording of every refusal of the core, translated; one place for the dialog, the API and submits."""

import frappe
from frappe import _
from frappe.utils import format_datetime

from serial_tracking.constants import CARTON, LOG, SERIAL
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.permissions import PARTY_TYPES, party_allowed, party_restrictions, readable

#: The parameters naming where a serial is now: a user who may not read that warehouse is told the
#: unit is elsewhere, not where (a Stock User of one warehouse typing a code held at another).
PLACES = ("current_warehouse",)
#: The parameters naming what a serial is or was, which may not be the user's to read: the doctype
#: each names. A user who may not read it is told "another item" (carton, customer, supplier).
NAMED = {
	"other_item": "Item",
	"carton": CARTON,
	"other": CARTON,
	"customer": "Customer",
	"supplier": "Supplier",
}


class SerialTrackingError(frappe.ValidationError):
	"""A document's or an input's SN codes are refused."""


class SerialCancelError(SerialTrackingError):
	"""A document cannot be cancelled before later documents that moved its serials."""


class SerialGuardError(SerialTrackingError):
	"""An item cannot be switched to SN tracking, or a serial cannot be edited as asked."""


class CountError(SerialTrackingError):
	"""A Serial Count that cannot be scanned into, posted or cancelled as asked."""


class PostingBusy(SerialTrackingError):
	"""A document waited too long for another one to finish posting to the stock ledger."""


class ReplacementRefused(SerialTrackingError):
	"""A unit cannot be replaced under a Warranty Claim as asked; nothing was made."""


class RepairRefused(SerialTrackingError):
	"""Spare parts cannot be fitted into a unit at a Maintenance Visit as asked; nothing was made."""


class AfterSalesError(SerialTrackingError):
	"""A Warranty Claim or a Maintenance Visit names a unit it may not name (serial_tracking/stock/after_sales.py)."""


class HandedOver(SerialTrackingError):
	"""A cancellation handed to a background job (serial_tracking/stock/background.py): the request
	itself changed nothing."""


#: Problems put into words in one answer or refusal; more are counted in one closing line, so that
#: an input of a hundred thousand bad entries costs what a hundred do.
SHOWN = 100


def _templates() -> dict[Reason, str]:
	"""The sentence of each reason in the user's language, made once per request and language."""
	cache = getattr(frappe.local, "cache", None)
	if not isinstance(cache, dict):
		return _make_templates()
	key = ("sn_templates", getattr(frappe.local, "lang", None))
	if key not in cache:
		cache[key] = _make_templates()
	return cache[key]


def _make_templates() -> dict[Reason, str]:
	return {
		Reason.TOO_LONG: _("{code} is {length} characters long; an SN code has at most {max_length}"),
		Reason.CONTROL_CHARACTER: _("{code} contains a control or space character ({char_code})"),
		Reason.INVISIBLE_CHARACTER: _("{code} contains an invisible character ({char_code})"),
		Reason.NON_ASCII: _(
			"{code} contains the non-ASCII character {char} ({char_code}); an SN code uses ASCII letters, digits and - _ . / : # + ( )"
		),
		Reason.INVALID_CHARACTER: _("{code} contains {char}, which an SN code may not contain"),
		Reason.DUPLICATE: _("{code} is entered twice (first at entry {first})"),
		Reason.TOO_MANY: _("{count} SN codes entered; at most {max_count} are allowed at once"),
		Reason.INPUT_TOO_LONG: _(
			"{length} characters entered; {max_count} SN codes fit in at most {most}, so nothing was read"
		),
		Reason.NOTHING_ENTERED: _("No SN code entered"),
		Reason.NOT_TEXT: _("SN codes are entered as text, one code a line, not as a {kind}"),
		Reason.GS1_INVALID: _("{code} is not a valid GS1 scan: {detail}"),
		Reason.GS1_NO_SERIAL: _(
			"{code} is a GS1 scan without a serial number (AI 21) or a carton code (AI 00)"
		),
		Reason.GS1_OTHER_GTIN: _(
			"{code} is a scan of GTIN {gtin}, which is not a barcode of item {item_code} ({gtins})"
		),
		Reason.GS1_CARTON: _(
			"{code} is the SSCC of a carton, not an SN code; scan it in the SN dialog to enter the SN codes of its units"
		),
		Reason.BAD_COUNT: _("The count must be between 1 and {max_count}, not {count}"),
		Reason.BAD_INCREMENT: _("The increment must be a positive whole number, not {increment}"),
		Reason.BAD_START: _("The start value must not be negative, not {start}"),
		Reason.BAD_WIDTH: _("The width must be between 0 and {max_length}, not {width}"),
		Reason.WIDTH_OUTGROWN: _("The number {last} does not fit in a width of {width} digits"),
		Reason.BAD_PREFIX: _("{code} cannot be part of an SN code"),
		Reason.QTY_NOT_WHOLE: _(
			"Item {item_code}: the quantity {qty} in stock units is not a whole number, so it cannot carry SN codes"
		),
		Reason.COUNT_MISMATCH: _("Item {item_code}: {count} SN codes entered for a quantity of {qty}"),
		Reason.REQUIRED: _("Item {item_code}: enter its {qty} SN codes; this operation requires them"),
		Reason.CODES_MISSING: _(
			"Item {item_code}: {missing} of its {qty} SN codes are missing ({count} entered); enter them to submit"
		),
		Reason.NOT_STOCK_UOM: _(
			"Item {item_code} is SN-tracked and must be sold in its stock unit {stock_uom}, not {uom}"
		),
		Reason.UNSUPPORTED_PURPOSE: _(
			"Item {item_code} is SN-tracked and cannot be moved by a Stock Entry of purpose {purpose}"
		),
		Reason.UNSUPPORTED_DOCUMENT: _(
			"Item {item_code} is SN-tracked, and documents of type {doctype} carry no SN codes: move it with one that does"
		),
		Reason.BACKDATED: _(
			"{code} was last moved by {voucher_type} {voucher_no} on {last_posted_at}; a movement dated {posted_at} cannot come before it"
		),
		Reason.OTHER_SUPPLIER: _("{code} was bought from {supplier}, not from {party}"),
		Reason.OTHER_CUSTOMER: _("{code} was sold to {customer}, not to {party}"),
		Reason.NOT_ON_OUTGOING: _(
			"{code} was not sent in transit by {outgoing}, or has arrived already: an arrival takes only the codes its outgoing entry sent"
		),
		Reason.NOT_RETURNED_UNDER_CLAIM: _(
			"Item {item_code}: {swapped} did not come back under warranty claim {claim}; a unit given in place of another keeps only the warranty of a unit the same claim took back"
		),
		Reason.REJECTED_QTY: _(
			"Item {item_code} is SN-tracked: receive only accepted units and return rejected ones with a purchase return"
		),
		Reason.WRONG_ITEM: _("{code} belongs to item {other_item}, not {item_code}"),
		Reason.ALREADY_IN_STOCK: _("{code} is already in stock at {current_warehouse}"),
		Reason.ALREADY_IN_TRANSIT: _("{code} is already in transit at {current_warehouse}"),
		Reason.NOT_FOUND: _("{code} is not a known SN code: it was never received or registered"),
		Reason.WRONG_WAREHOUSE: _("{code} is in stock at {current_warehouse}, not at {warehouse}"),
		Reason.NOT_IN_STOCK: _("{code} is not in stock: it is {status}{moved_by}"),
		Reason.NOT_IN_TRANSIT: _("{code} is not in transit: it is {status}{moved_by}"),
		Reason.NOT_SOLD: _("{code} was not sold: it is {status}{moved_by}"),
		Reason.NOT_ON_ORIGINAL: _("{code} was not sold on {against}{moved_by}"),
		Reason.IN_TRANSIT_ON_COUNT: _("{code} is in transit at {current_warehouse} and cannot be counted"),
		Reason.OVER_WAREHOUSE_QTY: _(
			"Warehouse {warehouse} holds {qty} of item {item_code}: {in_stock} SN codes are in stock there, so at most {free} more can be registered, not {count}"
		),
		Reason.LATER_MOVEMENTS: _(
			"later documents moved its SN codes; cancel them first, in this order: {vouchers}"
		),
		Reason.CARTON_IS_SERIAL: _("Carton code {code} is an SN code; a carton code may never equal one"),
		Reason.SERIAL_IS_CARTON: _(
			"{code} is the code of a carton; an SN code may never equal a carton code"
		),
		Reason.CARTON_OTHER_ITEM: _("Carton {code} holds item {other_item}, not {item_code}"),
		Reason.CARTON_UNKNOWN: _("No carton has the code {code}"),
		Reason.IN_TWO_CARTONS: _("{code} is packed in carton {carton} and in carton {other}"),
		Reason.CARTON_CODE_NOT_ON_ROW: _(
			"{code} is packed in carton {carton} but is not among the row's SN codes"
		),
		Reason.CARTONS_UNREADABLE: _(
			"The row's cartons cannot be read ({detail}): they must be carton codes, each with a list of SN codes"
		),
		Reason.FORMAT_IMEI_DIGITS: _(
			"{code} is not an IMEI of item {item_code}: an IMEI is digits only, and this has {char}"
		),
		Reason.FORMAT_IMEI_LENGTH: _(
			"{code} is not an IMEI of item {item_code}: an IMEI has 15 digits, this has {length}"
		),
		Reason.FORMAT_IMEISV_LENGTH: _(
			"{code} is not an IMEI of item {item_code}: an IMEI has 15 digits (an IMEISV 16), this has {length}"
		),
		Reason.FORMAT_IMEI_CHECK_DIGIT: _(
			"{code} is not an IMEI of item {item_code}: check digit should be {expected}"
		),
		Reason.FORMAT_DIGITS_ONLY: _(
			"{code} is not an SN code of item {item_code}: its codes are {digits} digits, and this has {char}"
		),
		Reason.FORMAT_DIGITS_LENGTH: _(
			"{code} is not an SN code of item {item_code}: its codes have {digits} digits, this has {length}"
		),
		Reason.FORMAT_PATTERN: _("{code} does not match the pattern {pattern} set on item {item_code}"),
		Reason.FORMAT_BAD_LENGTH: _(
			"An SN code format of digits needs their number, from 1 to {max_length} (the longest SN code), not {length}"
		),
		Reason.FORMAT_NO_PATTERN: _("An SN code format of a pattern needs the pattern"),
		Reason.FORMAT_PATTERN_TOO_LONG: _(
			"The SN code pattern is {length} characters long; a pattern has at most {most}"
		),
		Reason.FORMAT_BAD_PATTERN: _("The SN code pattern {pattern} cannot be used: {detail}"),
	}


def _plain(value):
	"""A parameter as a sentence shows it: nothing for None, a whole quantity without ".0"."""
	if value is None:
		return ""
	if isinstance(value, float) and value.is_integer():
		return int(value)
	return value


def _memo() -> dict:
	"""What the user may read, judged once per user and value in a request (``frappe.local.cache``
	starts empty with each request and each ``set_user``)."""
	cache = getattr(frappe.local, "cache", None)
	return cache.setdefault("sn_readable_named", {}) if isinstance(cache, dict) else {}


def _named(template: str, params: dict) -> list[tuple[str, str, str]]:
	"""(parameter, doctype, name) of what a sentence of ``template`` names that may not be the user's
	to read."""
	named = {**dict.fromkeys(PLACES, "Warehouse"), **NAMED}
	return [
		(param, doctype, str(params[param]))
		for param, doctype in named.items()
		if params.get(param) and "{" + param + "}" in template
	]


def _document(template: str, params: dict) -> tuple[str, str] | None:
	"""The document a sentence of ``template`` names as the serial's last movement."""
	if ("{moved_by}" in template or "{voucher_no}" in template) and params.get("voucher_no"):
		return (str(params.get("voucher_type") or ""), str(params["voucher_no"]))
	return None


def _listed(params: dict) -> list[tuple[str, str]]:
	"""The documents a sentence lists (the later documents in the way of a cancellation)."""
	vouchers = params.get("vouchers")
	return [(str(t), str(n)) for t, n in vouchers] if isinstance(vouchers, list | tuple) else []


def judge(problems: list[Problem]) -> None:
	"""Judge at once, for the sentences of ``problems``, which warehouses, items, cartons, parties
	and documents they name the user may read: one list per doctype, one permission check per
	document (as opening it checks it), whatever the number of problems."""
	memo, user = _memo(), frappe.session.user
	wanted: dict[str, set[str]] = {}
	documents: set[tuple[str, str]] = set()
	templates = _templates()
	for problem in problems:
		template = templates[problem.reason]
		for _param, doctype, name in _named(template, problem.params):
			if (user, doctype, name) not in memo:
				wanted.setdefault(doctype, set()).add(name)
		for document in [_document(template, problem.params), *_listed(problem.params)]:
			if document and (user, "document", *document) not in memo:
				documents.add(document)
	for doctype, names in wanted.items():
		if doctype in PARTY_TYPES:
			restricted = party_restrictions((SERIAL, LOG))
			allowed = {name for name in names if party_allowed(doctype, name, restricted, strict=False)}
		else:
			# A name nothing has (an input's own value) is shown as it was given.
			existing = frappe.get_all(doctype, filters={"name": ("in", sorted(names))}, pluck="name")
			allowed = readable(doctype, names) | (names - set(existing))
		for name in names:
			memo[(user, doctype, name)] = name in allowed
	for doctype, name in documents:
		# a document nothing has (deleted since) is named as it was recorded
		known = bool(doctype) and frappe.db.exists(doctype, name)
		memo[(user, "document", doctype, name)] = not known or frappe.has_permission(
			doctype, "read", doc=name
		)


def _hidden() -> dict[str, str]:
	"""What a sentence says in place of what the user may not read."""
	return {
		"Warehouse": _("another warehouse"),
		"Item": _("another item"),
		CARTON: _("another carton"),
		"Customer": _("another customer"),
		"Supplier": _("another supplier"),
	}


def describe(problem: Problem) -> str:
	"""The translated sentence of one problem, without where it happened. It names only what the
	user may read: "another warehouse" (item, carton, customer, supplier) for one they may not, and a
	document they may not open by its type ("a Delivery Note you may not see")."""
	judge([problem])
	memo, user = _memo(), frappe.session.user
	template = _templates()[problem.reason]
	params = {key: _plain(value) for key, value in problem.params.items()}
	params["code"] = problem.code
	for param, doctype, name in _named(template, problem.params):
		if not memo.get((user, doctype, name)):
			params[param] = _hidden()[doctype]
	if params.get("status"):
		params["status"] = _(params["status"])
	if listed := _listed(problem.params):
		params["vouchers"] = ", ".join(
			f"{_(t)} {n}" if memo.get((user, "document", t, n)) else _("a {0} you may not see").format(_(t))
			for t, n in listed
		)
	document = _document(template, problem.params)
	unseen = bool(document) and not memo.get((user, "document", *document))
	if unseen:
		params["moved_by"] = " " + _("(last moved by {0})").format(
			_("a {0} you may not see").format(_(document[0]))
		)
	elif problem.params.get("voucher_no"):
		params["moved_by"] = " " + _("(last moved by {0} {1})").format(
			_(problem.params["voucher_type"]), problem.params["voucher_no"]
		)
	else:
		params["moved_by"] = ""
	for moment in ("last_posted_at", "posted_at"):
		if problem.params.get(moment):
			params[moment] = format_datetime(problem.params[moment])
	if problem.reason is Reason.DUPLICATE and "first_row" in problem.params:
		if problem.params.get("first_table"):
			params["first_row"] = _row_label(problem.params["first_table"], problem.params["first_row"])
		return _("{code} is already entered in row {first_row}").format(**params)
	if problem.reason is Reason.BACKDATED and unseen:
		return _(
			"{code} was last moved by a {0} you may not see on {last_posted_at}; a movement dated {posted_at} cannot come before it"
		).format(_(document[0]), **params)
	return template.format(**params)


def _row_label(table: str | None, row: int) -> str:
	if table == "packed_items":
		return _("packed item row {0}").format(row)
	if table:
		return _("row {0} of {1}").format(row, _(table.replace("_", " ").title()))
	return str(row)


def locate(problem: Problem) -> str:
	"""The sentence with where it happened: the row of a document, or the entry of an input."""
	text = describe(problem)
	if problem.row is not None and problem.table == "packed_items":
		return _("Packed item row {0}: {1}").format(problem.row, text)
	if problem.row is not None and problem.table:
		return _("Row {0} of {1}: {2}").format(problem.row, _(problem.table.replace("_", " ").title()), text)
	if problem.row is not None:
		return _("Row {0}: {1}").format(problem.row, text)
	if problem.position is not None:
		return _("Entry {0}: {1}").format(problem.position, text)
	return text


def shown(problems: list[Problem]) -> tuple[list[Problem], int]:
	"""The problems put into words (those of the whole input, such as too many codes, first; then the
	entries in their order), at most ``SHOWN``, and how many more there are."""
	whole = [p for p in problems if p.row is None and p.position is None]
	ordered = whole + [p for p in problems if p.row is not None or p.position is not None]
	return ordered[:SHOWN], max(len(ordered) - SHOWN, 0)


def more(count: int) -> str:
	return _("and {0} more problems").format(count)


def as_dicts(problems: list[Problem]) -> list[dict]:
	"""Problems for the API and the dialog: at most ``SHOWN``, then one entry counting the rest
	(reason ``more``, its ``count``)."""
	listed, rest = shown(problems)
	judge(listed)
	answer = [
		{
			"reason": p.reason.value,
			"code": p.code,
			"row": p.row,
			"position": p.position,
			"message": locate(p),
		}
		for p in listed
	]
	if rest:
		answer.append(
			{
				"reason": "more",
				"code": None,
				"row": None,
				"position": None,
				"message": more(rest),
				"count": rest,
			}
		)
	return answer


def throw(problems: list[Problem], title: str | None = None, exc=SerialTrackingError):
	"""Refuse with the problems listed, one a line (``SHOWN`` at most, then how many more)."""
	if not problems:
		return
	listed, rest = shown(problems)
	judge(listed)
	lines = [frappe.utils.escape_html(locate(p)) for p in listed]
	if rest:
		lines.append(frappe.utils.escape_html(more(rest)))
	message = lines[0] if len(lines) == 1 else "<br>".join(lines)
	frappe.throw(message, exc, title=title or _("SN codes refused"))
