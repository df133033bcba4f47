"""Cartons: a carton code stands for the serials packed in it.

A ``Serial Carton`` is named by its code; its serials are the Serial Numbers whose ``carton`` is
that code. A carton code never equals an SN code, either way round. Cartons are made on receipt
(the row's ``sn_cartons``: ``{"CARTON": ["SN1", "SN2"]}``, packed when the document is submitted
and removed when it is cancelled), by the import's Carton column, or by hand on the carton's
form. Scanning a carton's code in a row's SN dialog enters the serials of the carton that fit
the row (:func:`expand`, :func:`read_scan`).

Every function here issues a fixed number of statements per call or per carton, never per serial.
"""

import json
from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import now_datetime

from serial_tracking import messages
from serial_tracking.arguments import NOT_JSON, json_value
from serial_tracking.constants import CARTON, ROW_CARTONS, SERIAL
from serial_tracking.core.codes import check_code, fold, key
from serial_tracking.core.plan import Reading, RowRequest, Voucher, parse_row
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import CREATING, Operation, Status
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings, parse_codes
from serial_tracking.stock import documents, ledger

#: Carton code -> (item code, SN codes packed in it).
Packing = dict[str, tuple[str, list[str]]]

#: Rows whose codes may be packed in cartons as they arrive.
RECEIVING = frozenset({Operation.RECEIVE})
#: Rows that take units out of a warehouse: a carton's serials held there fit.
_OUT_OF = frozenset(
	{
		Operation.SELL,
		Operation.ISSUE,
		Operation.PURCHASE_RETURN,
		Operation.TRANSFER,
		Operation.TRANSFER_OUT,
		Operation.TRANSFER_IN,
	}
)

#: Values per statement when packing a carton's codes.
_CHUNK = 5000


def rows_named(doctype: str, codes: list[str], fields: tuple[str, ...] = ("name",)) -> list:
	"""Rows of ``doctype`` named by ``codes`` (without case, as the database compares), in one
	statement whatever their number."""
	return ledger.select_in(doctype, fields, "name", [c for c in codes if c], as_dict=len(fields) > 1)


def collisions(codes: list[str]) -> list[Problem]:
	"""The codes among ``codes`` that are carton codes: a serial may never take a carton's code."""
	found = {key(row[0]) for row in rows_named(CARTON, codes)}
	return [Problem(Reason.SERIAL_IS_CARTON, code) for code in codes if key(code) in found]


def check_packing(packing: Packing, receiving: list[str] | tuple = ()) -> list[Problem]:
	"""Every problem of packing these cartons: a carton code that is no valid code, that is an SN
	code (of a serial, or among the packed codes and ``receiving``, the codes being received with
	them) or the code of a carton of another item; an SN code in two cartons, here or already
	packed in another carton while held (In Stock or In Transit)."""
	if not packing:
		return []
	max_length = get_settings().limits.max_length
	problems: list[Problem] = []
	for carton in packing:
		problem = check_code(carton, max_length)
		if problem:
			problems.append(problem)
	serials = {key(row[0]) for row in rows_named(SERIAL, list(packing))}
	serials |= {key(code) for _item, codes in packing.values() for code in codes}
	serials |= {key(code) for code in receiving}
	existing = {key(row.name): row for row in rows_named(CARTON, list(packing), ("name", "item_code"))}
	for carton, (item_code, _codes) in packing.items():
		if key(carton) in serials:
			problems.append(Problem(Reason.CARTON_IS_SERIAL, carton))
		other = existing.get(key(carton))
		if other and other.item_code != item_code:
			problems.append(
				Problem(
					Reason.CARTON_OTHER_ITEM,
					carton,
					params={"other_item": other.item_code, "item_code": item_code},
				)
			)
	packed_in: dict[str, str] = {}
	for carton, (_item, codes) in packing.items():
		for code in codes:
			first = packed_in.setdefault(key(code), carton)
			if first != carton:
				problems.append(
					Problem(Reason.IN_TWO_CARTONS, code, params={"carton": first, "other": carton})
				)
	held = rows_named(SERIAL, list(packed_in), ("name", "carton", "status"))
	for row in held:
		target = packed_in[key(row.name)]
		if row.carton and key(row.carton) != key(target) and row.status in ledger.HELD:
			problems.append(
				Problem(Reason.IN_TWO_CARTONS, row.name, params={"carton": row.carton, "other": target})
			)
	return problems


