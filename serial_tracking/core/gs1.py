"""GS1 scans: the serial (AI 21), carton (AI 00, SSCC) and GTIN (AI 01) of a GS1-128 or GS1
DataMatrix element string, read by ``biip``.

A scan is read as GS1 when it says so: a GS1 symbology identifier (``]C1`` GS1-128, ``]d2`` GS1
DataMatrix, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar, ``]J1`` GS1 DotCode), a group separator
(``\\x1d``, the FNC1 a scanner sends between fields), or the printed text form
``(01)...(21)...`` (starting with AI 00, 01 or 02). A bare digit string is read as GS1 only when asked (``bare_digits``) and only
when it starts as the element strings on goods do, with AI 00 or AI 01: a numeric serial is
otherwise never misread.
"""

import re
from dataclasses import dataclass

from biip import ParseError
from biip.gs1_messages import GS1Message

from serial_tracking.core.problems import Problem, Reason

#: The symbology identifiers of the GS1 symbologies (ISO/IEC 15424), as scanners send them.
GS1_PREFIXES = ("]C1", "]d2", "]Q3", "]e0", "]J1")
#: FNC1 as a scanner transmits it between variable-length fields.
GROUP_SEPARATOR = "\x1d"

#: The text form starts as element strings on goods do: with a GTIN (AI 01, 02) or an SSCC (AI 00).
_TEXT_FORM = re.compile(r"^\((00|01|02)\)")
#: A bare digit string read as GS1 when asked: AI 00 (18 digits) or AI 01 (14 digits) and more.
_BARE = re.compile(r"^(00\d{18}|01\d{14})\d*$")

#: The most characters a GS1 symbol holds (a GS1 DataMatrix of digits): a longer scan is no GS1
#: symbol, and is refused before it is read (reading grows with the square of its length).
MAX_SCAN = 3116

SERIAL_AI = "21"
SSCC_AI = "00"
GTIN_AI = "01"


@dataclass(frozen=True)
class Scan:
	"""What a GS1 scan carries: its serial, its carton (SSCC), its GTIN (as GTIN-14), or the
	problem with it. ``shown`` is the scan as a message may show it (separators visible)."""

	shown: str
	serial: str | None = None
	sscc: str | None = None
	gtin: str | None = None
	problem: Problem | None = None


def visible(entry: str) -> str:
	"""The scan with its group separators shown, for messages."""
	return entry.replace(GROUP_SEPARATOR, "<GS>")


def is_gs1(entry: str, bare_digits: bool = False) -> bool:
	"""Whether an entry is to be read as a GS1 element string."""
	if entry.startswith(GS1_PREFIXES) or _TEXT_FORM.match(entry):
		return True
	if GROUP_SEPARATOR in entry:
		# Only separators (or nothing between them) is not a scan of anything.
		return bool(entry.replace(GROUP_SEPARATOR, ""))
	return bare_digits and bool(_BARE.match(entry))


def gtin14(value: str) -> str | None:
	"""A GTIN-8, -12, -13 or -14 with a right check digit, as GTIN-14; None for anything else."""
	if not value.isascii() or not value.isdigit() or len(value) not in (8, 12, 13, 14):
		return None
	padded = value.zfill(14)
	total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(padded[:-1]))
	return padded if (10 - total % 10) % 10 == int(padded[-1]) else None


def read(entry: str) -> Scan:
	"""Read one GS1 scan (:func:`is_gs1` said it is one)."""
	shown = visible(entry)
	text = entry
	for prefix in GS1_PREFIXES:
		if text.startswith(prefix):
			text = text[len(prefix) :]
			break
	# A leading FNC1 marks the symbol as GS1; it carries no data.
	text = text.lstrip(GROUP_SEPARATOR)
	if len(text) > MAX_SCAN:
		detail = f"longer than any GS1 symbol ({len(text)} characters; at most {MAX_SCAN})"
		return Scan(shown, problem=_invalid(shown, detail))
	try:
		message = GS1Message.parse_hri(text) if text.startswith("(") else GS1Message.parse(text)
	except (ParseError, ValueError) as e:
		return Scan(shown, problem=_invalid(shown, str(e)))
	found = {}
	for element in message.element_strings:
		error = element.gtin_error or element.sscc_error
		if error:
			return Scan(shown, problem=_invalid(shown, error))
		found.setdefault(element.ai.ai, element.value)
	gtin = found.get(GTIN_AI)
	serial, sscc = found.get(SERIAL_AI), found.get(SSCC_AI)
	if serial is None and sscc is None:
		return Scan(shown, gtin=gtin, problem=Problem(Reason.GS1_NO_SERIAL, shown))
	return Scan(shown, serial=serial, sscc=None if serial is not None else sscc, gtin=gtin)


def _invalid(shown: str, detail: str) -> Problem:
	return Problem(Reason.GS1_INVALID, shown, params={"detail": detail})
