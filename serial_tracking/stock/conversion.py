"""Converting an item from ERPNext's serial numbers to SN codes: read ERPNext's records, plan with
:mod:`serial_tracking.core.conversion`, and write, all or nothing per item.

:func:`dry_run` tells what a conversion would do; :func:`convert` does it inside the caller's
transaction (a background job commits each item, :func:`run_job`). The item's row is locked first
(``nowait``: a second conversion is refused at once), and every stock ledger entry that still moves
ERPNext's serials of the item waits for that lock and is refused once the item is converted
(:func:`refuse_converted`), so a sale racing the conversion is either in what it reads or refused.
docs/decisions.md, "Converting an item from ERPNext's serials", says why.
"""

import json

import frappe
from frappe import _
from frappe.utils import cint, escape_html, flt, format_datetime, get_datetime, now_datetime

from serial_tracking import messages
from serial_tracking.constants import ITEM_CONVERTED, ITEM_FLAG, SERIAL
from serial_tracking.core import code_formats as core_formats
from serial_tracking.core import conversion
from serial_tracking.core.codes import key
from serial_tracking.core.conversion import Event, Held, Why
from serial_tracking.core.states import Status
from serial_tracking.messages import SerialGuardError
from serial_tracking.permissions import MANAGERS, readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, code_formats, consistency_check, item, ledger

#: Seconds a background conversion may take.
JOB_TIMEOUT = 3600
#: Entries of a list in a report (refusals, codes off the format); the rest is counted.
SHOWN = 50

#: The parties and return flags of the documents that move serials to or from a party.
_PARTIES = {
	**{doctype: "customer" for doctype in conversion.SELLING},
	**{doctype: "supplier" for doctype in conversion.BUYING},
}


class ConversionError(SerialGuardError):
	"""An item that cannot be converted, with the reasons."""


class ConversionBusy(ConversionError):
	"""The item is being converted, or its stock moved, by another transaction at this moment."""


def item_refusals(item_code: str) -> list[str]:
	"""Why the item cannot be converted at all, before its serials are read; empty when it can."""
	if not frappe.db.exists("Item", item_code):
		return [_("Item {0} does not exist").format(item_code)]
	doc = frappe.get_doc("Item", item_code)
	if not doc.has_serial_no:
		if doc.get(ITEM_FLAG):
			return [_("Item {0} is already converted: it tracks SN codes").format(item_code)]
		return [_("Item {0} does not use serial numbers of ERPNext (Has Serial No)").format(item_code)]
	doc.has_serial_no = 0
	reasons = item.refusals(doc)
	if frappe.db.exists(
		"Repost Item Valuation",
		{"item_code": item_code, "docstatus": 1, "status": ("in", ("Queued", "In Progress"))},
	):
		reasons.append(
			_("Item {0} has a reposting of its valuation waiting; convert it once that is done").format(
				item_code
			)
		)
	return reasons


def serial_counts(items: list[str]) -> dict[str, int]:
	"""How many ``Serial No`` records each item has (one statement)."""
	if not items:
		return {}
	rows = frappe.db.sql(
		"select `item_code`, count(*) from `tabSerial No` where `item_code` in %s group by `item_code`",
		(tuple(items),),
	)
	return dict(rows)


def places(item_code: str) -> set[str]:
	"""Every warehouse that holds or held the item (its stock ledger's, its Serial No records')."""
	rows = frappe.db.sql(
		"select distinct `warehouse` from `tabStock Ledger Entry` where `item_code` = %s and `is_cancelled` = 0"
		" union select distinct `warehouse` from `tabSerial No` where `item_code` = %s and `warehouse` is not null",
		(item_code, item_code),
	)
	return {row[0] for row in rows if row[0]}


def plan_item(item_code: str) -> tuple[conversion.Converted, list[str]]:
	"""ERPNext's records of the item read and planned: the conversion and the item's own refusals
	(besides those of single serials)."""
	reasons = item_refusals(item_code)
	if reasons:
		return conversion.Converted(), reasons
	held = _held(item_code)
	events = _events(item_code)
	if not held and not events:
		return conversion.Converted(), [
			_("Item {0} has no serial numbers of ERPNext to convert").format(item_code)
		]
	codes = [h.code for h in held]
	taken = {key(row[0]) for row in ledger.select_in(SERIAL, ("name",), "name", codes)}
	taken |= {key(p.code) for p in cartons.collisions(codes)}
	days = ledger.warranty_days(
		{item_code: frappe._dict(warranty_period=frappe.db.get_value("Item", item_code, "warranty_period"))}
	)
	planned = conversion.plan(
		item_code,
		events,
		held,
		warranty_days=days.get(item_code, 0),
		max_length=get_settings().limits.max_length,
		taken=frozenset(taken),
	)
	return planned, _stock_refusals(item_code, planned)