def pack(packing: Packing, made_by_type: str | None = None, made_by_no: str | None = None) -> None:
	"""Make the cartons that do not exist yet (made by ``made_by_type`` ``made_by_no``), put the
	serials in them and count each carton's serials; after the serials exist, after
	:func:`check_packing`."""
	if not packing:
		return
	existing = {key(row[0]): row[0] for row in rows_named(CARTON, list(packing))}
	now, user = now_datetime(), frappe.session.user
	new = [
		(carton, carton, item_code, made_by_type, made_by_no, 0, now, now, user, user, 0)
		for carton, (item_code, _codes) in packing.items()
		if key(carton) not in existing
	]
	if new:
		frappe.db.bulk_insert(
			CARTON,
			(
				"name",
				"carton_code",
				"item_code",
				"made_by_type",
				"made_by_no",
				"serial_count",
				"creation",
				"modified",
				"owner",
				"modified_by",
				"docstatus",
			),
			new,
		)
	serial = frappe.qb.DocType(SERIAL)
	stored = []
	# The cartons the units leave (a unit that left and came back in a new carton): recounted too.
	left: set[str] = set()
	for carton, (_item, codes) in packing.items():
		name = existing.get(key(carton), carton)
		stored.append(name)
		for start in range(0, len(codes), _CHUNK):
			chunk = codes[start : start + _CHUNK]
			left.update(
				frappe.qb.from_(serial)
				.select(serial.carton)
				.distinct()
				.where(serial.name.isin(chunk) & serial.carton.isnotnull() & (serial.carton != name))
				.run(pluck=True)
			)
			frappe.qb.update(serial).set(serial.carton, name).where(serial.name.isin(chunk)).run()
	recount(stored + sorted(left - set(stored)))


def recount(cartons: list[str]) -> None:
	"""Set each carton's count of serials, in one statement (its ``modified`` stays: a form open on
	it can still be saved)."""
	if not cartons:
		return
	frappe.db.sql(
		f"""update `tab{CARTON}` carton
		set carton.`serial_count` = (
			select count(*) from `tab{SERIAL}` serial where serial.`carton` = carton.`name`
		)
		where carton.`name` in ({", ".join(["%s"] * len(cartons))})""",
		list(cartons),
	)


# Rows of documents


def read_row(row, item_code: str, codes: list[str]) -> tuple[Packing, list[Problem]]:
	"""The cartons a row's ``sn_cartons`` packs its codes in (as the row stores them), and what is
	wrong with it: not readable, or a code packed that is not among the row's ``codes``."""
	raw = row.get(ROW_CARTONS)
	if not raw or (isinstance(raw, str) and not raw.strip()):
		return {}, []
	data = json_value(raw)
	if data is NOT_JSON:
		return {}, [Problem(Reason.CARTONS_UNREADABLE, params={"detail": _("not JSON")})]
	if not isinstance(data, dict) or not all(
		isinstance(carton, str) and isinstance(listed, list) and all(isinstance(c, str) for c in listed)
		for carton, listed in data.items()
	):
		return {}, [Problem(Reason.CARTONS_UNREADABLE, params={"detail": _("not an object of lists")})]
	on_row = {key(code): code for code in codes}
	packing: Packing = {}
	problems: list[Problem] = []
	for carton, listed in data.items():
		carton = fold(carton).strip()
		kept: dict[str, str] = {}
		for code in listed:
			code = fold(code).strip()
			if not code:
				continue
			stored = on_row.get(key(code))
			if stored is None:
				problems.append(Problem(Reason.CARTON_CODE_NOT_ON_ROW, code, params={"carton": carton}))
			else:
				kept.setdefault(key(stored), stored)
		if carton and kept:
			item, before = packing.get(carton, (item_code, []))
			packing[carton] = (item, before + list(kept.values()))
	return packing, problems


def _row_codes(request: RowRequest) -> list[str]:
	return parse_row(request, get_settings().limits).codes


def row_problems(
	doc,
	row,
	request: RowRequest,
	codes: list[str] | None = None,
	receiving: list[str] | tuple = (),
) -> list[Problem]:
	"""The carton problems of one row (for validate and for checking a row live): its new codes
	that are carton codes, and on a receiving row its cartons (:func:`read_row`,
	:func:`check_packing`). ``request``: the row's; ``codes`` are read from it when not given;
	``receiving``: every code the document receives (a carton code may equal none)."""
	if not documents.moves_serials(doc) or request.operation not in CREATING:
		return []
	if codes is None:
		codes = _row_codes(request)
	problems = collisions(codes)
	if request.operation in RECEIVING:
		packing, read_problems = read_row(row, request.item_code, codes)
		problems += read_problems + check_packing(packing, [*codes, *receiving])
	return [p.at_row(request.row, request.table) for p in problems]


