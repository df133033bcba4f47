"""Label layouts: the standard ones, their checks, and a layout as rendering reads it.

Layouts live in the doctype *SN Label Layout*, so a consultant adds a size in Desk. The
standard ones are made on install and migrate when missing; one that exists is never
changed, whatever a consultant did to it.
"""

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking.printing.barcodes import MAX_MODULE_MM, MIN_MODULE_MM, Layout

LAYOUT = "SN Label Layout"
#: Tolerance on "fits", for sizes typed with two decimals.
EPSILON = 0.01
MIN_BAR_HEIGHT_MM = 3
MIN_FONT_PT = 4
#: The smallest QR code a layout may print: the shortest address at the smallest module.
MIN_QR_SIDE_MM = 8

#: Made when missing: A4 sheets of 3 x 8 (70 x 37 mm) and 4 x 12 (52.5 x 24 mm), and rolls.
STANDARD: list[dict] = [
	{
		"layout_name": "A4 3 x 8",
		"kind": "Sheet",
		"page_width_mm": 210,
		"page_height_mm": 297,
		"columns": 3,
		"rows": 8,
		"label_width_mm": 70,
		"label_height_mm": 37,
		"margin_top_mm": 0.5,
		"margin_bottom_mm": 0.5,
		"padding_mm": 2,
		"module_width_mm": 0.33,
		"bar_height_mm": 14,
		"font_size_pt": 8,
		"is_default": 1,
	},
	{
		"layout_name": "A4 4 x 12",
		"kind": "Sheet",
		"page_width_mm": 210,
		"page_height_mm": 297,
		"columns": 4,
		"rows": 12,
		"label_width_mm": 52.5,
		"label_height_mm": 24,
		"margin_top_mm": 4.5,
		"margin_bottom_mm": 4.5,
		"padding_mm": 1.5,
		"module_width_mm": 0.25,
		"bar_height_mm": 9,
		"font_size_pt": 6,
	},
	{
		"layout_name": "Roll 50 x 25 mm",
		"kind": "Roll",
		"page_width_mm": 50,
		"page_height_mm": 25,
		"label_width_mm": 50,
		"label_height_mm": 25,
		"padding_mm": 1.5,
		"module_width_mm": 0.25,
		"bar_height_mm": 10,
		"font_size_pt": 6,
	},
	{
		"layout_name": "Roll 100 x 50 mm",
		"kind": "Roll",
		"page_width_mm": 100,
		"page_height_mm": 50,
		"label_width_mm": 100,
		"label_height_mm": 50,
		"padding_mm": 3,
		"module_width_mm": 0.4,
		"bar_height_mm": 22,
		"font_size_pt": 10,
	},
]


def ensure_label_layouts() -> None:
	"""Make each standard layout that does not exist; leave existing ones as they are."""
	has_default = frappe.db.exists(LAYOUT, {"is_default": 1})
	for values in STANDARD:
		if frappe.db.exists(LAYOUT, values["layout_name"]):
			continue
		doc = frappe.get_doc(
			{"doctype": LAYOUT, "enabled": 1, "zpl_dpi": "203", "show_item_name": 1, **values}
		)
		if has_default:
			doc.is_default = 0
		doc.insert(ignore_permissions=True)
		has_default = has_default or doc.is_default


def to_layout(doc) -> Layout:
	return Layout(
		name=doc.name or doc.layout_name,
		page_width=doc.page_width_mm or 0,
		page_height=doc.page_height_mm or 0,
		columns=doc.columns or 1,
		rows=doc.rows or 1,
		label_width=doc.label_width_mm or 0,
		label_height=doc.label_height_mm or 0,
		margin_top=doc.margin_top_mm or 0,
		margin_left=doc.margin_left_mm or 0,
		gap_x=doc.gap_x_mm or 0,
		gap_y=doc.gap_y_mm or 0,
		padding=doc.padding_mm or 0,
		module_width=doc.module_width_mm or 0,
		bar_height=doc.bar_height_mm or 0,
		font_size=doc.font_size_pt or 0,
		show_item_name=bool(doc.show_item_name),
		dpi=int(doc.zpl_dpi or 203),
		qr_code=bool(doc.get("qr_code")),
	)


def check(doc) -> None:
	"""Refuse, naming the layout and the size, a layout whose labels do not fit."""
	name = escape_html(doc.name or doc.layout_name or "")
	_check_sizes(doc, name)
	layout = to_layout(doc)
	_check_page(doc, layout, name)
	_check_label(layout, name)


#: Sizes that must be more than 0, at least 1, and not negative.
_POSITIVE = ("page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm")
_COUNTS = ("columns", "rows")
_NOT_NEGATIVE = (
	"margin_top_mm",
	"margin_bottom_mm",
	"margin_left_mm",
	"margin_right_mm",
	"gap_x_mm",
	"gap_y_mm",
	"padding_mm",
)


