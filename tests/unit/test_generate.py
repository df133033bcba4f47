import pytest
from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.codes import check_code
from serial_tracking.core.generate import Rule, generate
from serial_tracking.core.problems import Reason


def test_prefix_start_increment_count_width():
	codes, problem = generate(Rule(prefix="SN-", start=8, increment=2, count=4, width=4))
	assert problem is None
	assert codes == ["SN-0008", "SN-0010", "SN-0012", "SN-0014"]


def test_no_width_means_no_padding_and_suffix_is_appended():
	assert generate(Rule(prefix="A", start=9, count=3, suffix="-X"))[0] == ["A9-X", "A10-X", "A11-X"]


@pytest.mark.parametrize(
	"rule, reason",
	[
		(Rule(count=0), Reason.BAD_COUNT),
		(Rule(count=1001), Reason.BAD_COUNT),
		(Rule(increment=0), Reason.BAD_INCREMENT),
		(Rule(increment=-1), Reason.BAD_INCREMENT),
		(Rule(start=-5), Reason.BAD_START),
		(Rule(width=-1), Reason.BAD_WIDTH),
		(Rule(start=995, count=10, width=3), Reason.WIDTH_OUTGROWN),
		(Rule(prefix="SN 1"), Reason.BAD_PREFIX),
		(Rule(prefix="序列"), Reason.BAD_PREFIX),
		(Rule(prefix="A" * 99, start=100), Reason.TOO_LONG),
	],
)
def test_refusals(rule, reason):
	codes, problem = generate(rule)
	assert codes == []
	assert problem.reason is reason
	assert problem.params


def test_count_limit_follows_settings():
	assert generate(Rule(count=11), max_count=10)[1].reason is Reason.BAD_COUNT
	assert len(generate(Rule(count=10), max_count=10)[0]) == 10


@given(
	st.text("ABCXYZ-_./", max_size=10),
	st.integers(0, 10**6),
	st.integers(1, 1000),
	st.integers(1, 1000),
	st.integers(0, 12),
)
def test_generated_codes_are_valid_distinct_and_ordered(prefix, start, increment, count, width):
	codes, problem = generate(Rule(prefix=prefix, start=start, increment=increment, count=count, width=width))
	if problem:
		assert codes == [] and problem.reason in Reason
		return
	assert len(codes) == count == len(set(codes))
	assert all(check_code(code) is None for code in codes)
	numbers = [int(code[len(prefix) :]) for code in codes]
	assert numbers == list(range(start, start + increment * count, increment))
	if width:
		assert {len(code) for code in codes} == {len(prefix) + width}