def _rows_by_ref(doc) -> dict:
	return {(documents.table_ref(table), row.idx): row for table, row in documents.rows_of(doc)}


def document_problems(doc, requests: list[RowRequest], reading: Reading, moves: bool) -> list[Problem]:
	"""The carton problems of a document's rows on save; the cartons of receiving rows are stored
	as read (folded, the codes as the row has them), other rows' are cleared."""
	rows = _rows_by_ref(doc)
	receiving = [
		code
		for request in requests
		if moves and request.operation in RECEIVING
		for code in reading.codes.get(request.ref, ())
	]
	problems: list[Problem] = []
	items: dict[str, str] = {}
	for request in requests:
		row = rows.get(request.ref)
		if row is None:
			continue
		codes = reading.codes.get(request.ref, [])
		if not (moves and request.operation in RECEIVING):
			if row.get(ROW_CARTONS):
				row.set(ROW_CARTONS, None)
			if moves:
				problems += row_problems(doc, row, request, codes)
			continue
		problems += row_problems(doc, row, request, codes, receiving)
		packing, _problems = read_row(row, request.item_code, codes)
		for carton in packing:
			first = items.setdefault(key(carton), request.item_code)
			if first != request.item_code:
				params = {"other_item": first, "item_code": request.item_code}
				problems.append(
					Problem(Reason.CARTON_OTHER_ITEM, carton, request.row, params=params, table=request.table)
				)
		if not _problems:
			row.set(ROW_CARTONS, _dump(packing))
	return problems


def _dump(packing: Packing) -> str | None:
	return json.dumps({carton: codes for carton, (_item, codes) in packing.items()}) if packing else None


def pack_document(doc, requests: list[RowRequest], reading: Reading) -> None:
	"""On submit, after the serials exist: pack the cartons of the receiving rows."""
	rows = _rows_by_ref(doc)
	packing: Packing = {}
	for request in requests:
		row = rows.get(request.ref)
		if row is None or request.operation not in RECEIVING:
			continue
		found, _problems = read_row(row, request.item_code, reading.codes.get(request.ref, []))
		for carton, (item_code, codes) in found.items():
			item, before = packing.get(carton, (item_code, []))
			packing[carton] = (item, before + codes)
	with ledger.concurrent_moves_refused():
		pack(packing, doc.doctype, doc.name)


def unpack_document(doc) -> None:
	"""On cancel: remove the cartons the document made (their serials leave them) and take the
	document's codes out of the cartons it packed them in that others made."""
	carton = frappe.qb.DocType(CARTON)
	serial = frappe.qb.DocType(SERIAL)
	made = (
		frappe.qb.from_(carton)
		.select(carton.name)
		.where((carton.made_by_type == doc.doctype) & (carton.made_by_no == doc.name))
		.run(pluck=True)
	)
	if made:
		frappe.qb.update(serial).set(serial.carton, None).where(serial.carton.isin(made)).run()
		frappe.qb.from_(carton).delete().where(carton.name.isin(made)).run()
	gone = {key(name) for name in made}
	others = []
	for _table, row in documents.rows_of(doc):
		codes = [code for code in (row.get(documents.ROW_FIELD) or "").split() if code]
		packing, _problems = read_row(row, row.item_code, codes)
		for name, (_item, packed) in packing.items():
			if key(name) in gone:
				continue
			frappe.qb.update(serial).set(serial.carton, None).where(
				serial.name.isin(packed) & (serial.carton == name)
			).run()
			others.append(name)
	recount([row[0] for row in rows_named(CARTON, others)])


# Scanning a carton


@dataclass(frozen=True)
class Expansion:
	"""What a carton's code enters on a row: its serials that fit, the message to show, and the
	serials left out with why (code -> reason)."""

	codes: list[str]
	message: str
	left: dict[str, str] = field(default_factory=dict)
	problem: Problem | None = None


def _where(status: str | None, warehouse: str | None) -> str:
	label = _(status) if status else _("unknown")
	return _("{0} at {1}").format(label, warehouse) if warehouse else label


