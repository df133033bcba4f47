"""The plan of one document: its rows' serials read and checked, then the movements they make."""

from dataclasses import dataclass, field
from datetime import datetime

from serial_tracking.core import code_formats
from serial_tracking.core.code_formats import CodeFormat
from serial_tracking.core.codes import DEFAULT_MAX_LENGTH, DEFAULT_MAX_PER_OPERATION, Parsed, key, parse
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import (
	TO_CUSTOMER,
	Movement,
	Operation,
	State,
	Status,
	apply,
	changes,
	warranty_end,
)


@dataclass(frozen=True)
class Limits:
	max_length: int = DEFAULT_MAX_LENGTH
	max_per_operation: int = DEFAULT_MAX_PER_OPERATION
	#: Read bare digit strings as GS1 element strings (:mod:`serial_tracking.core.gs1`).
	gs1_digits: bool = False


@dataclass(frozen=True)
class Voucher:
	voucher_type: str
	voucher_no: str
	posting_date: str | None = None
	posting_time: str | None = None
	party_type: str | None = None
	party: str | None = None
	#: A return: the document it returns against.
	return_against: str | None = None
	#: The posting date and time as one value, for ordering movements.
	posted_at: datetime | None = None
	company: str | None = None


@dataclass(frozen=True)
class RowRequest:
	"""One item row of a serial-managed item, as the adapter read it from the document.

	``qty`` is the row's quantity in stock units, positive. ``refusal`` is set
	when the adapter already knows the row cannot be accepted (a purpose that
	cannot carry serials, a unit that is not the stock unit ...), with ``params``
	for its message. ``table`` names the rows' table when it is not the item
	rows (a bundle's packed items). ``allowed``: when set, the only codes (by
	key) the row may carry, with ``allowed_from`` naming where they come from
	(the arrival of a transfer takes only codes its outgoing entry sent).
	"""

	row: int
	item_code: str
	operation: Operation
	qty: float
	text: str | None = None
	from_warehouse: str | None = None
	to_warehouse: str | None = None
	required: bool = False
	detail_no: str = ""
	refusal: Reason | None = None
	params: dict = field(default_factory=dict)
	table: str | None = None
	allowed: frozenset[str] | None = None
	allowed_from: str = ""
	#: The from- / to-warehouse is a transit warehouse (it holds its units In Transit).
	from_transit: bool = False
	to_transit: bool = False
	#: The item's GTINs (GTIN-14): a GS1 scan of another GTIN is refused. Empty: none known.
	gtins: frozenset[str] = frozenset()
	#: The item's warranty period in days (0: none): a sale to a customer starts a warranty.
	warranty_days: int = 0
	#: The item's SN code format: a code not known yet must be of it (known codes move as they are).
	code_format: CodeFormat = code_formats.ANY
	#: A unit handed over in place of another (a replacement under a warranty claim) keeps the other
	#: unit's warranty end, ``kept_warranty`` (None: it had none), rather than starting a period.
	keeps_warranty: bool = False
	kept_warranty: str | None = None

	@property
	def ref(self) -> tuple[str | None, int]:
		"""The row's identity in its document: its table and number."""
		return self.table, self.row


@dataclass(frozen=True)
class Reading:
	"""The codes each row carries (by :attr:`RowRequest.ref`) and what was wrong with the input."""

	codes: dict[tuple[str | None, int], list[str]]
	problems: list[Problem]

	def all_codes(self) -> list[str]:
		return [code for codes in self.codes.values() for code in codes]


@dataclass(frozen=True)
class Step:
	movement: Movement
	before: State | None
	after: State


@dataclass(frozen=True)
class Plan:
	steps: list[Step]
	problems: list[Problem]


