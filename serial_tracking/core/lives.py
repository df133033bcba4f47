"""A serial's circulation log grouped into "lives", and the recall question over them.

A life opens at each active receipt from a supplier. A serial's first active movement opens
one too when it is not such a receipt (a registration, a count or a material receipt that
brings in a unit nobody knew): every active movement belongs to a life that has an opening.
The sales, returns, transfers, counts and corrections that follow belong to the open life.

Cancelled rows never open or close a life; they stay in the life they fall in. Rows that come
before any life opens (a receipt cancelled before the unit was received again) belong to the
first life; when no life ever opens (every row cancelled), they make one life with no opening.

A row that names a previous code is a correction of the code, not a movement: it never opens
a life and never counts as where the unit is.

Rows are anything with the attributes of a Serial Circulation Log row (``operation``,
``party_type``, ``party``, ``is_cancelled``, ``voucher_type``, ``voucher_no``, and optionally
``previous_code``), given oldest first.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from serial_tracking.core.states import FROM_SUPPLIER, TO_CUSTOMER

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
	"""The lives of one serial, oldest first, from its log rows oldest first."""
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
