"""Documents that move stock but cannot carry serials refuse SN-tracked items, so none moves them
silently: the ERPNext documents known to write stock ledger entries without carrying serials
(``documents.REFUSING``) on validate, and, as a safety net for any other, every new stock ledger
entry of an SN-tracked item written by a document the app does not handle."""

from frappe import _

from serial_tracking import messages
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.settings import get_settings
from serial_tracking.stock import documents, ledger


def validate(doc, method=None):
	"""A document of ``documents.REFUSING``: every row of an SN-tracked item refused, row by row."""
	tables = documents.REFUSING.get(doc.doctype)
	if not tables or not get_settings().enabled:
		return
	rows = [(table, row) for table in tables for row in doc.get(table) or [] if row.get("item_code")]
	managed = ledger.managed_items({row.item_code for _table, row in rows})
	problems = [
		Problem(
			Reason.UNSUPPORTED_DOCUMENT,
			row=row.idx,
			params={"item_code": row.item_code, "doctype": _(doc.doctype)},
			table=None if table == documents.ITEMS_TABLE else table,
		)
		for table, row in rows
		if row.item_code in managed
	]
	messages.throw(problems)


def stock_ledger_entry(sle, method=None):
	"""Before a stock ledger entry is written: refuse an SN-tracked item moved by a document that
	does not move its serials. Reversals of cancelled documents pass, so that nothing is stuck."""
	if sle.voucher_type in documents.SUPPORTED or sle.get("is_cancelled"):
		return
	if not get_settings().enabled or not ledger.managed_items({sle.item_code}):
		return
	messages.throw(
		[
			Problem(
				Reason.UNSUPPORTED_DOCUMENT,
				params={"item_code": sle.item_code, "doctype": _(sle.voucher_type)},
			)
		]
	)