def read(rows: list[RowRequest], limits: Limits = Limits()) -> Reading:
	"""Read and check the serials of every row; every problem of the document at once."""
	codes: dict[tuple[str | None, int], list[str]] = {}
	problems: list[Problem] = []
	first_row: dict[str, RowRequest] = {}
	total = 0
	for row in rows:
		params = {"item_code": row.item_code, **row.params}
		if row.refusal:
			problems.append(Problem(row.refusal, row=row.row, params=params, table=row.table))
			continue
		parsed = parse_row(row, limits)
		total += parsed.entered
		problems.extend(
			p.at_row(row.row, row.table) for p in parsed.problems if p.reason is not Reason.TOO_MANY
		)
		problems.extend(_carton_problems(row, parsed))
		kept = []
		for code in parsed.codes:
			other = first_row.setdefault(key(code), row)
			if other is not row:
				problems.append(
					Problem(
						Reason.DUPLICATE,
						code,
						row.row,
						params={"first_row": other.row, "first_table": other.table},
						table=row.table,
					)
				)
			elif row.allowed is not None and key(code) not in row.allowed:
				problems.append(
					Problem(
						Reason.NOT_ON_OUTGOING,
						code,
						row.row,
						params={**params, "outgoing": row.allowed_from},
						table=row.table,
					)
				)
			else:
				kept.append(code)
		codes[row.ref] = kept
		problems.extend(p.at_row(row.row, row.table) for p in _quantity_problems(row, parsed.entered, params))
	if total > limits.max_per_operation:
		problems.append(
			Problem(Reason.TOO_MANY, params={"count": total, "max_count": limits.max_per_operation})
		)
	return Reading(codes, problems)


def read_codes(rows: list[RowRequest], limits: Limits = Limits()) -> Reading:
	"""Only the codes of each row: for documents that carry serials without moving them."""
	codes: dict[tuple[str | None, int], list[str]] = {}
	problems: list[Problem] = []
	for row in rows:
		parsed = parse_row(row, limits)
		codes[row.ref] = parsed.codes
		problems.extend(p.at_row(row.row, row.table) for p in parsed.problems)
		problems.extend(_carton_problems(row, parsed))
	return Reading(codes, problems)


def parse_row(row: RowRequest, limits: Limits = Limits()) -> Parsed:
	"""The codes of one row's text, GS1 scans read for the row's item."""
	return parse(
		row.text,
		max_length=limits.max_length,
		max_count=limits.max_per_operation,
		gs1_digits=limits.gs1_digits,
		gtins=row.gtins,
		item_code=row.item_code,
	)


def _carton_problems(row: RowRequest, parsed: Parsed) -> list[Problem]:
	"""A row's text carries SN codes: a carton's SSCC there stands for codes it does not name."""
	return [Problem(Reason.GS1_CARTON, sscc, row.row, table=row.table) for sscc in parsed.cartons]


def _quantity_problems(row: RowRequest, entered: int, params: dict) -> list[Problem]:
	if row.qty != int(row.qty):
		return [Problem(Reason.QTY_NOT_WHOLE, row=row.row, params={**params, "qty": row.qty})]
	if entered == 0:
		if row.required and row.qty > 0:
			return [Problem(Reason.REQUIRED, row=row.row, params={**params, "qty": int(row.qty)})]
		return []
	if entered != row.qty:
		return [
			Problem(
				Reason.COUNT_MISMATCH, row=row.row, params={**params, "qty": int(row.qty), "count": entered}
			)
		]
	return []


def codes_missing(problem: Problem) -> Problem | None:
	"""A row's count problem that more codes resolve (none given where required, fewer than its
	quantity): a draft may be saved with it, submit refuses it with this problem, which says how many
	are missing. ``None`` for any other problem."""
	params = problem.params
	if problem.reason is Reason.REQUIRED:
		entered = 0
	elif problem.reason is Reason.COUNT_MISMATCH and params["count"] < params["qty"]:
		entered = params["count"]
	else:
		return None
	return Problem(
		Reason.CODES_MISSING,
		row=problem.row,
		table=problem.table,
		params={**params, "count": entered, "missing": params["qty"] - entered},
	)


def moved_places(rows: list[RowRequest]) -> set[tuple[str, str]]:
	"""(item, warehouse) of every place the rows move units into or out of."""
	return {
		(row.item_code, warehouse)
		for row in rows
		for warehouse in (row.from_warehouse, row.to_warehouse)
		if warehouse and row.item_code
	}


def counted_places(rows: list[RowRequest], reading: Reading) -> set[tuple[str, str]]:
	"""(item, warehouse) of the count rows that count serials: those that give them, or count zero."""
	return {
		(row.item_code, row.to_warehouse)
		for row in rows
		if row.operation is Operation.COUNT and (reading.codes.get(row.ref) or row.qty == 0)
	}


