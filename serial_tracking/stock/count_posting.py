"""Posting a Serial Count, in one transaction with it: a Material Transfer of the misplaced units
brought here, a Stock Reconciliation of each item whose quantity changes (with the codes scanned),
and the count's own movements for an item whose serials change but not its quantity (a row ERPNext
would drop). A count too big for a web request is posted by a background job."""

from dataclasses import dataclass, field
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime

from serial_tracking import messages
from serial_tracking.constants import SERIAL
from serial_tracking.core.codes import join, key
from serial_tracking.core.plan import Reading, RowRequest, Voucher, plan
from serial_tracking.core.states import Operation, Status
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import background, ledger, posting
from serial_tracking.stock.count_basics import (
	IN_TRANSIT,
	MISPLACED,
	POSTING,
	SCAN,
	SERIAL_COUNT,
	UNKNOWN,
	WRONG_ITEM,
	CountError,
	items_of,
	kind_of,
	serial_states,
)
from serial_tracking.stock.timing import posted_at

#: The flag of a count saved as a draft by :func:`post_later`.
POSTING_LATER = "serial_tracking_posting_later"
#: Rows of one Stock Reconciliation a count makes: ERPNext queues a bigger one as a background job
#: after the request commits (``StockReconciliation.submit``).
RECONCILED_ROWS = 100

#: Codes named in one refusal at most.
_NAMED = 20


def rows_to_post(doc) -> int:
	"""About how many rows posting the count writes: one per item counted (a reconciliation row, or
	the count's own movements) and one per place misplaced units come from. Two statements."""
	items = items_of(doc.name)
	if items is None:
		items = set(_items_here(doc.warehouse))
	scanned = frappe.db.sql(
		f"select distinct s.`item_code`, s.`warehouse` from `tab{SCAN}` c force index (count_code)"
		f" join `tab{SERIAL}` s on s.`name` = c.`code` where c.`serial_count` = %s",
		(doc.name,),
	)
	return len(set(items) | {item for item, _warehouse in scanned}) + len(
		{(item, warehouse) for item, warehouse in scanned if warehouse and warehouse != doc.warehouse}
	)


def post_later(doc, rows: int) -> None:
	"""In ``before_validate`` of a count too big to post within a web request: keep it a draft marked
	Posting (scans refused meanwhile) and post it in a background job. Unknown codes refuse it at
	once, as posting would."""
	unknown = frappe.db.sql(
		f"select c.`code` from `tab{SCAN}` c force index (count_code) left join `tab{SERIAL}` s"
		" on s.`name` = c.`code` where c.`serial_count` = %s and s.`name` is null order by c.`code`",
		(doc.name,),
		pluck=True,
	)
	_refuse_unknown(doc, unknown)
	doc.status = POSTING
	doc.flags[POSTING_LATER] = True
	background.submit_later(doc, rows, {"leave": doc.flags.get("leave") or []})


def _named_codes(codes: list[str]) -> str:
	"""The first codes of a refusal, escaped, and how many more."""
	shown = ", ".join(escape_html(code) for code in codes[:_NAMED])
	return shown + (" " + _("and {0} more").format(len(codes) - _NAMED) if len(codes) > _NAMED else "")


def _refuse_unknown(doc, unknown: list[str]) -> None:
	"""Refuse a count with scanned codes of no serial, naming the first of them."""
	if not unknown:
		return
	frappe.throw(
		_(
			"{0} {1} cannot be posted: {2} scanned SN codes are unknown ({3}). Register the units or take the scans out first."
		).format(_(SERIAL_COUNT), doc.name, len(unknown), _named_codes(unknown)),
		CountError,
		title=_("Unknown SN codes"),
	)


