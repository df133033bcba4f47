"""Sheets as the import reads them: xlsx files of real cells."""

import io

from openpyxl import Workbook

#: The columns of the import's template.
HEADER = ["Item code (SKU)", "Item name", "Warehouse (location)", "SN code", "Carton (optional)"]


def sheet(rows, header=HEADER) -> bytes:
	"""An xlsx of real cells: numbers stay numbers, as Excel would store them."""
	book = Workbook()
	ws = book.active
	if header is not None:
		ws.append(header)
	for row in rows:
		ws.append(row)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()
