"""Code128 module patterns and the geometry of one label: framework-free.

A label holds, from the top: the item code, the item name (when the layout shows it), the
barcode and the code in human-readable text under it; with a QR code (the address of the public
check page for the code), the QR code takes a square on the label's right, the rest moves left of it.
Sizes are physical millimetres.
"""

from dataclasses import dataclass

import barcode

#: Quiet zone each side of the bars, in modules (ISO/IEC 15417 asks for at least 10).
QUIET_MODULES = 10
#: The narrowest module a label gets (7.5 mil): general-purpose scanners read it at label
#: distance, and a 300 dpi printer draws it with more than two dots.
MIN_MODULE_MM = 0.19
#: The widest module a layout may ask for.
MAX_MODULE_MM = 1.0
#: Height of a line of text, as a multiple of the font size.
LINE_HEIGHT = 1.25
#: Space between the bars and the text under them.
TEXT_GAP_MM = 0.5
PT_MM = 25.4 / 72
#: The largest side of a label's QR code: enough for the longest address at a readable module.
MAX_QR_SIDE_MM = 12


@dataclass(frozen=True)
class Layout:
	"""What rendering needs of an SN Label Layout (all lengths in mm)."""

	name: str
	page_width: float
	page_height: float
	columns: int
	rows: int
	label_width: float
	label_height: float
	margin_top: float = 0
	margin_left: float = 0
	gap_x: float = 0
	gap_y: float = 0
	padding: float = 1.5
	module_width: float = 0.33
	bar_height: float = 10
	font_size: float = 8
	show_item_name: bool = True
	dpi: int = 203
	#: A QR code of the public check page's address for the code, right of the rest.
	qr_code: bool = False

	@property
	def per_page(self) -> int:
		return self.columns * self.rows

	@property
	def line_height(self) -> float:
		return self.font_size * PT_MM * LINE_HEIGHT

	@property
	def text_lines(self) -> int:
		"""Lines of text above the bars."""
		return 2 if self.show_item_name else 1

	@property
	def needed_height(self) -> float:
		"""Height the content takes: text above, bars, the code under them, padding."""
		return 2 * self.padding + (self.text_lines + 1) * self.line_height + self.bar_height + TEXT_GAP_MM

	@property
	def content_top(self) -> float:
		"""Top of the first line: the content is centred in the label's height."""
		return self.padding + max(self.label_height - self.needed_height, 0) / 2

	@property
	def qr_side(self) -> float:
		"""Side of the QR code's square (0: none): the label's height inside its padding, at most
		:data:`MAX_QR_SIDE_MM`."""
		if not self.qr_code:
			return 0
		return min(self.label_height - 2 * self.padding, MAX_QR_SIDE_MM)

	@property
	def qr_left(self) -> float:
		return self.label_width - self.padding - self.qr_side

	@property
	def qr_top(self) -> float:
		"""The QR code is centred in the label's height."""
		return (self.label_height - self.qr_side) / 2

	@property
	def bar_room(self) -> float:
		"""Width the texts, the barcode and its quiet zones may take (left of the QR code)."""
		beside = self.qr_side + self.padding if self.qr_code else 0
		return self.label_width - 2 * self.padding - beside

	def position(self, index: int) -> tuple[int, float, float]:
		"""Page number, left and top of the ``index``-th label (row by row)."""
		page, slot = divmod(index, self.per_page)
		row, column = divmod(slot, self.columns)
		return (
			page,
			self.margin_left + column * (self.label_width + self.gap_x),
			self.margin_top + row * (self.label_height + self.gap_y),
		)


@dataclass(frozen=True)
class Label:
	code: str
	item_code: str = ""
	item_name: str = ""
	#: The address its QR code holds (layouts with a QR code).
	check_url: str = ""


class DoesNotFit(ValueError):
	"""A code whose barcode is wider than its label at the narrowest module."""

	def __init__(self, code: str, layout: str, needed: float, room: float):
		super().__init__(code, layout, needed, room)
		self.code, self.layout, self.needed, self.room = code, layout, needed, room


def pattern(code: str) -> str:
	"""The Code128 modules of ``code``: '1' a dark module, '0' a light one (no quiet zones)."""
	return barcode.get("code128", code).build()[0]


def bars(modules: str) -> list[tuple[int, int]]:
	"""The dark bars of a pattern as (first module, width in modules)."""
	found, start = [], None
	for index, module in enumerate(modules + "0"):
		if module == "1" and start is None:
			start = index
		elif module != "1" and start is not None:
			found.append((start, index - start))
			start = None
	return found


def symbol_width(modules: int, module_width: float) -> float:
	"""Width of a symbol of ``modules`` modules with its quiet zones."""
	return (modules + 2 * QUIET_MODULES) * module_width


def module_width(code: str, modules: int, layout: Layout, minimum: float = MIN_MODULE_MM) -> float:
	"""The layout's module width, narrowed to fit its label but never below ``minimum``."""
	room = layout.bar_room
	if symbol_width(modules, layout.module_width) <= room:
		return layout.module_width
	width = room / (modules + 2 * QUIET_MODULES)
	if width < minimum:
		raise DoesNotFit(code, layout.name, symbol_width(modules, minimum), room)
	return width
