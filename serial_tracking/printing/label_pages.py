"""Labels as HTML, and as PDF through Frappe's ``get_pdf`` (wkhtmltopdf).

wkhtmltopdf runs no JavaScript and draws no SVG given in an ``<img>``, so the bars are HTML
boxes: one absolutely placed box per dark bar, in CSS pixels of one module each, inside a
box scaled horizontally to the module width (``scaleX``). WebKit lays boxes out on whole CSS
pixels, which would make bars of sizes like 0.33 mm unequal; the scale is applied after
layout, when painting, so every bar is a vector rectangle of exactly its width (measured:
within 0.02 mm at 1200 dpi). A PNG would be resampled by every viewer and printer instead.

wkhtmltopdf built without its patched Qt cannot switch off WebKit's "smart shrinking" and
prints a CSS millimetre as 0.768 mm; ``css_scale`` gives the factor that makes a label's
millimetres physical on either build.
"""

import functools
import subprocess
from html import escape

from serial_tracking.printing import qr
from serial_tracking.printing.barcodes import (
	QUIET_MODULES,
	TEXT_GAP_MM,
	Label,
	Layout,
	bars,
	module_width,
	pattern,
)

#: CSS pixels per millimetre (CSS: 96 px an inch).
PX_MM = 96 / 25.4
#: How much shorter than the page each page box is, so rounding never spills onto an extra page.
PAGE_SLACK_MM = 0.5
#: Pages per wkhtmltopdf run: its time grows with the square of the pages of one document
#: (1,000 roll labels: 29 s in one run, 6 s in runs of 100).
CHUNK_PAGES = 100

STYLE = """
.print-format { margin-top: 0mm; margin-bottom: 0mm; margin-left: 0mm; margin-right: 0mm; }
html, body { margin: 0; padding: 0; background: #fff; }
.sn-page { position: relative; overflow: hidden; page-break-inside: avoid; }
.sn-break { page-break-after: always; }
.sn-label { position: absolute; overflow: hidden; }
.sn-text { position: absolute; white-space: nowrap; overflow: hidden;
	font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; }
.sn-code { text-align: center; }
.sn-bars { position: absolute; }
.sn-bars i { position: absolute; top: 0; bottom: 0; background: #000; }
.sn-qr { position: absolute; }
"""


@functools.cache
def css_scale() -> float:
	"""CSS millimetres per physical millimetre in wkhtmltopdf's output."""
	try:
		version = subprocess.run(
			["wkhtmltopdf", "--version"], capture_output=True, text=True, timeout=10, check=False
		).stdout
	except (OSError, subprocess.SubprocessError):
		version = ""
	return 1.0 if "patched qt" in version.lower() else 125 / 96


def _mm(value: float, scale: float) -> str:
	return f"{value * scale:.3f}mm"


def _text(css: str, text: str, layout: Layout, scale: float, top: float, extra: str = "") -> str:
	return (
		f'<div class="sn-text {extra}" style="left:{_mm(layout.padding, scale)};top:{_mm(top, scale)};'
		f"width:{_mm(layout.bar_room, scale)};height:{_mm(layout.line_height, scale)};"
		f"line-height:{_mm(layout.line_height, scale)};font-size:{layout.font_size * scale:.2f}pt;"
		f'text-overflow:ellipsis;{css}">'
		f"{escape(text)}</div>"
	)


