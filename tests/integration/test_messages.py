"""Every reason the core gives has its own translated sentence, naming the row, the code and the reason."""

from datetime import datetime

import pytest

from frappe.utils import format_datetime

from serial_tracking.core.code_formats import CodeFormat, Kind, format_problem
from serial_tracking.core.code_formats import check as check_format
from serial_tracking.core.codes import parse
from serial_tracking.core.generate import Rule, generate
from serial_tracking.core.plan import RowRequest, read
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.core.states import Movement, Operation, State, Status, apply
from serial_tracking.messages import describe, locate

SOLD = State("S1", "PHONE", Status.SOLD, voucher_type="Delivery Note", voucher_no="DN-7")
IN_STOCK = State("S1", "PHONE", Status.IN_STOCK, "Main")
LATER = datetime(2026, 11, 20, 9, 30)
RECEIVED = State(
	"S1",
	"PHONE",
	Status.IN_STOCK,
	"Main",
	voucher_type="Purchase Receipt",
	voucher_no="PR-3",
	supplier="Northwind",
	posted_at=LATER,
)


def moved(state, operation, source=None, target=None, **kw):
	_, problem = apply(state, Movement("S1", "PHONE", operation, source, target, "Doc", "DOC-1", **kw))
	return problem


def parsed(text):
	return parse(text).problems[0]


def generated(**rule):
	return generate(Rule(**rule))[1]


def row_problem(**kw):
	return read([RowRequest(row=2, item_code="PHONE", operation=Operation.RECEIVE, **kw)]).problems[0]


