"""GS1 scans read into SN codes, cartons and GTINs (core.gs1 through core.codes.parse)."""

import pytest

from serial_tracking.core.codes import parse
from serial_tracking.core.gs1 import gtin14, is_gs1
from serial_tracking.core.problems import Reason

GTIN = "09501101530003"  # a GTIN-13 (9501101530003) as GTIN-14
OTHER_GTIN = "04006381333931"
SSCC = "095011015300000010"
GS = "\x1d"


def reasons(parsed):
	return [p.reason for p in parsed.problems]


@pytest.mark.parametrize(
	"scan",
	[
		f"]C101{GTIN}21SN-0001{GS}10LOT7",  # GS1-128, separator after the serial
		f"]d201{GTIN}10LOT7{GS}21SN-0001",  # GS1 DataMatrix, serial last
		f"]Q301{GTIN}21SN-0001",  # GS1 QR
		f"{GS}01{GTIN}21SN-0001{GS}10LOT7",  # FNC1 as a leading separator, no identifier
		f"(01){GTIN}(21)SN-0001",  # the printed text form
		f"(01){GTIN}(21)SN-0001(10)LOT7",
		f"（01）{GTIN}（21）SN-0001",  # full-width, as a CJK input method types it
	],
)
def test_every_form_enters_its_serial(scan):
	parsed = parse(scan)
	assert parsed.ok, parsed.problems
	assert parsed.codes == ["SN-0001"]
	assert parsed.entered == 1


def test_scans_and_plain_codes_mix_and_duplicates_are_found_across_forms():
	parsed = parse(f"PLAIN-1\n]C101{GTIN}21SN-0001\n(01){GTIN}(21)SN-0002\nsn-0001")
	assert parsed.codes == ["PLAIN-1", "SN-0001", "SN-0002"]
	[problem] = parsed.problems
	assert (problem.reason, problem.code, problem.position, problem.params) == (
		Reason.DUPLICATE,
		"sn-0001",
		4,
		{"first": 2},
	)


def test_an_sscc_is_a_carton_not_a_code():
	parsed = parse(f"]C100{SSCC}\nSN-1\n(00){SSCC}")
	assert parsed.codes == ["SN-1"]
	assert parsed.cartons == [SSCC, SSCC]
	assert parsed.ok


def test_a_bad_check_digit_is_refused_with_the_reason():
	bad_gtin = GTIN[:-1] + "4"
	parsed = parse(f"]C101{bad_gtin}21SN-0001")
	assert parsed.codes == []
	[problem] = parsed.problems
	assert problem.reason is Reason.GS1_INVALID
	assert "check digit" in problem.params["detail"]
	assert problem.code == f"]C101{bad_gtin}21SN-0001"
	bad_sscc = SSCC[:-1] + "7"
	assert reasons(parse(f"]C100{bad_sscc}")) == [Reason.GS1_INVALID]
	assert parse(f"]C100{bad_sscc}").cartons == []


def test_a_scan_without_serial_or_carton_is_refused():
	parsed = parse(f"]C101{GTIN}10LOT7{GS}17261231")
	assert reasons(parsed) == [Reason.GS1_NO_SERIAL]
	assert parsed.codes == [] and parsed.cartons == []


def test_an_unreadable_gs1_string_is_refused():
	parsed = parse("]C1ABC")
	assert reasons(parsed) == [Reason.GS1_INVALID]


def test_separators_show_in_the_problem_code():
	parsed = parse(f"]C101{GTIN}10LOT{GS}17XX")
	[problem] = parsed.problems
	assert "<GS>" in problem.code and GS not in problem.code


def test_a_gtin_of_another_item_is_refused():
	scan = f"]C101{OTHER_GTIN}21SN-0001"
	parsed = parse(scan, gtins={GTIN}, item_code="PHONE-A")
	assert parsed.codes == []
	[problem] = parsed.problems
	assert problem.reason is Reason.GS1_OTHER_GTIN
	assert problem.params == {"gtin": OTHER_GTIN, "gtins": GTIN, "item_code": "PHONE-A"}
	# The item's own GTIN, and no GTIN known for the item: the serial enters.
	assert parse(f"]C101{GTIN}21SN-0001", gtins={GTIN}).codes == ["SN-0001"]
	assert parse(scan, gtins=set()).codes == ["SN-0001"]
	# A scan without a GTIN cannot contradict one.
	assert parse("]C121SN-0001", gtins={GTIN}).codes == ["SN-0001"]


def test_bare_digits_are_read_as_gs1_only_when_asked():
	bare = f"01{GTIN}21123456"
	assert parse(bare).codes == [bare]
	assert parse(bare, gs1_digits=True).codes == ["123456"]
	assert parse(f"00{SSCC}", gs1_digits=True).cartons == [SSCC]
	# A numeric serial that does not start as goods' element strings do stays a serial.
	assert parse("123456789012", gs1_digits=True).codes == ["123456789012"]
	assert parse("0212345", gs1_digits=True).codes == ["0212345"]


def test_control_characters_alone_are_refused_as_such():
	for scan in (GS, GS * 3, "\x00\x01", "\x04"):
		parsed = parse(scan)
		assert parsed.codes == []
		assert reasons(parsed) == [Reason.CONTROL_CHARACTER], scan


def test_a_serial_with_characters_a_code_may_not_have_is_refused():
	parsed = parse(f"]C101{GTIN}21SN%01")
	assert reasons(parsed) == [Reason.INVALID_CHARACTER]


def test_only_gs1_forms_are_recognised():
	assert is_gs1(f"]C101{GTIN}21X")
	assert is_gs1(f"(01){GTIN}(21)X")
	assert is_gs1(f"01{GTIN}{GS}21X")
	assert not is_gs1("(12)ABC")  # a code with parentheses, not a GS1 text form
	assert not is_gs1("]C0ABC")
	assert not is_gs1(f"01{GTIN}21X")
	assert is_gs1(f"01{GTIN}21123", bare_digits=True)


@pytest.mark.parametrize(
	"barcode, expected",
	[
		("9501101530003", GTIN),
		("09501101530003", GTIN),
		("4006381333931", OTHER_GTIN),
		("036000291452", "00036000291452"),  # UPC-A
		("96385074", "00000096385074"),  # GTIN-8
		("9501101530004", None),  # bad check digit
		("ABC", None),
		("950110153000", None),  # 12 digits, wrong check digit
		("１２３", None),
	],
)
def test_gtin14(barcode, expected):
	assert gtin14(barcode) == expected


def test_a_scan_longer_than_any_gs1_symbol_is_refused_at_once():
	"""A megabyte sent as one GS1 scan is refused without reading it (biip's reading of a long string
	of element strings takes time that grows with the square of its length)."""
	import time

	start = time.monotonic()
	parsed = parse("]C1" + "0" * 1_000_000, max_count=10_000)
	assert time.monotonic() - start < 1
	assert parsed.codes == [] and parsed.cartons == []
	assert [p.reason for p in parsed.problems] == [Reason.GS1_INVALID]
	assert "longer than any GS1 symbol" in parsed.problems[0].params["detail"]
