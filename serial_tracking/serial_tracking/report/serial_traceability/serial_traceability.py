"""Serial Traceability: a serial's lives, a document's serials, or the customers who received the
units of a receipt or a supplier (recall), as a tree. The data is ``serial_tracking.api.trace``'s,
with its permission checks; the recall comes a page of 500 units at a time (the hidden filter
``after`` is where a page starts)."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import formatdate

from serial_tracking.api.tracing import trace


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	recall = bool(frappe.utils.cint(filters.get("recall")))
	if not any(filters.get(f) for f in ("serial_no", "voucher_type", "voucher_no", "supplier")):
		return serial_columns(), [], _("Choose an SN code, a document or a supplier to trace.")
	traced = trace(
		serial_no=filters.get("serial_no"),
		voucher_type=filters.get("voucher_type"),
		voucher_no=filters.get("voucher_no"),
		supplier=filters.get("supplier"),
		after=filters.get("after"),
	)
	if traced["kind"] == "serial":
		return serial_columns(), serial_rows(traced), now_message(traced)
	if traced["kind"] == "supplier" or recall:
		if "customers" not in traced:
			frappe.throw(
				_("{0} {1} received no units from a supplier: choose a receipt to recall").format(
					_(traced["voucher_type"]), traced["voucher_no"]
				),
				title=_("Invalid argument"),
			)
		return recall_columns(), recall_rows(traced["customers"]), page_message(traced, filters.get("after"))
	return document_columns(), document_rows(traced), None


def page_message(traced: dict, after: str | None) -> str | None:
	"""Which page of the recall the rows are (its customers, of a page of units), with links to the
	next page when more units follow and back to the first (HTML, every value escaped)."""
	if not traced.get("more") and not after:
		return None
	esc = frappe.utils.escape_html
	said = (
		_("The customers of the next {0} units are shown; more units follow.")
		if traced.get("more")
		else _("The customers of the last {0} units are shown.")
	).format(traced["units"])
	links = []
	if after:
		links.append(f'<a class="sn-recall-page" data-after="">{esc(_("First page"))}</a>')
	if traced.get("more"):
		links.append(
			f'<a class="sn-recall-page" data-after="{esc(traced["next"])}">{esc(_("Next page"))}</a>'
		)
	return f"<span>{esc(said)}</span> " + " · ".join(links)


def _time(value) -> str | None:
	"""A posting time as HH:MM:SS."""
	if isinstance(value, timedelta):
		seconds = int(value.total_seconds())
		return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
	return str(value).split(".")[0] if value else None


def _translated(value) -> str | None:
	return _(value) if value else value


def _movement(m: dict) -> dict:
	label = (
		_("Code corrected from {0}").format(m["previous_code"])
		if m.get("previous_code")
		else _translated(m["operation"])
	)
	return {
		"label": label,
		"serial_no": m["serial_no"],
		"item_code": m["item_code"],
		"voucher_type": m["voucher_type"],
		"voucher_no": m["voucher_no"],
		"posting_date": m["posting_date"],
		"posting_time": _time(m["posting_time"]),
		"status_before": _translated(m["status_before"]),
		"status_after": _translated(m["status_after"]),
		"from_warehouse": m["from_warehouse"],
		"to_warehouse": m["to_warehouse"],
		"party_type": m["party_type"],
		"party": m["party"],
		"is_cancelled": m["is_cancelled"],
	}


# From one serial


def _column(fieldname, label, fieldtype="Data", options=None, width=120, **extra):
	"""A column; a document or party type is Data, not a Link to DocType (see finding.search._COLUMNS)."""
	return {
		"fieldname": fieldname,
		"label": label,
		"fieldtype": fieldtype,
		"options": options,
		"width": width,
		**extra,
	}


def _movement_columns() -> list[dict]:
	return [
		_column("voucher_type", _("Document Type"), "Data", None, 130),
		_column("voucher_no", _("Document"), "Dynamic Link", "voucher_type", 170),
		_column("posting_date", _("Date"), "Date", width=100),
		_column("posting_time", _("Time"), "Data", width=80),
		_column("status_before", _("Status Before"), width=100),
		_column("status_after", _("Status After"), width=100),
		_column("from_warehouse", _("From Warehouse"), "Link", "Warehouse", 150),
		_column("to_warehouse", _("To Warehouse"), "Link", "Warehouse", 150),
		_column("party_type", _("Party Type"), "Data", None, 100, hidden=1),
		_column("party", _("Party"), "Dynamic Link", "party_type", 150),
		_column("is_cancelled", _("Cancelled"), "Check", width=80),
	]


def serial_columns() -> list[dict]:
	return [_column("label", _("Life / Movement"), width=220), *_movement_columns()]


def serial_rows(traced: dict) -> list[dict]:
	rows = []
	for life in traced["lives"]:
		opening = life["opened_by"] or {}
		rows.append(
			{
				"label": _("Life {0}").format(life["life"]),
				"voucher_type": opening.get("voucher_type"),
				"voucher_no": opening.get("voucher_no"),
				"posting_date": opening.get("posting_date"),
				"party_type": opening.get("party_type"),
				"party": opening.get("party"),
				"indent": 0,
			}
		)
		rows.extend({**_movement(m), "indent": 1} for m in life["movements"])
	return rows


def now_message(traced: dict) -> str:
	"""Where the serial is now, as HTML (every value escaped)."""
	esc = frappe.utils.escape_html
	now = traced["now"]
	code = esc(traced["serial_no"])
	if not now:
		return _("{0}: no current state (every movement was cancelled)").format(code)
	where = [_(now["status"])] if now["status"] else []
	if now.get("warehouse"):
		where.append(_("at {0}").format(now["warehouse"]))
	if now.get("customer") and now["status"] == "Sold":
		where.append(_("to {0}").format(now["customer"]))
	if now.get("voucher_no"):
		where.append(_("by {0} {1}").format(_(now["voucher_type"]), now["voucher_no"]))
	said = _("{0} ({1}) is now {2}").format(code, esc(now["item_code"]), " ".join(esc(w) for w in where))
	if now.get("warranty_expiry_date"):
		said += "; " + _("warranty until {0}").format(esc(formatdate(now["warranty_expiry_date"])))
	if now.get("amc_expiry_date"):
		said += "; " + _("AMC until {0}").format(esc(formatdate(now["amc_expiry_date"])))
	return said


# From one document


def document_columns() -> list[dict]:
	return [
		_column("serial_no", _("SN Code"), "Link", "Serial Number", 180),
		_column("item_code", _("Item"), "Link", "Item", 130),
		_column("label", _("Movement"), width=120),
		_column("from_warehouse", _("From Warehouse"), "Link", "Warehouse", 150),
		_column("to_warehouse", _("To Warehouse"), "Link", "Warehouse", 150),
		_column("status_after", _("Status After"), width=100),
		_column("is_cancelled", _("Cancelled"), "Check", width=80),
		_column("status", _("Status Now"), width=100),
		_column("warehouse", _("Warehouse Now"), "Link", "Warehouse", 150),
		_column("customer", _("Customer"), "Link", "Customer", 150),
		_column("voucher_type", _("Last Document Type"), "Data", None, 130),
		_column("voucher_no", _("Last Document"), "Dynamic Link", "voucher_type", 170),
	]


def document_rows(traced: dict) -> list[dict]:
	rows = []
	for serial in traced["serials"]:
		now = serial["now"] or {}
		rows.append(
			{
				"serial_no": serial["serial_no"],
				"item_code": serial["item_code"],
				"status": _translated(now.get("status")),
				"warehouse": now.get("warehouse"),
				"customer": now.get("customer") if now.get("status") == "Sold" else None,
				"voucher_type": now.get("voucher_type"),
				"voucher_no": now.get("voucher_no"),
				"indent": 0,
			}
		)
		for m in serial["movements"]:
			moved = _movement(m)
			rows.append(
				{
					"label": moved["label"],
					"from_warehouse": moved["from_warehouse"],
					"to_warehouse": moved["to_warehouse"],
					"status_after": moved["status_after"],
					"is_cancelled": moved["is_cancelled"],
					"indent": 1,
				}
			)
	return rows


# Recall


def recall_columns() -> list[dict]:
	return [
		_column("customer", _("Customer"), "Link", "Customer", 200),
		_column("serial_no", _("SN Code"), "Link", "Serial Number", 180),
		_column("item_code", _("Item"), "Link", "Item", 130),
		_column("voucher_type", _("Delivery Type"), "Data", None, 120),
		_column("voucher_no", _("Delivery"), "Dynamic Link", "voucher_type", 170),
		_column("posting_date", _("Delivery Date"), "Date", width=110),
		_column("held", _("Still Held"), "Check", width=90),
		_column("receipt_type", _("Receipt Type"), "Data", None, 120),
		_column("receipt_no", _("Receipt"), "Dynamic Link", "receipt_type", 170),
	]


def recall_rows(customers: list[dict]) -> list[dict]:
	rows = []
	for customer in customers:
		rows.append({"customer": customer["customer"], "indent": 0})
		rows.extend({**unit, "held": int(unit["held"]), "indent": 1} for unit in customer["units"])
	return rows
