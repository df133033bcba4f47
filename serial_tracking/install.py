"""Custom fields made by code on install and migrate, and removed on uninstall."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from serial_tracking.constants import (
	ITEM_CONVERTED,
	ITEM_FLAG,
	ITEM_FORMAT,
	ITEM_FORMAT_LENGTH,
	ITEM_FORMAT_PATTERN,
	ROW_BUTTON,
	ROW_CARTONS,
	ROW_COUNT,
	ROW_FIELD,
	SERIAL,
	SETTINGS,
	SN_CODE,
)
from serial_tracking.printing.layouts import ensure_label_layouts
from serial_tracking.stock.documents import (
	CLAIM_FIELD,
	FITTED_FIELD,
	PACKED,
	ROW_DOCTYPES,
	SWAPPED_FIELD,
	TABLES,
	VISIT_FIELD,
)
from serial_tracking.stock.posting import ensure_row

MODULE = "Serial Tracking"
#: The Item's own section for the switch.
ITEM_SECTION = "sn_tracking_section"


def get_custom_fields() -> dict[str, list[dict]]:
	row_fields = [
		{
			"fieldname": ITEM_FLAG,
			"label": "SN Tracked",
			"fieldtype": "Check",
			"fetch_from": "item_code.sn_tracking",
			"read_only": 1,
			"hidden": 1,
			"insert_after": "serial_and_batch_bundle",
			"module": MODULE,
		},
		{
			"fieldname": ROW_FIELD,
			"label": "SN Codes",
			"fieldtype": "Long Text",
			"depends_on": f"eval:doc.{ITEM_FLAG}",
			"description": "One SN code a line; the count must equal the quantity in stock units.",
			"insert_after": ITEM_FLAG,
			"module": MODULE,
		},
		{
			"fieldname": ROW_CARTONS,
			"label": "SN Cartons",
			"fieldtype": "Long Text",
			"hidden": 1,
			"no_copy": 1,
			"description": "The cartons the row's SN codes are packed in (receipts), set by the SN dialog.",
			"insert_after": ROW_FIELD,
			"module": MODULE,
		},
		{
			# Right after the quantity: in the grid it takes the one width unit ERPNext's columns leave
			# free (Frappe widens its columns into it), so none of ERPNext's columns is pushed out.
			"fieldname": ROW_COUNT,
			"label": "SN",
			"fieldtype": "Data",
			"read_only": 1,
			"in_list_view": 1,
			"columns": 1,
			"no_copy": 1,
			"print_hide": 1,
			"report_hide": 1,
			"insert_after": "qty",
			"module": MODULE,
		},
		{
			# At the top of the row form, beside the quantity, not below ERPNext's sections.
			"fieldname": ROW_BUTTON,
			"label": "SN",
			"fieldtype": "Button",
			"depends_on": f"eval:doc.{ITEM_FLAG}",
			"insert_after": ROW_COUNT,
			"module": MODULE,
		},
	]
	fields = {row_doctype: [dict(f) for f in row_fields] for row_doctype in ROW_DOCTYPES}
	for doctype, extra in replacement_fields().items():
		fields.setdefault(doctype, []).extend(extra)
	# Packed Item rows also belong to orders and quotations, which move no stock: codes only on
	# the documents that deliver a bundle.
	delivering = [parent for parent, tables in TABLES.items() if PACKED in tables]
	for field in fields[PACKED.doctype]:
		if field["fieldname"] not in (ITEM_FLAG, ROW_COUNT):
			field["depends_on"] = f"eval:doc.{ITEM_FLAG} && {delivering!r}.includes(doc.parenttype)"
	# On the Item's first tab, in a section of its own that is never collapsed, where a consultant
	# looks first; in the Item list as a column and a standard filter.
	fields["Item"] = [
		{
			"fieldname": ITEM_SECTION,
			"label": "SN Tracking",
			"fieldtype": "Section Break",
			"insert_after": "image",
			"collapsible": 0,
			"module": MODULE,
		},
		{
			"fieldname": ITEM_FLAG,
			"label": "Track SN Codes",
			"fieldtype": "Check",
			"insert_after": ITEM_SECTION,
			"description": (
				"Each unit carries its own SN code (Serial Tracking), entered or scanned on every stock "
				"document and kept in the SN ledger. Not ERPNext's Has Serial No (Inventory tab), which "
				"stays off. After switching on, register the units already in stock with Actions > "
				"Adjust In-stock Serial Numbers."
			),
			"in_standard_filter": 1,
			"in_list_view": 1,
			"module": MODULE,
		},
		*code_format_fields(),
		{
			"fieldname": ITEM_CONVERTED,
			"label": "Converted from ERPNext's Serials",
			"fieldtype": "Datetime",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": ITEM_FORMAT_PATTERN,
			"depends_on": f"eval:doc.{ITEM_CONVERTED}",
			"description": (
				"When the item's serial numbers of ERPNext became SN codes. No stock document of the "
				"item may be posted before this moment, and documents that moved it with ERPNext's "
				"serial numbers are not cancelled."
			),
			"module": MODULE,
		},
	]
	fields.update(after_sales_fields())
	return fields


def code_format_fields() -> list[dict]:
	"""The Item's SN code format, beside the switch and shown only when it is on."""
	tracked = f"eval:doc.{ITEM_FLAG}"
	return [
		{
			"fieldname": ITEM_FORMAT,
			"label": "SN Code Format",
			"fieldtype": "Select",
			"options": "\nAny\nIMEI\nDigits\nPattern",
			"insert_after": ITEM_FLAG,
			"depends_on": tracked,
			"description": (
				"What a new SN code of this item must be: any code; an IMEI (15 digits with a valid check "
				"digit); digits only, of a fixed number; or a pattern. Codes the item already has stay "
				"valid."
			),
			"module": MODULE,
		},
		{
			"fieldname": ITEM_FORMAT_LENGTH,
			"label": "SN Code Digits",
			"fieldtype": "Int",
			"non_negative": 1,
			"insert_after": ITEM_FORMAT,
			"depends_on": f"eval:doc.{ITEM_FLAG} && doc.{ITEM_FORMAT} == 'Digits'",
			"description": "How many digits each SN code has.",
			"module": MODULE,
		},
		{
			"fieldname": ITEM_FORMAT_PATTERN,
			"label": "SN Code Pattern",
			"fieldtype": "Data",
			"length": 200,
			"insert_after": ITEM_FORMAT_LENGTH,
			"depends_on": f"eval:doc.{ITEM_FLAG} && doc.{ITEM_FORMAT} == 'Pattern'",
			"description": (
				"A regular expression (RE2 syntax) the whole SN code must match, e.g. [A-Z]{3}[0-9]{6}; "
				"case matters unless it starts with (?i). Back-references and look-arounds are not "
				"available."
			),
			"module": MODULE,
		},
	]


