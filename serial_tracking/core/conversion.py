"""The conversion of an item from ERPNext's serial numbers to SN codes, as plain data.

ERPNext's records of one item come in as :class:`Event` (one serial moved in or out of one
warehouse by one voucher, from a Serial and Batch Entry or from a stock ledger entry's serial
text) and :class:`Held` (its ``Serial No`` record). Out go each serial's movements in posting
order, replayed and checked as the app checks a document's (:func:`plan`), what cannot be carried
over and why, what arrives where (:func:`arrivals`), and, per warehouse, the valuation queue the
serials in stock make (:func:`valuation_queue`).
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from serial_tracking.core.codes import check_code, key
from serial_tracking.core.plan import Step
from serial_tracking.core.states import (
	WITH_WAREHOUSE,
	Movement,
	Operation,
	State,
	Status,
	check,
	move,
	warranty_end,
)

#: Documents that buy from a supplier (a return sends back to them).
BUYING = frozenset({"Purchase Receipt", "Purchase Invoice"})
#: Documents that sell to a customer (a return takes back from them).
SELLING = frozenset({"Delivery Note", "Sales Invoice", "POS Invoice"})
#: ERPNext's count.
COUNT = "Stock Reconciliation"
#: ERPNext's serial statuses that say a warehouse holds the serial, and the one the app has no
#: counterpart for.
ACTIVE = "Active"
EXPIRED = "Expired"


@dataclass(frozen=True)
class Event:
	"""One serial moved into (``qty`` > 0) or out of (``qty`` < 0) ``warehouse`` by one row of one
	voucher, as ERPNext's stock ledger has it."""

	code: str
	voucher_type: str
	voucher_no: str
	warehouse: str
	qty: float
	posted_at: datetime
	#: When ERPNext made the entry: the order of entries posted at the same moment.
	creation: datetime
	voucher_detail_no: str = ""
	posting_date: str | None = None
	posting_time: str | None = None
	company: str | None = None
	party_type: str | None = None
	party: str | None = None
	is_return: bool = False
	#: The warehouse is a transit warehouse.
	transit: bool = False
	#: The serial's value as it came in (its incoming rate); 0 when unknown.
	rate: float = 0.0
	#: The entry's serial also names a batch.
	batch: bool = False


@dataclass(frozen=True)
class Held:
	"""A ``Serial No`` record as ERPNext keeps it."""

	code: str
	status: str | None
	warehouse: str | None = None
	warranty_expiry_date: str | None = None
	purchase_rate: float = 0.0
	batch: bool = False


@dataclass(frozen=True)
class Refusal:
	"""Why one serial cannot be carried over: ``why`` one of :class:`Why`, with the values its message
	needs; ``problem``: the code's own problem (a code the app cannot take)."""

	why: str
	code: str
	params: dict = field(default_factory=dict)
	problem: object = None


@dataclass
class Converted:
	"""One item's conversion, planned: the serials' states, their log steps (posting order), what
	cannot be carried over (``problems``: the item is not converted while there is one), serials left
	as ERPNext's history only (``left``: never moved), and per serial in stock the value and moment
	it came in (``values``, for the valuation queue)."""

	states: list[State] = field(default_factory=list)
	steps: list[Step] = field(default_factory=list)
	problems: list[Refusal] = field(default_factory=list)
	left: list[str] = field(default_factory=list)
	values: dict[str, tuple[datetime, float]] = field(default_factory=dict)


class Why:
	"""Why a serial cannot be carried over."""

	NEVER_HELD = "never held"
	TWO_PLACES = "two places"
	NOT_THERE = "not there"
	OTHER_PLACE = "other place"
	EXPIRED = "expired"
	BATCH = "batch"
	BAD_CODE = "bad code"
	TAKEN = "taken"


def movements(item_code: str, events: list[Event], warranty_days: int = 0) -> dict[str, list[Movement]]:
	"""Each serial's movements (by code key), oldest first: its events in posting order, one
	voucher's way out and way in of the same serial made one transfer."""
	ordered = sorted(
		events, key=lambda e: (key(e.code), e.posted_at, e.creation, e.voucher_type, e.voucher_no)
	)
	found: dict[str, list[Movement]] = {}
	start = 0
	while start < len(ordered):
		first = ordered[start]
		end = start + 1
		while (
			end < len(ordered)
			and key(ordered[end].code) == key(first.code)
			and (ordered[end].voucher_type, ordered[end].voucher_no) == (first.voucher_type, first.voucher_no)
		):
			end += 1
		found.setdefault(key(first.code), []).extend(
			_of_voucher(item_code, ordered[start:end], warranty_days)
		)
		start = end
	return found


