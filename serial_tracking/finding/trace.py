"""Traceability: a serial's lives, a document's serials and where each is now, and the recall
question (which customers received the units a receipt or a supplier brought in).

Each function issues a fixed number of statements whatever the number of serials, and shows only
what ``frappe.get_list`` would show the user of the log rows, the serials and their parties.
"""

import json
from collections.abc import Callable, Iterable

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.utils import cstr, escape_html, formatdate, getdate, nowdate

from serial_tracking.arguments import json_value, whole_number
from serial_tracking.constants import LOG, SERIAL, STATEMENT_VOUCHER
from serial_tracking.core import lives as core
from serial_tracking.core.codes import key
from serial_tracking.core.states import FROM_SUPPLIER
from serial_tracking.finding import repairs, replacements, search, services
from serial_tracking.permissions import allowed_parties, readable, require_readable
from serial_tracking.stock.code_correction import current_codes
from serial_tracking.stock.documents import PURCHASE, SUPPORTED
from serial_tracking.stock.ledger import LOG_FIELDS

#: What a movement shows of a log row: all but the name of its document's row and its company.
MOVEMENT_FIELDS = tuple(f for f in LOG_FIELDS if f not in ("voucher_detail_no", "company"))
#: A correction of a serial's code names the code before it.
PREVIOUS_CODE = "previous_code"
#: What the current state of a serial shows (the item's name read from Item, not stored with serials).
STATE_FIELDS = (
	"name",
	"item_code",
	"item_name",
	"status",
	"warehouse",
	"customer",
	"supplier",
	"voucher_type",
	"voucher_no",
	"purchase_date",
	"delivery_date",
	"company",
	"warranty_expiry_date",
	"amc_expiry_date",
)
#: The columns of Serial Number that STATE_FIELDS read.
_READ_FIELDS = [f for f in STATE_FIELDS if f != "item_name"]
#: Documents a trace may start from: those that move serials, and the manager's statements
#: (registrations and corrections, logged against the Item).
TRACEABLE = (*SUPPORTED, STATEMENT_VOUCHER)
#: Documents whose serials came from a supplier: tracing one also answers the recall question.
RECEIPTS = PURCHASE


#: What a trace reads of a log row.
FIELDS = ("name", "creation", *MOVEMENT_FIELDS, PREVIOUS_CODE, "voucher_detail_no")
#: Units of a recall per page, unless asked for fewer (``page_length``), and the most a page holds.
PAGE = 500
MOST_PAGE = 2000
#: Receipts read at once while filling a page (at most a page and one); past twice a page of them,
#: the page ends there (``more``), so receipts of untracked items never make a page read without end.
RECEIPTS_AT_ONCE = 100


def _select(where: Criterion) -> list[frappe._dict]:
	"""Log rows matching ``where``, each serial's oldest first (one statement)."""
	log = frappe.qb.DocType(LOG)
	return (
		frappe.qb.from_(log)
		.select(*(log[f] for f in FIELDS))
		.where(where)
		.orderby(log.serial_no)
		.orderby(log.sequence)
		.orderby(log.creation)
		.run(as_dict=True)
	)


def _seen(rows: list, filters: dict) -> list:
	"""Those of ``rows`` the user may see: returned by ``frappe.get_list`` with ``filters``, through
	warehouses they may read (as ``serial_tracking.api.history``), and with a party their User
	Permissions let through."""
	if not rows:
		return []
	names = set(frappe.get_list(LOG, filters=filters, pluck="name", limit_page_length=0))
	warehouses = readable("Warehouse", {w for r in rows for w in (r.from_warehouse, r.to_warehouse)})
	parties = _parties_allowed(rows)
	return [
		r
		for r in rows
		if r.name in names
		and all(w in warehouses for w in (r.from_warehouse, r.to_warehouse) if w)
		and (not r.party or (r.party_type, r.party) in parties)
	]


def _parties_allowed(rows: list) -> set[tuple[str, str]]:
	"""(party type, party) of ``rows`` that the user's User Permissions let through."""
	return allowed_parties(((r.party_type, r.party) for r in rows), (SERIAL, LOG))


