"""The serial ledger checked against itself and against the stock: plain data in, differences out."""

from dataclasses import dataclass

from serial_tracking.core.states import Movement, State, replay


@dataclass(frozen=True)
class Difference:
	"""One disagreement. ``kind``: ``stock`` (serials In Stock at a place against the quantity the
	stock ledger holds there), ``replay`` (a serial's stored status and warehouse against its log
	replayed) or ``warranty`` (its stored warranty end against the one its log leads to)."""

	kind: str
	item_code: str
	warehouse: str | None = None
	code: str | None = None
	expected: str | float | None = None
	found: str | float | None = None


def stock_differences(
	in_stock: dict[tuple[str, str], int], stock_qty: dict[tuple[str, str], float]
) -> list[Difference]:
	"""Places where the count of serials In Stock is not the quantity the stock ledger holds."""
	return [
		Difference("stock", item, warehouse, expected=stock_qty.get((item, warehouse), 0), found=count)
		# a serial In Stock without a warehouse is a place too (None), sorted first
		for item, warehouse in sorted(
			set(in_stock) | set(stock_qty), key=lambda place: (place[0], place[1] or "")
		)
		if (count := in_stock.get((item, warehouse), 0)) != stock_qty.get((item, warehouse), 0)
	]


def _summary(state: State | None) -> str:
	if state is None or state.status is None:
		return "unknown"
	return f"{state.status.value} @ {state.warehouse}" if state.warehouse else state.status.value


def replay_differences(states: list[State], movements: dict[str, list[Movement]]) -> list[Difference]:
	"""Serials whose stored status and warehouse, or whose warranty end, are not what their active
	log rows lead to (the warranty is compared once the status agrees).

	``movements`` maps each code to its active movements, oldest first.
	"""
	found = []
	for state in states:
		replayed = replay(movements.get(state.code, []))
		for kind, read in (("replay", _summary), ("warranty", _warranty)):
			if read(replayed) != read(state):
				found.append(
					Difference(
						kind,
						state.item_code,
						state.warehouse,
						state.code,
						expected=read(replayed),
						found=read(state),
					)
				)
				break
	return found


def _warranty(state: State | None) -> str | None:
	return str(state.warranty_expiry_date)[:10] if state and state.warranty_expiry_date else None
