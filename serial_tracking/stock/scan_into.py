"""One scan into a stock document's own *Scan Barcode* field: which row it goes to, which codes it adds.

ERPNext's scanner finds an item by an item barcode, a batch or an ERPNext serial and adds one to a
row's quantity. An SN code, a carton's code or a GS1 symbol of an SN-tracked item is read here with
the document as context: the item comes from the serial, the carton or the GTIN, the row is the
document's row of that item (for a unit leaving a warehouse, the row at the warehouse the unit is
held at, readable by the user) or a new one, and the codes are those :func:`cartons.read_scan`
enters, checked as the SN dialog checks them (:func:`row_check.check`). On a receipt, scanning the
item's own barcode picks the row the new codes scanned next go to.

Anything else is "not ours" (``ours`` false): ERPNext's scanner reads it as before. Nothing is
stored; each scan reads a fixed number of statements plus the dialog's check of the row.
"""

import frappe
from frappe import _

from serial_tracking import messages
from serial_tracking.constants import CARTON, SERIAL
from serial_tracking.core import gs1
from serial_tracking.core.codes import fold, key, split
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Operation
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, documents, ledger, row_check, unsaved
from serial_tracking.stock.documents import ROW_FIELD

#: Operations whose units leave a warehouse: the row is the one at the unit's warehouse.
LEAVING = frozenset(
	{Operation.SELL, Operation.ISSUE, Operation.PURCHASE_RETURN, Operation.TRANSFER, Operation.TRANSFER_OUT}
)
#: Operations that take new codes: an item's barcode picks the row they go to.
NEW_CODES = frozenset({Operation.RECEIVE, Operation.COUNT})
#: The name a new row has while it is checked here (Desk gives it its own when it adds it).
NEW_ROW = "new-scan-row"


def not_ours() -> dict:
	return {"ours": False}


def scan(doc, text: str | None, row_name: str | None = None) -> dict:
	"""The answer to one scan ``text`` into the unsaved document ``doc`` (of :func:`unsaved.load`);
	``row_name``: the row an item barcode picked before, where new codes go.

	Returns ``ours`` (false: leave the scan to ERPNext), ``item_code``, ``row`` (an existing row's
	name) or ``new_row`` (the values of a row to add), ``codes`` to add to it, ``refused`` (code ->
	reason), ``message``, ``selected`` (an item barcode picked the row) and ``sets_qty``."""
	entry = fold(text or "").strip()
	if not entry or len(entry) > 2 * get_settings().limits.max_length + 100 or not get_settings().enabled:
		return not_ours()
	operation = _operation(doc)
	found = _identify(doc, entry, operation)
	if found is None:
		target = _selected_row(doc, row_name)
		if target is None or operation not in NEW_CODES:
			return not_ours()
		return _enter(doc, target, entry, target.item_code)
	item_code, warehouse, is_item_barcode = found
	if is_item_barcode:
		if operation not in NEW_CODES:
			return not_ours()
		target = _row_for(doc, item_code, None, _selected_row(doc, row_name)) or _empty_row(doc)
		answer = _row_answer(doc, target, item_code, None)
		answer["selected"] = True
		answer["message"] = _("Row {0}: {1} selected; scan its new SN codes").format(
			_row_idx(doc, target), item_code
		)
		return answer
	if warehouse is False:
		# A unit leaving a warehouse that the user may not read, or that no warehouse holds.
		return _refusal(entry, item_code, messages.describe(Problem(Reason.NOT_FOUND, entry)))
	target = _row_for(
		doc, item_code, warehouse if operation in LEAVING else None, _selected_row(doc, row_name)
	)
	return _enter(doc, target, entry, item_code, warehouse)


def _operation(doc) -> Operation | None:
	"""What a new item row of the document does with its units (a sale sells, a receipt receives)."""
	row = doc.append(documents.ITEMS_TABLE, {"item_code": "", "name": "new-scan-probe"})
	try:
		rows = documents.TABLES[doc.doctype][0]
		return documents._meaning(doc, row, documents._warehouse(doc, rows, row), set())[0]
	finally:
		doc.get(documents.ITEMS_TABLE).remove(row)


