"""Why an input or a movement is refused, as plain values."""

from dataclasses import dataclass, field
from enum import Enum


class Reason(str, Enum):
	"""Every refusal the core can give. The adapters own the wording."""

	# codes
	TOO_LONG = "too_long"
	CONTROL_CHARACTER = "control_character"
	INVISIBLE_CHARACTER = "invisible_character"
	NON_ASCII = "non_ascii"
	INVALID_CHARACTER = "invalid_character"
	DUPLICATE = "duplicate"
	TOO_MANY = "too_many"
	INPUT_TOO_LONG = "input_too_long"
	NOTHING_ENTERED = "nothing_entered"
	NOT_TEXT = "not_text"
	# GS1 scans
	GS1_INVALID = "gs1_invalid"
	GS1_NO_SERIAL = "gs1_no_serial"
	GS1_OTHER_GTIN = "gs1_other_gtin"
	GS1_CARTON = "gs1_carton"
	# generation
	BAD_COUNT = "bad_count"
	BAD_INCREMENT = "bad_increment"
	BAD_START = "bad_start"
	BAD_WIDTH = "bad_width"
	WIDTH_OUTGROWN = "width_outgrown"
	BAD_PREFIX = "bad_prefix"
	# rows
	QTY_NOT_WHOLE = "qty_not_whole"
	COUNT_MISMATCH = "count_mismatch"
	REQUIRED = "required"
	CODES_MISSING = "codes_missing"
	NOT_STOCK_UOM = "not_stock_uom"
	UNSUPPORTED_PURPOSE = "unsupported_purpose"
	REJECTED_QTY = "rejected_qty"
	NOT_RETURNED_UNDER_CLAIM = "not_returned_under_claim"
	UNSUPPORTED_DOCUMENT = "unsupported_document"
	# states
	WRONG_ITEM = "wrong_item"
	ALREADY_IN_STOCK = "already_in_stock"
	ALREADY_IN_TRANSIT = "already_in_transit"
	NOT_FOUND = "not_found"
	WRONG_WAREHOUSE = "wrong_warehouse"
	NOT_IN_STOCK = "not_in_stock"
	NOT_IN_TRANSIT = "not_in_transit"
	NOT_SOLD = "not_sold"
	NOT_ON_ORIGINAL = "not_on_original"
	IN_TRANSIT_ON_COUNT = "in_transit_on_count"
	OVER_WAREHOUSE_QTY = "over_warehouse_qty"
	BACKDATED = "backdated"
	OTHER_SUPPLIER = "other_supplier"
	OTHER_CUSTOMER = "other_customer"
	NOT_ON_OUTGOING = "not_on_outgoing"
	# voiding
	LATER_MOVEMENTS = "later_movements"
	# cartons
	CARTON_IS_SERIAL = "carton_is_serial"
	SERIAL_IS_CARTON = "serial_is_carton"
	CARTON_OTHER_ITEM = "carton_other_item"
	CARTON_UNKNOWN = "carton_unknown"
	IN_TWO_CARTONS = "in_two_cartons"
	CARTON_CODE_NOT_ON_ROW = "carton_code_not_on_row"
	CARTONS_UNREADABLE = "cartons_unreadable"
	# an item's code format (core.code_formats): a new code that is not of it
	FORMAT_IMEI_DIGITS = "format_imei_digits"
	FORMAT_IMEI_LENGTH = "format_imei_length"
	FORMAT_IMEISV_LENGTH = "format_imeisv_length"
	FORMAT_IMEI_CHECK_DIGIT = "format_imei_check_digit"
	FORMAT_DIGITS_ONLY = "format_digits_only"
	FORMAT_DIGITS_LENGTH = "format_digits_length"
	FORMAT_PATTERN = "format_pattern"
	# ... and a format an item cannot have
	FORMAT_BAD_LENGTH = "format_bad_length"
	FORMAT_NO_PATTERN = "format_no_pattern"
	FORMAT_PATTERN_TOO_LONG = "format_pattern_too_long"
	FORMAT_BAD_PATTERN = "format_bad_pattern"


@dataclass(frozen=True)
class Problem:
	"""One refusal: the reason, where it happened and the values its message needs.

	``row`` is the 1-based row number of a document (``None`` outside rows) in its
	``table`` (``None``: the item rows), ``position`` the 1-based place of a code in
	what was entered.
	"""

	reason: Reason
	code: str = ""
	row: int | None = None
	position: int | None = None
	params: dict = field(default_factory=dict)
	table: str | None = None

	def at_row(self, row: int, table: str | None = None) -> "Problem":
		return Problem(self.reason, self.code, row, self.position, self.params, table)
