"""Reading serial codes from what people type, paste or scan, and checking them."""

import re
import string
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from serial_tracking.core import gs1
from serial_tracking.core.problems import Problem, Reason

DEFAULT_MAX_LENGTH = 100
DEFAULT_MAX_PER_OPERATION = 1000

#: Separators besides white space (after full-width folding, which turns
#: the full-width comma and semicolon into these).
SEPARATORS = ",;\u3001"
#: Punctuation a code may contain besides ASCII letters and digits.
ALLOWED_PUNCTUATION = "-_./:#+()[]*&@!=~^$|"
ALLOWED = frozenset(string.ascii_letters + string.digits + ALLOWED_PUNCTUATION)
#: Characters that show nothing but would make two codes differ.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e")

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_SEPARATOR_TO_SPACE = {ord(c): " " for c in SEPARATORS}
#: White space splits entries, except the group separator inside a GS1 scan.
_WHITE_SPACE = re.compile(r"[^\S\x1d]+")


def fold(text: str) -> str:
	"""Full-width ASCII (what a CJK input method makes of scanner keystrokes) to ASCII."""
	return text.translate(_FULL_WIDTH)


def key(code: str) -> str:
	"""The form under which two codes are the same (the database compares without case)."""
	return code.upper()


@dataclass(frozen=True)
class Parsed:
	"""What was read from one input: the distinct valid codes, in order, and every problem.

	``cartons``: the carton codes (SSCC, AI 00) of GS1 scans, in order; they stand for the serials
	packed in them, which only a caller that knows the cartons can enter.
	"""

	codes: list[str]
	problems: list[Problem]
	entered: int
	cartons: list[str] = field(default_factory=list)

	@property
	def ok(self) -> bool:
		return not self.problems


def split(text: str | None) -> list[str]:
	"""The raw entries of an input: folded, split on every separator, trimmed, empties dropped.
	Anything but text has none (:func:`parse` refuses it with its reason)."""
	if not text or not isinstance(text, str):
		return []
	if text.startswith("\ufeff"):
		text = text[1:]
	return [entry for entry in _WHITE_SPACE.split(fold(text).translate(_SEPARATOR_TO_SPACE)) if entry]


def split_pattern() -> str:
	"""The separators of :func:`split` as a regular expression that JavaScript reads too (Desk
	splits a text to see which codes it holds): white space but the GS1 group separator, the
	separators and their full-width forms, which :func:`fold` turns into them."""
	wide = "".join(chr(ord(c) + 0xFEE0) for c in SEPARATORS if 0x21 <= ord(c) <= 0x7E)
	listed = "".join(f"\\u{ord(c):04x}" for c in SEPARATORS + wide + "\u3000")
	return f"(?:[^\\S\\x1d]|[{listed}])+"


def check_code(code: str, max_length: int = DEFAULT_MAX_LENGTH) -> Problem | None:
	"""The first problem of one already split and folded code, or None."""
	if len(code) > max_length:
		return Problem(Reason.TOO_LONG, code, params={"max_length": max_length, "length": len(code)})
	for char in code:
		if char in ALLOWED:
			continue
		if char in INVISIBLE or unicodedata.category(char) == "Cf":
			reason = Reason.INVISIBLE_CHARACTER
		elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") or char.isspace():
			reason = Reason.CONTROL_CHARACTER
		elif ord(char) > 127:
			reason = Reason.NON_ASCII
		else:
			reason = Reason.INVALID_CHARACTER
		return Problem(reason, code, params={"char": char, "char_code": f"U+{ord(char):04X}"})
	return None


#: Characters an entry may take beyond the longest code: its separators, and a GS1 scan's other
#: elements (a GTIN, a lot, a date).
INPUT_ALLOWANCE = 64
#: How many times what the most codes could take an input may be before it is refused unread.
INPUT_SLACK = 10


def parse(
	text: str | None,
	*,
	max_length: int = DEFAULT_MAX_LENGTH,
	max_count: int = DEFAULT_MAX_PER_OPERATION,
	gs1_digits: bool = False,
	gtins: Collection[str] | None = None,
	item_code: str = "",
) -> Parsed:
	"""Read every code of ``text``.

	Problems carry the 1-based position of the entry. A code entered twice is
	reported at its second place, naming the first. A GS1 scan (:mod:`gs1`) enters
	its serial; ``gs1_digits`` reads bare digit strings as GS1 too; ``gtins`` (GTIN-14s
	of ``item_code``), when given, are the only GTINs a scan may carry.
	"""
	if text is not None and not isinstance(text, str):
		# a list, an object or a number sent where text is expected (a REST call, say)
		return Parsed([], [Problem(Reason.NOT_TEXT, params={"kind": type(text).__name__})], 0)
	most = INPUT_SLACK * max_count * (max_length + INPUT_ALLOWANCE)
	if text and len(text) > most:
		# Not read at all: reading costs time by the megabyte, and no good input is this long. Inputs
		# up to the slack are read, so that a paste of too many codes is told how many it holds.
		problem = Problem(
			Reason.INPUT_TOO_LONG, params={"length": len(text), "most": most, "max_count": max_count}
		)
		return Parsed([], [problem], 0)
	entries = split(text)
	seen_here: dict[str, int] = {}
	codes: list[str] = []
	cartons: list[str] = []
	problems: list[Problem] = []
	for position, entry in enumerate(entries, start=1):
		code, problem = entry, None
		if gs1.is_gs1(entry, gs1_digits):
			scan = gs1.read(entry)
			problem = scan.problem or _other_gtin(scan, gtins, item_code)
			if problem is None and scan.sscc is not None:
				cartons.append(scan.sscc)
				continue
			code = scan.serial
		problem = problem or check_code(code, max_length)
		if problem:
			problems.append(Problem(problem.reason, problem.code, position=position, params=problem.params))
			continue
		code_key = key(code)
		first = seen_here.get(code_key)
		if first is not None:
			problems.append(Problem(Reason.DUPLICATE, code, position=position, params={"first": first}))
			continue
		seen_here[code_key] = position
		codes.append(code)
	if len(entries) > max_count:
		problems.append(Problem(Reason.TOO_MANY, params={"count": len(entries), "max_count": max_count}))
	return Parsed(codes, problems, len(entries), cartons)


def _other_gtin(scan: gs1.Scan, gtins: Collection[str] | None, item_code: str) -> Problem | None:
	"""A scan of a GTIN that is not the item's (when the item's are known)."""
	if not gtins or not scan.gtin or scan.gtin.zfill(14) in gtins:
		return None
	params = {"gtin": scan.gtin, "gtins": ", ".join(sorted(gtins)), "item_code": item_code}
	return Problem(Reason.GS1_OTHER_GTIN, scan.shown, params=params)


def join(codes: list[str]) -> str:
	"""The stored form of a row's codes: one a line."""
	return "\n".join(codes)
