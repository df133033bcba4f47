"""What submit would say of one row's SN codes, asked while the document is still unsaved.

The live SN dialog sends the document as Desk holds it, a row's name and the row's text.
:func:`check` puts the text on the row and runs the plan submit runs (``pipeline.context_of`` and
``pipeline.plan_of``, without locks) over the whole document, then answers for that row: each entry
good or refused with submit's reason, the count entered and required, and the row's own problems.
Nothing is written.
"""

from frappe import _

from serial_tracking import messages
from serial_tracking.core.codes import key, split
from serial_tracking.core.plan import RowRequest, parse_row
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Operation
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons, documents, pipeline, unsaved
from serial_tracking.stock.documents import ROW_FIELD

#: Operations whose row quantity follows its codes in the dialog: receipts and counts.
SETS_QTY = frozenset({Operation.RECEIVE, Operation.COUNT})
#: Row problems about how many codes the row carries.
COUNT_REASONS = frozenset({Reason.COUNT_MISMATCH, Reason.REQUIRED})


def check(doc, row_name: str, text: str | None) -> dict:
	"""``doc``: a document of :func:`unsaved.load`; ``row_name``: one of its rows; ``text``: its codes."""
	row = unsaved.row_of(doc, row_name)
	row.set(ROW_FIELD, text or "")
	# Checked as of now, as ERPNext dates it when it is saved and submitted, not as Desk opened it.
	documents.date_now(doc)
	context, target = unsaved.request_of(doc, row)
	problems = list(context.reading.problems)
	# As on save: codes that are carton codes, and the cartons a receiving row packs its codes in.
	problems.extend(cartons.document_problems(doc, context.rows, context.reading, context.moves))
	if context.moves:
		problems.extend(pipeline.plan_of(context, lock=False).problems)
	own = [p for p in problems if p.row == target.row and p.table == target.table]
	codes = _codes_of(target)
	keys = {key(code) for code in codes}
	by_code = _code_reasons(own, problems, target)
	# The row's own problems, and those of a code that is not one of its codes (a carton's).
	row_problems = [p for p in own if p.position is None and (not p.code or key(p.code) not in keys)]
	row_problems += [p for p in problems if p.row is None and p.reason is Reason.TOO_MANY]
	refusal = next((p for p in row_problems if p.reason is target.refusal), None) if target.refusal else None
	count = next((p for p in row_problems if p.reason in COUNT_REASONS), None)
	return {
		"codes": _entries(target, codes, own, by_code, refusal),
		"entered": len(split(target.text)),
		"required": int(target.qty),
		"problems": [messages.describe(p) for p in row_problems],
		"count_problem": messages.describe(count) if count else None,
		"sets_qty": target.operation in SETS_QTY and target.refusal is None,
		"operation": target.operation.value,
	}


def _code_reasons(own: list[Problem], problems: list[Problem], target: RowRequest) -> dict[str, str]:
	"""The reason of each refused code of the row (by key): what the plan says of it on this row,
	and "also on row N" for a code another row carries too, whichever of the two comes first (the
	plan reports a code given twice only at its second place)."""
	reasons: dict[str, str] = {}
	for p in problems:
		if (
			p.reason is Reason.DUPLICATE
			and p.position is None
			and p.row is not None
			and (p.row, p.table) != (target.row, target.table)
			and (p.params.get("first_row"), p.params.get("first_table")) == (target.row, target.table)
		):
			reasons.setdefault(key(p.code), _also_on(p.code, p.table, p.row))
	for p in own:
		if not p.code or p.position is not None:
			continue
		if p.reason is Reason.DUPLICATE and "first_row" in p.params:
			reason = _also_on(p.code, p.params.get("first_table"), p.params["first_row"])
		else:
			reason = messages.describe(p)
		reasons.setdefault(key(p.code), reason)
	return reasons


def _also_on(code: str, table: str | None, row: int) -> str:
	return _("{0} is also on row {1}").format(code, messages._row_label(table, row))


def _codes_of(target: RowRequest) -> list[str]:
	"""Every code the row's text gives, in order (GS1 scans read for the row's item)."""
	return parse_row(target, get_settings().limits).codes


def _entries(
	target: RowRequest,
	codes: list[str],
	own: list[Problem],
	by_code: dict[str, str],
	refusal: Problem | None,
) -> list[dict]:
	"""One answer per entry of the row's text, in order."""
	entries = split(target.text)
	at_entry = {p.position: p for p in own if p.position is not None}
	refused_all = messages.describe(refusal) if refusal else None
	free = [n for n in range(1, len(entries) + 1) if n not in at_entry]
	found = []
	if len(free) == len(codes):
		# Each entry gave one code (no carton among them): answers in the order entered.
		given = dict(zip(free, codes, strict=True))
		for n, entry in enumerate(entries, start=1):
			if n in at_entry:
				found.append(_answer(entry, messages.describe(at_entry[n]), n))
			else:
				code = given[n]
				found.append(_answer(code, refused_all or by_code.get(key(code)), n))
		return found
	for n in sorted(at_entry):
		found.append(_answer(entries[n - 1], messages.describe(at_entry[n]), n))
	for code in codes:
		found.append(_answer(code, refused_all or by_code.get(key(code)), None))
	return found


def _answer(code: str, reason: str | None, entry: int | None) -> dict:
	return {"code": code, "ok": reason is None, "reason": reason, "entry": entry}
