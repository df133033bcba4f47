"""A serial's circulation log grouped into "lives" (:func:`group`), each told as a story of steps
(:func:`story`), and the recall question over them (:func:`sales`).

Rows are anything with the attributes of a Serial Circulation Log row, given oldest first.
"""

from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from typing import Any

from serial_tracking.core.states import FROM_SUPPLIER, TO_CUSTOMER, TRANSITIONS, Operation, Status

_FROM_SUPPLIER = frozenset(o.value for o in FROM_SUPPLIER)
_TO_CUSTOMER = frozenset(o.value for o in TO_CUSTOMER)


@dataclass
class Life:
	"""One life of a serial: the row that opened it (None: no life ever opened) and its rows."""

	number: int
	opening: Any | None
	rows: list = field(default_factory=list)


@dataclass(frozen=True)
class Sale:
	"""A unit handed to a customer in a life: the sale's row, the life's opening row, and
	whether the customer still holds the unit (the sale is the serial's latest active movement)."""

	row: Any
	opening: Any
	held: bool


#: The operation a code correction is logged with.
CORRECTION = "Code Correction"


def is_correction(row) -> bool:
	"""A row that corrects the serial's code (it names the previous code): no movement."""
	return bool(getattr(row, "previous_code", None)) or row.operation == CORRECTION


def is_movement(row) -> bool:
	"""An active row that moved the unit (not cancelled, not a correction of its code)."""
	return not row.is_cancelled and not is_correction(row)


def from_supplier(row) -> bool:
	"""An active receipt from a supplier: it always opens a life."""
	return is_movement(row) and row.operation in _FROM_SUPPLIER and row.party_type == "Supplier"


def to_customer(row) -> bool:
	"""An active sale to a customer."""
	return is_movement(row) and row.operation in _TO_CUSTOMER and row.party_type == "Customer"


def group(rows: Iterable) -> list[Life]:
	"""The lives of one serial, oldest first, from its log rows oldest first (rows: anything with
	``operation``, ``party_type``, ``party``, ``is_cancelled``, ``voucher_type``, ``voucher_no``
	and optionally ``previous_code``).

	A life opens at each active receipt from a supplier; a serial's first active movement opens one
	too when it is not such a receipt (a registration, a count or a material receipt of a unit
	nobody knew). What follows belongs to the open life. Cancelled rows never open or close a life;
	rows before any life opens belong to the first life (or make one with no opening when every row
	is cancelled). A row naming a previous code is a correction, never an opening nor a place.
	"""
	lives: list[Life] = []
	waiting: list = []
	for row in rows:
		if from_supplier(row) or (not lives and is_movement(row)):
			lives.append(Life(len(lives) + 1, row, [*waiting, row]))
			waiting = []
		elif lives:
			lives[-1].rows.append(row)
		else:
			waiting.append(row)
	if waiting:
		lives.append(Life(1, None, waiting))
	return lives


def latest_movement(lives: list[Life]):
	"""The serial's latest active movement (where the unit is now), or None."""
	for life in reversed(lives):
		for row in reversed(life.rows):
			if is_movement(row):
				return row
	return None


def sales(lives: list[Life], opened_by: Callable[[Any], bool]) -> list[Sale]:
	"""Every active sale to a customer in the lives whose opening row ``opened_by`` accepts: who
	received the units that those receipts brought in, until each unit's next receipt from a
	supplier."""
	latest = latest_movement(lives)
	return [
		Sale(row, life.opening, row is latest)
		for life in lives
		if life.opening is not None and opened_by(life.opening)
		for row in life.rows
		if to_customer(row)
	]


# The story of a life

#: What a step did to the unit.
BOUGHT = "bought"
RECEIVED = "received"
MOVED = "moved"
SOLD = "sold"
SOLD_AGAIN = "sold_again"
RETURNED = "returned"
RETURNED_TO_SUPPLIER = "returned_to_supplier"
ISSUED = "issued"
MISSING = "missing"
COUNTED = "counted"
OTHER = "other"
#: Not a movement of the unit: a spare part fitted into it (told in its story, never counted).
FITTED = "fitted"

_KINDS = {
	Operation.RECEIVE.value: RECEIVED,
	Operation.REGISTER.value: RECEIVED,
	Operation.TRANSFER.value: MOVED,
	Operation.TRANSFER_OUT.value: MOVED,
	Operation.TRANSFER_IN.value: MOVED,
	Operation.ADJUST.value: MOVED,
	Operation.SELL.value: SOLD,
	Operation.SALES_RETURN.value: RETURNED,
	Operation.PURCHASE_RETURN.value: RETURNED_TO_SUPPLIER,
	Operation.ISSUE.value: ISSUED,
	Operation.COUNT_MISSING.value: MISSING,
	Operation.COUNT.value: COUNTED,
}
#: Statuses at which the unit is in stock: at a warehouse, or on its way between two.
IN_STOCK = frozenset({Status.IN_STOCK.value, Status.IN_TRANSIT.value})
#: The status at which a customer has the unit.
WITH_CUSTOMER = Status.SOLD.value