def replacement_fields() -> dict[str, list[dict]]:
	"""A Stock Entry's Warranty Claim (set by *Replace unit*: the entry takes the faulty unit back from
	the claim's customer or hands the new one over) and, on its rows, the unit swapped with; its
	Maintenance Visit (set by *Fit SN parts*) and, on its rows, the unit the parts were fitted into."""
	return {
		"Stock Entry": [
			{
				"fieldname": CLAIM_FIELD,
				"label": "Warranty Claim",
				"fieldtype": "Link",
				"options": "Warranty Claim",
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": "stock_entry_type",
				"depends_on": f"eval:doc.{CLAIM_FIELD}",
				"module": MODULE,
			},
			{
				"fieldname": VISIT_FIELD,
				"label": "Maintenance Visit",
				"fieldtype": "Link",
				"options": "Maintenance Visit",
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": CLAIM_FIELD,
				"depends_on": f"eval:doc.{VISIT_FIELD}",
				"module": MODULE,
			},
		],
		"Stock Entry Detail": [
			{
				"fieldname": SWAPPED_FIELD,
				"label": "Swapped With",
				"fieldtype": "Link",
				"options": SERIAL,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": ROW_BUTTON,
				"depends_on": f"eval:doc.{SWAPPED_FIELD}",
				"description": "The unit of the same warranty claim this unit was swapped with.",
				"module": MODULE,
			},
			{
				"fieldname": FITTED_FIELD,
				"label": "Fitted Into",
				"fieldtype": "Link",
				"options": SERIAL,
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": SWAPPED_FIELD,
				"depends_on": f"eval:doc.{FITTED_FIELD}",
				"description": "The customer's unit these spare parts were fitted into at a maintenance visit.",
				"module": MODULE,
			},
		],
	}