def movement(row) -> dict:
	"""A log row as a trace shows it."""
	shown = {f: row.get(f) for f in MOVEMENT_FIELDS}
	shown["is_cancelled"] = int(row.is_cancelled or 0)
	shown[PREVIOUS_CODE] = row.get(PREVIOUS_CODE)
	return shown


def _states(codes: Iterable[str]) -> dict[str, frappe._dict]:
	"""The current state of the serials among ``codes`` that the user may read, by code."""
	codes = sorted(set(codes))
	if not codes:
		return {}
	rows = frappe.get_list(SERIAL, filters={"name": ("in", codes)}, fields=_READ_FIELDS, limit_page_length=0)
	warehouses = readable("Warehouse", {r.warehouse for r in rows})
	return _named({r.name: r for r in rows if not r.warehouse or r.warehouse in warehouses})


def _named(states: dict[str, frappe._dict]) -> dict[str, frappe._dict]:
	"""The states with their item's current name (one statement for them all)."""
	names = search.item_names(s.item_code for s in states.values())
	for state in states.values():
		state.item_name = names.get(state.item_code) or ""
	return states


def _state(serial_no: str) -> frappe._dict | None:
	state = frappe.db.get_value(SERIAL, serial_no, _READ_FIELDS, as_dict=True)
	return _named({serial_no: state})[serial_no] if state else None


def now(state: frappe._dict | None) -> dict | None:
	"""Where a serial is now, as a trace shows it."""
	if not state:
		return None
	return {f: state.get(f) for f in STATE_FIELDS if f != "name"} | {"serial_no": state.name}


# From one serial


def resolve(serial_no: str) -> tuple[str, frappe._dict | None]:
	"""The serial's code as stored and its state, also when ``serial_no`` is a code it had before a
	correction; refuses a code neither known nor logged."""
	state = _state(serial_no)
	if state:
		return state.name, state
	if corrected := current_codes([serial_no]).get(key(serial_no)):
		return corrected, _state(corrected)
	log = frappe.qb.DocType(LOG)
	logged = frappe.qb.from_(log).select(log.serial_no).where(log.serial_no == serial_no).limit(1).run()
	if logged:
		# a serial whose every movement was cancelled: only its log is left
		return logged[0][0], None
	frappe.throw(_("{0} {1} does not exist").format(_(SERIAL), _shown(serial_no)), frappe.DoesNotExistError)


def _shown(value) -> str:
	"""A value as a message shows it: Desk renders messages as HTML, and a link to the report can
	carry any filter value."""
	return escape_html(cstr(value))


def _require_known(doctype: str, name: str) -> None:
	"""Refuse a document that does not exist, naming it escaped (before ``require_readable``)."""
	if not frappe.db.exists(doctype, name):
		frappe.throw(_("{0} {1} does not exist").format(_(doctype), _shown(name)), frappe.DoesNotExistError)


def of_serial(serial_no: str) -> dict:
	"""A serial's current state and its lives, each with its movements oldest first, its story
	(steps and a one-line summary) and its figures; and the figures of all its lives."""
	code, state = resolve(serial_no)
	if state:
		require_readable(SERIAL, code)
		if state.warehouse:
			require_readable("Warehouse", state.warehouse)
	log = frappe.qb.DocType(LOG)
	rows = _select(log.serial_no == code)
	seen = {r.name for r in _seen(rows, {"serial_no": code})}

	def shown(row) -> bool:
		return row.name in seen

	# the claim, visit and other unit of its after-sales Stock Entries, as far as the user may read them
	replacements.annotate([r for r in rows if r.name in seen])
	today = getdate(nowdate())
	grouped = core.group(rows)
	stories = core.stories(grouped, today, shown)
	fitted = core.with_parts(grouped, stories, repairs.parts_of(code))
	documents = _readable_documents(step.row for steps in fitted for step in steps)
	placed = core.place(services.of_serial(code), grouped)
	lives = []
	for life, steps, with_parts in zip(grouped, stories, fitted, strict=True):
		movements = [movement(r) for r in life.rows if shown(r)]
		if not movements:
			continue
		opening = life.opening if life.opening is not None and shown(life.opening) else None
		# newest first, as the movements are shown; the parts fitted, claims and visits of the life among them
		told = core.newest_first(with_parts, placed.get(life.number, []))
		lives.append(
			{
				"life": life.number,
				"opened_by": movement(opening) if opening else None,
				"movements": movements,
				"story": _story(told, today, documents),
				"summary": core.summary(told, _, _when(today)),
				"figures": _figures(core.tally(steps)),
			}
		)
	return {
		"serial_no": code,
		"now": now(state),
		"lives": lives,
		"figures": _figures(core.figures(grouped, today, shown), lives=True),
	}