def _stock_refusals(item_code: str, planned: conversion.Converted) -> list[str]:
	"""Warehouses where the serials that arrive held are not the quantity ERPNext's ledger holds."""
	if planned.problems:
		# Each serial's own reason says more than the counts it throws off.
		return []
	held: dict[str, int] = {}
	for state in planned.states:
		if state.status in (Status.IN_STOCK, Status.IN_TRANSIT):
			held[state.warehouse] = held.get(state.warehouse, 0) + 1
	quantities = {
		warehouse: qty for (_item, warehouse), qty in consistency_check.stock_ledger_qty([item_code]).items()
	}
	return [
		_("Item {0} at {1}: the stock ledger holds {2}, but {3} of its serial numbers are there").format(
			item_code, warehouse, _number(quantities.get(warehouse, 0)), held.get(warehouse, 0)
		)
		for warehouse in sorted(set(held) | set(quantities))
		if flt(quantities.get(warehouse, 0)) != held.get(warehouse, 0)
	]


def _number(value) -> int | float:
	return int(value) if flt(value) == int(flt(value)) else flt(value)


def _held(item_code: str) -> list[Held]:
	rows = frappe.db.sql(
		"select `name`, `status`, `warehouse`, `warranty_expiry_date`, `purchase_rate`, `batch_no`"
		" from `tabSerial No` where `item_code` = %s",
		(item_code,),
	)
	return [
		Held(
			code=name,
			status=status,
			warehouse=warehouse,
			warranty_expiry_date=str(until) if until else None,
			purchase_rate=flt(rate),
			batch=bool(batch),
		)
		for name, status, warehouse, until, rate, batch in rows
	]


def _events(item_code: str) -> list[Event]:
	"""The item's serial movements in ERPNext's active stock ledger: those of its entries' bundles
	(Serial and Batch Entries), and the serial text of entries older than bundles."""
	bundled = frappe.db.sql(
		"select e.`serial_no`, l.`voucher_type`, l.`voucher_no`, l.`voucher_detail_no`, l.`warehouse`,"
		" l.`actual_qty`, l.`posting_datetime`, l.`creation`, l.`posting_date`, l.`posting_time`,"
		" l.`company`, e.`incoming_rate`, e.`batch_no`"
		" from `tabStock Ledger Entry` l join `tabSerial and Batch Entry` e on e.`parent` = l.`serial_and_batch_bundle`"
		" where l.`item_code` = %s and l.`is_cancelled` = 0 and ifnull(e.`serial_no`, '') != ''",
		(item_code,),
	)
	texts = frappe.db.sql(
		"select l.`serial_no`, l.`voucher_type`, l.`voucher_no`, l.`voucher_detail_no`, l.`warehouse`,"
		" l.`actual_qty`, l.`posting_datetime`, l.`creation`, l.`posting_date`, l.`posting_time`,"
		" l.`company`, if(l.`actual_qty` > 0, l.`incoming_rate`, 0), l.`batch_no`"
		" from `tabStock Ledger Entry` l where l.`item_code` = %s and l.`is_cancelled` = 0"
		" and ifnull(l.`serial_and_batch_bundle`, '') = '' and ifnull(l.`serial_no`, '') != ''",
		(item_code,),
	)
	rows = list(bundled)
	for text, *rest in texts:
		rows.extend((code, *rest) for code in _split(text))
	vouchers = _vouchers({(row[1], row[2]) for row in rows})
	transit = ledger.transit_warehouses({row[4] for row in rows})
	events = []
	for code, vtype, vno, detail, warehouse, qty, at, made, date, time, company, rate, batch in rows:
		party, is_return = vouchers.get((vtype, vno), (None, False))
		events.append(
			Event(
				code=code,
				voucher_type=vtype,
				voucher_no=vno,
				warehouse=warehouse,
				qty=flt(qty),
				posted_at=get_datetime(at),
				creation=get_datetime(made),
				voucher_detail_no=detail or "",
				posting_date=str(date) if date else None,
				posting_time=str(time) if time is not None else None,
				company=company,
				party_type=("Customer" if vtype in conversion.SELLING else "Supplier") if party else None,
				party=party,
				is_return=is_return,
				transit=warehouse in transit,
				rate=flt(rate),
				batch=bool(batch),
			)
		)
	return events


