"""A row's codes written compactly for printing: consecutive codes as one range, the rest listed.

``PH-0001 PH-0002 ... PH-0050 PH-0077`` prints as the range from PH-0001 to PH-0050 (an en dash
between them), then PH-0077; the rules are in docs/printing.md. Codes never contain spaces, so :func:`expand` reads a printed
range back without ambiguity.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Between the first and the last code of a range (an en dash between spaces).
DASH = " \u2013 "
#: The fewest codes printed as a range.
MIN_RUN = 3

_NUMBER = re.compile(r"(\d+)(\D*)$")
_CHUNKS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Parts:
	"""A code cut around its number."""

	prefix: str
	digits: str
	suffix: str

	@property
	def number(self) -> int:
		return int(self.digits)

	def following(self, step: int = 1) -> str:
		"""The code ``step`` after this one, written with this one's width."""
		return f"{self.prefix}{str(self.number + step).zfill(len(self.digits))}{self.suffix}"


def parts(code: str) -> Parts | None:
	"""The code's prefix, number and suffix; None for a code without a digit."""
	match = _NUMBER.search(code)
	if not match:
		return None
	return Parts(code[: match.start()], match.group(1), match.group(2))


def natural_key(code: str) -> tuple:
	"""Sort key: digit runs by value (then by width, so ``9`` comes before ``09``), text without
	case; ties broken by the exact code, so the order is total and the same on every run."""
	key = []
	for index, chunk in enumerate(_CHUNKS.split(code)):
		if not chunk:
			continue
		key.append((0, int(chunk), len(chunk)) if index % 2 else (1, chunk.casefold()))
	return (tuple(key), code)


@dataclass(frozen=True)
class Run:
	"""One printed item: a single code, or ``count`` codes from ``first`` to ``last``."""

	first: str
	last: str
	count: int

	@property
	def text(self) -> str:
		return self.first if self.count == 1 else f"{self.first}{DASH}{self.last}"

	def codes(self) -> list[str]:
		"""Every code the run stands for, in order."""
		if self.count == 1:
			return [self.first]
		start = parts(self.first)
		return [start.following(step) for step in range(self.count)]


def compact(codes: Iterable[str], min_run: int = MIN_RUN) -> list[Run]:
	"""The codes as runs, in natural order of their first code.

	Every code given is in exactly one run (a code given twice is in two), and a run of
	fewer than ``min_run`` codes is given back as single codes.
	"""
	ordered = sorted((code for code in codes if code), key=natural_key)
	chains: list[list[str]] = []
	#: The chains waiting for a code: by the code that would extend them.
	waiting: dict[str, list[int]] = {}
	for code in ordered:
		candidates = waiting.get(code)
		if candidates:
			index = _best(candidates, chains, code)
			candidates.remove(index)
			chains[index].append(code)
		else:
			index = len(chains)
			chains.append([code])
		cut = parts(code)
		if cut:
			waiting.setdefault(cut.following(), []).append(index)
	runs: list[Run] = []
	for chain in chains:
		if len(chain) >= max(min_run, 2):
			runs.append(Run(chain[0], chain[-1], len(chain)))
		else:
			runs.extend(Run(code, code, 1) for code in chain)
	runs.sort(key=lambda run: natural_key(run.first))
	return runs


def _best(candidates: list[int], chains: list[list[str]], code: str) -> int:
	"""Of the chains a code may extend, one whose last code has the code's width (``PH-09`` rather
	than ``PH-9`` before ``PH-10``); else the one opened first."""
	width = len(parts(code).digits)
	for index in candidates:
		if len(parts(chains[index][-1]).digits) == width:
			return index
	return candidates[0]


def ranges(codes: Iterable[str], min_run: int = MIN_RUN) -> list[str]:
	"""The printed items: ``first`` :data:`DASH` ``last`` for a range, the code itself otherwise."""
	return [run.text for run in compact(codes, min_run)]


def expand(item: str) -> list[str]:
	"""The codes one printed item stands for (the inverse of :func:`ranges`)."""
	if DASH not in item:
		return [item]
	first, last = item.split(DASH)
	start, end = parts(first), parts(last)
	if not start or not end or (start.prefix, start.suffix) != (end.prefix, end.suffix):
		raise ValueError(f"not a range: {item!r}")
	count = end.number - start.number + 1
	codes = [start.following(step) for step in range(count)]
	if count < 2 or codes[-1] != last:
		raise ValueError(f"not a range: {item!r}")
	return codes
