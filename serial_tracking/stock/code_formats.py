"""The SN code formats of items, as their Item fields set them, and a new format held against the
codes an item already has.

A format is read for a set of items in one query (as :mod:`serial_tracking.stock.gtins` reads
GTINs); an item with none (empty or *Any*) is left out and takes any code.
"""

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.constants import ITEM_FORMAT, ITEM_FORMAT_LENGTH, ITEM_FORMAT_PATTERN, SERIAL
from serial_tracking.core import code_formats
from serial_tracking.core.code_formats import ANY, CodeFormat, Kind, kind_of
from serial_tracking.exchange.notify import notify
from serial_tracking.settings import get_settings

#: The Item fields a format is read from.
FIELDS = (ITEM_FORMAT, ITEM_FORMAT_LENGTH, ITEM_FORMAT_PATTERN)
#: Serials of an item read at a time when its existing codes are held against a new format.
BATCH = 5000
#: Existing codes held against a new format in the request; an item with more is done by a job.
IN_REQUEST = 50_000
#: Codes not of the format named in the answer; the rest are counted.
NAMED = 20


def format_of(values, allow_imeisv: bool | None = None) -> CodeFormat:
	"""The format of an Item (a document or a row with :data:`FIELDS`)."""
	kind = kind_of(values.get(ITEM_FORMAT))
	if kind is Kind.ANY:
		return ANY
	if allow_imeisv is None:
		allow_imeisv = get_settings().allow_imeisv
	return CodeFormat(
		kind,
		length=int(values.get(ITEM_FORMAT_LENGTH) or 0) if kind is Kind.DIGITS else 0,
		pattern=(values.get(ITEM_FORMAT_PATTERN) or "") if kind is Kind.PATTERN else "",
		imeisv=kind is Kind.IMEI and allow_imeisv,
	)


def of_items(items) -> dict[str, CodeFormat]:
	"""Each item's format, for the items among ``items`` that have one."""
	if not items:
		return {}
	rows = frappe.get_all(
		"Item",
		filters={
			"name": ("in", list(items)),
			ITEM_FORMAT: ("in", [k.value for k in Kind if k is not Kind.ANY]),
		},
		fields=["name", *FIELDS],
	)
	return of_rows({row.name: row for row in rows})


def of_rows(items: dict[str, dict]) -> dict[str, CodeFormat]:
	"""The formats of items already read with :data:`FIELDS` (by name), for those that have one."""
	imeisv = get_settings().allow_imeisv
	found = {name: format_of(row, imeisv) for name, row in items.items()}
	return {name: fmt for name, fmt in found.items() if fmt.checks}


def of_item(item_code: str) -> CodeFormat:
	return of_items([item_code]).get(item_code, ANY)


def validate(doc) -> None:
	"""Item validate: a format the item cannot have (a digits format without its number, a pattern
	RE2 cannot use) is refused, with the engine's reason."""
	problem = code_formats.format_problem(format_of(doc), get_settings().limits.max_length)
	if problem:
		frappe.throw(
			frappe.utils.escape_html(messages.describe(problem)),
			messages.SerialGuardError,
			title=_("SN code format not set"),
		)


def changed(doc) -> bool:
	"""Whether the item's save set a format other than the one it had (and one that checks)."""
	before = doc.get_doc_before_save()
	if not format_of(doc).checks:
		return False
	return before is None or format_of(before) != format_of(doc)


def mismatches(item_code: str, fmt: CodeFormat) -> tuple[int, list]:
	"""(how many of the item's existing codes are not of ``fmt``, the problems of the first
	:data:`NAMED` by code), reading its serials :data:`BATCH` at a time along the item's index."""
	serial = frappe.qb.DocType(SERIAL)
	found, named, last = 0, [], ""
	while True:
		codes = (
			frappe.qb.from_(serial)
			.select(serial.name)
			.where((serial.item_code == item_code) & (serial.name > last))
			.orderby(serial.name)
			.limit(BATCH)
			.run(pluck=True)
		)
		problems = code_formats.mismatches(codes, fmt, item_code)
		found += len(problems)
		named.extend(problems[: NAMED - len(named)])
		if len(codes) < BATCH:
			return found, named
		last = codes[-1]


def mismatch_message(item_code: str, fmt: CodeFormat) -> str | None:
	"""What the item's existing codes not of ``fmt`` are (escaped HTML), or None when all are."""
	found, named = mismatches(item_code, fmt)
	if not found:
		return None
	lines = [
		_(
			"{0} existing SN codes of item {1} do not match its SN code format. They stay valid and move as "
			"before; new codes must match."
		).format(found, item_code)
	]
	lines += [messages.describe(problem) for problem in named]
	if found > len(named):
		lines.append(_("and {0} more").format(found - len(named)))
	return "<br>".join(frappe.utils.escape_html(line) for line in lines)


def report_mismatches(doc) -> None:
	"""Item on_update: a new format held against the item's existing codes, those not of it listed;
	past :data:`IN_REQUEST` codes, by a background job that notifies the user."""
	if not changed(doc):
		return
	total = frappe.db.count(SERIAL, {"item_code": doc.name})
	if not total:
		return
	if total > IN_REQUEST:
		frappe.enqueue(
			report_in_background,
			queue="long",
			timeout=3600,
			enqueue_after_commit=True,
			item_code=doc.name,
			user=frappe.session.user,
		)
		frappe.msgprint(
			_(
				"Item {0} has {1} SN codes: they are checked against its new SN code format in the "
				"background, and you will be notified of those that do not match."
			).format(frappe.utils.escape_html(doc.name), total),
			title=_("SN code format"),
		)
		return
	text = mismatch_message(doc.name, format_of(doc))
	if text:
		frappe.msgprint(text, title=_("Existing SN codes not of the new format"), indicator="orange")


def report_in_background(item_code: str, user: str) -> None:
	"""The job: the item's format as it is now, held against its codes; the user notified."""
	frappe.set_user(user)
	values = frappe.db.get_value("Item", item_code, list(FIELDS), as_dict=True)
	if not values:
		return
	text = mismatch_message(item_code, format_of(values))
	subject = text or frappe.utils.escape_html(
		_("Every existing SN code of item {0} matches its SN code format.").format(item_code)
	)
	notify(user, subject.split("<br>")[0], content=subject, document=("Item", item_code))
	frappe.publish_realtime("msgprint", {"message": subject, "title": _("SN code format")}, user=user)