def label_html(item: Label, layout: Layout, scale: float) -> str:
	"""One label's content, placed from its top left corner."""
	modules = pattern(item.code)
	module = module_width(item.code, len(modules), layout)
	symbol = (len(modules) + 2 * QUIET_MODULES) * module
	left = layout.padding + (layout.bar_room - symbol) / 2 + QUIET_MODULES * module
	top = layout.content_top
	parts = [_text("font-weight:bold;", item.item_code, layout, scale, top)]
	top += layout.line_height
	if layout.show_item_name:
		parts.append(_text("", item.item_name, layout, scale, top))
		top += layout.line_height
	boxes = "".join(f'<i style="left:{start}px;width:{width}px"></i>' for start, width in bars(modules))
	parts.append(
		f'<div class="sn-bars" style="left:{_mm(left, scale)};top:{_mm(top, scale)};'
		f"width:{len(modules)}px;height:{_mm(layout.bar_height, scale)};-webkit-transform-origin:0 0;"
		f'-webkit-transform:scaleX({module * scale * PX_MM:.6f});transform:scaleX({module * scale * PX_MM:.6f})">'
		f"{boxes}</div>"
	)
	top += layout.bar_height + TEXT_GAP_MM
	parts.append(_text("", item.code, layout, scale, top, "sn-code"))
	if layout.qr_code:
		parts.append(qr_html(item, layout, scale))
	return "".join(parts)


def qr_html(item: Label, layout: Layout, scale: float) -> str:
	"""The label's QR code: an inline SVG of one path, a rectangle per run of dark modules, in a view
	box of one unit a module sized to the square (a vector, as the bars are). One element a symbol:
	a box per run made a thousand labels' page some 300,000 elements, which wkhtmltopdf lays out slowly."""
	symbol = qr.symbol(item.check_url)
	module = qr.module_size(symbol, layout.qr_side, item.code, layout.name)
	quiet = qr.QUIET_MODULES * module
	side = _mm(symbol.size * module, scale)
	path = "".join(f"M{column} {row}h{length}v1h-{length}z" for row, column, length in symbol.runs)
	return (
		f'<svg class="sn-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {symbol.size} {symbol.size}"'
		f' shape-rendering="crispEdges" style="left:{_mm(layout.qr_left + quiet, scale)};'
		f'top:{_mm(layout.qr_top + quiet, scale)};width:{side};height:{side}">'
		f'<path fill="#000" d="{path}"/></svg>'
	)


def render_html(labels: list[Label], layout: Layout, scale: float | None = None) -> str:
	"""Every label on as many pages as the layout needs, in order, row by row."""
	scale = css_scale() if scale is None else scale
	pages: list[list[str]] = []
	for index, item in enumerate(labels):
		page, left, top = layout.position(index)
		if page == len(pages):
			pages.append([])
		pages[page].append(
			f'<div class="sn-label" style="left:{_mm(left, scale)};top:{_mm(top, scale)};'
			f'width:{_mm(layout.label_width, scale)};height:{_mm(layout.label_height, scale)}">'
			f"{label_html(item, layout, scale)}</div>"
		)
	size = f"width:{_mm(layout.page_width, scale)};height:{_mm(layout.page_height - PAGE_SLACK_MM, scale)}"
	body = "".join(
		f'<div class="sn-page{" sn-break" if number < len(pages) - 1 else ""}" style="{size}">{"".join(content)}</div>'
		for number, content in enumerate(pages)
	)
	return (
		'<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		f"{STYLE}</style></head><body>{body}</body></html>"
	)


def pdf_options(layout: Layout) -> dict:
	"""Page size of the layout; margins are the layout's own (placed in the page), so none here."""
	return {
		"page-width": f"{layout.page_width}mm",
		"page-height": f"{layout.page_height}mm",
		"margin-top": "0mm",
		"margin-bottom": "0mm",
		"margin-left": "0mm",
		"margin-right": "0mm",
		"orientation": "Portrait",
	}


def render_pdf(labels: list[Label], layout: Layout) -> bytes:
	"""The labels as one PDF, made ``CHUNK_PAGES`` pages at a time (see there)."""
	from pypdf import PdfWriter

	from frappe.utils.pdf import get_file_data_from_writer, get_pdf

	step = CHUNK_PAGES * layout.per_page
	if len(labels) <= step:
		return get_pdf(render_html(labels, layout), pdf_options(layout))
	writer = PdfWriter()
	for start in range(0, len(labels), step):
		get_pdf(render_html(labels[start : start + step], layout), pdf_options(layout), output=writer)
	return get_file_data_from_writer(writer)