def _misfit(serial, request: RowRequest, voucher: Voucher | None) -> str | None:
	"""Why a serial of the carton does not fit the row, or None."""
	status, here = serial.status, _where(serial.status, serial.warehouse)
	if serial.item_code != request.item_code:
		return _("of item {0}").format(serial.item_code)
	operation = request.operation
	party = voucher.party if voucher else None
	if operation in _OUT_OF:
		wanted = Status.IN_TRANSIT.value if request.from_transit else Status.IN_STOCK.value
		if status != wanted or serial.warehouse != request.from_warehouse:
			return here
		if operation is Operation.PURCHASE_RETURN and party and serial.supplier and serial.supplier != party:
			return _("bought from {0}").format(serial.supplier)
		return None
	if operation is Operation.SALES_RETURN:
		if status != Status.SOLD.value:
			return here
		against = voucher.return_against if voucher else None
		if against and serial.voucher_no != against:
			return _("sold on {0}").format(serial.voucher_no)
		if not against and party and serial.customer != party:
			return _("sold to {0}").format(serial.customer)
		return None
	if operation is Operation.COUNT:
		return here if status == Status.IN_TRANSIT.value else None
	# a receipt or a registration: units not held anywhere
	return here if status in ledger.HELD else None


def expand(carton: str, request: RowRequest, voucher: Voucher | None = None) -> Expansion:
	"""The serials of ``carton`` that fit the row, as the user may read them: for a sale, transfer,
	issue or purchase return those held at the row's source warehouse; for a sales return those
	sold (on the returned document, or to the party); for a receipt those held nowhere; for a
	count those not in transit. The message says how many were added, and how many were left
	and why."""
	found = rows_named(CARTON, [carton], ("name", "item_code"))
	if not found:
		return Expansion([], "", problem=Problem(Reason.CARTON_UNKNOWN, carton))
	name, item_code = found[0].name, found[0].item_code
	if item_code != request.item_code:
		params = {"other_item": item_code, "item_code": request.item_code}
		return Expansion([], "", problem=Problem(Reason.CARTON_OTHER_ITEM, name, params=params))
	serials = frappe.get_list(
		SERIAL,
		filters={"carton": name},
		fields=["name", "item_code", "status", "warehouse", "supplier", "customer", "voucher_no"],
		order_by="name asc",
		limit_page_length=0,
	)
	codes: list[str] = []
	left: dict[str, str] = {}
	for serial in serials:
		reason = _misfit(serial, request, voucher)
		if reason:
			left[serial.name] = reason
		else:
			codes.append(serial.name)
	return Expansion(codes, _message(name, len(codes), len(serials), left), left)


def _message(carton: str, added: int, total: int, left: dict[str, str]) -> str:
	if not left:
		if total == 1:
			return _("carton {0}: 1 code").format(carton)
		return _("carton {0}: {1} codes").format(carton, added)
	counts: dict[str, int] = {}
	for reason in left.values():
		counts[reason] = counts.get(reason, 0) + 1
	why = ", ".join(_("{0} {1}").format(n, reason) for reason, n in counts.items())
	return _("carton {0}: {1} of its {2} codes; {3} left: {4}").format(carton, added, total, len(left), why)


def read_scan(doc, request: RowRequest, scan: str | None) -> dict:
	"""One scan as the row's SN dialog reads it: GS1 (with the item's GTINs and the setting for bare
	digits), a carton's code or SSCC (its serials that fit the row), or plain codes.

	An SSCC of no carton is refused, except on a receiving row, where it names the new carton the
	units scanned next are packed in (``carton`` set, no codes)."""
	parsed = parse_codes(scan, gtins=request.gtins, item_code=request.item_code)
	problems = list(parsed.problems)
	if not parsed.entered:
		problems.append(Problem(Reason.NOTHING_ENTERED))
	found = [row[0] for row in rows_named(CARTON, [*parsed.codes, *parsed.cartons])]
	known = {key(name) for name in readable(CARTON, found)}
	# A carton the user may not read (made by a receipt from a supplier they may not read) is no
	# carton to them: none of its units, nothing of it named.
	hidden = {key(name) for name in found} - known
	voucher = documents.voucher(doc)
	codes: list[str] = []
	notes: list[str] = []
	cartons: list[str] = []
	for entry in [*parsed.codes, *parsed.cartons]:
		is_sscc = entry in parsed.cartons
		if key(entry) in hidden:
			problems.append(Problem(Reason.CARTON_UNKNOWN, entry))
			continue
		if key(entry) not in known:
			if not is_sscc:
				codes.append(entry)
			elif request.operation in RECEIVING:
				cartons.append(entry)
				notes.append(_("new carton {0}: scan its units").format(entry))
			else:
				problems.append(Problem(Reason.CARTON_UNKNOWN, entry))
			continue
		expansion = expand(entry, request, voucher)
		if expansion.problem:
			problems.append(expansion.problem)
			continue
		cartons.append(entry)
		codes.extend(expansion.codes)
		notes.append(expansion.message)
	return {
		"codes": list({key(code): code for code in codes}.values()),
		"message": "; ".join(notes) or None,
		"problems": messages.as_dicts(problems),
		"carton": cartons[0] if len(cartons) == 1 else None,
	}