def _identify(doc, entry: str, operation) -> tuple[str, str | bool | None, bool] | None:
	"""(item, warehouse, is the item's barcode) the scan names, or None when it names no SN-tracked
	item. ``warehouse``: for a unit or carton leaving, the readable warehouse it is held at (False:
	none the user may read)."""
	code, gtin = entry, None
	if gs1.is_gs1(entry, get_settings().limits.gs1_digits):
		read = gs1.read(entry)
		if read.problem and not read.gtin:
			return None
		code, gtin = read.serial or read.sscc, read.gtin
	if code:
		unit = frappe.get_list(
			SERIAL,
			filters={"name": code},
			fields=["name", "item_code", "status", "warehouse"],
			limit_page_length=1,
		)
		if unit and ledger.managed_items({unit[0].item_code}):
			return unit[0].item_code, _held_at(operation, [unit[0]]), False
		if not unit and frappe.db.exists(SERIAL, code):
			# A unit the user may not read is no unit to them, as in the SN dialog.
			managed = ledger.managed_items({frappe.db.get_value(SERIAL, code, "item_code")})
			if managed:
				return next(iter(managed)), False, False
		carton = cartons.rows_named(CARTON, [code], ("name", "item_code"))
		if carton and readable(CARTON, [carton[0].name]) and ledger.managed_items({carton[0].item_code}):
			held = frappe.get_list(
				SERIAL,
				filters={"carton": carton[0].name, "status": "In Stock"},
				fields=["warehouse", "status"],
				limit_page_length=1,
			)
			return carton[0].item_code, _held_at(operation, held) if held else None, False
	items = _items_of_barcode(gtin or entry)
	if len(items) == 1:
		return next(iter(items)), None, gtin is None and code == entry
	return None


def _held_at(operation, units: list) -> str | bool | None:
	if operation not in LEAVING:
		return None
	unit = units[0]
	if not unit.warehouse or unit.status not in ledger.HELD:
		return None
	return unit.warehouse if readable("Warehouse", [unit.warehouse]) else False


def _items_of_barcode(value: str) -> set[str]:
	"""The SN-tracked items that have ``value`` (or its GTIN-14) as a barcode."""
	values = {value}
	if gtin := gs1.gtin14(value):
		values |= {gtin, gtin.lstrip("0"), gtin[1:]}
	barcode = frappe.qb.DocType("Item Barcode")
	items = set(
		frappe.qb.from_(barcode)
		.select(barcode.parent)
		.where((barcode.parenttype == "Item") & barcode.barcode.isin(sorted(values)))
		.run(pluck=True)
	)
	managed = ledger.managed_items(items)
	return set(readable("Item", managed)) if managed else set()


def _selected_row(doc, row_name: str | None):
	if not row_name:
		return None
	return next((row for row in doc.get(documents.ITEMS_TABLE) or [] if row.name == row_name), None)


def _row_for(doc, item_code: str, warehouse: str | None, selected):
	"""The row of ``item_code`` (at ``warehouse`` when given) the scan goes to: the selected one if it
	fits, else the last that fits; None: a new row."""
	rows = documents.TABLES[doc.doctype][0]

	def fits(row) -> bool:
		if row.item_code != item_code:
			return False
		return not warehouse or row.get(rows.source) == warehouse

	if selected is not None and fits(selected):
		return selected
	fitting = [row for row in doc.get(documents.ITEMS_TABLE) or [] if fits(row)]
	return fitting[-1] if fitting else None


def _new_row_values(doc, item_code: str, warehouse: str | None) -> dict:
	stock_uom = frappe.db.get_value("Item", item_code, "stock_uom")
	values = {"item_code": item_code, "uom": stock_uom, "stock_uom": stock_uom, "conversion_factor": 1}
	if doc.doctype == "Stock Entry":
		if warehouse or doc.get("from_warehouse"):
			values["s_warehouse"] = warehouse or doc.get("from_warehouse")
		if doc.get("to_warehouse") and doc.get("purpose") != "Material Issue":
			values["t_warehouse"] = doc.get("to_warehouse")
	else:
		place = warehouse or doc.get("set_warehouse") or _last_warehouse(doc)
		if place:
			values["warehouse"] = place
	return values


