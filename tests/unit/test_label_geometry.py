"""Code128 patterns, what fits a label, and ZPL escaping (no site needed)."""

import re

import pytest

from serial_tracking.printing import qr, zpl
from serial_tracking.printing.barcodes import (
	MAX_QR_SIDE_MM,
	MIN_MODULE_MM,
	QUIET_MODULES,
	DoesNotFit,
	Label,
	Layout,
	bars,
	module_width,
	pattern,
)

ROLL = Layout("Roll 50", 50, 25, 1, 1, 50, 25, padding=1.5, module_width=0.25, bar_height=10, font_size=6)
SHEET = Layout(
	"A4 3 x 8", 210, 297, 3, 8, 70, 37, margin_top=0.5, padding=2, module_width=0.33, bar_height=14
)


@pytest.mark.parametrize(
	"code, modules",
	[
		# start C + 3 pairs + check + stop (11 a symbol, stop 13)
		("000123", 11 + 3 * 11 + 11 + 13),
		# start B + 5 characters + check + stop
		("A-1/2", 11 + 5 * 11 + 11 + 13),
	],
)
def test_pattern_has_the_code128_module_count(code, modules):
	assert len(pattern(code)) == modules
	assert set(pattern(code)) == {"0", "1"}
	# a symbol starts with a bar and ends with the stop's final two-module bar
	assert pattern(code).startswith("11") and pattern(code).endswith("11")


def test_digits_are_packed_in_pairs():
	assert len(pattern("1" * 30)) < len(pattern("A" * 30))


def test_bars_are_the_runs_of_dark_modules():
	assert bars("0110100111") == [(1, 2), (4, 1), (7, 3)]
	modules = pattern("X+Y:Z#(1)")
	assert sum(width for _start, width in bars(modules)) == modules.count("1")


def test_module_width_keeps_the_layout_width_when_it_fits():
	code = "PH-0001"
	assert module_width(code, len(pattern(code)), SHEET) == SHEET.module_width


def test_module_width_narrows_to_fit_the_label_with_quiet_zones():
	code = "SN" + "0" * 27 + "1"
	modules = len(pattern(code))
	width = module_width(code, modules, ROLL)
	assert MIN_MODULE_MM <= width < ROLL.module_width
	assert (modules + 2 * QUIET_MODULES) * width == pytest.approx(ROLL.bar_room)


def test_a_code_too_long_for_the_label_is_refused_naming_it_and_the_layout():
	code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"
	with pytest.raises(DoesNotFit) as refused:
		module_width(code, len(pattern(code)), ROLL)
	assert (refused.value.code, refused.value.layout) == (code, "Roll 50")
	assert refused.value.needed > refused.value.room == ROLL.bar_room


def test_labels_fill_a_sheet_row_by_row_then_a_new_page():
	assert SHEET.position(0) == (0, 0, 0.5)
	assert SHEET.position(1) == (0, 70, 0.5)
	assert SHEET.position(3) == (0, 0, 37.5)
	assert SHEET.position(24) == (1, 0, 0.5)
	assert ROLL.position(5) == (5, 0, 0)


@pytest.mark.parametrize(
	"text, escaped",
	[
		("PH-0001", "PH-0001"),
		("a^b", "a_5Eb"),
		("a~b", "a_7Eb"),
		("a_b", "a_5Fb"),
		("^XZ", "_5EXZ"),
		("Café", "Caf_C3_A9"),
		("a\nb", "a_0Ab"),
	],
)
def test_zpl_escapes_commands_the_escape_itself_and_non_ascii(text, escaped):
	assert zpl.escape(text) == escaped


def test_zpl_has_one_block_per_label_with_code128_and_the_escaped_code():
	labels = [Label("A^1", "IT~1", "Name_^XZ"), Label("000123", "IT", "Plain")]
	text = zpl.render(labels, ROLL)
	blocks = re.findall(r"\^XA(.*?)\^XZ", text, re.S)
	assert len(blocks) == 2 and text.count("^XA") == text.count("^XZ") == 2
	first = blocks[0]
	assert "^BCN" in first and "^FH^FDA_5E1^FS" in first
	assert "^FH^FDIT_7E1^FS" in first and "^FH^FDName_5F_5EXZ^FS" in first
	# the label size at the layout's resolution (203 dpi): 50 x 25 mm
	assert "^PW400" in first and "^LL200" in first
	# no raw command character comes from the data: every ^ starts a known command
	for block in blocks:
		assert all(re.match(r"[A-Z]", part) for part in block.split("^")[1:])


def test_zpl_module_is_whole_dots_never_below_the_minimum():
	code = "PH-0001"
	modules = len(pattern(code))
	assert zpl.module_dots(Label(code), modules, ROLL) == 2  # 0.25 mm at 203 dpi
	fine = Layout("Roll 300", 50, 25, 1, 1, 50, 25, padding=1.5, module_width=0.25, bar_height=10, dpi=300)
	assert zpl.module_dots(Label(code), modules, fine) == 3  # 0.254 mm; 2 dots (0.17 mm) are too narrow
	long_code = "SN" + "0" * 27 + "1"
	with pytest.raises(DoesNotFit):
		zpl.module_dots(Label(long_code), len(pattern(long_code)), ROLL)


def test_a_qr_code_takes_a_square_on_the_right_and_the_rest_moves_left_of_it():
	with_qr = Layout(**{**ROLL.__dict__, "qr_code": True})
	assert with_qr.qr_side == MAX_QR_SIDE_MM  # 25 mm high labels: capped
	assert with_qr.qr_left + with_qr.qr_side == ROLL.label_width - ROLL.padding
	assert with_qr.bar_room == ROLL.bar_room - MAX_QR_SIDE_MM - ROLL.padding
	low = Layout(**{**ROLL.__dict__, "qr_code": True, "label_height": 10})
	assert low.qr_side == 10 - 2 * ROLL.padding and low.qr_top == ROLL.padding
	assert ROLL.qr_side == 0


def test_the_runs_of_a_qr_symbol_rebuild_its_modules():
	import pyqrcode

	data = "https://erp.example.com/sn-check?code=A-1%2F2"
	found = qr.symbol(data)
	modules = pyqrcode.create(data, error="M", mode="binary").code
	rebuilt = [[0] * found.size for _ in range(found.size)]
	for row, column, length in found.runs:
		assert length > 0
		for at in range(column, column + length):
			rebuilt[row][at] = 1
	assert rebuilt == modules
	# a finder pattern's top row in three corners: seven dark modules
	assert (0, 0, 7) in found.runs and (0, found.size - 7, 7) in found.runs


def test_zpl_qr_field_uses_whole_dots_and_refuses_a_module_under_the_minimum():
	with_qr = Layout(**{**ROLL.__dict__, "qr_code": True})
	field = zpl.qr_field(Label("A1", check_url="https://x.example/sn-check?code=A1"), with_qr)
	magnification = int(re.search(r"\^BQN,2,(\d+)\^", field).group(1))
	assert magnification * zpl.MM_PER_INCH / with_qr.dpi >= qr.MIN_MODULE_MM
	tiny = Layout(**{**ROLL.__dict__, "qr_code": True, "label_height": 8, "padding": 1})
	with pytest.raises(qr.QrDoesNotFit):
		zpl.qr_field(Label("A1", check_url="https://x.example/sn-check?code=" + "7" * 80), tiny)
