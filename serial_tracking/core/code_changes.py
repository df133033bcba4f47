"""Correcting a serial's code: what a new code must be, and reading old codes in new documents.

A correction is no movement (``states.NOT_MOVEMENTS``): the serial keeps its
status, warehouse and history under the new code. Documents submitted before
keep the old code in their text; a new document that names an old code of an
existing serial (a return made from the original, say) is read as naming the
serial under its current code.
"""

from serial_tracking.core.codes import check_code, fold, key, split
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import TRANSITIONS, Operation


def new_code(text: str | None) -> str:
	"""The new code as entered: folded (full-width ASCII) and trimmed."""
	return fold((text or "").strip())


def code_problem(code: str, max_length: int) -> Problem | None:
	"""Why ``code`` cannot be an SN code (every rule of :func:`codes.check_code`), or None."""
	if not code:
		return Problem(Reason.NOTHING_ENTERED)
	return check_code(code, max_length)


def is_case_change(old: str, new: str) -> bool:
	"""The same code but for letter case: the database holds it as the same name."""
	return key(old) == key(new)


def names_known_serials(operation: Operation) -> bool:
	"""Whether the operation moves only serials that exist (an unknown code is refused).

	Only such rows read an old code as its serial's current one: a receipt, a
	registration or a count may bring in a new unit under a code that was
	corrected away.
	"""
	return None not in TRANSITIONS[operation].sources


def rename_entries(text: str | None, renamed: dict[str, str]) -> str | None:
	"""``text`` with each entry that is an old code (a key of ``renamed``, by :func:`codes.key`)
	replaced by its current code, one a line; unchanged when no entry is."""
	if not text or not renamed:
		return text
	entries = split(text)
	if not any(key(entry) in renamed for entry in entries):
		return text
	return "\n".join(renamed.get(key(entry), entry) for entry in entries)


def current_codes(found: list[tuple[str, str]], known: set[str]) -> dict[str, str]:
	"""Old code (by key) to the current code of its serial.

	``found``: (previous code, current code) of the active correction rows naming
	the old codes; ``known``: the keys of the codes that are serials now, which
	stay themselves. An old code two serials once had is left alone (ambiguous).
	"""
	targets: dict[str, set[str]] = {}
	for old, current in found:
		if key(old) not in known:
			targets.setdefault(key(old), set()).add(current)
	return {old: next(iter(now)) for old, now in targets.items() if len({key(c) for c in now}) == 1}