def _when(today) -> Callable[[object], str]:
	"""A step's date as the story writes it: in the user's date format, as the movements show theirs."""

	def when(day) -> str:
		return formatdate(day)

	return when


def _story(steps: list, today, documents: set[tuple[str, str]]) -> list[dict]:
	"""The steps of a life as a trace shows them: what each did, when, by which document (``link``:
	the user may open it), to whom or where, and for how many days; ``text`` and ``stay`` are its
	words in the summary (plain text). A claim or a visit (``kind`` claim, visit) is told with its
	document, which the user may read (it was read through their list), and no stay."""
	words = core.lines(steps, _, _when(today))
	return [
		_service(step, text)
		if isinstance(step, core.Service)
		else {
			"kind": step.kind,
			"date": step.row.posting_date,
			"posting_time": step.row.posting_time,
			"operation": step.row.operation,
			"voucher_type": step.row.voucher_type,
			"voucher_no": step.row.voucher_no,
			"link": (step.row.voucher_type, step.row.voucher_no) in documents,
			"party_type": step.row.party_type,
			"party": step.row.party,
			"warehouse": step.warehouse,
			"status": step.status,
			"days": step.days,
			"warranty_claim": step.row.get("claim"),
			"swapped_with": step.row.get("swapped_with"),
			"maintenance_visit": step.row.get("visit"),
			"fitted_into": step.row.get("fitted_into"),
			"part": step.row.get("part"),
			"text": text,
			"stay": stayed,
		}
		for step, (text, stayed) in zip(steps, words, strict=True)
	]


def _service(service: core.Service, text: str) -> dict:
	"""A claim or a visit among a life's steps, as a trace shows it."""
	return {
		"kind": service.kind,
		"date": service.date,
		"posting_time": None,
		"operation": None,
		"voucher_type": service.voucher_type,
		"voucher_no": service.voucher_no,
		"link": True,
		"party_type": None,
		"party": None,
		"warehouse": None,
		"status": None,
		"days": 0,
		"text": text,
		"stay": None,
	}


def _readable_documents(rows: Iterable) -> set[tuple[str, str]]:
	"""(doctype, name) of the documents of ``rows`` that the user may read: one list per doctype."""
	names: dict[str, set[str]] = {}
	for row in rows:
		if row.voucher_type and row.voucher_no:
			names.setdefault(row.voucher_type, set()).add(row.voucher_no)
	return {(doctype, name) for doctype, wanted in names.items() for name in readable(doctype, wanted)}


def _figures(figures: core.Figures, lives: bool = False) -> dict:
	"""A unit's figures as a trace shows them (``lives``: with the number of lives, for the total)."""
	shown = {
		"days_in_stock": figures.days_in_stock,
		"days_with_customers": figures.days_with_customers,
		"days_elsewhere": figures.days_elsewhere,
		"returns": figures.returns,
		"returns_to_supplier": figures.returns_to_supplier,
	}
	if lives:
		shown["lives"] = figures.lives
	return shown


# From one document