@dataclass(frozen=True)
class Step:
	"""One movement of a life as its story tells it.

	``status``: where it left the unit; ``warehouse``: the warehouse it left the unit at (None
	when it left no stock); ``days``: how many days the unit stayed so, until the serial's next
	movement (whichever that is) or until today."""

	kind: str
	date: date
	days: int
	status: str | None
	warehouse: str | None
	row: Any

	@property
	def party(self) -> str | None:
		return getattr(self.row, "party", None)


@dataclass
class Figures:
	"""A unit's figures over some steps: days in stock (In Stock or In Transit), days with
	customers (from a sale to its return, or until today), days elsewhere (issued, missing, back
	with the supplier), returns by customers, returns to suppliers, and lives."""

	days_in_stock: int = 0
	days_with_customers: int = 0
	days_elsewhere: int = 0
	returns: int = 0
	returns_to_supplier: int = 0
	lives: int = 0

	def add(self, other: "Figures") -> "Figures":
		return Figures(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

	def as_tuple(self) -> tuple[int, ...]:
		return astuple(self)


def day(value) -> date:
	"""A posting date (a date, a datetime or ISO text) as a date."""
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def status_after(row) -> str | None:
	"""The status a movement left the serial at: as logged, else as its operation leads to."""
	logged = getattr(row, "status_after", None)
	if logged:
		return logged
	try:
		return TRANSITIONS[Operation(row.operation)].to.value
	except ValueError:
		return None


def _always(_row) -> bool:
	return True


def story(life: Life, today, until=None, shown: Callable[[Any], bool] | None = None) -> list[Step]:
	"""The steps of one life, oldest first: its movements (cancelled rows and code corrections are
	none) that ``shown`` accepts. A step's days run to the life's next movement, shown or not, so
	that no step counts the time the unit spent somewhere not shown; the life's last movement runs
	to ``until`` (the next life's first movement) or to ``today``.

	Also read: ``posting_date``, ``to_warehouse`` and optionally ``status_after`` (else the status
	the operation leads to). Transfers keep a unit in stock (or in transit); a sale hands it to the
	customer until a return; an issue, a count that misses it or a return to the supplier ends its
	time in stock, and a count that finds it again starts it anew."""
	shown = shown or _always
	moves = [row for row in life.rows if is_movement(row)]
	steps = []
	returned = False
	for n, row in enumerate(moves):
		posted = day(row.posting_date)
		end = day(moves[n + 1].posting_date) if n + 1 < len(moves) else day(until or today)
		if not shown(row):
			continue
		kind = _kinds(row, opening=row is life.opening, returned=returned)
		returned = returned or kind == RETURNED
		status = status_after(row)
		steps.append(
			Step(
				kind=kind,
				date=posted,
				days=max(0, (end - posted).days),
				status=status,
				warehouse=getattr(row, "to_warehouse", None) if status in IN_STOCK else None,
				row=row,
			)
		)
	return steps


def _kinds(row, opening: bool, returned: bool) -> str:
	if from_supplier(row):
		return BOUGHT
	kind = _KINDS.get(row.operation, OTHER)
	if opening and kind == COUNTED:
		# a count of a unit nobody knew brings it in
		return RECEIVED
	if kind == SOLD and returned:
		return SOLD_AGAIN
	return kind


def stories(lives: list[Life], today, shown: Callable[[Any], bool] | None = None) -> list[list[Step]]:
	"""The story of each life (see ``story``): a life's last movement runs to the next life's first
	movement, the serial's latest one to ``today``."""
	firsts = [next((row.posting_date for row in life.rows if is_movement(row)), None) for life in lives]
	told = []
	for n, life in enumerate(lives):
		until = next((first for first in firsts[n + 1 :] if first is not None), None)
		told.append(story(life, today, until, shown))
	return told


def tally(steps: Iterable[Step]) -> Figures:
	"""The figures of some steps (``lives`` not counted)."""
	figures = Figures()
	for step in steps:
		if step.status in IN_STOCK:
			figures.days_in_stock += step.days
		elif step.status == WITH_CUSTOMER:
			figures.days_with_customers += step.days
		else:
			figures.days_elsewhere += step.days
		figures.returns += step.kind == RETURNED
		figures.returns_to_supplier += step.kind == RETURNED_TO_SUPPLIER
	return figures


def figures(lives: list[Life], today, shown: Callable[[Any], bool] | None = None) -> Figures:
	"""The unit's figures over all its lives; ``lives`` counts those with a row ``shown``."""
	total = Figures()
	for life, steps in zip(lives, stories(lives, today, shown), strict=True):
		total = total.add(tally(steps))
		total.lives += any((shown or _always)(row) for row in life.rows)
	return total


# The story in words. ``_`` translates a template (identity by default), ``when`` writes a date.


def _same(text: str) -> str:
	return text


def phrase(step: Step, _: Callable[[str], str] = _same, when: Callable[[date], str] = date.isoformat) -> str:
	"""What a step did, in words: "sold to Harbour Street on 12 Nov"."""
	on, row = when(step.date), step.row
	party = getattr(row, "party", None)
	if getattr(row, "under_claim", False) and step.kind in (SOLD, SOLD_AGAIN, RETURNED):
		return _replacement(step, _, when)
	if step.kind == FITTED or (step.kind == ISSUED and getattr(row, "fitted", False)):
		return _fitted(step, _, when)
	if step.kind == BOUGHT:
		return _("bought from {0} on {1}").format(party, on)
	if step.kind == RECEIVED:
		return _("received on {0}").format(on)
	if step.kind == MOVED:
		return _("moved to {0} on {1}").format(row.to_warehouse, on)
	if step.kind in (SOLD, SOLD_AGAIN):
		if party:
			template = _("sold to {0} on {1}") if step.kind == SOLD else _("sold again to {0} on {1}")
			said = template.format(party, on)
		else:
			said = (_("sold on {0}") if step.kind == SOLD else _("sold again on {0}")).format(on)
		until = getattr(row, "warranty_expiry_date", None)
		return _("{0}, warranty until {1}").format(said, when(day(until))) if until else said
	if step.kind == RETURNED and party:
		return _("returned by customer {0} on {1}").format(party, on)
	if step.kind == RETURNED:
		return _("returned on {0}").format(on)
	if step.kind == RETURNED_TO_SUPPLIER and party:
		return _("returned to supplier {0} on {1}").format(party, on)
	if step.kind == RETURNED_TO_SUPPLIER:
		return _("returned to the supplier on {0}").format(on)
	if step.kind == ISSUED:
		return _("issued on {0}").format(on)
	if step.kind == MISSING:
		return _("found missing on {0}").format(on)
	if step.kind == COUNTED:
		return _("counted on {0}").format(on)
	return _("{0} on {1}").format(_(row.operation), on)


def _replacement(step: Step, _: Callable[[str], str], when: Callable[[date], str]) -> str:
	"""A unit returned or handed over under a warranty claim, and the unit it was swapped with
	(``claim`` and ``swapped_with`` on the row: None when the reader may not see them)."""
	on, row = when(step.date), step.row
	claim, unit = getattr(row, "claim", None), getattr(row, "swapped_with", None)
	if step.kind == RETURNED:
		said = (
			_("returned under claim {0} on {1}").format(claim, on)
			if claim
			else _("returned under a warranty claim on {0}").format(on)
		)
		return _("{0}, replaced by {1}").format(said, unit) if unit else said
	party = getattr(row, "party", None)
	said = (
		_("given to {0} under claim {1} on {2}").format(party, claim, on)
		if claim
		else _("given to {0} under a warranty claim on {1}").format(party, on)
	)
	if unit:
		said = _("{0} in place of {1}").format(said, unit)
	until = getattr(row, "warranty_expiry_date", None)
	return _("{0}, warranty until {1}").format(said, when(day(until))) if until else said


def _fitted(step: Step, _: Callable[[str], str], when: Callable[[date], str]) -> str:
	"""A part fitted into a unit at a maintenance visit, told on the part ("fitted into SN-1 on 4 Dec
	(visit MAT-MVS-0001)") and on the unit ("battery BT-0042 fitted on 4 Dec")."""
	on, row = when(step.date), step.row
	if step.kind == FITTED:
		return _("{0} {1} fitted on {2}").format(row.part_item_name, row.part, on)
	unit, visit = getattr(row, "fitted_into", None), getattr(row, "visit", None)
	said = _("fitted into {0} on {1}").format(unit, on) if unit else _("fitted into a unit on {0}").format(on)
	return _("{0} (visit {1})").format(said, visit) if visit else said


def with_parts(lives: list[Life], stories: list[list[Step]], parts: list) -> list[list[Step]]:
	"""Each life's steps (oldest first) with the parts fitted into the unit during it: from the
	life's first movement until the next life's (before the first life: in the first). A part is no
	movement of the unit: its step lasts no day and is never counted in the figures."""
	firsts = [next((day(r.posting_date) for r in life.rows if is_movement(r)), None) for life in lives]
	told = [list(steps) for steps in stories]
	if not told:
		return told
	for row in parts:
		fitted = day(row.posting_date)
		n = max((i for i, first in enumerate(firsts) if first is not None and first <= fitted), default=0)
		told[n].append(Step(kind=FITTED, date=fitted, days=0, status=None, warehouse=None, row=row))
	# stable: a part fitted on the day of a movement comes after it
	return [sorted(steps, key=lambda step: step.date) for steps in told]


def stay(step: Step, _: Callable[[str], str] = _same) -> str | None:
	"""How long a step left the unit at a warehouse: "in Main Store 3 days" (None: no stock, or
	not a whole day)."""
	if not step.warehouse or step.days < 1:
		return None
	if step.days == 1:
		return _("in {0} 1 day").format(step.warehouse)
	return _("in {0} {1} days").format(step.warehouse, step.days)


def capitalised(text: str) -> str:
	return text[:1].upper() + text[1:]


def lines(
	steps: list, _: Callable[[str], str] = _same, when: Callable[[date], str] = date.isoformat
) -> list[tuple[str, str | None]]:
	"""Each step's words and its stay, as the summary shows them (the first capitalised)."""
	told = [
		(service_phrase(step, _, when), None)
		if isinstance(step, Service)
		else (phrase(step, _, when), stay(step, _))
		for step in steps
	]
	if told:
		told[0] = (capitalised(told[0][0]), told[0][1])
	return told


def summary(
	steps: list, _: Callable[[str], str] = _same, when: Callable[[date], str] = date.isoformat
) -> str:
	"""Some steps (and services, :class:`Service`) in one line of plain text, in the order given:
	"Bought from Northwind on 9 Nov (PR-0002) · in Main Store 3 days · sold to Harbour Street on 12 Nov
	(DN-0001) · returned by customer Harbour Street on 14 Nov (DN-0003) · …" (a trace gives them newest
	first)."""
	parts = []
	for step, (words, stayed) in zip(steps, lines(steps, _, when), strict=True):
		document = step.voucher_no if isinstance(step, Service) else step.row.voucher_no
		parts.append(f"{words} ({document})" if document else words)
		if stayed:
			parts.append(stayed)
	return " · ".join(parts)


# After-sales services of a unit: claims and visits, told in its lives beside its movements

CLAIM = "claim"
VISIT = "visit"
INSTALLATION = "installed"
#: The most characters of a claim's complaint or a visit's work a life's line tells.
NOTE_LENGTH = 80


@dataclass(frozen=True)
class Service:
	"""A Warranty Claim, a Maintenance Visit or an Installation Note naming the unit: no movement, it
	changes no figure."""

	kind: str
	date: date
	voucher_type: str
	voucher_no: str
	note: str = ""


def note(text: str | None, length: int = NOTE_LENGTH) -> str:
	"""A complaint or a work done as a life's line tells it: one line, at most ``length`` characters."""
	words = " ".join((text or "").split())
	return words if len(words) <= length else words[: length - 1].rstrip() + "…"


def place(services: Iterable[Service], lives: list[Life]) -> dict[int, list[Service]]:
	"""The services of each life (by its number), oldest first: a service belongs to the latest life
	whose first movement is dated on or before it (before every life: the first one)."""
	firsts = [
		(day(first.posting_date), life.number)
		for life in lives
		if (first := next((row for row in life.rows if is_movement(row)), None)) is not None
	]
	placed: dict[int, list[Service]] = {}
	for service in sorted(services, key=lambda s: (s.date, s.voucher_no)):
		number = next((n for first, n in reversed(firsts) if first <= service.date), None)
		if number is None:
			number = firsts[0][1] if firsts else (lives[0].number if lives else None)
		if number is not None:
			placed.setdefault(number, []).append(service)
	return placed


def newest_first(steps: list[Step], services: Iterable[Service]) -> list:
	"""A life's steps (oldest first, as logged) and its services (oldest first), newest first: each
	service after the last step dated on or before it (a unit is sold, then claimed the same day)."""
	after: dict[int, list[Service]] = {}
	for service in services:
		index = max((n for n, step in enumerate(steps) if step.date <= service.date), default=-1)
		after.setdefault(index, []).append(service)
	merged: list = list(after.get(-1, []))
	for n, step in enumerate(steps):
		merged += [step, *after.get(n, [])]
	return merged[::-1]


def service_phrase(
	service: Service, _: Callable[[str], str] = _same, when: Callable[[date], str] = date.isoformat
) -> str:
	"""What a service was, in words: "claim on 2 Dec: screen flicker", "visit on 4 Dec: replaced",
	"installed on 3 Dec"."""
	on = when(service.date)
	if service.kind == INSTALLATION:
		return _("installed on {0}").format(on)
	if service.kind == CLAIM:
		said = _("claim on {0}: {1}") if service.note else _("claim on {0}")
	else:
		said = _("visit on {0}: {1}") if service.note else _("visit on {0}")
	return said.format(on, service.note)