CASES = [
	(
		Problem(Reason.CARTON_IS_SERIAL, "CT-1", row=2),
		"Row 2: Carton code CT-1 is an SN code; a carton code may never equal one",
	),
	(
		Problem(Reason.SERIAL_IS_CARTON, "CT-1", row=2),
		"Row 2: CT-1 is the code of a carton; an SN code may never equal a carton code",
	),
	(
		Problem(Reason.CARTON_OTHER_ITEM, "CT-1", 2, params={"other_item": "LAPTOP", "item_code": "PHONE"}),
		"Row 2: Carton CT-1 holds item LAPTOP, not PHONE",
	),
	(Problem(Reason.CARTON_UNKNOWN, "CT-9", position=1), "Entry 1: No carton has the code CT-9"),
	(
		Problem(Reason.INPUT_TOO_LONG, params={"length": 10_000_000, "most": 164_000, "max_count": 1000}),
		"10000000 characters entered; 1000 SN codes fit in at most 164000, so nothing was read",
	),
	(
		Problem(Reason.NOT_TEXT, params={"kind": "list"}),
		"SN codes are entered as text, one code a line, not as a list",
	),
	(
		Problem(Reason.IN_TWO_CARTONS, "S1", 2, params={"carton": "CT-1", "other": "CT-2"}),
		"Row 2: S1 is packed in carton CT-1 and in carton CT-2",
	),
	(
		Problem(Reason.CARTON_CODE_NOT_ON_ROW, "S9", 2, params={"carton": "CT-1"}),
		"Row 2: S9 is packed in carton CT-1 but is not among the row's SN codes",
	),
	(
		Problem(Reason.CARTONS_UNREADABLE, row=2, params={"detail": "not JSON"}),
		"Row 2: The row's cartons cannot be read (not JSON): they must be carton codes, each with a list of SN codes",
	),
	(
		check_format("356938035643801", CodeFormat(Kind.IMEI), "PHONE-X").at_row(2),
		"Row 2: 356938035643801 is not an IMEI of item PHONE-X: check digit should be 9",
	),
	(
		check_format("35693803564380", CodeFormat(Kind.IMEI), "PHONE-X").at_row(2),
		"Row 2: 35693803564380 is not an IMEI of item PHONE-X: an IMEI has 15 digits, this has 14",
	),
	(
		check_format("35693803564380", CodeFormat(Kind.IMEI, imeisv=True), "PHONE-X").at_row(2),
		"Row 2: 35693803564380 is not an IMEI of item PHONE-X: an IMEI has 15 digits (an IMEISV 16), this has 14",
	),
	(
		check_format("3569380356438O", CodeFormat(Kind.IMEI), "PHONE-X").at_row(2),
		"Row 2: 3569380356438O is not an IMEI of item PHONE-X: an IMEI is digits only, and this has O",
	),
	(
		check_format("1234567", CodeFormat(Kind.DIGITS, length=8), "BOX").at_row(2),
		"Row 2: 1234567 is not an SN code of item BOX: its codes have 8 digits, this has 7",
	),
	(
		check_format("1234-567", CodeFormat(Kind.DIGITS, length=8), "BOX").at_row(2),
		"Row 2: 1234-567 is not an SN code of item BOX: its codes are 8 digits, and this has -",
	),
	(
		check_format("AB123456", CodeFormat(Kind.PATTERN, pattern="[A-Z]{3}[0-9]{6}"), "X").at_row(2),
		"Row 2: AB123456 does not match the pattern [A-Z]{3}[0-9]{6} set on item X",
	),
	(
		format_problem(CodeFormat(Kind.DIGITS), 100),
		"An SN code format of digits needs their number, from 1 to 100 (the longest SN code), not 0",
	),
	(format_problem(CodeFormat(Kind.PATTERN), 100), "An SN code format of a pattern needs the pattern"),
	(
		format_problem(CodeFormat(Kind.PATTERN, pattern="A" * 201), 100),
		"The SN code pattern is 201 characters long; a pattern has at most 200",
	),
	(
		format_problem(CodeFormat(Kind.PATTERN, pattern="(a)\\1"), 100),
		"The SN code pattern (a)\\1 cannot be used: invalid escape sequence: \\1",
	),
	(parsed("A" * 101), "Entry 1: " + "A" * 101 + " is 101 characters long; an SN code has at most 100"),
	(parsed("AB\x07C"), "Entry 1: AB\x07C contains a control or space character (U+0007)"),
	(parsed("AB\u200bC"), "Entry 1: AB\u200bC contains an invisible character (U+200B)"),
	(
		parsed("ABé"),
		"Entry 1: ABé contains the non-ASCII character é (U+00E9); an SN code uses ASCII letters, digits and - _ . / : # + ( )",
	),
	(parsed("A'B"), "Entry 1: A'B contains ', which an SN code may not contain"),
	(parse("A B A").problems[0], "Entry 3: A is entered twice (first at entry 1)"),
	(
		parse(" ".join(str(n) for n in range(1001))).problems[0],
		"1001 SN codes entered; at most 1000 are allowed at once",
	),
	(Problem(Reason.NOTHING_ENTERED), "No SN code entered"),
	(
		parsed("]C1010950110153000421X"),
		"Entry 1: ]C1010950110153000421X is not a valid GS1 scan: "
		"Invalid GTIN check digit for '09501101530004': Expected 3, got 4.",
	),
	(
		parsed("]C10109501101530003\x1d10LOT"),
		"Entry 1: ]C10109501101530003<GS>10LOT is a GS1 scan without a serial number (AI 21) or a carton code (AI 00)",
	),
	(
		parse("(01)04006381333931(21)X", gtins={"09501101530003"}, item_code="PHONE").problems[0],
		"Entry 1: (01)04006381333931(21)X is a scan of GTIN 04006381333931, which is not a barcode of item PHONE (09501101530003)",
	),
	(
		row_problem(qty=1, text="(00)095011015300000010"),
		"Row 2: 095011015300000010 is the SSCC of a carton, not an SN code; scan it in the SN dialog to enter the SN codes of its units",
	),
	(generated(count=0), "The count must be between 1 and 1000, not 0"),
	(generated(increment=-2), "The increment must be a positive whole number, not -2"),
	(generated(start=-1), "The start value must not be negative, not -1"),
	(generated(width=-3), "The width must be between 0 and 100, not -3"),
	(generated(start=99, count=2, width=2), "The number 100 does not fit in a width of 2 digits"),
	(generated(prefix="A B"), "A B cannot be part of an SN code"),
	(
		row_problem(qty=1.5, text="A B"),
		"Row 2: Item PHONE: the quantity 1.5 in stock units is not a whole number, so it cannot carry SN codes",
	),
	(row_problem(qty=3, text="A B"), "Row 2: Item PHONE: 2 SN codes entered for a quantity of 3"),
	(
		row_problem(qty=3, required=True),
		"Row 2: Item PHONE: enter its 3 SN codes; this operation requires them",
	),
	(
		Problem(
			Reason.CODES_MISSING, row=2, params={"item_code": "PHONE", "qty": 5, "count": 2, "missing": 3}
		),
		"Row 2: Item PHONE: 3 of its 5 SN codes are missing (2 entered); enter them to submit",
	),
	(
		row_problem(qty=1, refusal=Reason.NOT_STOCK_UOM, params={"uom": "Box", "stock_uom": "Nos"}),
		"Row 2: Item PHONE is SN-tracked and must be sold in its stock unit Nos, not Box",
	),
	(
		row_problem(qty=1, refusal=Reason.UNSUPPORTED_PURPOSE, params={"purpose": "Repack"}),
		"Row 2: Item PHONE is SN-tracked and cannot be moved by a Stock Entry of purpose Repack",
	),
	(
		row_problem(qty=1, refusal=Reason.REJECTED_QTY),
		"Row 2: Item PHONE is SN-tracked: receive only accepted units and return rejected ones with a purchase return",
	),
	(
		row_problem(
			qty=1,
			refusal=Reason.NOT_RETURNED_UNDER_CLAIM,
			params={"swapped": "SN-OLD", "claim": "SER-WRN-0003"},
		),
		"Row 2: Item PHONE: SN-OLD did not come back under warranty claim SER-WRN-0003; a unit given in place of another keeps only the warranty of a unit the same claim took back",
	),
	(
		row_problem(qty=1, refusal=Reason.UNSUPPORTED_DOCUMENT, params={"doctype": "Subcontracting Receipt"}),
		"Row 2: Item PHONE is SN-tracked, and documents of type Subcontracting Receipt carry no SN codes: move it with one that does",
	),
	(
		moved(RECEIVED, Operation.SELL, "Main", posted_at=datetime(2026, 11, 18, 10, 0)),
		# dates in the site's format, known only once connected
		lambda: (
			f"S1 was last moved by Purchase Receipt PR-3 on {format_datetime(LATER)}; a movement dated "
			f"{format_datetime(datetime(2026, 11, 18, 10, 0))} cannot come before it"
		),
	),
	(
		moved(RECEIVED, Operation.PURCHASE_RETURN, "Main", party_type="Supplier", party="Contoso"),
		"S1 was bought from Northwind, not from Contoso",
	),
	(
		moved(
			State("S1", "PHONE", Status.SOLD, customer="Harbour Street"),
			Operation.SALES_RETURN,
			target="Main",
			party_type="Customer",
			party="Kim",
		),
		"S1 was sold to Harbour Street, not to Kim",
	),
	(
		read(
			[
				RowRequest(
					row=1,
					item_code="PHONE",
					operation=Operation.TRANSFER_IN,
					qty=1,
					text="S2",
					allowed=frozenset({"S1"}),
					allowed_from="STE-4",
				)
			]
		).problems[0],
		"Row 1: S2 was not sent in transit by STE-4, or has arrived already: an arrival takes only the codes its outgoing entry sent",
	),
	(
		Problem(Reason.NOT_SOLD, "S1", 3, params={"status": "In Stock"}, table="packed_items"),
		"Packed item row 3: S1 was not sold: it is In Stock",
	),
	(
		moved(State("S1", "LAPTOP", Status.SOLD), Operation.RECEIVE, target="Main"),
		"S1 belongs to item LAPTOP, not PHONE",
	),
	(moved(IN_STOCK, Operation.RECEIVE, target="Main"), "S1 is already in stock at Main"),
	(
		moved(State("S1", "PHONE", Status.IN_TRANSIT, "Van"), Operation.RECEIVE, target="Main"),
		"S1 is already in transit at Van",
	),
	(moved(None, Operation.SELL, "Main"), "S1 is not a known SN code: it was never received or registered"),
	(moved(IN_STOCK, Operation.SELL, "Shop"), "S1 is in stock at Main, not at Shop"),
	(
		moved(SOLD, Operation.SELL, "Main"),
		"S1 is not in stock: it is Sold (last moved by Delivery Note DN-7)",
	),
	(moved(IN_STOCK, Operation.TRANSFER_IN, "Van", "Shop"), "S1 is not in transit: it is In Stock"),
	(moved(IN_STOCK, Operation.SALES_RETURN, target="Main"), "S1 was not sold: it is In Stock"),
	(
		moved(SOLD, Operation.SALES_RETURN, target="Main", against_voucher="DN-9"),
		"S1 was not sold on DN-9 (last moved by Delivery Note DN-7)",
	),
	(
		moved(State("S1", "PHONE", Status.IN_TRANSIT, "Van"), Operation.COUNT, target="Main"),
		"S1 is in transit at Van and cannot be counted",
	),
	(
		Problem(
			Reason.OVER_WAREHOUSE_QTY,
			params={
				"item_code": "PHONE",
				"warehouse": "Main",
				"qty": 3,
				"in_stock": 2,
				"free": 1,
				"count": 2,
			},
		),
		"Warehouse Main holds 3 of item PHONE: 2 SN codes are in stock there, so at most 1 more can be registered, not 2",
	),
	(
		Problem(Reason.LATER_MOVEMENTS, params={"vouchers": "Delivery Note DN-9"}),
		"later documents moved its SN codes; cancel them first, in this order: Delivery Note DN-9",
	),
]