def check_document(voucher_type: str, voucher_no: str) -> None:
	"""Refuse, naming it, a document that cannot be traced, does not exist or may not be read."""
	if voucher_type not in TRACEABLE:
		frappe.throw(
			_("{0} cannot be traced: SN codes are moved only by {1}").format(
				_shown(voucher_type), ", ".join(_(d) for d in TRACEABLE)
			),
			title=_("Invalid argument"),
		)
	_require_known(voucher_type, voucher_no)
	if voucher_type == STATEMENT_VOUCHER:
		require_readable(voucher_type, voucher_no)
		return
	if not frappe.has_permission(voucher_type, "read", doc=voucher_no):
		frappe.throw(
			_("You are not permitted to read {0} {1}").format(_(voucher_type), voucher_no),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def of_document(
	voucher_type: str, voucher_no: str, after: str | None = None, page_length: int | None = None
) -> dict:
	"""Every serial a document moved (its log rows, cancelled ones marked) and where each is now;
	for a receipt from a supplier, also the customers who received its units since, a page of its
	units at a time (:func:`recall_page`)."""
	check_document(voucher_type, voucher_no)
	log = frappe.qb.DocType(LOG)
	rows = _select((log.voucher_type == voucher_type) & (log.voucher_no == voucher_no))
	rows = _seen(rows, {"voucher_type": voucher_type, "voucher_no": voucher_no})
	by_serial: dict[str, list] = {}
	for r in sorted(rows, key=lambda r: (r.row_no or 0, r.serial_no, r.sequence or 0)):
		by_serial.setdefault(r.serial_no, []).append(r)
	states = _states(by_serial)
	serials = [
		{
			"serial_no": code,
			"item_code": moved[0].item_code,
			"movements": [movement(r) for r in moved],
			"now": now(states.get(code)),
		}
		for code, moved in by_serial.items()
	]
	traced = {"voucher_type": voucher_type, "voucher_no": voucher_no, "serials": serials}
	if voucher_type in RECEIPTS:
		traced.update(recall_page([voucher_type], {"name": voucher_no}, after, page_length))
		traced.pop("receipts")
	return traced


# The recall question


def recall_page(
	doctypes: Iterable[str], filters: dict, after: str | None = None, page_length: int | None = None
) -> dict:
	"""A page of the recall: the next units (at most ``page_length``, :data:`PAGE` unless asked) that
	submitted receipts of ``doctypes`` matching ``filters`` received from a supplier, after the unit
	``after`` names (the ``next`` of the page before), and the customers who received them since.

	Units are taken receipt by receipt in the order of the receipts' names (the receipts the user
	may read, through ``frappe.get_list``), each receipt's units in the order of its log rows; a
	page reads its receipts, their rows up to the page's end and the lives of the page's units,
	never the rest of the supplier's history. ``more``: units follow, from ``next``."""
	page = _page_length(page_length)
	doctypes = list(doctypes)
	place = _cursor(after, doctypes, filters)
	units: list[tuple[str, str, str, str]] = []
	receipts_read, more = 0, False
	for doctype in doctypes[doctypes.index(place[0]) if place else 0 :]:
		if not frappe.has_permission(doctype, "read"):
			continue
		wanted = {**filters, "docstatus": 1, "is_return": 0}
		if doctype == "Purchase Invoice":
			wanted["update_stock"] = 1
		if place and place[0] == doctype and place[2] and _readable(doctype, {**wanted, "name": place[1]}):
			# the rest of the receipt the page before ended in
			units += _received(doctype, [place[1]], page + 1, after_row=place[2])
		last = place[1] if place and place[0] == doctype else None
		place = None
		while len(units) <= page:
			if receipts_read >= 2 * page and last:
				more = True
				break
			names = frappe.get_list(
				doctype,
				filters=[[doctype, k, "=", v] for k, v in wanted.items()]
				+ ([[doctype, "name", ">", last]] if last else []),
				pluck="name",
				order_by="name asc",
				limit_page_length=min(RECEIPTS_AT_ONCE, page + 1),
			)
			if not names:
				break
			receipts_read += len(names)
			units += _received(doctype, names, page + 1 - len(units))
			last = names[-1]
		if more or len(units) > page:
			break
	if len(units) > page:
		units, more = units[:page], True
	elif more:
		# the page ends after the last receipt read, none of whose units it holds
		units.append((doctype, last, None, None))
	shown = [u for u in units if u[2]]
	receipts = list(dict.fromkeys((u[0], u[1]) for u in shown))
	return {
		"receipts": [{"voucher_type": t, "voucher_no": n} for t, n in receipts],
		"customers": recall(shown),
		"units": len(shown),
		"more": more,
		"next": json.dumps([units[-1][0], units[-1][1], units[-1][3]]) if more else None,
	}


def _page_length(value) -> int:
	if value in (None, ""):
		return PAGE
	number = whole_number(value, _("Page Length"))
	if not 1 <= number <= MOST_PAGE:
		frappe.throw(
			_("{0} must be between 1 and {1}, not {2}").format(_("Page Length"), MOST_PAGE, number),
			title=_("Invalid argument"),
		)
	return number


def _cursor(after, doctypes: list[str], filters: dict) -> tuple[str, str, str | None] | None:
	"""Where a page starts: (receipt type, receipt, its last log row shown, or None when the page
	before ended after the whole receipt); a refusal naming ``after`` when it is no such place."""
	if after in (None, ""):
		return None
	place = json_value(after)
	if (
		not isinstance(place, list)
		or len(place) != 3
		or place[0] not in doctypes
		or not isinstance(place[1], str)
		or not place[1]
		or not (place[2] is None or isinstance(place[2], str))
		or ("name" in filters and place[1] != filters["name"])
	):
		frappe.throw(
			_("{0} is not where a page of this recall ends: '{1}'").format(
				_("After"), _shown(str(after)[:200])
			),
			title=_("Invalid argument"),
		)
	return place[0], place[1], place[2]


def _readable(doctype: str, filters: dict) -> bool:
	return bool(frappe.get_list(doctype, filters=filters, pluck="name", limit_page_length=1))


def _received(doctype: str, names: list[str], limit: int, after_row: str | None = None) -> list[tuple]:
	"""Up to ``limit`` units received from a supplier by these receipts (their active log rows),
	receipt by receipt in the order of their names, each receipt's rows in the log's order: one
	statement along the index of a document's rows, reading no more rows than it returns (and the
	few cancelled or other rows among them)."""
	log = frappe.qb.DocType(LOG)
	query = (
		frappe.qb.from_(log)
		.select(log.voucher_type, log.voucher_no, log.serial_no, log.name)
		.force_index("voucher_rows")
		.where(
			(log.voucher_type == doctype)
			& log.voucher_no.isin(names)
			& (log.is_cancelled == 0)
			& log.operation.isin([o.value for o in FROM_SUPPLIER])
			& (log.party_type == "Supplier")
		)
		.orderby(log.voucher_no)
		.orderby(log.name)
		.limit(limit)
	)
	if after_row:
		query = query.where(log.name > after_row)
	return [tuple(row) for row in query.run()]


def recall(units: list[tuple]) -> list[dict]:
	"""The customers who received, later in the same life, ``units`` (receipt type, receipt, serial):
	per customer its units, with the delivery and whether the customer still holds the unit. A
	fixed number of statements, whatever the number of units; each unit's own log is read whole."""
	if not units:
		return []
	opened: dict[str, set[tuple[str, str]]] = {}
	for receipt_type, receipt, code, *_rest in units:
		opened.setdefault(code, set()).add((receipt_type, receipt))
	log = frappe.qb.DocType(LOG)
	rows = _select(log.serial_no.isin(sorted(opened)))
	by_serial: dict[str, list] = {}
	for r in rows:
		by_serial.setdefault(r.serial_no, []).append(r)
	sales = [
		sale
		for code, moved in by_serial.items()
		for sale in core.sales(
			core.group(moved), lambda o, here=opened[code]: (o.voucher_type, o.voucher_no) in here
		)
	]
	seen = {r.name for r in _seen([s.row for s in sales], {"name": ("in", [s.row.name for s in sales])})}
	customers: dict[str, list] = {}
	for sale in sales:
		if sale.row.name not in seen:
			continue
		row = sale.row
		customers.setdefault(row.party, []).append(
			{
				"serial_no": row.serial_no,
				"item_code": row.item_code,
				"voucher_type": row.voucher_type,
				"voucher_no": row.voucher_no,
				"posting_date": row.posting_date,
				"from_warehouse": row.from_warehouse,
				"receipt_type": sale.opening.voucher_type,
				"receipt_no": sale.opening.voucher_no,
				"held": sale.held,
			}
		)
	return [
		{
			"customer": customer,
			"units": sorted(sold, key=lambda u: (str(u["posting_date"]), u["voucher_no"], u["serial_no"])),
		}
		for customer, sold in sorted(customers.items())
	]


def of_supplier(supplier: str, after: str | None = None, page_length: int | None = None) -> dict:
	"""The recall question from a supplier, a page of its units at a time (:func:`recall_page`): the
	customers who received units it supplied."""
	_require_known("Supplier", supplier)
	require_readable("Supplier", supplier)
	return {"supplier": supplier, **recall_page(RECEIPTS, {"supplier": supplier}, after, page_length)}