def _split(text: str) -> list[str]:
	"""Codes of a stock ledger entry's serial text, as ERPNext splits it (``get_serial_nos``)."""
	return [s.strip() for s in (text or "").replace(",", "\n").split("\n") if s.strip()]


def _vouchers(vouchers: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, bool]]:
	"""The party and return flag of each voucher that has them: one statement per doctype."""
	found = {}
	by_type: dict[str, list[str]] = {}
	for vtype, vno in vouchers:
		if vtype in _PARTIES:
			by_type.setdefault(vtype, []).append(vno)
	for vtype, names in by_type.items():
		for name, party, is_return in ledger.select_in(
			vtype, ("name", _PARTIES[vtype], "is_return"), "name", names
		):
			found[(vtype, name)] = (party, bool(is_return))
	return found


# What the user reads


def describe(refusal: conversion.Refusal, item_code: str) -> str:
	"""A serial that cannot be carried over, and why, in the user's words."""
	p = refusal.params
	code = refusal.code
	if refusal.why == Why.EXPIRED:
		return _("{0}: ERPNext holds it as Expired, a status SN codes do not have").format(code)
	if refusal.why == Why.BATCH:
		return _("{0}: it has a batch as well as a serial number").format(code)
	if refusal.why == Why.BAD_CODE:
		return _("{0}: not a valid SN code ({1})").format(code, messages.describe(refusal.problem))
	if refusal.why == Why.TAKEN:
		return _("{0}: the code is already an SN code or a carton code").format(code)
	if refusal.why == Why.NEVER_HELD:
		return _("{0}: ERPNext holds it at {1}, but no stock ledger entry brought it there").format(
			code, p.get("warehouse")
		)
	if refusal.why == Why.NOT_THERE:
		return _("{0}: the stock ledger moves it, but ERPNext has no Serial No of item {1} for it").format(
			code, item_code
		)
	if refusal.why == Why.TWO_PLACES:
		return _("{0}: {1} brings it into {2} while ERPNext holds it at {3}").format(
			code,
			_document(p.get("voucher_type"), p.get("voucher_no")),
			p.get("warehouse"),
			p.get("ledger_warehouse"),
		)
	if p.get("voucher_no"):
		return _("{0}: {1} takes it out of {2}, where ERPNext's records do not hold it").format(
			code, _document(p.get("voucher_type"), p.get("voucher_no")), p.get("warehouse")
		)
	return _("{0}: ERPNext's Serial No says {1}, but its stock ledger entries say {2}").format(
		code, p.get("warehouse") or _("not in stock"), p.get("ledger_warehouse") or _("not in stock")
	)


def _document(doctype: str | None, name: str | None) -> str:
	"""A document by its type and number, or only by its type when the user may not read it ("a
	Delivery Note you may not see"), as :func:`serial_tracking.messages.describe` names one."""
	if doctype and frappe.db.exists(doctype, name) and not frappe.has_permission(doctype, "read", doc=name):
		return _("a {0} you may not see").format(_(doctype))
	return f"{_(doctype or '')} {name}"


def _shown(lines: list[str]) -> list[str]:
	if len(lines) <= SHOWN:
		return lines
	return [*lines[:SHOWN], _("... and {0} more").format(len(lines) - SHOWN)]


def report(item_code: str, planned: conversion.Converted, reasons: list[str]) -> dict:
	"""The dry run's report of one item."""
	# Only the refusals shown are described (each may read a document's permissions); the rest is counted.
	described = reasons + [
		describe(r, item_code) for r in planned.problems[: max(SHOWN + 1 - len(reasons), 0)]
	]
	refusals = described + [""] * (len(reasons) + len(planned.problems) - len(described))
	fmt = code_formats.of_item(item_code) if not reasons else core_formats.ANY
	off_format = [p.code for p in core_formats.mismatches([s.code for s in planned.states], fmt, item_code)]
	return {
		"item_code": item_code,
		"convertible": not refusals,
		"serials": len(planned.states),
		"movements": len(planned.steps),
		"arrivals": conversion.arrivals(planned.states),
		"refusals": _shown(refusals),
		"refused": len(refusals),
		"left": len(planned.left),
		"off_format": _shown(off_format),
		"off_format_count": len(off_format),
	}


