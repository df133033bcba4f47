import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.code_formats import (
	MAX_PATTERN,
	CodeFormat,
	Kind,
	check,
	format_problem,
	kind_of,
	luhn_digit,
	mismatches,
	pattern_problem,
)
from serial_tracking.core.plan import Reading, RowRequest, Voucher, plan
from serial_tracking.core.problems import Reason
from serial_tracking.core.states import Operation, State, Status

IMEI = CodeFormat(Kind.IMEI)
IMEISV = CodeFormat(Kind.IMEI, imeisv=True)
PAYLOADS = st.text("0123456789", min_size=14, max_size=14)


def reason(code, fmt):
	problem = check(code, fmt, "PHONE")
	return problem.reason if problem else None


def test_a_known_imei_passes_and_its_check_digit_is_computed():
	# The example of the GSMA's TS.06 (IMEI allocation): 49015420323751 has the check digit 8.
	assert luhn_digit("49015420323751") == 8
	assert check("490154203237518", IMEI) is None
	assert luhn_digit("35693803564380") == 9


def test_a_wrong_check_digit_names_the_right_one():
	problem = check("356938035643801", IMEI, "PHONE-X")
	assert problem.reason is Reason.FORMAT_IMEI_CHECK_DIGIT
	assert problem.code == "356938035643801"
	assert problem.params == {"item_code": "PHONE-X", "length": 15, "expected": 9}


@given(PAYLOADS)
def test_every_valid_imei_passes(payload):
	assert check(payload + str(luhn_digit(payload)), IMEI) is None


@given(PAYLOADS, st.integers(1, 9))
def test_changing_the_last_digit_of_an_imei_fails_naming_the_right_digit(payload, shift):
	right = luhn_digit(payload)
	wrong = (right + shift) % 10
	problem = check(payload + str(wrong), IMEI)
	assert problem.reason is Reason.FORMAT_IMEI_CHECK_DIGIT
	assert problem.params["expected"] == right


@given(PAYLOADS, st.integers(0, 13), st.integers(1, 9))
def test_changing_one_digit_of_an_imei_is_caught(payload, place, shift):
	# Luhn catches every single-digit error.
	imei = payload + str(luhn_digit(payload))
	typo = imei[:place] + str((int(imei[place]) + shift) % 10) + imei[place + 1 :]
	assert reason(typo, IMEI) is Reason.FORMAT_IMEI_CHECK_DIGIT


@pytest.mark.parametrize(
	("code", "fmt", "expected"),
	[
		("35693803564380", IMEI, Reason.FORMAT_IMEI_LENGTH),
		("3569380356438091", IMEI, Reason.FORMAT_IMEI_LENGTH),
		("3569380356438091", IMEISV, None),
		("356938035643809", IMEISV, None),
		("356938035643801", IMEISV, Reason.FORMAT_IMEI_CHECK_DIGIT),
		("35693803564380", IMEISV, Reason.FORMAT_IMEISV_LENGTH),
		("35693803564380A", IMEI, Reason.FORMAT_IMEI_DIGITS),
		("35693803564380-9", IMEI, Reason.FORMAT_IMEI_DIGITS),
		("", IMEI, Reason.FORMAT_IMEI_LENGTH),
	],
)
def test_imei_formats(code, fmt, expected):
	assert reason(code, fmt) is expected


def test_an_imei_problem_names_what_is_wrong():
	assert check("3569380356438", IMEI).params["length"] == 13
	assert check("35693803564380A", IMEI).params["char"] == "A"


@pytest.mark.parametrize(
	("code", "expected"),
	[("00012345", None), ("0001234", Reason.FORMAT_DIGITS_LENGTH), ("0001234X", Reason.FORMAT_DIGITS_ONLY)],
)
def test_digits_of_a_fixed_length(code, expected):
	fmt = CodeFormat(Kind.DIGITS, length=8)
	assert reason(code, fmt) is expected
	if expected is Reason.FORMAT_DIGITS_LENGTH:
		assert check(code, fmt).params == {"item_code": "", "length": 7, "digits": 8}


def test_a_pattern_matches_the_whole_code():
	fmt = CodeFormat(Kind.PATTERN, pattern="[A-Z]{3}[0-9]{6}")
	assert check("ABC123456", fmt) is None
	for code in ("ABC1234567", "XABC123456", "abc123456", "AB123456"):
		problem = check(code, fmt, "PHONE")
		assert problem.reason is Reason.FORMAT_PATTERN
		assert problem.params == {"item_code": "PHONE", "pattern": "[A-Z]{3}[0-9]{6}"}
	assert check("abc123456", CodeFormat(Kind.PATTERN, pattern="(?i)[A-Z]{3}[0-9]{6}")) is None


def test_any_format_takes_every_code():
	assert check("whatever-1", CodeFormat()) is None
	assert mismatches(["a", "b"], CodeFormat()) == []


def test_a_catastrophic_pattern_is_matched_in_linear_time():
	fmt = CodeFormat(Kind.PATTERN, pattern="(a+)+$")
	assert pattern_problem(fmt.pattern) is None
	started = time.monotonic()
	for code in ("a" * 50_000 + "b", "a" * 30 + "!", "(" * 10_000):
		assert check(code, fmt).reason is Reason.FORMAT_PATTERN
	assert check("a" * 50_000, fmt) is None
	assert time.monotonic() - started < 1
	nested = CodeFormat(Kind.PATTERN, pattern="((a|aa)*)*(b|c)*x")
	started = time.monotonic()
	assert check("a" * 100_000, nested).reason is Reason.FORMAT_PATTERN
	assert time.monotonic() - started < 1


