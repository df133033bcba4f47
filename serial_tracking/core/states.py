"""The status machine: one transition table and a refusal reason for every forbidden move."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import NamedTuple

from serial_tracking.core.problems import Problem, Reason


class Status(str, Enum):
	IN_STOCK = "In Stock"
	IN_TRANSIT = "In Transit"
	SOLD = "Sold"
	RETURNED = "Returned"
	ISSUED = "Issued"
	MISSING = "Missing"


class Operation(str, Enum):
	RECEIVE = "Receive"
	REGISTER = "Registration"
	SELL = "Sell"
	SALES_RETURN = "Sales Return"
	PURCHASE_RETURN = "Purchase Return"
	ISSUE = "Issue"
	TRANSFER = "Transfer"
	TRANSFER_OUT = "Transfer Out"
	TRANSFER_IN = "Transfer In"
	COUNT = "Count"
	COUNT_MISSING = "Count Missing"
	ADJUST = "Adjustment"
	#: A manager's correction of a serial's code: logged, but no movement.
	CORRECT = "Code Correction"


@dataclass(frozen=True)
class State:
	"""What is known of one serial now. ``status`` None: the code is not known."""

	code: str
	item_code: str
	status: Status | None = None
	warehouse: str | None = None
	voucher_type: str | None = None
	voucher_no: str | None = None
	supplier: str | None = None
	customer: str | None = None
	purchase_date: str | None = None
	delivery_date: str | None = None
	sequence: int = 0
	#: When the latest active movement was posted (its document's posting date and time).
	posted_at: datetime | None = None
	#: The company of the latest movement.
	company: str | None = None
	#: The end of the unit's warranty (ISO date): set by a sale to a customer, ended by a sales return.
	warranty_expiry_date: str | None = None


@dataclass(frozen=True)
class Movement:
	"""One serial moved by one row of one document."""

	code: str
	item_code: str
	operation: Operation
	from_warehouse: str | None = None
	to_warehouse: str | None = None
	voucher_type: str = ""
	voucher_no: str = ""
	voucher_detail_no: str = ""
	row: int | None = None
	posting_date: str | None = None
	posting_time: str | None = None
	party_type: str | None = None
	party: str | None = None
	#: For a sales return: the document the serial must have been sold on.
	against_voucher: str | None = None
	#: The posting date and time; a movement may not come before a serial's latest one.
	posted_at: datetime | None = None
	company: str | None = None
	#: The from- / to-warehouse is a transit warehouse, which holds its units In Transit.
	from_transit: bool = False
	to_transit: bool = False
	#: A sale to a customer: the end of the warranty it gives (ISO date; None: none). Read back from
	#: the log, any movement: the serial's warranty end after it.
	warranty_until: str | None = None


@dataclass(frozen=True)
class Rule:
	"""How one operation moves a serial.

	``sources``: the statuses it may start from (None: an unknown code).
	``needs_warehouse``: the serial must be at the movement's from-warehouse.
	``to``: the status after; its warehouse is the movement's to-warehouse when
	the status keeps one.
	"""

	sources: frozenset
	to: Status
	needs_warehouse: bool = False


_INBOUND = frozenset({None, Status.SOLD, Status.RETURNED, Status.ISSUED, Status.MISSING})
_IN_STOCK = frozenset({Status.IN_STOCK})

TRANSITIONS: dict[Operation, Rule] = {
	Operation.RECEIVE: Rule(_INBOUND, Status.IN_STOCK),
	Operation.REGISTER: Rule(_INBOUND, Status.IN_STOCK),
	Operation.SELL: Rule(_IN_STOCK, Status.SOLD, needs_warehouse=True),
	Operation.SALES_RETURN: Rule(frozenset({Status.SOLD}), Status.IN_STOCK),
	Operation.PURCHASE_RETURN: Rule(_IN_STOCK, Status.RETURNED, needs_warehouse=True),
	Operation.ISSUE: Rule(_IN_STOCK, Status.ISSUED, needs_warehouse=True),
	Operation.TRANSFER: Rule(_IN_STOCK, Status.IN_STOCK, needs_warehouse=True),
	Operation.TRANSFER_OUT: Rule(_IN_STOCK, Status.IN_TRANSIT, needs_warehouse=True),
	Operation.TRANSFER_IN: Rule(frozenset({Status.IN_TRANSIT}), Status.IN_STOCK, needs_warehouse=True),
	Operation.COUNT: Rule(_INBOUND | _IN_STOCK, Status.IN_STOCK),
	Operation.COUNT_MISSING: Rule(_IN_STOCK, Status.MISSING, needs_warehouse=True),
	Operation.ADJUST: Rule(_IN_STOCK, Status.IN_STOCK),
}

#: Operations that may make a serial of a code not known yet.
CREATING = frozenset(operation for operation, rule in TRANSITIONS.items() if None in rule.sources)
#: Statuses at which a serial has a warehouse (In Transit: the transit warehouse). A warehouse
#: holds a serial In Stock, or, when it is a transit warehouse, In Transit.
WITH_WAREHOUSE = frozenset({Status.IN_STOCK, Status.IN_TRANSIT})
#: Operations that are a manager's statement of where a unit is, not a document's movement: they
#: never hold a document back from being cancelled, and are voided with the document before them.
STATEMENTS = frozenset({Operation.REGISTER, Operation.ADJUST})
#: Operations logged for a serial that are no movement at all (a correction of its code): they
#: have no transition, replaying skips them, and voiding neither waits for them nor voids them.
NOT_MOVEMENTS = frozenset({Operation.CORRECT})


class _ReturnedTo(NamedTuple):
	party_type: str
	field: str
	refusal: Reason


#: A return goes back only to the party the unit came from (purchase) or went to (sale).
_RETURNED_TO = {
	Operation.PURCHASE_RETURN: _ReturnedTo("Supplier", "supplier", Reason.OTHER_SUPPLIER),
	Operation.SALES_RETURN: _ReturnedTo("Customer", "customer", Reason.OTHER_CUSTOMER),
}
#: Operations that bring a unit in from a supplier.
FROM_SUPPLIER = frozenset({Operation.RECEIVE})
#: Operations that hand a unit to a customer.
TO_CUSTOMER = frozenset({Operation.SELL})


def check(state: State | None, movement: Movement) -> Problem | None:
	"""Why ``movement`` may not happen to a serial in ``state``, or None."""
	rule = TRANSITIONS[movement.operation]
	status = state.status if state else None
	params = {
		"item_code": movement.item_code,
		"warehouse": movement.from_warehouse or movement.to_warehouse,
		"status": status.value if status else None,
		"current_warehouse": state.warehouse if state else None,
		"voucher_type": state.voucher_type if state else None,
		"voucher_no": state.voucher_no if state else None,
	}
	if state and status is not None and state.item_code != movement.item_code:
		return Problem(Reason.WRONG_ITEM, movement.code, params={**params, "other_item": state.item_code})
	if status not in sources(movement):
		return Problem(_reason_for_source(movement, status), movement.code, params=params)
	if rule.needs_warehouse and state and state.warehouse != movement.from_warehouse:
		return Problem(Reason.WRONG_WAREHOUSE, movement.code, params=params)
	if status is not None and state.posted_at and movement.posted_at and movement.posted_at < state.posted_at:
		return Problem(
			Reason.BACKDATED,
			movement.code,
			params={**params, "last_posted_at": state.posted_at, "posted_at": movement.posted_at},
		)
	if (
		movement.operation is Operation.SALES_RETURN
		and movement.against_voucher
		and state
		and state.voucher_no != movement.against_voucher
	):
		return Problem(
			Reason.NOT_ON_ORIGINAL, movement.code, params={**params, "against": movement.against_voucher}
		)
	returned_to = _RETURNED_TO.get(movement.operation)
	if returned_to and movement.party_type == returned_to.party_type and state:
		came = getattr(state, returned_to.field)
		if came and came != movement.party:
			return Problem(
				returned_to.refusal,
				movement.code,
				params={**params, returned_to.field: came, "party": movement.party},
			)
	return None


def sources(movement: Movement) -> frozenset:
	"""The statuses a serial may have before ``movement``: its rule's, where a unit held at a
	transit warehouse is In Transit rather than In Stock."""
	rule = TRANSITIONS[movement.operation]
	found = rule.sources
	if movement.from_transit and rule.needs_warehouse and Status.IN_STOCK in found:
		found = (found - {Status.IN_STOCK}) | {Status.IN_TRANSIT}
	if movement.to_transit and movement.operation is Operation.COUNT:
		found = found | {Status.IN_TRANSIT}
	return found


def _to(movement: Movement) -> Status:
	to = TRANSITIONS[movement.operation].to
	return Status.IN_TRANSIT if to is Status.IN_STOCK and movement.to_transit else to


def _reason_for_source(movement: Movement, status: Status | None) -> Reason:
	operation = movement.operation
	if operation is Operation.COUNT:
		return Reason.IN_TRANSIT_ON_COUNT
	if status is None:
		return Reason.NOT_FOUND
	if movement.from_transit and Status.IN_TRANSIT in sources(movement):
		return Reason.NOT_IN_TRANSIT
	if operation is Operation.SALES_RETURN:
		return Reason.NOT_SOLD
	if operation is Operation.TRANSFER_IN:
		return Reason.NOT_IN_TRANSIT
	if status is Status.IN_STOCK:
		return Reason.ALREADY_IN_STOCK
	if status is Status.IN_TRANSIT and TRANSITIONS[operation].sources is _INBOUND:
		return Reason.ALREADY_IN_TRANSIT
	return Reason.NOT_IN_STOCK


def move(state: State | None, movement: Movement) -> State:
	"""The state after ``movement``, without checking that it is allowed.

	Made in one step: a document of ten thousand serials moves each of them here.
	"""
	known = state if state and state.status is not None else None
	to = _to(movement)
	from_supplier = movement.operation in FROM_SUPPLIER and movement.party_type == "Supplier"
	to_customer = movement.operation in TO_CUSTOMER and movement.party_type == "Customer"
	return State(
		code=state.code if state else movement.code,
		item_code=known.item_code if known else movement.item_code,
		status=to,
		warehouse=movement.to_warehouse if to in WITH_WAREHOUSE else None,
		voucher_type=movement.voucher_type,
		voucher_no=movement.voucher_no,
		supplier=movement.party if from_supplier else (known.supplier if known else None),
		customer=movement.party if to_customer else (known.customer if known else None),
		purchase_date=movement.posting_date if from_supplier else (known.purchase_date if known else None),
		delivery_date=movement.posting_date if to_customer else (known.delivery_date if known else None),
		sequence=(state.sequence if state else 0) + 1,
		posted_at=movement.posted_at or (known.posted_at if known else None),
		company=movement.company or (known.company if known else None),
		warranty_expiry_date=_warranty_after(known, movement, to_customer),
	)


def _warranty_after(known: State | None, movement: Movement, to_customer: bool) -> str | None:
	"""A sale to a customer gives the warranty it names, a sales return ends it, every other
	movement leaves it as it was."""
	if to_customer:
		return movement.warranty_until
	if movement.operation is Operation.SALES_RETURN:
		return None
	return known.warranty_expiry_date if known else None


def warranty_end(posting_date: str | None, days: int | None) -> str | None:
	"""The last day of a warranty of ``days`` days from a sale on ``posting_date`` (ISO dates);
	None when either is missing or the period is not positive."""
	if not posting_date or not days or days <= 0:
		return None
	return (date.fromisoformat(str(posting_date)[:10]) + timedelta(days=days)).isoformat()


def apply(state: State | None, movement: Movement) -> tuple[State | None, Problem | None]:
	"""The serial's state after ``movement``, or its old state and the reason it is refused."""
	problem = check(state, movement)
	if problem:
		return state, problem
	return move(state, movement), None


