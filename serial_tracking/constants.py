"""The names the app gives its doctypes and fields: one home, imported everywhere else."""

#: The app's doctypes.
SERIAL = "Serial Number"
LOG = "Serial Circulation Log"
SETTINGS = "Serial Tracking Settings"
CARTON = "Serial Carton"
#: The one-row table whose lock is the posting turn (serial_tracking/stock/posting.py).
TURN = "Serial Posting Turn"

#: The custom field on Item that switches SN tracking on.
ITEM_FLAG = "sn_tracking"
#: The custom fields on Item with its SN code format (``core.code_formats``): the kind, the number
#: of digits of a Digits format, the expression of a Pattern format.
ITEM_FORMAT = "sn_code_format"
ITEM_FORMAT_LENGTH = "sn_code_length"
ITEM_FORMAT_PATTERN = "sn_code_pattern"
#: The custom field on Item with the moment it was converted from ERPNext's serial numbers: no stock
#: document of the item may be posted before it.
ITEM_CONVERTED = "sn_converted_at"
#: The custom field on item rows with the row's SN codes, one a line.
ROW_FIELD = "sn_codes"
#: The button on item rows that opens the SN dialog.
ROW_BUTTON = "sn_button"
#: The column of the item grids with a row's codes entered / required, drawn by the Desk script
#: sn_column.js from the row's codes and quantity (the field itself holds nothing).
ROW_COUNT = "sn_count"
#: The hidden custom field on item rows with the cartons the row's codes are packed in (receipts):
#: JSON ``{"CARTON-CODE": ["SN1", "SN2"]}``.
ROW_CARTONS = "sn_cartons"

#: Registration and a manager's corrections are logged against the item.
STATEMENT_VOUCHER = "Item"

#: Each status's colour in Desk (list indicators, the search report), in the statuses' order.
STATUS_COLOURS = {
	"In Stock": "green",
	"In Transit": "blue",
	"Sold": "gray",
	"Returned": "purple",
	"Issued": "orange",
	"Missing": "red",
}

#: The custom field naming a unit's SN code on ERPNext's after-sales documents (a Warranty Claim, a
#: Maintenance Visit's purposes).
SN_CODE = "sn_code"