def _refuse_hidden_sources(doc, bring: dict[tuple[str, str], list[str]]) -> None:
	"""Refuse, naming the codes, to bring misplaced units from a warehouse the user's User Permissions
	do not let them read: Frappe would refuse the transfer naming that warehouse. They may be left
	where they are (``leave``, or *Bring misplaced units* off)."""
	if not bring or not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	if not (frappe.has_permission("Warehouse", "read") or frappe.has_permission("Warehouse", "select")):
		return
	allowed = readable("Warehouse", {at for _item, at in bring})
	hidden = sorted(code for (_item, at), codes in bring.items() if at not in allowed for code in codes)
	if not hidden:
		return
	frappe.throw(
		_(
			"{0} {1} cannot be posted: {2} misplaced SN codes ({3}) are held at another warehouse, which you are not permitted to read. Leave them where they are, or let a user who may read it post the count."
		).format(_(SERIAL_COUNT), doc.name, len(hidden), _named_codes(hidden)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def _refuse_hidden_items(doc, counted: list[str]) -> None:
	"""Refuse a count of items the user's User Permissions do not let them read (a count without an
	item list counts every SN-tracked item held here): its summary showed them none of those, and
	posting would set their quantities (Frappe would refuse the reconciliation naming the item)."""
	if not counted or not frappe.permissions.get_user_permissions(frappe.session.user):
		return
	if not (frappe.has_permission("Item", "read") or frappe.has_permission("Item", "select")):
		return
	hidden = len(set(counted) - readable("Item", counted))
	if hidden:
		frappe.throw(
			_(
				"{0} {1} cannot be posted: it counts {2} SN-tracked items you are not permitted to read. List the items it counts in its Items table."
			).format(_(SERIAL_COUNT), doc.name, hidden),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def posting_failed(name: str) -> None:
	"""A background posting refused: the count is a draft again (the reason is in its comments)."""
	frappe.db.set_value(SERIAL_COUNT, name, "status", "Draft", update_modified=False)


@dataclass
class _Scanned:
	"""The count's scans as posting reads them (locked), by what it does with each."""

	#: Codes of no serial: they refuse the posting.
	unknown: list[str] = field(default_factory=list)
	#: Misplaced units brought here, by (item, the warehouse the ledger has them at).
	bring: dict[tuple[str, str], list[str]] = field(default_factory=dict)
	#: The units here once the count is posted, by item.
	here: dict[str, list[str]] = field(default_factory=dict)
	#: The items counted: those the count lists, else every item held or scanned here.
	items: list[str] = field(default_factory=list)


@dataclass
class _Progress:
	"""How far posting got, told to the documents waiting for the posting turn."""

	total: int
	done: int = 0

	def step(self) -> None:
		self.done += 1
		posting.progress(self.done, self.total)


def post(doc, leave: list[str] | None = None) -> None:
	"""Make the documents that bring the books in line with the count (on submit of ``doc``)."""
	# Before any lock of its own, as every document that moves SN codes: the count then locks its
	# serials, and the documents it makes find the turn theirs already.
	posting.take_turn(doc, rows=rows_to_post(doc))
	scanned = _read_scans_locked(doc, leave)
	_refuse_what_cannot_post(doc, scanned)
	moved_at, counted_at = _stamp_posting_moment(doc, bring=bool(scanned.bring))
	limit = get_settings().limits.max_per_operation
	transfers = _groups(sorted(scanned.bring.items()), lambda entry: len(entry[1]), limit)
	# What posting does, as its progress: each transfer, each item's balance, each reconciliation.
	items = len(scanned.items)
	progress = _Progress(len(transfers) + items + items // RECONCILED_ROWS + 1)
	made = [_transfer_misplaced(doc, group, moved_at, progress) for group in transfers]
	changed, same = _compare_quantities(doc, scanned, counted_at, limit, progress)
	made += _reconcile(doc, changed, counted_at, limit, progress)
	_move_same_quantity(doc, same, *counted_at)
	_list_made_documents(doc, made)


def _read_scans_locked(doc, leave: list[str] | None) -> _Scanned:
	"""Every scan of the count, its serial read locked: unknown, misplaced and brought here (unless in
	``leave``, of another company, or *Bring misplaced units* is off: then left where the ledger has
	it), or here; wrong-item and in-transit codes are left out."""
	listed = items_of(doc.name)
	# A locking read: every scan committed before this count's lock, whatever the snapshot.
	codes = frappe.db.sql(
		f"select `code` from `tab{SCAN}` where `serial_count` = %s order by `code` lock in share mode",
		(doc.name,),
		pluck=True,
	)
	states = serial_states(codes, lock=True)
	left = {key(code) for code in leave or ()}
	scanned = _Scanned()
	for code in codes:
		item, status, at, owner = states.get(key(code), (None, None, None, None))
		kind = kind_of(item, status, at == doc.warehouse, listed)
		if kind == UNKNOWN:
			scanned.unknown.append(code)
		elif kind in (WRONG_ITEM, IN_TRANSIT):
			continue
		elif kind == MISPLACED:
			# ``leave``: misplaced units left where the ledger has them (a unit scanned here stays counted).
			if owner == doc.company and doc.bring_misplaced and key(code) not in left:
				scanned.bring.setdefault((item, at), []).append(code)
				scanned.here.setdefault(item, []).append(code)
		else:
			scanned.here.setdefault(item, []).append(code)
	counted = set(listed) if listed is not None else set(scanned.here) | set(_items_here(doc.warehouse))
	scanned.items = sorted(counted)
	return scanned


def _refuse_what_cannot_post(doc, scanned: _Scanned) -> None:
	"""Refuse, before anything is made, a count with unknown codes, misplaced units at a warehouse the
	user may not read, or items the user may not read."""
	_refuse_unknown(doc, scanned.unknown)
	_refuse_hidden_sources(doc, scanned.bring)
	_refuse_hidden_items(doc, scanned.items)


def _stamp_posting_moment(doc, *, bring: bool) -> tuple[tuple[str, str], tuple[str, str]]:
	"""Date the count now that the posting turn is its own, and mark it Posted; the (date, time) of
	the transfers of misplaced units and of the count itself."""
	moved_at = now_datetime()
	# The misplaced units are brought here a moment before the count: ERPNext would read a
	# reconciliation at the very moment of the transfer as dated before it, and repost every item
	# of the reconciliation.
	date, time = _date_and_time(moved_at + timedelta(milliseconds=1) if bring else moved_at)
	doc.posting_date, doc.posting_time, doc.status = date, time, "Posted"
	# On submit, Frappe wrote the count's row already: the moment goes to it here.
	frappe.db.set_value(
		SERIAL_COUNT, doc.name, {"posting_date": date, "posting_time": time, "status": "Posted"}
	)
	return _date_and_time(moved_at), (date, time)


def _transfer_misplaced(doc, group: list, at: tuple[str, str], progress: _Progress) -> tuple[str, str, str]:
	"""One Material Transfer of misplaced units here, from where the ledger has them (``group``:
	((item, warehouse), codes) of one document), submitted at ``at``."""
	date, time = at
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"company": doc.company,
			"purpose": "Material Transfer",
			"stock_entry_type": "Material Transfer",
			"posting_date": date,
			"posting_time": time,
			"set_posting_time": 1,
			"remarks": _("Misplaced units found by {0} {1}").format(_(SERIAL_COUNT), doc.name),
			"items": [
				{
					"item_code": item,
					"qty": len(codes),
					"transfer_qty": len(codes),
					"conversion_factor": 1,
					"s_warehouse": source,
					"t_warehouse": doc.warehouse,
					"sn_codes": join(codes),
				}
				for (item, source), codes in group
			],
		}
	)
	entry.insert()
	entry.submit()
	progress.step()
	return ("Stock Entry", entry.name, _("Transfer of misplaced units"))


def _compare_quantities(
	doc, scanned: _Scanned, at: tuple[str, str], limit: int, progress: _Progress
) -> tuple[list[tuple[str, list[str], float]], list[tuple[str, list[str]]]]:
	"""The items whose counted quantity differs from ERPNext's at ``at`` (item, codes, ERPNext's rate)
	and those whose quantity does not (item, codes); refused when an item has more units counted than
	a document may carry (``limit``)."""
	changed, same = [], []
	for item in scanned.items:
		codes = scanned.here.get(item, [])
		qty, rate = _balance(item, doc.warehouse, *at)
		progress.step()
		if len(codes) > limit:
			frappe.throw(
				_(
					"{0} {1} cannot be posted: item {2} has {3} units counted, more than {4} SN codes a document may carry (Serial Tracking Settings)"
				).format(_(SERIAL_COUNT), doc.name, item, len(codes), limit),
				CountError,
				title=_("Too many SN codes"),
			)
		if len(codes) != qty:
			changed.append((item, codes, rate))
		else:
			same.append((item, codes))
	return changed, same


def _reconcile(
	doc, changed: list[tuple[str, list[str], float]], at: tuple[str, str], limit: int, progress: _Progress
) -> list[tuple[str, str, str]]:
	"""The Stock Reconciliations of the items whose quantity the count changes, with the codes counted,
	submitted at ``at``: each of at most ``limit`` codes and :data:`RECONCILED_ROWS` rows."""
	date, time = at
	made = []
	# At most ERPNext's own size of a reconciliation it posts at once: a bigger one would be queued
	# by ERPNext after this commits, and the count would not post whole.
	for group in _groups(changed, lambda entry: max(len(entry[1]), 1), limit, RECONCILED_ROWS):
		count = frappe.get_doc(
			{
				"doctype": "Stock Reconciliation",
				"company": doc.company,
				"purpose": "Stock Reconciliation",
				"posting_date": date,
				"posting_time": time,
				"set_posting_time": 1,
				"items": [
					{
						"item_code": item,
						"warehouse": doc.warehouse,
						"qty": len(codes),
						"valuation_rate": rate or _item_rate(item),
						"sn_codes": join(codes),
					}
					for item, codes, rate in group
				],
			}
		)
		count.insert()
		count.submit()
		made.append(("Stock Reconciliation", count.name, _("Quantities and SN codes counted")))
		progress.step()
	return made


def _list_made_documents(doc, made: list[tuple[str, str, str]]) -> None:
	"""Name the documents posting made (doctype, name, purpose) in the count's Documents table."""
	for document_type, document_name, purpose in made:
		row = doc.append(
			"documents", {"document_type": document_type, "document_name": document_name, "purpose": purpose}
		)
		# Submitted with the count: Frappe then refuses cancelling the document alone (it is linked).
		row.docstatus = 1
		row.db_insert()


def _date_and_time(moment) -> tuple[str, str]:
	return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S.%f")


def _items_here(warehouse: str) -> list[str]:
	"""The SN-tracked items with serials In Stock at the warehouse."""
	serial = frappe.qb.DocType(SERIAL)
	return (
		frappe.qb.from_(serial)
		.select(serial.item_code)
		.distinct()
		.where((serial.warehouse == warehouse) & (serial.status == Status.IN_STOCK.value))
		.run(pluck=True)
	)


def _groups(entries: list, size, limit: int, rows: int | None = None) -> list[list]:
	"""``entries`` in groups whose ``size`` adds up to at most ``limit`` and, when given, of at most
	``rows`` entries (one document each)."""
	groups: list[list] = []
	total = 0
	for entry in entries:
		if not groups or total + size(entry) > limit or (rows and len(groups[-1]) >= rows):
			groups.append([])
			total = 0
		groups[-1].append(entry)
		total += size(entry)
	return groups


def _balance(item: str, warehouse: str, date: str, time: str) -> tuple[float, float]:
	"""ERPNext's quantity and valuation rate of the item at the warehouse at that moment."""
	from erpnext.stock.utils import get_stock_balance

	qty, rate = get_stock_balance(item, warehouse, date, time, with_valuation_rate=True)[:2]
	return qty or 0, rate or 0


def _item_rate(item: str) -> float:
	"""A rate for units found where ERPNext holds none: the item's valuation rate, else its last
	purchase rate (ERPNext refuses the count, naming the item, when neither is known)."""
	values = frappe.db.get_value("Item", item, ["valuation_rate", "last_purchase_rate"], as_dict=True) or {}
	return values.get("valuation_rate") or values.get("last_purchase_rate") or 0


def voucher_of(doc) -> Voucher:
	"""The count as the voucher of its own movements, at its posting moment."""
	return Voucher(
		voucher_type=SERIAL_COUNT,
		voucher_no=doc.name,
		posting_date=str(doc.posting_date),
		posting_time=str(doc.posting_time),
		posted_at=posted_at(doc.posting_date, doc.posting_time),
		company=doc.company,
	)


def _move_same_quantity(doc, same: list[tuple[str, list[str]]], date: str, time: str) -> None:
	"""Items whose quantity the count does not change but whose serials it does: ERPNext would drop
	their reconciliation rows, so their count movements are logged against the Serial Count itself
	(found units In Stock here, units not scanned Missing), as a Stock Reconciliation's would be."""
	warehouse = doc.warehouse
	places = {(item, warehouse) for item, _codes in same}
	with ledger.concurrent_moves_refused():
		# The posting turn is the count's already (:func:`post`).
		held = ledger.held_at_places(places, lock=True)
		requests, codes_by_ref = [], {}
		for number, (item, codes) in enumerate(same, start=1):
			there = {key(state.code) for state in held.get((item, warehouse), ())}
			if there == {key(code) for code in codes}:
				continue
			request = RowRequest(
				row=number, item_code=item, operation=Operation.COUNT, qty=len(codes), to_warehouse=warehouse
			)
			requests.append(request)
			codes_by_ref[request.ref] = codes
		if not requests:
			return
		reading = Reading(codes_by_ref, [])
		states = ledger.read_states(reading.all_codes(), lock=True)
		result = plan(voucher_of(doc), requests, reading, states, held)
		messages.throw(result.problems, title=_("Count not posted"), exc=CountError)
		ledger.apply_steps(result.steps)
