"""The QR code a label may carry (the address of the public check page for its code): the
symbol's modules and their dark runs; framework-free.

Error correction level M (15 % of the symbol may be lost), the usual choice for printed labels.
"""

from dataclasses import dataclass

import pyqrcode

#: White modules each side of the symbol inside its square; the label's padding adds more.
QUIET_MODULES = 2
#: The smallest module a label gets: phone cameras read 0.25 mm at a hand's distance.
MIN_MODULE_MM = 0.25


@dataclass(frozen=True)
class Symbol:
	"""A QR symbol: ``size`` modules a side, its dark modules as runs along each row."""

	size: int
	runs: list[tuple[int, int, int]]
	"""(row, first column, length) of each run of dark modules."""

	@property
	def side_modules(self) -> int:
		"""Modules a side with the quiet zone."""
		return self.size + 2 * QUIET_MODULES


class QrDoesNotFit(ValueError):
	"""A QR code whose modules would be smaller than :data:`MIN_MODULE_MM` in its square."""

	def __init__(self, code: str, layout: str, needed: float, room: float):
		super().__init__(code, layout, needed, room)
		self.code, self.layout, self.needed, self.room = code, layout, needed, room


def symbol(data: str) -> Symbol:
	"""The QR symbol of ``data`` (bytes mode, level M)."""
	matrix = pyqrcode.create(data, error="M", mode="binary", encoding="utf-8").code
	runs = []
	for row, modules in enumerate(matrix):
		start = None
		for column, dark in enumerate([*modules, 0]):
			if dark and start is None:
				start = column
			elif not dark and start is not None:
				runs.append((row, start, column - start))
				start = None
	return Symbol(len(matrix), runs)


def module_size(found: Symbol, side: float, code: str, layout: str) -> float:
	"""The module of ``found`` in a square of ``side`` mm; refuses one under the minimum."""
	module = side / found.side_modules
	if module < MIN_MODULE_MM:
		raise QrDoesNotFit(code, layout, found.side_modules * MIN_MODULE_MM, side)
	return module