def dry_run(item_code: str) -> dict:
	"""What converting the item would do: nothing is written or locked."""
	planned, reasons = plan_item(item_code)
	return report(item_code, planned, reasons)


# The conversion


def lock(item_code: str) -> None:
	"""Lock the item's row for this transaction, at once or not at all."""
	try:
		frappe.db.sql("select `name` from `tabItem` where `name` = %s for update nowait", (item_code,))
	except Exception as e:
		if _lock_failure(e):
			frappe.throw(
				_(
					"Item {0} is being converted, or its stock moved, by another user at this moment; nothing was changed. Please try again."
				).format(item_code),
				ConversionBusy,
				title=_("Item busy"),
			)
		raise


def _lock_failure(e: Exception) -> bool:
	if isinstance(e, frappe.QueryTimeoutError | frappe.QueryDeadlockError):
		return True
	code = e.args[0] if e.args and isinstance(e.args[0], int) else None
	# ER_LOCK_WAIT_TIMEOUT (nowait), ER_LOCK_DEADLOCK
	return code in (1205, 1213)


def convert(item_code: str, progress=None) -> dict:
	"""Convert the item in this transaction, all or nothing: its serials and their logs written, its
	valuation queue set, Has Serial No off and SN tracking on, and the consistency check clean.
	Refused with every reason (``ConversionError``); the caller rolls back what a refusal leaves.
	``progress(percent, description)``: told at each step."""
	tell = progress or (lambda percent, description: None)
	lock(item_code)
	tell(5, _("Reading ERPNext's serial numbers of item {0}").format(item_code))
	planned, reasons = plan_item(item_code)
	result = report(item_code, planned, reasons)
	if result["refusals"]:
		frappe.throw(
			"<br>".join(
				escape_html(line)
				for line in [_("Item {0} is not converted:").format(item_code), *result["refusals"]]
			),
			ConversionError,
			title=_("Not converted"),
		)
	tell(40, _("Writing {0} SN codes and {1} movements").format(result["serials"], result["movements"]))
	with ledger.concurrent_moves_refused():
		ledger.insert_states(planned.states)
		ledger.write_log(planned.steps)
	_set_valuation_queues(item_code, planned)
	frappe.db.set_value("Item", item_code, {"has_serial_no": 0, ITEM_FLAG: 1, ITEM_CONVERTED: now_datetime()})
	frappe.clear_document_cache("Item", item_code)
	tell(80, _("Checking item {0}").format(item_code))
	differences = consistency_check.check(item_code)
	if differences:
		frappe.throw(
			"<br>".join(
				escape_html(line)
				for line in [
					_("Item {0} is not converted: the consistency check found differences").format(item_code),
					*_shown([consistency_check.describe(d) for d in differences]),
				]
			),
			ConversionError,
			title=_("Not converted"),
		)
	frappe.get_doc("Item", item_code).add_comment(
		"Info",
		_(
			"Converted from ERPNext's serial numbers: {0} SN codes with {1} movements of their history. Has Serial No was switched off and Track SN Codes on by the conversion."
		).format(result["serials"], result["movements"]),
	)
	return result


def _set_valuation_queues(item_code: str, planned: conversion.Converted) -> None:
	"""Give the item's latest stock ledger entry at each warehouse the valuation queue of the
	serials held there: ERPNext values serialised items per serial and keeps no queue for them, and
	the item's next entry (FIFO or LIFO) starts from that entry's queue. A moving average starts from
	the entry's valuation rate, which already is the serials' average."""
	method = frappe.db.get_value("Item", item_code, "valuation_method") or frappe.db.get_single_value(
		"Stock Settings", "valuation_method"
	)
	if method == "Moving Average":
		return
	values: dict[str, list] = {}
	for state in planned.states:
		if state.status in (Status.IN_STOCK, Status.IN_TRANSIT) and state.code in planned.values:
			values.setdefault(state.warehouse, []).append(planned.values[state.code])
	latest = frappe.db.sql(
		"select `name`, `warehouse`, `stock_value` from ("
		" select `name`, `warehouse`, `stock_value`, row_number() over (partition by `warehouse`"
		" order by `posting_datetime` desc, `creation` desc) n"
		" from `tabStock Ledger Entry` where `item_code` = %s and `is_cancelled` = 0) e where n = 1",
		(item_code,),
	)
	precision = cint(frappe.db.get_default("currency_precision")) or 2
	for name, warehouse, stock_value in latest:
		queue = conversion.valuation_queue(values.get(warehouse, []), flt(stock_value), precision)
		frappe.db.set_value(
			"Stock Ledger Entry", name, "stock_queue", json.dumps(queue), update_modified=False
		)


