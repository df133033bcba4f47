"""Serial codes made by a rule: prefix, start value, increment, count, zero-padded width."""

from dataclasses import dataclass

from serial_tracking.core.codes import DEFAULT_MAX_LENGTH, DEFAULT_MAX_PER_OPERATION, check_code
from serial_tracking.core.problems import Problem, Reason


@dataclass(frozen=True)
class Rule:
	prefix: str = ""
	start: int = 1
	increment: int = 1
	count: int = 1
	width: int = 0
	suffix: str = ""


def check_rule(
	rule: Rule, *, max_count: int = DEFAULT_MAX_PER_OPERATION, max_length: int = DEFAULT_MAX_LENGTH
) -> Problem | None:
	"""The first reason the rule cannot be used, or None."""
	if not 1 <= rule.count <= max_count:
		return Problem(Reason.BAD_COUNT, params={"count": rule.count, "max_count": max_count})
	if rule.increment <= 0:
		return Problem(Reason.BAD_INCREMENT, params={"increment": rule.increment})
	if rule.start < 0:
		return Problem(Reason.BAD_START, params={"start": rule.start})
	if rule.width < 0 or rule.width > max_length:
		return Problem(Reason.BAD_WIDTH, params={"width": rule.width, "max_length": max_length})
	last = rule.start + rule.increment * (rule.count - 1)
	if rule.width and len(str(last)) > rule.width:
		return Problem(Reason.WIDTH_OUTGROWN, params={"width": rule.width, "last": last})
	for affix in (rule.prefix, rule.suffix):
		problem = affix and check_code(affix, max_length)
		if problem:
			return Problem(
				Reason.BAD_PREFIX, affix, params={"detail": problem.reason.value, **problem.params}
			)
	longest = f"{rule.prefix}{str(last).zfill(rule.width)}{rule.suffix}"
	if len(longest) > max_length:
		return Problem(Reason.TOO_LONG, longest, params={"max_length": max_length, "length": len(longest)})
	return None


def generate(
	rule: Rule, *, max_count: int = DEFAULT_MAX_PER_OPERATION, max_length: int = DEFAULT_MAX_LENGTH
) -> tuple[list[str], Problem | None]:
	"""The codes of a rule, or no codes and the reason."""
	problem = check_rule(rule, max_count=max_count, max_length=max_length)
	if problem:
		return [], problem
	stop = rule.start + rule.increment * rule.count
	return [
		f"{rule.prefix}{str(n).zfill(rule.width)}{rule.suffix}"
		for n in range(rule.start, stop, rule.increment)
	], None