def changes(state: State | None, movement: Movement) -> bool:
	"""Whether the movement changes anything (a count of a serial already where it is does not)."""
	return not (
		movement.operation is Operation.COUNT
		and state is not None
		and state.status is _to(movement)
		and state.warehouse == movement.to_warehouse
		and state.item_code == movement.item_code
	)


class Deciding(NamedTuple):
	"""The few facts of a serial's history that decide the state it leads to (see :func:`move`):
	its latest movement (status, place, document), the latest from a supplier (supplier, purchase
	date), the latest to a customer (customer, delivery date), and the latest company and posting
	time named."""

	latest: Movement
	from_supplier: Movement | None = None
	to_customer: Movement | None = None
	company: str | None = None
	posted_at: datetime | None = None


def _from_supplier(movement: Movement) -> bool:
	return movement.operation in FROM_SUPPLIER and movement.party_type == "Supplier"


def _to_customer(movement: Movement) -> bool:
	return movement.operation in TO_CUSTOMER and movement.party_type == "Customer"


def deciding(movements: list[Movement]) -> Deciding | None:
	"""What decides the state ``movements`` (one serial's, oldest first) replay to; None for none."""
	movements = [m for m in movements if m.operation not in NOT_MOVEMENTS]
	if not movements:
		return None
	last = lambda test: next((m for m in reversed(movements) if test(m)), None)  # noqa: E731
	company = last(lambda m: m.company is not None)
	posted = last(lambda m: m.posted_at is not None)
	return Deciding(
		movements[-1],
		last(_from_supplier),
		last(_to_customer),
		company.company if company else None,
		posted.posted_at if posted else None,
	)


def rebuilt(found: Deciding) -> State:
	"""The state a history leads to, from what decides it (:func:`deciding`): the same as replaying
	the whole history, but for the movement counter. A cancellation reads only these few facts of
	each serial, however long its history."""
	state = replay([m for m in (found.from_supplier, found.to_customer) if m is not None] + [found.latest])
	# The warranty follows the latest row as logged: a return between the latest sale and the latest
	# movement ended it, which the deciding rows alone would not show.
	return replace(
		state,
		company=found.company,
		posted_at=found.posted_at,
		warranty_expiry_date=found.latest.warranty_until,
	)


def replay(movements: list[Movement]) -> State | None:
	"""The state that the active movements of one serial, oldest first, lead to.

	Logged movements were accepted when made, so they are replayed without
	checks; None when there are none (the serial is unknown again). Rows that
	are no movement (:data:`NOT_MOVEMENTS`) are skipped.
	"""
	state: State | None = None
	for movement in movements:
		if movement.operation in NOT_MOVEMENTS:
			continue
		state = move(state, movement)
	return state