# The guard on ERPNext's side


def refuse_converted(sle, method=None) -> None:
	"""Before a stock ledger entry is written: refuse one posted before its item's conversion (ERPNext
	would repost the item from there, through its serialised entries, and lose the valuation queue
	the conversion set); and for one that moves ERPNext's serials (a bundle, or serial text), wait
	for a conversion of its item under way, and refuse it once the item is converted (its serials are
	SN codes now). Reversals of cancelled documents are left to the cancel policy
	(:func:`refuse_cancel`)."""
	moves_serials = bool(sle.get("serial_and_batch_bundle") or sle.get("serial_no"))
	converted_at = frappe.get_cached_value("Item", sle.item_code, ITEM_CONVERTED)
	if sle.get("is_cancelled"):
		if converted_at and moves_serials:
			# The reversal of a document from before the conversion, whichever doctype (the
			# documents the app handles are refused before, in their before_cancel).
			_refuse_cancelling(sle.voucher_type, sle.voucher_no, [sle.item_code])
		return
	if converted_at:
		posted = get_datetime(f"{sle.posting_date} {sle.posting_time or '00:00:00'}")
		if posted < get_datetime(converted_at):
			frappe.throw(
				_(
					"{0} {1} is posted at {2}, before item {3} was converted to SN codes ({4}): post it at or after that moment."
				).format(
					_(sle.voucher_type),
					sle.voucher_no,
					format_datetime(posted),
					sle.item_code,
					format_datetime(converted_at),
				),
				ConversionError,
				title=_("Posted before the conversion"),
			)
	if not moves_serials:
		return
	# A locking read: it waits for a conversion holding the item and reads what it committed.
	converted = frappe.db.sql(
		f"select `{ITEM_FLAG}`, `has_serial_no` from `tabItem` where `name` = %s lock in share mode",
		(sle.item_code,),
	)
	if converted and converted[0][0] and not converted[0][1]:
		frappe.throw(
			_(
				"Item {0} was converted to SN codes: {1} {2} cannot move it with serial numbers of ERPNext. Enter its SN codes instead."
			).format(sle.item_code, _(sle.voucher_type), sle.voucher_no),
			ConversionError,
			title=_("Item converted to SN codes"),
		)


def refuse_cancel(doc) -> None:
	"""A document that moved a converted item with ERPNext's serial numbers, before its conversion,
	cannot be cancelled: docs/decisions.md says why and what to do instead."""
	rows = frappe.db.sql(
		"select distinct l.`item_code` from `tabStock Ledger Entry` l join `tabItem` i on i.`name` = l.`item_code`"
		f" where l.`voucher_type` = %s and l.`voucher_no` = %s and l.`is_cancelled` = 0 and i.`{ITEM_FLAG}` = 1"
		" and (ifnull(l.`serial_and_batch_bundle`, '') != '' or ifnull(l.`serial_no`, '') != '')",
		(doc.doctype, doc.name),
	)
	if rows:
		_refuse_cancelling(doc.doctype, doc.name, [r[0] for r in rows])


def _refuse_cancelling(doctype: str, name: str, items: list[str]) -> None:
	frappe.throw(
		_(
			"{0} {1} cannot be cancelled: it moved item {2} with serial numbers of ERPNext before the item was converted to SN codes. Make a return or a new document instead."
		).format(_(doctype), name, ", ".join(items)),
		ConversionError,
		title=_("Made before the conversion"),
	)


# ERPNext's old records