def _of_voucher(item_code: str, events: list[Event], warranty_days: int) -> list[Movement]:
	"""The movements of one serial by one voucher: each way out paired with the way in after it."""
	outs = [e for e in events if e.qty < 0]
	ins = [e for e in events if e.qty > 0]
	found = []
	while outs or ins:
		out = outs.pop(0) if outs else None
		into = ins.pop(0) if ins else None
		if out and into:
			if out.warehouse == into.warehouse:
				# A count that found the serial where it was: no movement.
				continue
			found.append(_transfer(item_code, out, into))
		elif out:
			found.append(_outward(item_code, out, warranty_days))
		else:
			found.append(_inward(item_code, into))
	return found


def _movement(item_code: str, event: Event, operation: Operation, **values) -> Movement:
	return Movement(
		code=event.code,
		item_code=item_code,
		operation=operation,
		voucher_type=event.voucher_type,
		voucher_no=event.voucher_no,
		voucher_detail_no=event.voucher_detail_no or "",
		posting_date=event.posting_date,
		posting_time=event.posting_time,
		posted_at=event.posted_at,
		company=event.company,
		**values,
	)


def _outward(item_code: str, e: Event, warranty_days: int) -> Movement:
	source = {"from_warehouse": e.warehouse, "from_transit": e.transit}
	if e.voucher_type in SELLING and not e.is_return:
		return _movement(
			item_code,
			e,
			Operation.SELL,
			party_type="Customer",
			party=e.party,
			warranty_until=warranty_end(e.posting_date, warranty_days),
			**source,
		)
	if e.voucher_type in BUYING and e.is_return:
		return _movement(
			item_code, e, Operation.PURCHASE_RETURN, party_type="Supplier", party=e.party, **source
		)
	if e.voucher_type == COUNT:
		return _movement(item_code, e, Operation.COUNT_MISSING, **source)
	# A material issue, a consumption, a return to a supplier made without the return flag...
	return _movement(item_code, e, Operation.ISSUE, **source)


def _inward(item_code: str, e: Event) -> Movement:
	target = {"to_warehouse": e.warehouse, "to_transit": e.transit}
	if e.voucher_type in BUYING and not e.is_return:
		return _movement(item_code, e, Operation.RECEIVE, party_type="Supplier", party=e.party, **target)
	if e.voucher_type in SELLING and e.is_return:
		return _movement(item_code, e, Operation.SALES_RETURN, party_type="Customer", party=e.party, **target)
	if e.voucher_type == COUNT:
		return _movement(item_code, e, Operation.COUNT, **target)
	return _movement(item_code, e, Operation.RECEIVE, **target)


def _transfer(item_code: str, out: Event, into: Event) -> Movement:
	operation = (
		Operation.TRANSFER_OUT
		if into.transit
		else Operation.TRANSFER_IN
		if out.transit
		else Operation.TRANSFER
	)
	return _movement(
		item_code,
		into,
		operation,
		from_warehouse=out.warehouse,
		to_warehouse=into.warehouse,
		from_transit=out.transit,
		to_transit=into.transit,
	)


def plan(
	item_code: str,
	events: list[Event],
	held: list[Held],
	*,
	warranty_days: int = 0,
	max_length: int = 100,
	taken: frozenset[str] = frozenset(),
) -> Converted:
	"""The conversion of one item: every serial's history replayed as the app would have checked it,
	its state, and every reason a serial cannot be carried over. ``taken``: code keys the app knows
	already (as another item's SN code, or a carton)."""
	result = Converted()
	by_code = movements(item_code, events, warranty_days)
	rates = _inward_values(events)
	batches = {key(e.code) for e in events if e.batch}
	for record in sorted(held, key=lambda h: key(h.code)):
		code_key = key(record.code)
		history = by_code.pop(code_key, [])
		problem = _record_problem(record, code_key in batches, max_length, code_key in taken)
		if problem:
			result.problems.append(problem)
			continue
		if not history:
			if record.status == ACTIVE and record.warehouse:
				result.problems.append(_problem(Why.NEVER_HELD, record, warehouse=record.warehouse))
			else:
				result.left.append(record.code)
			continue
		if record.status != ACTIVE and record.warranty_expiry_date:
			history = _with_warranty(history, record.warranty_expiry_date)
		state, steps, problem = _replay(record, history)
		if problem:
			result.problems.append(problem)
			continue
		held_at = record.warehouse if record.status == ACTIVE else None
		now_at = state.warehouse if state.status in WITH_WAREHOUSE else None
		if held_at != now_at:
			result.problems.append(
				_problem(Why.OTHER_PLACE, record, warehouse=held_at, ledger_warehouse=now_at)
			)
			continue
		result.states.append(state)
		result.steps.extend(steps)
		if now_at:
			result.values[record.code] = rates.get((code_key, now_at)) or (
				state.posted_at,
				record.purchase_rate,
			)
	# Serials of the ledger without a Serial No record.
	for history in by_code.values():
		result.problems.append(_problem(Why.NOT_THERE, Held(history[0].code, None)))
	return result


