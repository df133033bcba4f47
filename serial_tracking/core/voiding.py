"""Latest-first voiding: a document may be cancelled only while its movements are the latest.

A manager's statements of where a unit is (registration, warehouse correction)
are not documents: nobody can cancel them, so they never hold a document back.
When a document is cancelled, the statements made after it about its serials
are voided with it: they described a unit whose earlier movement no longer
happened, and the serial goes back to where it was before the document.

A correction of a serial's code is no movement (``NOT_MOVEMENTS``): it neither
blocks a cancellation nor is voided by one; the serial keeps its corrected code.
"""

from dataclasses import dataclass

from serial_tracking.core.codes import key
from serial_tracking.core.states import NOT_MOVEMENTS, STATEMENTS, Operation


@dataclass(frozen=True)
class LoggedMovement:
	"""One active log row, as far as voiding needs it. ``order`` sorts rows by when they were made."""

	code: str
	sequence: int
	voucher_type: str
	voucher_no: str
	order: tuple = ()
	operation: Operation | None = None
	#: The log row's own name, to void it.
	name: str = ""

	@property
	def is_statement(self) -> bool:
		return self.operation in STATEMENTS

	@property
	def is_movement(self) -> bool:
		return self.operation not in NOT_MOVEMENTS


def _own_start(voucher_type: str, voucher_no: str, active: list[LoggedMovement]) -> dict[str, int]:
	"""Per serial of the document (by key): the sequence of its first movement by the document."""
	own: dict[str, int] = {}
	for row in active:
		if (row.voucher_type, row.voucher_no) == (voucher_type, voucher_no):
			code_key = key(row.code)
			own[code_key] = min(own.get(code_key, row.sequence), row.sequence)
	return own


def _later(voucher_type: str, voucher_no: str, active: list[LoggedMovement]) -> list[LoggedMovement]:
	"""The active movements of the document's serials made after the document moved them (rows
	that are no movement are left out: they neither block nor are voided)."""
	own = _own_start(voucher_type, voucher_no, active)
	return [
		row
		for row in active
		if row.is_movement
		and (row.voucher_type, row.voucher_no) != (voucher_type, voucher_no)
		and (start := own.get(key(row.code))) is not None
		and row.sequence > start
	]


def blocking_vouchers(
	voucher_type: str, voucher_no: str, active: list[LoggedMovement]
) -> list[tuple[str, str]]:
	"""The documents to cancel before this one, in the order they must be cancelled.

	``active`` holds every active log row of the serials the document moved.
	A document blocks when it moved one of them after this document did;
	statements never block.
	"""
	return blockers(_later(voucher_type, voucher_no, active))


def blockers(later: list[LoggedMovement]) -> list[tuple[str, str]]:
	"""The documents to cancel first, latest first, among ``later``: the active movements of a
	document's serials made after the document moved them (other documents' rows only)."""
	latest: dict[tuple[str, str], tuple] = {}
	for row in later:
		if row.is_statement or not row.is_movement:
			continue
		this = (row.voucher_type, row.voucher_no)
		position = (row.order, row.sequence)
		latest[this] = max(latest.get(this, position), position)
	return sorted(latest, key=lambda voucher: latest[voucher], reverse=True)


def voided_statements(later: list[LoggedMovement]) -> list[LoggedMovement]:
	"""The statements among ``later`` (as :func:`blockers` takes it) that cancelling the document voids."""
	return [row for row in later if row.is_statement]


def voided_rows(voucher_type: str, voucher_no: str, active: list[LoggedMovement]) -> list[LoggedMovement]:
	"""The rows cancelling the document voids: its own, and the statements made after it.

	Only meaningful once :func:`blocking_vouchers` found nothing.
	"""
	own = [r for r in active if (r.voucher_type, r.voucher_no) == (voucher_type, voucher_no)]
	return own + voided_statements(_later(voucher_type, voucher_no, active))


def cancel_order(
	blocked_by: dict[tuple[str, str], set[tuple[str, str]]], position: dict[tuple[str, str], tuple]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
	"""The documents of a chain in an order they can be cancelled, and those that cannot be ordered.

	``blocked_by`` maps every document of the chain to the documents that must be
	cancelled before it (each of them a key too). Each document comes after all
	of those; among the documents free at the same time, the latest (the highest
	``position``) first. Documents that hold each other back (a count posted after
	a document that was submitted after it) and those behind them are the second
	list, in no order: nobody can cancel them latest first.
	"""
	waiting = {doc: set(blockers) for doc, blockers in blocked_by.items()}
	order: list[tuple[str, str]] = []
	while True:
		free = [doc for doc, blockers in waiting.items() if not blockers]
		if not free:
			break
		doc = max(free, key=lambda d: (position.get(d, ()), d))
		order.append(doc)
		del waiting[doc]
		for blockers in waiting.values():
			blockers.discard(doc)
	return order, sorted(waiting)