@pytest.mark.parametrize(
	("pattern", "expected"),
	[
		("", Reason.FORMAT_NO_PATTERN),
		(None, Reason.FORMAT_NO_PATTERN),
		("[A-Z", Reason.FORMAT_BAD_PATTERN),
		("(a)\\1", Reason.FORMAT_BAD_PATTERN),
		("(?=a)a", Reason.FORMAT_BAD_PATTERN),
		("(?<!b)a", Reason.FORMAT_BAD_PATTERN),
		("a{1001}", Reason.FORMAT_BAD_PATTERN),
		("((a{100}){100}){100}", Reason.FORMAT_BAD_PATTERN),
		("a" * (MAX_PATTERN + 1), Reason.FORMAT_PATTERN_TOO_LONG),
		("[0-9]{15}", None),
		("a" * MAX_PATTERN, None),
	],
)
def test_patterns_an_item_may_not_have(pattern, expected):
	problem = pattern_problem(pattern)
	assert (problem.reason if problem else None) is expected


def test_a_bad_pattern_is_refused_with_the_engine_reason():
	problem = pattern_problem("[A-Z")
	assert problem.params["pattern"] == "[A-Z"
	assert "missing ]" in problem.params["detail"]
	assert "invalid escape" in pattern_problem("(a)\\1").params["detail"]


def test_a_code_never_matches_a_pattern_stored_unchecked():
	assert check("AAA", CodeFormat(Kind.PATTERN, pattern="[A")).reason is Reason.FORMAT_PATTERN


def test_a_digits_format_needs_a_length_within_the_longest_code():
	assert format_problem(CodeFormat(Kind.DIGITS, length=0), 100).reason is Reason.FORMAT_BAD_LENGTH
	assert format_problem(CodeFormat(Kind.DIGITS, length=101), 100).reason is Reason.FORMAT_BAD_LENGTH
	assert format_problem(CodeFormat(Kind.DIGITS, length=100), 100) is None
	assert format_problem(CodeFormat(Kind.IMEI), 100) is None
	assert format_problem(CodeFormat(Kind.PATTERN, pattern="("), 100).reason is Reason.FORMAT_BAD_PATTERN


def test_kinds_are_read_from_the_item_field():
	assert kind_of(None) is Kind.ANY
	assert kind_of("") is Kind.ANY
	assert kind_of("IMEI") is Kind.IMEI
	assert kind_of("something else") is Kind.ANY


PR = Voucher("Purchase Receipt", "PR-1", "2026-01-01", "09:00", "Supplier", "S1")
DN = Voucher("Delivery Note", "DN-1", "2026-01-02", "10:00", "Customer", "C1")


def _plan(voucher, operation, codes, states, **kw):
	warehouses = {"to_warehouse": "W1"} if operation is Operation.RECEIVE else {"from_warehouse": "W1"}
	request = RowRequest(1, "PHONE", operation, len(codes), code_format=IMEI, **warehouses, **kw)
	return plan(voucher, [request], Reading({request.ref: codes}, []), states)


def test_the_plan_refuses_a_new_code_not_of_the_format_at_its_row():
	result = _plan(PR, Operation.RECEIVE, ["490154203237518", "356938035643801"], {})
	assert [(p.row, p.reason, p.code) for p in result.problems] == [
		(1, Reason.FORMAT_IMEI_CHECK_DIGIT, "356938035643801")
	]
	assert [s.movement.code for s in result.steps] == ["490154203237518"]


def test_known_codes_move_whatever_the_format():
	states = {"OLD-1": State("OLD-1", "PHONE", Status.IN_STOCK, "W1")}
	assert _plan(DN, Operation.SELL, ["OLD-1"], states).problems == []
	states = {"OLD-1": State("OLD-1", "PHONE", Status.SOLD)}
	assert _plan(PR, Operation.RECEIVE, ["OLD-1"], states).problems == []


def test_a_sale_of_an_unknown_code_says_what_is_wrong_with_it():
	result = _plan(DN, Operation.SELL, ["356938035643801"], {})
	assert [p.reason for p in result.problems] == [Reason.FORMAT_IMEI_CHECK_DIGIT]
	result = _plan(DN, Operation.SELL, ["356938035643809"], {})
	assert [p.reason for p in result.problems] == [Reason.NOT_FOUND]


FORMATS = st.sampled_from(
	[
		IMEI,
		IMEISV,
		CodeFormat(Kind.DIGITS, length=8),
		CodeFormat(Kind.PATTERN, pattern="[A-Z]{3}[0-9]{6}"),
		CodeFormat(Kind.PATTERN, pattern="(a+)+$"),
	]
)


@given(st.text(max_size=120), FORMATS)
def test_any_code_is_answered_with_a_problem_naming_it_or_none(code, fmt):
	problem = check(code, fmt, "PHONE")
	assert problem is None or (problem.code == code and problem.params["item_code"] == "PHONE")