def _record_problem(record: Held, batch: bool, max_length: int, taken: bool) -> Refusal | None:
	if record.status == EXPIRED:
		return _problem(Why.EXPIRED, record)
	if batch or record.batch:
		return _problem(Why.BATCH, record)
	bad = check_code(record.code, max_length)
	if bad:
		return Refusal(Why.BAD_CODE, record.code, problem=bad)
	if taken:
		return _problem(Why.TAKEN, record)
	return None


def _problem(why: str, record: Held, **params) -> Refusal:
	return Refusal(why, record.code, params)


def _with_warranty(history: list[Movement], until: str) -> list[Movement]:
	"""ERPNext's warranty end of a serial not in stock, on its latest sale when that is its latest
	movement (a sale gives the warranty; anything after it the app reads as ERPNext does not)."""
	last = history[-1]
	if last.operation is not Operation.SELL:
		return history
	return [*history[:-1], replace(last, warranty_until=str(until)[:10])]


def _replay(record: Held, history: list[Movement]) -> tuple[State | None, list[Step], Refusal | None]:
	"""The serial's history replayed with the app's checks: its state and steps, or why not."""
	state: State | None = None
	steps = []
	for movement in history:
		problem = check(state, replace(movement, against_voucher=None, party=None, party_type=None))
		if problem:
			why = Why.TWO_PLACES if movement.operation in _INBOUND else Why.OTHER_PLACE
			return (
				None,
				[],
				_problem(
					why,
					record,
					voucher_type=movement.voucher_type,
					voucher_no=movement.voucher_no,
					warehouse=movement.from_warehouse or movement.to_warehouse,
					ledger_warehouse=state.warehouse if state else None,
				),
			)
		after = move(state, movement)
		steps.append(Step(movement, state, after))
		state = after
	return state, steps, None


_INBOUND = frozenset({Operation.RECEIVE, Operation.SALES_RETURN, Operation.COUNT})


def _inward_values(events: list[Event]) -> dict[tuple[str, str], tuple[datetime, float]]:
	"""Per (code key, warehouse), the moment and value of the serial's latest arrival there."""
	found: dict[tuple[str, str], tuple[datetime, float]] = {}
	for e in sorted(events, key=lambda e: (e.posted_at, e.creation)):
		if e.qty > 0:
			found[(key(e.code), e.warehouse)] = (e.posted_at, e.rate)
	return found


def arrivals(states: list[State]) -> list[dict]:
	"""How many serials arrive in each status and warehouse, in the order of the statuses."""
	order = {status: n for n, status in enumerate(Status)}
	counted = Counter((s.status, s.warehouse) for s in states)
	return [
		{"status": status.value, "warehouse": warehouse, "count": count}
		for (status, warehouse), count in sorted(
			counted.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] or "")
		)
	]


def valuation_queue(values: list[tuple[datetime, float]], stock_value: float, precision: int = 2) -> list:
	"""The FIFO queue (``[[qty, rate], ...]``, oldest first) of the serials a warehouse holds, from
	each one's arrival and value: consecutive serials of one value make one bin. When their values do
	not add up to the stock value the stock ledger holds (rounding, or values ERPNext did not keep),
	the stock ledger's value wins, as one bin at its average."""
	if not values:
		return []
	ordered = [rate for _at, rate in sorted(values, key=lambda v: v[0] or datetime.min)]
	if abs(sum(ordered) - stock_value) > 0.5 * 10 ** (-precision) * max(len(ordered), 1):
		return [[float(len(ordered)), stock_value / len(ordered)]]
	queue: list[list[float]] = []
	for rate in ordered:
		if queue and queue[-1][1] == rate:
			queue[-1][0] += 1
		else:
			queue.append([1.0, rate])
	return queue
