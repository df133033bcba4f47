"""The SN code format of an item: any code, an IMEI, digits of a fixed length, or a pattern.

A pattern is a regular expression a consultant writes on the item. It is compiled and matched by
RE2 (``google-re2``), which runs in time linear in the code's length whatever the pattern: Python's
``re`` backtracks, so a pattern such as ``(a+)+$`` could hold a request for minutes, and it has no
time-out. RE2 refuses what it cannot match in linear time (back-references, look-arounds), and says
why; that reason is the item's refusal.
"""

import functools
from dataclasses import dataclass
from enum import Enum

import re2

from serial_tracking.core.problems import Problem, Reason

#: The longest pattern an item may carry.
MAX_PATTERN = 200
#: Memory RE2 may take for one compiled pattern (its default); a pattern needing more is refused.
MAX_PATTERN_MEMORY = 8 << 20
IMEI_LENGTH = 15
IMEISV_LENGTH = 16


class Kind(str, Enum):
	"""The formats, as the Item's *SN Code Format* field names them."""

	ANY = "Any"
	IMEI = "IMEI"
	DIGITS = "Digits"
	PATTERN = "Pattern"


@dataclass(frozen=True)
class CodeFormat:
	"""What a new code of an item must be. ``length``: of a digits format; ``pattern``: a pattern's
	expression; ``imeisv``: an IMEI format takes a 16-digit IMEISV too (it has no check digit)."""

	kind: Kind = Kind.ANY
	length: int = 0
	pattern: str = ""
	imeisv: bool = False

	@property
	def checks(self) -> bool:
		"""Whether the format refuses any code at all."""
		return self.kind is not Kind.ANY


ANY = CodeFormat()


def kind_of(value: str | None) -> Kind:
	"""The kind an Item field holds (empty: any code)."""
	try:
		return Kind(value or Kind.ANY.value)
	except ValueError:
		return Kind.ANY


def luhn_digit(payload: str) -> int:
	"""The Luhn check digit that completes ``payload`` (digits only): an IMEI's 15th digit."""
	total = 0
	for place, char in enumerate(reversed(payload)):
		digit = int(char)
		if place % 2 == 0:
			digit *= 2
			if digit > 9:
				digit -= 9
		total += digit
	return (10 - total % 10) % 10


def format_problem(fmt: CodeFormat, max_length: int) -> Problem | None:
	"""Why ``fmt`` cannot be an item's format, or None: a digits format needs a length from 1 to the
	longest code, a pattern format an expression RE2 takes of at most ``MAX_PATTERN`` characters."""
	if fmt.kind is Kind.DIGITS and not 1 <= fmt.length <= max_length:
		return Problem(Reason.FORMAT_BAD_LENGTH, params={"length": fmt.length, "max_length": max_length})
	if fmt.kind is Kind.PATTERN:
		return pattern_problem(fmt.pattern)
	return None


def pattern_problem(pattern: str | None) -> Problem | None:
	"""Why ``pattern`` cannot be an item's pattern (in the engine's words for a bad expression), or
	None."""
	if not pattern or not isinstance(pattern, str):
		return Problem(Reason.FORMAT_NO_PATTERN)
	if len(pattern) > MAX_PATTERN:
		return Problem(Reason.FORMAT_PATTERN_TOO_LONG, params={"length": len(pattern), "most": MAX_PATTERN})
	try:
		compiled(pattern)
	except re2.error as e:
		return Problem(Reason.FORMAT_BAD_PATTERN, params={"pattern": pattern, "detail": _engine_reason(e)})
	return None


def _engine_reason(error: Exception) -> str:
	reason = error.args[0] if error.args else str(error)
	return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


@functools.lru_cache(maxsize=256)
def compiled(pattern: str):
	"""The RE2 program of ``pattern`` (raises ``re2.error`` for one RE2 refuses)."""
	options = re2.Options()
	options.log_errors = False
	options.max_mem = MAX_PATTERN_MEMORY
	return re2.compile(pattern, options)


def check(code: str, fmt: CodeFormat, item_code: str = "") -> Problem | None:
	"""Why ``code`` is not of the format ``fmt`` of ``item_code``, or None."""
	if fmt.kind is Kind.IMEI:
		return _imei_problem(code, fmt, item_code)
	if fmt.kind is Kind.DIGITS:
		return _digits_problem(code, fmt, item_code)
	if fmt.kind is Kind.PATTERN:
		return _pattern_problem(code, fmt, item_code)
	return None


def _first_not_digit(code: str) -> str | None:
	return next((char for char in code if char not in "0123456789"), None)


def _imei_problem(code: str, fmt: CodeFormat, item_code: str) -> Problem | None:
	params = {"item_code": item_code, "length": len(code)}
	char = _first_not_digit(code)
	if char is not None:
		return Problem(Reason.FORMAT_IMEI_DIGITS, code, params={**params, "char": char})
	if fmt.imeisv and len(code) == IMEISV_LENGTH:
		return None
	if len(code) != IMEI_LENGTH:
		reason = Reason.FORMAT_IMEISV_LENGTH if fmt.imeisv else Reason.FORMAT_IMEI_LENGTH
		return Problem(reason, code, params=params)
	expected = luhn_digit(code[:-1])
	if int(code[-1]) != expected:
		return Problem(Reason.FORMAT_IMEI_CHECK_DIGIT, code, params={**params, "expected": expected})
	return None


def _digits_problem(code: str, fmt: CodeFormat, item_code: str) -> Problem | None:
	params = {"item_code": item_code, "length": len(code), "digits": fmt.length}
	char = _first_not_digit(code)
	if char is not None:
		return Problem(Reason.FORMAT_DIGITS_ONLY, code, params={**params, "char": char})
	if len(code) != fmt.length:
		return Problem(Reason.FORMAT_DIGITS_LENGTH, code, params=params)
	return None


def _pattern_problem(code: str, fmt: CodeFormat, item_code: str) -> Problem | None:
	try:
		matched = compiled(fmt.pattern).fullmatch(code) is not None
	except re2.error:
		# A pattern stored before it was checked (an import of items, a database edit): no code
		# matches it, and the item's form says why.
		matched = False
	if matched:
		return None
	return Problem(Reason.FORMAT_PATTERN, code, params={"item_code": item_code, "pattern": fmt.pattern})


def mismatches(codes: list[str], fmt: CodeFormat, item_code: str = "") -> list[Problem]:
	"""The problem of each code among ``codes`` that is not of the format, in order."""
	if not fmt.checks:
		return []
	return [problem for code in codes if (problem := check(code, fmt, item_code))]