def after_sales_fields() -> dict[str, list[dict]]:
	"""The SN Code of ERPNext's after-sales documents: a Warranty Claim's unit (first in the column of
	its customer, as the service desk scans the unit first) and each Maintenance Visit purpose's; the
	SN codes of an Installation Note's rows."""
	field = {
		"fieldname": SN_CODE,
		"label": "SN Code",
		"fieldtype": "Link",
		"options": SERIAL,
		"search_index": 1,
		"module": MODULE,
	}
	return {
		"Warranty Claim": [
			{
				**field,
				"insert_after": "column_break0",
				"description": "The unit's SN code (Serial Tracking): fills its item, customer, warranty and AMC.",
			}
		],
		"Maintenance Visit Purpose": [
			{**field, "insert_after": "item_code", "in_list_view": 1, "columns": 1}
		],
		# the units installed, one a line, as a stock document's row holds them (mapped from the delivery's)
		"Installation Note Item": [
			{
				"fieldname": ITEM_FLAG,
				"label": "SN Tracked",
				"fieldtype": "Check",
				"fetch_from": "item_code.sn_tracking",
				"read_only": 1,
				"hidden": 1,
				"insert_after": "serial_no",
				"module": MODULE,
			},
			{
				"fieldname": ROW_FIELD,
				"label": "SN Codes",
				"fieldtype": "Long Text",
				"depends_on": f"eval:doc.{ITEM_FLAG}",
				"description": "The SN codes of the units installed, one a line, as many as the quantity.",
				"insert_after": ITEM_FLAG,
				"module": MODULE,
			},
		],
	}


#: The ERPNext column of each row doctype narrowed by one width unit, to make room for the SN column:
#: Frappe's grid shows 10 units of columns and drops the rest, and ERPNext's columns fill them.
#: Narrowed where it costs least: a wide item code, a rate of 3, a unit, a packed row's description, a
#: Stock Entry's quantity, a count's warehouse; a visit purpose's description, for its SN Code.
GRID_WIDTHS: dict[str, tuple[str, int]] = {
	"Purchase Receipt Item": ("item_code", 2),
	"Purchase Invoice Item": ("rate", 2),
	"Delivery Note Item": ("uom", 1),
	"Sales Invoice Item": ("item_code", 3),
	"POS Invoice Item": ("item_code", 3),
	"Packed Item": ("description", 1),
	"Stock Entry Detail": ("qty", 1),
	"Stock Reconciliation Item": ("warehouse", 2),
	"Maintenance Visit Purpose": ("description", 1),
}


def ensure_grid_widths():
	"""The property setters of :data:`GRID_WIDTHS`, the app's (module Serial Tracking). A width the
	site set itself for one of these columns is left as it is."""
	for doctype, (fieldname, width) in GRID_WIDTHS.items():
		filters = {"doc_type": doctype, "field_name": fieldname, "property": "columns"}
		found = frappe.get_all("Property Setter", filters=filters, fields=["name", "module", "value"])
		if any(row.module != MODULE for row in found):
			continue
		if found and found[0].value == str(width):
			continue
		frappe.db.delete("Property Setter", filters)
		setter = make_property_setter(doctype, fieldname, "columns", width, "Int")
		setter.db_set("module", MODULE)
		frappe.clear_cache(doctype=doctype)


def remove_grid_widths():
	for doctype, (fieldname, _width) in GRID_WIDTHS.items():
		frappe.db.delete(
			"Property Setter",
			{"doc_type": doctype, "field_name": fieldname, "property": "columns", "module": MODULE},
		)
		frappe.clear_cache(doctype=doctype)


def after_install():
	create_custom_fields(get_custom_fields(), update=True)
	ensure_grid_widths()
	ensure_settings()
	ensure_label_layouts()
	ensure_row()


def after_migrate():
	create_custom_fields(get_custom_fields(), update=True)
	ensure_grid_widths()
	ensure_settings()
	ensure_label_layouts()
	ensure_row()


def ensure_settings():
	"""Give every setting that has no value its default (a new install, or a field added since)."""
	settings = frappe.get_single(SETTINGS)
	missing = {
		df.fieldname: df.default
		for df in settings.meta.fields
		if df.default is not None and settings.get(df.fieldname) in (None, "")
	}
	if missing:
		settings.update(missing)
		settings.save(ignore_permissions=True)


def before_uninstall():
	remove_grid_widths()
	for doctype, fields in get_custom_fields().items():
		names = frappe.get_all(
			"Custom Field",
			filters={"dt": doctype, "fieldname": ("in", [f["fieldname"] for f in fields])},
			pluck="name",
		)
		for name in names:
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.db.delete(
			"Property Setter", {"doc_type": doctype, "field_name": ("in", [f["fieldname"] for f in fields])}
		)
		frappe.clear_cache(doctype=doctype)