def _check_sizes(doc, name: str) -> None:
	"""Each size of the layout on its own: positive, a count, within the printable bounds."""
	for field in _POSITIVE:
		if (doc.get(field) or 0) <= 0:
			frappe.throw(
				_("{0} of label layout {1} must be more than 0").format(_(doc.meta.get_label(field)), name)
			)
	for field in _COUNTS:
		if (doc.get(field) or 0) < 1:
			frappe.throw(
				_("{0} of label layout {1} must be at least 1").format(_(doc.meta.get_label(field)), name)
			)
	for field in _NOT_NEGATIVE:
		if (doc.get(field) or 0) < 0:
			frappe.throw(
				_("{0} of label layout {1} cannot be negative").format(_(doc.meta.get_label(field)), name)
			)
	if not MIN_MODULE_MM <= (doc.module_width_mm or 0) <= MAX_MODULE_MM:
		frappe.throw(
			_("Module width of label layout {0} must be between {1} mm and {2} mm, not {3} mm").format(
				name, MIN_MODULE_MM, MAX_MODULE_MM, doc.module_width_mm or 0
			)
		)
	if (doc.bar_height_mm or 0) < MIN_BAR_HEIGHT_MM:
		frappe.throw(
			_("Bar height of label layout {0} must be at least {1} mm").format(name, MIN_BAR_HEIGHT_MM)
		)
	if (doc.font_size_pt or 0) < MIN_FONT_PT:
		frappe.throw(_("Font size of label layout {0} must be at least {1} pt").format(name, MIN_FONT_PT))


def _check_page(doc, layout, name: str) -> None:
	"""The labels, their gaps and the margins fit the page, across and down."""
	across = (
		layout.margin_left
		+ layout.columns * layout.label_width
		+ (layout.columns - 1) * layout.gap_x
		+ (doc.margin_right_mm or 0)
	)
	if across > layout.page_width + EPSILON:
		frappe.throw(
			_(
				"The labels of layout {0} do not fit its page: margins, {1} columns and their gaps take {2} mm across, the page is {3} mm wide"
			).format(name, layout.columns, _mm(across), _mm(layout.page_width))
		)
	down = (
		layout.margin_top
		+ layout.rows * layout.label_height
		+ (layout.rows - 1) * layout.gap_y
		+ (doc.margin_bottom_mm or 0)
	)
	if down > layout.page_height + EPSILON:
		frappe.throw(
			_(
				"The labels of layout {0} do not fit its page: margins, {1} rows and their gaps take {2} mm down, the page is {3} mm high"
			).format(name, layout.rows, _mm(down), _mm(layout.page_height))
		)


def _check_label(layout, name: str) -> None:
	"""A label's content (padding, text and bars) fits its height and leaves room for the bars."""
	if layout.needed_height > layout.label_height + EPSILON:
		frappe.throw(
			_(
				"The content of a label of layout {0} needs {1} mm of height (padding, text at {2} pt and bars of {3} mm), the label is {4} mm high"
			).format(
				name,
				_mm(layout.needed_height),
				layout.font_size,
				_mm(layout.bar_height),
				_mm(layout.label_height),
			)
		)
	if layout.bar_room <= 0:
		frappe.throw(_("The padding of label layout {0} leaves no room for the bars").format(name))
	if layout.qr_code and layout.qr_side < MIN_QR_SIDE_MM:
		frappe.throw(
			_(
				"The QR code of label layout {0} would be {1} mm wide, a phone needs at least {2} mm: make the labels taller or their padding smaller"
			).format(name, _mm(layout.qr_side), MIN_QR_SIDE_MM)
		)


def _mm(value: float) -> str:
	return f"{value:.2f}".rstrip("0").rstrip(".")


def get_layout(name: str | None) -> Layout:
	"""The named layout, or the default one; refuses an unknown or disabled layout, naming it."""
	if not name:
		name = frappe.db.get_value(LAYOUT, {"is_default": 1, "enabled": 1}, "name") or frappe.db.get_value(
			LAYOUT, {"enabled": 1}, "name", order_by="name asc"
		)
		if not name:
			frappe.throw(
				_("There is no enabled label layout; add one in SN Label Layout"), frappe.DoesNotExistError
			)
	if not isinstance(name, str):
		frappe.throw(
			_("Layout must be the name of a label layout, not '{0}'").format(escape_html(str(name))),
			title=_("Invalid argument"),
		)
	frappe.has_permission(LAYOUT, "read", throw=True)
	doc = frappe.db.get_value(LAYOUT, name, "*", as_dict=True)
	if not doc:
		frappe.throw(_("Label layout {0} does not exist").format(escape_html(name)), frappe.DoesNotExistError)
	if not doc.enabled:
		frappe.throw(_("Label layout {0} is disabled").format(escape_html(doc.name)))
	return to_layout(doc)
