from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.codes import ALLOWED_PUNCTUATION, check_code
from serial_tracking.core.ranges import DASH, compact, expand, natural_key, parts, ranges

AFFIX_CHARS = st.sampled_from("ABCXYZabz" + ALLOWED_PUNCTUATION)
PREFIXES = st.text(st.sampled_from("ABCXYZabz012789" + ALLOWED_PUNCTUATION), max_size=6)
SUFFIXES = st.text(AFFIX_CHARS, max_size=3)


@st.composite
def families(draw):
	"""Codes as the rule generator and scanners make them: runs of one prefix / width / suffix,
	with gaps, other families and codes without a digit mixed in, in any order."""
	codes = []
	for _ in range(draw(st.integers(1, 4))):
		prefix, suffix = draw(PREFIXES), draw(SUFFIXES)
		width = draw(st.integers(0, 5))
		start = draw(st.integers(0, 120))
		numbers = draw(st.lists(st.integers(start, start + 40), max_size=30))
		codes += [f"{prefix}{str(n).zfill(width)}{suffix}" for n in numbers]
	codes += draw(st.lists(st.text(AFFIX_CHARS, min_size=1, max_size=5), max_size=3))
	return draw(st.permutations([c for c in codes if c]))


def unfold(items):
	return [code for item in items for code in expand(item)]


@given(families())
def test_expanding_the_printed_items_gives_back_exactly_the_codes(codes):
	assert Counter(unfold(ranges(codes))) == Counter(codes)


@given(families())
def test_runs_expand_to_the_same_codes_as_their_printed_text(codes):
	for run in compact(codes):
		assert run.codes() == expand(run.text)
		assert len(run.codes()) == run.count


@given(families())
def test_items_come_in_natural_order(codes):
	firsts = [expand(item)[0] for item in ranges(codes)]
	assert firsts == sorted(firsts, key=natural_key)


@given(families())
def test_a_range_joins_only_codes_of_one_prefix_suffix_and_width(codes):
	for item in ranges(codes):
		inside = expand(item)
		if len(inside) == 1:
			continue
		assert len(inside) >= 3
		cuts = [parts(code) for code in inside]
		assert len({(cut.prefix, cut.suffix) for cut in cuts}) == 1
		assert [cut.number for cut in cuts] == list(range(cuts[0].number, cuts[0].number + len(cuts)))
		# zero-padded numbers keep their width; only numbers without padding grow (9 -> 10)
		padded = [cut for cut in cuts if len(cut.digits) > 1 and cut.digits.startswith("0")]
		widths = {len(cut.digits) for cut in cuts}
		assert len(widths) == 1 or not padded, item


@given(st.sets(st.integers(0, 300), max_size=80), st.integers(0, 4), PREFIXES, SUFFIXES)
def test_as_compact_as_the_codes_allow(numbers, width, prefix, suffix):
	"""Within one family every block of consecutive numbers is one item (three or more) or its
	codes (one or two)."""
	codes = [f"{prefix}{str(n).zfill(width)}{suffix}" for n in numbers]
	blocks, previous = [], None
	for n in sorted(numbers):
		if previous is not None and n == previous + 1:
			blocks[-1] += 1
		else:
			blocks.append(1)
		previous = n
	assert len(ranges(codes)) == sum(1 if length >= 3 else length for length in blocks)


@given(st.integers(0, 10**6), st.integers(0, 8), PREFIXES, SUFFIXES, st.randoms())
def test_a_thousand_consecutive_codes_are_one_range(start, width, prefix, suffix, random):
	codes = [f"{prefix}{str(n).zfill(width)}{suffix}" for n in range(start, start + 1000)]
	if any(check_code(code) for code in codes) or prefix[-1:].isdigit():
		return  # a digit ending the prefix is part of the number: another rule (see the table below)
	random.shuffle(codes)
	first = f"{prefix}{str(start).zfill(width)}{suffix}"
	last = f"{prefix}{str(start + 999).zfill(width)}{suffix}"
	assert ranges(codes) == [f"{first}{DASH}{last}"]


def test_the_example_of_the_issue():
	codes = [f"PH-{n:04d}" for n in range(1, 51)]
	assert ranges(codes) == ["PH-0001 – PH-0050"]


def test_a_mix_prints_ranges_and_singles_in_natural_order():
	codes = ["PH-0010", "PH-0002", "PH-0001", "PH-0003", "X", "PH-0020", "PH-0021", "AB-7", "PH-0004"]
	assert ranges(codes) == ["AB-7", "PH-0001 – PH-0004", "PH-0010", "PH-0020", "PH-0021", "X"]


@pytest.mark.parametrize(
	("codes", "printed"),
	[
		([], []),
		(["PH-0001"], ["PH-0001"]),
		(["NODIGITS"], ["NODIGITS"]),
		# a pair prints as two codes: no longer than a range, and each code can be searched for
		(["PH-0002", "PH-0001"], ["PH-0001", "PH-0002"]),
		(["PH-0001", "PH-0003"], ["PH-0001", "PH-0003"]),
		(["PH-0001", "PH-0002", "PH-0003"], ["PH-0001 – PH-0003"]),
	],
)
def test_single_codes_and_pairs(codes, printed):
	assert ranges(codes) == printed


@pytest.mark.parametrize(
	("codes", "printed"),
	[
		# numbers without padding grow as counting does
		(["PH-8", "PH-9", "PH-10", "PH-11"], ["PH-8 – PH-11"]),
		(["PH-98", "PH-99", "PH-100"], ["PH-98 – PH-100"]),
		# zero-padded numbers keep their width
		(["PH-098", "PH-099", "PH-100"], ["PH-098 – PH-100"]),
		(["PH-08", "PH-09", "PH-010", "PH-011"], ["PH-08", "PH-09", "PH-010", "PH-011"]),
		(["PH-0998", "PH-0999", "PH-01000"], ["PH-0998", "PH-0999", "PH-01000"]),
		# a different prefix, suffix or case is another family
		(["A1", "B2", "A3"], ["A1", "A3", "B2"]),
		(["PH-1A", "PH-2B", "PH-3A"], ["PH-1A", "PH-2B", "PH-3A"]),
		(["ph-1", "PH-2", "ph-3"], ["ph-1", "PH-2", "ph-3"]),
		# the number is the last run of digits
		(["2024-PH-001", "2024-PH-002", "2024-PH-003"], ["2024-PH-001 – 2024-PH-003"]),
		(["B7-1X", "B7-2X", "B7-3X"], ["B7-1X – B7-3X"]),
	],
)
def test_what_follows_what(codes, printed):
	assert ranges(codes) == printed


def test_interleaved_widths_make_their_own_ranges():
	unpadded = [str(n) for n in range(1, 101)]
	padded = [f"{n:03d}" for n in range(1, 101)]
	assert ranges(unpadded + padded) == ["1 – 100", "001 – 100"] or ranges(unpadded + padded) == [
		"001 – 100",
		"1 – 100",
	]
	assert len(ranges(unpadded + padded)) == 2


def test_a_code_given_twice_is_printed_twice():
	assert Counter(unfold(ranges(["A1", "A2", "A2", "A3"]))) == Counter(["A1", "A2", "A2", "A3"])


@pytest.mark.parametrize("item", ["A1 – B3", "A3 – A1", "A1 – A1", "X – Y"])
def test_expand_refuses_what_is_not_a_range(item):
	with pytest.raises(ValueError):
		expand(item)