def _last_warehouse(doc) -> str | None:
	rows = [row.get("warehouse") for row in doc.get(documents.ITEMS_TABLE) or [] if row.get("warehouse")]
	return rows[-1] if rows else None


def _row_idx(doc, row) -> int:
	return row.idx if row is not None else len(doc.get(documents.ITEMS_TABLE) or []) + 1


def _row_answer(doc, target, item_code: str, warehouse: str | None) -> dict:
	answer = {"ours": True, "item_code": item_code, "codes": [], "refused": {}, "selected": False}
	if target is not None and target.item_code:
		answer["row"] = target.name
		return answer
	answer["new_row"] = _new_row_values(doc, item_code, warehouse)
	if target is not None:
		# An empty row (a new document starts with one) takes the item, as ERPNext's scanner does.
		answer["row"] = target.name
	return answer


def _empty_row(doc):
	return next((row for row in doc.get(documents.ITEMS_TABLE) or [] if not row.item_code), None)


def _refusal(entry: str, item_code: str | None, reason: str) -> dict:
	return {
		"ours": True,
		"item_code": item_code,
		"codes": [],
		"refused": {entry: reason},
		"message": reason,
		"selected": False,
	}


def _enter(doc, target, entry: str, item_code: str, warehouse: str | None = None) -> dict:
	"""Read ``entry`` as the row ``target`` (None: a new row of ``item_code``) reads it, and check
	the codes it gives as the SN dialog does; the codes already in the document are refused."""
	target = target or _empty_row(doc)
	answer = _row_answer(doc, target, item_code, warehouse)
	row = target
	if "new_row" in answer:
		if row is None:
			row = doc.append(documents.ITEMS_TABLE, {"name": NEW_ROW})
		row.update({**answer["new_row"], "qty": 0})
		for field in ("stock_qty", "transfer_qty"):
			if row.meta.has_field(field):
				row.set(field, 0)
	_context, request = unsaved.request_of(doc, row)
	read = cartons.read_scan(doc, request, entry)
	idx = row.idx
	if read["problems"] and not read["codes"]:
		reason = "; ".join(p.get("message") or "" for p in read["problems"]) or _("nothing entered")
		return {**answer, "refused": {entry: reason}, "message": _("Row {0}: {1}").format(idx, reason)}
	on_document = _codes_on_document(doc)
	refused: dict[str, str] = {}
	fresh: list[str] = []
	for code in read["codes"]:
		where = on_document.get(key(code))
		if where is not None:
			refused[code] = _("{0} is already on row {1}").format(code, where)
		else:
			fresh.append(code)
	codes: list[str] = []
	sets_qty = False
	if fresh:
		text = "\n".join([*split(row.get(ROW_FIELD)), *fresh])
		checked = row_check.check(doc, row.name, text)
		sets_qty = checked["sets_qty"]
		reasons = {key(c["code"]): c["reason"] for c in checked["codes"] if not c["ok"]}
		for code in fresh:
			if key(code) in reasons:
				refused[code] = reasons[key(code)]
			else:
				codes.append(code)
	notes = [read["message"]] if read["message"] and codes else []
	if codes:
		notes.append(
			_("Row {0}: {1} added").format(idx, codes[0])
			if len(codes) == 1
			else _("Row {0}: {1} codes added").format(idx, len(codes))
		)
	notes += [reason if code in reason else f"{code}: {reason}" for code, reason in refused.items()]
	return {
		**answer,
		"codes": codes,
		"refused": refused,
		"carton": read.get("carton"),
		"sets_qty": sets_qty,
		"message": "; ".join(notes) or None,
	}


def _codes_on_document(doc) -> dict[str, int]:
	"""Each code on the document's rows (by key) with the number of its row."""
	found: dict[str, int] = {}
	for _rows, row in documents.rows_of(doc):
		for code in split(row.get(ROW_FIELD)):
			found.setdefault(key(code), row.idx)
	return found


def load_and_scan(doc, text, row_name=None) -> dict:
	loaded = unsaved.load(doc)
	return scan(loaded, text, row_name)