def plan(
	voucher: Voucher,
	rows: list[RowRequest],
	reading: Reading,
	states: dict[str, State],
	held_at: dict[tuple[str, str], list[State]] | None = None,
	first_warranties: dict[str, str] | None = None,
) -> Plan:
	"""The movements of a document, checked against the serials' states.

	``states`` maps code keys to the current state of every known code the
	document names; ``held_at`` lists, for each place of
	:func:`counted_places`, the serials held there (a count makes the ones
	it does not name Missing). ``first_warranties``: when the first sale's warranty is kept over a
	resale, the end of each code's (by key) first warranty, for those that had one.
	"""
	steps: list[Step] = []
	problems: list[Problem] = []
	current = dict(states)
	#: Every code the document counts, wherever: a unit counted at one place is not missing at another.
	counted: set[str] = set()
	for row in rows:
		for code in reading.codes.get(row.ref, ()):
			if row.operation is Operation.COUNT:
				counted.add(key(code))
	for row in rows:
		for code in reading.codes.get(row.ref, ()):
			movement = _movement(voucher, row, code, row.operation, first_warranties=first_warranties)
			before = current.get(key(code))
			after, problem = None, _format_problem(row, code, before)
			if problem is None:
				after, problem = apply(before, movement)
			if problem:
				problems.append(problem.at_row(row.row, row.table))
			elif changes(before, movement):
				steps.append(Step(movement, before, after))
				current[key(code)] = after
	rows_by_place = {(r.item_code, r.to_warehouse): r for r in rows if r.operation is Operation.COUNT}
	for place in sorted(counted_places(rows, reading)):
		row = rows_by_place[place]
		for state in (held_at or {}).get(place, ()):
			if key(state.code) in counted or state.status not in (Status.IN_STOCK, Status.IN_TRANSIT):
				continue
			movement = _movement(voucher, row, state.code, Operation.COUNT_MISSING, from_warehouse=place[1])
			after, problem = apply(state, movement)
			if problem:
				problems.append(problem.at_row(row.row, row.table))
			else:
				steps.append(Step(movement, state, after))
	return Plan(steps, problems)


def _format_problem(row: RowRequest, code: str, before: State | None) -> Problem | None:
	"""A code not known yet that is not of the item's format: refused whatever the row does (a sale
	of it is told what is wrong with it, more useful than "not known" for a mistyped code)."""
	if before is not None and before.status is not None:
		return None
	return code_formats.check(code, row.code_format, row.item_code)


def _movement(
	voucher: Voucher,
	row: RowRequest,
	code: str,
	operation: Operation,
	from_warehouse: str | None = None,
	first_warranties: dict[str, str] | None = None,
) -> Movement:
	warranty = None
	if operation in TO_CUSTOMER and voucher.party_type == "Customer" and row.keeps_warranty:
		warranty = row.kept_warranty
	elif operation in TO_CUSTOMER and voucher.party_type == "Customer":
		first = (first_warranties or {}).get(key(code))
		warranty = first or warranty_end(voucher.posting_date, row.warranty_days)
	return Movement(
		code=code,
		item_code=row.item_code,
		operation=operation,
		from_warehouse=from_warehouse or row.from_warehouse,
		to_warehouse=None if operation is Operation.COUNT_MISSING else row.to_warehouse,
		voucher_type=voucher.voucher_type,
		voucher_no=voucher.voucher_no,
		voucher_detail_no=row.detail_no,
		row=row.row,
		posting_date=voucher.posting_date,
		posting_time=voucher.posting_time,
		party_type=voucher.party_type,
		party=voucher.party,
		against_voucher=voucher.return_against if operation is Operation.SALES_RETURN else None,
		posted_at=voucher.posted_at,
		company=voucher.company,
		# A count's Missing leaves the place it counts.
		from_transit=row.to_transit if operation is Operation.COUNT_MISSING else row.from_transit,
		to_transit=False if operation is Operation.COUNT_MISSING else row.to_transit,
		warranty_until=warranty,
	)
