import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from serial_tracking.core.codes import (
	ALLOWED_PUNCTUATION,
	check_code,
	fold,
	join,
	parse,
	split,
	split_pattern,
)
from serial_tracking.core.gs1 import is_gs1
from serial_tracking.core.problems import Reason

CODE_CHARS = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789" + ALLOWED_PUNCTUATION)
CODES = st.text(CODE_CHARS, min_size=1, max_size=30)


def reasons(parsed):
	return [p.reason for p in parsed.problems]


@pytest.mark.parametrize(
	"text",
	[
		"A1\nA2\nA3",
		"A1 A2\tA3",
		"A1,A2;A3",
		"A1，A2；A3",
		"A1、A2、A3",
		"  A1 ,, A2\r\n\n;A3  ",
		"\ufeffA1\nA2\nA3",
	],
)
def test_every_separator_splits(text):
	assert parse(text).codes == ["A1", "A2", "A3"]


def test_full_width_is_folded_to_ascii():
	assert fold("ＳＮ－００１") == "SN-001"
	assert parse("ＳＮ００１\u3000ＳＮ００２").codes == ["SN001", "SN002"]


def test_empty_and_whitespace_only_input_gives_nothing():
	for text in (None, "", "   ", "\n\t\n", "，；、"):
		parsed = parse(text)
		assert parsed.codes == [] and parsed.problems == [] and parsed.entered == 0


def test_duplicates_are_reported_with_both_positions_and_without_case():
	parsed = parse("A1\nB2\na1\nA1")
	assert parsed.codes == ["A1", "B2"]
	assert [(p.reason, p.position, p.params["first"]) for p in parsed.problems] == [
		(Reason.DUPLICATE, 3, 1),
		(Reason.DUPLICATE, 4, 1),
	]


@pytest.mark.parametrize(
	"code, reason",
	[
		("SN\u00e9", Reason.NON_ASCII),
		("串号001", Reason.NON_ASCII),
		("SN\u200b1", Reason.INVISIBLE_CHARACTER),
		("SN\ufeff1", Reason.INVISIBLE_CHARACTER),
		("SN\x071", Reason.CONTROL_CHARACTER),
		("SN\x7f1", Reason.CONTROL_CHARACTER),
		("SN<1>", Reason.INVALID_CHARACTER),
		('SN"1', Reason.INVALID_CHARACTER),
		("SN%1", Reason.INVALID_CHARACTER),
	],
)
def test_bad_characters_are_refused_with_their_reason(code, reason):
	problem = check_code(code)
	assert problem.reason is reason
	assert problem.params["char"] in code
	assert problem.params["char_code"].startswith("U+")


def test_common_punctuation_is_allowed():
	for code in ("SN-001", "A_B.C/D:E#F+G(H)", "X[1]*2&3@4!=5~6^7$8|9"):
		assert check_code(code) is None


def test_length_limit():
	assert check_code("A" * 100) is None
	problem = check_code("A" * 101)
	assert problem.reason is Reason.TOO_LONG and problem.params == {"max_length": 100, "length": 101}
	assert check_code("A" * 11, max_length=10).reason is Reason.TOO_LONG


def test_more_codes_than_the_limit_is_refused():
	parsed = parse("\n".join(f"S{i}" for i in range(1001)))
	assert reasons(parsed) == [Reason.TOO_MANY]
	assert parsed.problems[0].params == {"count": 1001, "max_count": 1000}
	assert parse("\n".join(f"S{i}" for i in range(1000))).ok


def test_problems_name_the_position_and_code():
	parsed = parse("GOOD1\nBAD<\nGOOD2")
	assert parsed.codes == ["GOOD1", "GOOD2"]
	[problem] = parsed.problems
	assert (problem.code, problem.position) == ("BAD<", 2)


@given(st.lists(CODES, max_size=50, unique_by=str.upper), st.sampled_from(["\n", " ", ",", "；", "、", "\t"]))
def test_round_trip(codes, separator):
	# A code written as a GS1 scan is read as one (tests/unit/test_gs1.py).
	assume(not any(is_gs1(code) for code in codes))
	parsed = parse(separator.join(codes))
	assert parsed.codes == codes
	assert parse(join(parsed.codes)).codes == codes


@given(st.text())
def test_never_crashes_and_every_refusal_has_a_reason(text):
	parsed = parse(text)
	assert parsed.entered == len(split(text))
	per_entry = [p for p in parsed.problems if p.reason is not Reason.TOO_MANY]
	assert len(parsed.codes) + len(per_entry) + len(parsed.cartons) == parsed.entered
	for problem in parsed.problems:
		assert isinstance(problem.reason, Reason)
		if problem.reason is not Reason.TOO_MANY:
			assert problem.code and problem.position
	for code in parsed.codes:
		assert check_code(code) is None
		assert code.isascii() and not any(c.isspace() for c in code)


@pytest.mark.parametrize("value", [{"a": 1}, ["A-1"], 7, 1.5, True])
def test_anything_but_text_has_no_entries_and_is_refused_by_its_kind(value):
	assert split(value) == []
	assert [p.reason for p in parse(value).problems] == [Reason.NOT_TEXT]


def test_an_input_longer_than_its_codes_could_be_is_refused_without_being_read():
	fits = "\n".join(f"A-{n:03d}" for n in range(10))
	assert parse(fits, max_length=5, max_count=10).ok
	# Ten times too many codes are still read, and told how many they are.
	too_many = parse("\n".join(f"A-{n:05d}" for n in range(10_000)), max_length=100, max_count=1000)
	assert Reason.TOO_MANY in [p.reason for p in too_many.problems]
	huge = "A-1\n" * 500_000
	parsed = parse(huge, max_length=100, max_count=1000)
	assert [p.reason for p in parsed.problems] == [Reason.INPUT_TOO_LONG]
	assert parsed.problems[0].params == {"length": 2_000_000, "most": 1_640_000, "max_count": 1000}
	assert (parsed.codes, parsed.entered) == ([], 0)


@given(st.text(alphabet=st.sampled_from(list("ab1-, ;\t\n\u3001\uff0c\uff1b\u3000\x1d")), max_size=40))
def test_the_split_pattern_desk_uses_splits_as_the_server_does(text):
	"""Desk splits a text of codes with split_pattern (a JavaScript regular expression it gets at
	login) to see which codes it holds; the entries are those split() reads, full-width or not."""
	import re

	entries = [e for e in re.split(split_pattern(), text) if e]
	assert [fold(e) for e in entries] == split(text)