def test_every_reason_is_worded():
	assert {problem.reason for problem, _ in CASES} == set(Reason)


@pytest.mark.parametrize("problem, message", CASES, ids=[p.reason.value for p, _ in CASES])
def test_message(problem, message):
	message = message() if callable(message) else message
	assert locate(problem) == message
	assert describe(problem) in message


def test_a_flood_of_problems_is_worded_up_to_a_bound_and_counted_after_it(monkeypatch):
	"""An input of a thousand bad entries and too many codes: the whole input's refusal first, the
	first entries up to the bound, then one line counting the rest; the sentences are made once."""
	import frappe

	from serial_tracking import messages

	made = []
	make = messages._make_templates
	monkeypatch.setattr(messages, "_make_templates", lambda: made.append(1) or make())
	problems = parse("\n".join(f"BAD<{n}" for n in range(1, 1201))).problems
	assert len(problems) == 1201

	answer = messages.as_dicts(problems)
	assert len(answer) == messages.SHOWN + 1
	assert answer[0]["reason"] == Reason.TOO_MANY.value
	assert [a["position"] for a in answer[1:-1]] == list(range(1, messages.SHOWN))
	assert answer[-1] == {
		"reason": "more",
		"code": None,
		"row": None,
		"position": None,
		"message": f"and {1201 - messages.SHOWN} more problems",
		"count": 1201 - messages.SHOWN,
	}
	assert len(made) == 1

	with pytest.raises(messages.SerialTrackingError) as refused:
		messages.throw(problems)
	lines = str(refused.value).split("<br>")
	assert len(lines) == messages.SHOWN + 1
	assert lines[0] == "1200 SN codes entered; at most 1000 are allowed at once"
	assert lines[-1] == f"and {1201 - messages.SHOWN} more problems"
	assert len(made) == 1
	frappe.local.cache.clear()
	messages.as_dicts(problems[:1])
	assert len(made) == 2
