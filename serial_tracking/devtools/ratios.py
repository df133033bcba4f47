"""The arithmetic of the benchmark's targets: own costs, ratios and verdicts (no database).

A document's own cost of serial tracking is its time less the time of the same document of an
untracked item, measured side by side in one run: the difference of two medians, so the figures
need several rounds (:data:`RATIO_RUNS`) before a target is judged on them.
"""

import statistics
from dataclasses import dataclass

#: ERPNext's serials' own cost at least this many times the app's, at :data:`RATIO_SIZE` serials.
TARGET_OWN_RATIO = 10
RATIO_SIZE = 1000
#: Rounds the own-cost ratio needs before it is judged.
RATIO_RUNS = 5
#: The app's own cost at :data:`FLOOR_SIZE` serials at most this many times the floor.
TARGET_FLOOR_RATIO = 1.5
FLOOR_SIZE = 10_000
#: Clerks' throughput with the app at least this share of the same with an untracked item.
TARGET_LOAD_SHARE = 0.8


def own_cost(tracked_ms: float, untracked_ms: float) -> float:
	"""The tracking's own cost: the document's time less the untracked document's (may come out
	at or below zero when tracking costs less than the noise)."""
	return tracked_ms - untracked_ms


def ratio(numerator: float, denominator: float) -> float | None:
	"""``numerator / denominator``; None when the denominator is not above zero (no ratio can be
	told from it)."""
	if denominator <= 0:
		return None
	return numerator / denominator


def verdict(met: bool | None) -> str:
	"""``met``, ``MISSED``, or ``not judged`` (None)."""
	if met is None:
		return "not judged"
	return "met" if met else "MISSED"


def at_least(value: float | None, target: float) -> bool | None:
	return None if value is None else value >= target


def at_most(value: float | None, target: float) -> bool | None:
	return None if value is None else value <= target


def median_ms(seconds: list[float]) -> float:
	return statistics.median(seconds) * 1000


@dataclass(frozen=True)
class OwnCosts:
	"""ERPNext's serials' and the app's own cost of one (document, size, action), in ms."""

	erpnext_ms: float
	app_ms: float

	@property
	def ratio(self) -> float | None:
		"""ERPNext's own cost over the app's. When the app's own cost is at or below zero (tracking
		cost nothing measurable) and ERPNext's is positive, the ratio is unbounded: infinity."""
		if self.app_ms <= 0:
			return float("inf") if self.erpnext_ms > 0 else None
		return self.erpnext_ms / self.app_ms


def own_costs(app_ms: float, erpnext_ms: float, untracked_ms: float) -> OwnCosts:
	return OwnCosts(own_cost(erpnext_ms, untracked_ms), own_cost(app_ms, untracked_ms))


def throughput(documents: int, seconds: float) -> float:
	"""Documents per second; zero over no time."""
	return documents / seconds if seconds > 0 else 0.0