def refuse_old_serials(doc, method=None) -> None:
	"""A Warranty Claim or a Maintenance Visit naming, by ERPNext's Serial No, a unit of an item
	converted to SN codes: that record is history, and the unit is its SN code now."""
	rows = [doc] if doc.doctype == "Warranty Claim" else doc.get("purposes") or []
	named = {row.get("serial_no") for row in rows if row.get("serial_no")}
	if not named:
		return
	old = frappe.db.sql(
		"select s.`name`, s.`item_code` from `tabSerial No` s join `tabItem` i on i.`name` = s.`item_code`"
		f" where s.`name` in %s and i.`{ITEM_FLAG}` = 1",
		(tuple(named),),
	)
	if old:
		code, item_code = old[0]
		frappe.throw(
			_(
				"Serial No {0} is a record of ERPNext from before item {1} was converted to SN codes: name the unit by its SN Code instead."
			).format(code, item_code),
			ConversionError,
			title=_("Item converted to SN codes"),
		)


# Who may convert


def permitted(codes: list[str]) -> tuple[list[str], list[dict]]:
	"""The items the user may convert, and a refusal for each other one (naming only the item as
	they gave it)."""
	readable_items = readable("Item", codes)
	allowed, refused = [], []
	for code in codes:
		if code not in readable_items or not frappe.has_permission("Item", "write", doc=code):
			reason = _("Item {0} does not exist or you may not change it").format(code)
		elif (held := places(code)) - readable("Warehouse", held):
			reason = _(
				"You may not read every warehouse that holds item {0}: it cannot be converted by you"
			).format(code)
		else:
			allowed.append(code)
			continue
		refused.append({"item_code": code, "convertible": False, "refusals": [reason], "refused": 1})
	return allowed, refused


# The background job


def _still_permitted(item_code: str) -> None:
	"""Refuse, as the request would have, an item the user may no longer convert: their roles or
	permissions may have changed, or the item come to a warehouse they may not read, since the
	request checked them. Read under the item's lock, so no entry of the item changes it after."""
	if frappe.session.user != "Administrator" and not set(MANAGERS) & set(frappe.get_roles()):
		reasons = [_("Only {0} may do this").format(", ".join(_(role) for role in MANAGERS))]
	else:
		reasons = [reason for refusal in permitted([item_code])[1] for reason in refusal["refusals"]]
	if reasons:
		frappe.throw(
			"<br>".join(
				escape_html(line) for line in [_("Item {0} is not converted:").format(item_code), *reasons]
			),
			ConversionError,
			title=_("Not converted"),
		)


def run_job(items: list[str], user: str) -> list[dict]:
	"""Convert each item in its own transaction, as ``user``, with progress; tell the user how it went."""
	from serial_tracking.exchange.notify import notify

	frappe.set_user(user)
	results = []
	for number, item_code in enumerate(items, start=1):

		def progress(percent, description, number=number):
			frappe.publish_progress(
				((number - 1) * 100 + percent) / len(items),
				title=_("Converting from ERPNext's serials"),
				description=_("{0} (item {1} of {2})").format(description, number, len(items)),
			)

		# Each item's transaction starts here: it reads what others committed before its lock.
		frappe.db.rollback()
		try:
			lock(item_code)
			_still_permitted(item_code)
			result = convert(item_code, progress)
			frappe.db.commit()  # a background job owns its transaction
			results.append({"item_code": item_code, "converted": True, "serials": result["serials"]})
		except Exception as e:
			frappe.db.rollback()
			reason = (
				frappe.utils.strip_html(str(e).replace("<br>", "\n")).strip()
				if isinstance(e, frappe.ValidationError)
				else None
			)
			if reason is None:
				frappe.log_error(title=_("Converting from ERPNext's serials"))
				reason = _("an unexpected error stopped it ({0}); see the Error Log").format(type(e).__name__)
			frappe.clear_messages()
			results.append({"item_code": item_code, "converted": False, "reason": reason})
		notify(
			user,
			_("Item {0} converted to SN codes").format(escape_html(item_code))
			if results[-1]["converted"]
			else _("Item {0} not converted: {1}").format(
				escape_html(item_code), escape_html(results[-1]["reason"])
			),
			document=("Item", item_code),
		)
		frappe.db.commit()
	frappe.publish_progress(100, title=_("Converting from ERPNext's serials"))
	frappe.publish_realtime("sn_conversion_done", results, user=user)
	return results
