"""ZPL for Zebra thermal printers: one ``^XA ... ^XZ`` block per label; framework-free.

Every field is written with ``^FH`` (hexadecimal escapes, indicator ``_``): the characters
ZPL reads as commands (``^``, ``~``), the escape indicator itself (``_``) and every byte
outside printable ASCII become ``_XX``, so no code or item name can end a field or start a
command. Text is UTF-8 (``^CI28``).
"""

import math

from serial_tracking.printing import qr
from serial_tracking.printing.barcodes import (
	MIN_MODULE_MM,
	QUIET_MODULES,
	TEXT_GAP_MM,
	DoesNotFit,
	Label,
	Layout,
	pattern,
)

#: Characters of printable ASCII that ZPL would read as a command or an escape.
_SPECIAL = frozenset("^~_")
MM_PER_INCH = 25.4


def escape(text: str) -> str:
	"""``text`` as ``^FH`` field data: printable ASCII as is, the rest as UTF-8 hex bytes."""
	out = []
	for char in text:
		if " " <= char <= "~" and char not in _SPECIAL:
			out.append(char)
		else:
			out.extend(f"_{byte:02X}" for byte in char.encode("utf-8"))
	return "".join(out)


def dots(mm: float, dpi: int) -> int:
	return round(mm * dpi / MM_PER_INCH)


def module_dots(label: Label, modules: int, layout: Layout) -> int:
	"""Whole printer dots per module: the layout's width, fewer to fit, never below the minimum."""
	room = dots(layout.bar_room, layout.dpi)
	least = max(1, math.ceil(MIN_MODULE_MM * layout.dpi / MM_PER_INCH))
	wanted = max(dots(layout.module_width, layout.dpi), least)
	for width in range(wanted, least - 1, -1):
		if (modules + 2 * QUIET_MODULES) * width <= room:
			return width
	needed = (modules + 2 * QUIET_MODULES) * least * MM_PER_INCH / layout.dpi
	raise DoesNotFit(label.code, layout.name, needed, layout.bar_room)


def _text(x: int, y: int, height: int, width: int, text: str) -> str:
	"""A line of text clipped to ``width`` dots (``^FB`` of one line)."""
	return f"^FO{x},{y}^A0N,{height},{height}^FB{width},1,0,L,0^FH^FD{escape(text)}^FS"


def label(item: Label, layout: Layout) -> str:
	"""One label as a ``^XA ... ^XZ`` block."""
	dpi = layout.dpi
	modules = len(pattern(item.code))
	module = module_dots(item, modules, layout)
	pad, line = dots(layout.padding, dpi), dots(layout.line_height, dpi)
	font = max(dots(layout.font_size * 25.4 / 72, dpi), 10)
	text_width = dots(layout.bar_room, dpi)
	symbol = (modules + 2 * QUIET_MODULES) * module
	left = pad + max((text_width - symbol) // 2, 0) + QUIET_MODULES * module
	lines = [
		"^XA",
		"^CI28",
		f"^PW{dots(layout.label_width, dpi)}",
		f"^LL{dots(layout.label_height, dpi)}",
		"^LH0,0",
		_text(pad, dots(layout.content_top, dpi), font, text_width, item.item_code),
	]
	top = dots(layout.content_top, dpi) + line
	if layout.show_item_name:
		lines.append(_text(pad, top, font, text_width, item.item_name))
		top += line
	bar_height = dots(layout.bar_height, dpi)
	# Mode A: the printer picks the subsets (digits in pairs), as python-barcode does.
	lines.append(
		f"^FO{left},{top}^BY{module},3,{bar_height}^BCN,{bar_height},N,N,N,A^FH^FD{escape(item.code)}^FS"
	)
	top += bar_height + dots(TEXT_GAP_MM, dpi)
	lines.append(
		f"^FO{pad},{top}^A0N,{font},{font}^FB{text_width},1,0,C,0^FH^FD{escape(item.code)}^FS",
	)
	if layout.qr_code:
		lines.append(qr_field(item, layout))
	lines.append("^XZ")
	return "\n".join(lines)


#: ZPL's largest QR magnification (dots a module).
MAX_QR_DOTS = 10


def qr_field(item: Label, layout: Layout) -> str:
	"""The label's QR code (``^BQ``, model 2, level M, data in bytes mode): whole dots a module, as
	many as fit its square, never under the smallest module."""
	symbol = qr.symbol(item.check_url)
	side = dots(layout.qr_side, layout.dpi)
	module = min(side // symbol.side_modules, MAX_QR_DOTS)
	if module * MM_PER_INCH / layout.dpi < qr.MIN_MODULE_MM:
		raise qr.QrDoesNotFit(item.code, layout.name, symbol.side_modules * qr.MIN_MODULE_MM, layout.qr_side)
	quiet = qr.QUIET_MODULES * module
	left = dots(layout.qr_left, layout.dpi) + quiet
	top = dots(layout.qr_top, layout.dpi) + quiet
	return f"^FO{left},{top}^BQN,2,{module}^FH^FDMA,{escape(item.check_url)}^FS"


def render(labels: list[Label], layout: Layout) -> str:
	"""Every label, one block each, in order."""
	return "\n".join(label(item, layout) for item in labels) + "\n"
