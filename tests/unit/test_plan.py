from serial_tracking.core.plan import Limits, RowRequest, Voucher, counted_places, moved_places, plan, read
from serial_tracking.core.problems import Reason
from serial_tracking.core.states import Operation, State, Status

DN = Voucher("Delivery Note", "DN-1", "2026-01-02", "10:00", "Customer", "C1")
PR = Voucher("Purchase Receipt", "PR-1", "2026-01-01", "09:00", "Supplier", "S1")


def row(n, text, qty, operation=Operation.SELL, item="PHONE", **kw):
	defaults = {"from_warehouse": "W1"} if operation is not Operation.RECEIVE else {"to_warehouse": "W1"}
	return RowRequest(n, item, operation, qty, text, **{**defaults, **kw})


def in_stock(code, warehouse="W1", item="PHONE"):
	return State(code, item, Status.IN_STOCK, warehouse)


def test_reading_reports_every_problem_of_every_row():
	rows = [
		row(1, "A1\nA2", 3),
		row(2, "A2\nB<", 2),
		row(3, "", 2, required=True),
		row(4, "C1", 1.5),
		row(5, None, 1, refusal=Reason.NOT_STOCK_UOM, params={"uom": "Box"}),
	]
	reading = read(rows)
	found = [(p.row, p.reason, p.code) for p in reading.problems]
	assert found == [
		(1, Reason.COUNT_MISMATCH, ""),
		(2, Reason.INVALID_CHARACTER, "B<"),
		(2, Reason.DUPLICATE, "A2"),
		(3, Reason.REQUIRED, ""),
		(4, Reason.QTY_NOT_WHOLE, ""),
		(5, Reason.NOT_STOCK_UOM, ""),
	]
	assert reading.problems[2].params["first_row"] == 1
	assert reading.problems[-1].params == {"item_code": "PHONE", "uom": "Box"}


def test_optional_rows_take_none_or_exactly_the_quantity():
	assert read([row(1, "", 2)]).problems == []
	assert read([row(1, "A", 2)]).problems[0].reason is Reason.COUNT_MISMATCH
	assert read([row(1, "A B", 2)]).problems == []


def test_document_limit_counts_every_row():
	rows = [row(1, "A1 A2", 2), row(2, "B1 B2", 2)]
	problems = read(rows, Limits(max_per_operation=3)).problems
	assert [p.reason for p in problems] == [Reason.TOO_MANY]


def test_plan_receive_creates_and_sell_moves():
	reading = read([row(1, "N1 N2", 2, Operation.RECEIVE)])
	result = plan(PR, [row(1, "N1 N2", 2, Operation.RECEIVE)], reading, {})
	assert result.problems == []
	assert [(s.before, s.after.status, s.after.supplier) for s in result.steps] == [
		(None, Status.IN_STOCK, "S1"),
		(None, Status.IN_STOCK, "S1"),
	]
	rows = [row(1, "n1", 1)]
	result = plan(DN, rows, read(rows), {"N1": in_stock("N1")})
	assert [(s.movement.code, s.after.status, s.after.customer) for s in result.steps] == [
		("n1", Status.SOLD, "C1")
	]


def test_plan_reports_every_state_problem_with_its_row():
	rows = [row(1, "A1 A2", 2), row(2, "B1", 1, from_warehouse="W2")]
	states = {"A1": State("A1", "PHONE", Status.SOLD), "B1": in_stock("B1", "W1")}
	result = plan(DN, rows, read(rows), states)
	assert [(p.row, p.code, p.reason) for p in result.problems] == [
		(1, "A1", Reason.NOT_IN_STOCK),
		(1, "A2", Reason.NOT_FOUND),
		(2, "B1", Reason.WRONG_WAREHOUSE),
	]
	assert result.steps == []


def test_count_marks_uncounted_serials_missing():
	rows = [row(1, "A1 A3", 2, Operation.COUNT, from_warehouse=None, to_warehouse="W1")]
	reading = read(rows)
	assert counted_places(rows, reading) == {("PHONE", "W1")}
	states = {"A1": in_stock("A1"), "A3": State("A3", "PHONE", Status.SOLD)}
	stock = {("PHONE", "W1"): [in_stock("A1"), in_stock("A2")]}
	result = plan(Voucher("Stock Reconciliation", "SR-1"), rows, reading, states, stock)
	assert result.problems == []
	assert [(s.movement.code, s.movement.operation, s.after.status) for s in result.steps] == [
		("A3", Operation.COUNT, Status.IN_STOCK),
		("A2", Operation.COUNT_MISSING, Status.MISSING),
	]


def test_count_of_zero_makes_all_missing_and_count_without_serials_is_ignored():
	zero = [row(1, "", 0, Operation.COUNT, from_warehouse=None, to_warehouse="W1")]
	stock = {("PHONE", "W1"): [in_stock("A1")]}
	result = plan(Voucher("Stock Reconciliation", "SR-1"), zero, read(zero), {}, stock)
	assert [s.after.status for s in result.steps] == [Status.MISSING]
	blank = [row(1, "", 3, Operation.COUNT, from_warehouse=None, to_warehouse="W1")]
	assert counted_places(blank, read(blank)) == set()


def test_sales_return_is_checked_against_the_original():
	ret = Voucher("Delivery Note", "DN-9", party_type="Customer", party="C1", return_against="DN-1")
	rows = [row(1, "A1 A2", 2, Operation.SALES_RETURN, from_warehouse=None, to_warehouse="W1")]
	states = {
		"A1": State("A1", "PHONE", Status.SOLD, voucher_type="Delivery Note", voucher_no="DN-1"),
		"A2": State("A2", "PHONE", Status.SOLD, voucher_type="Delivery Note", voucher_no="DN-5"),
	}
	result = plan(ret, rows, read(rows), states)
	assert [s.movement.code for s in result.steps] == ["A1"]
	assert [(p.code, p.reason) for p in result.problems] == [("A2", Reason.NOT_ON_ORIGINAL)]


def test_reading_codes_only_ignores_quantities_but_not_bad_codes():
	from serial_tracking.core.plan import read_codes

	reading = read_codes([row(1, "A1 A2", 5, refusal=Reason.NOT_STOCK_UOM), row(2, "B<", 1)])
	assert reading.codes == {(None, 1): ["A1", "A2"], (None, 2): []}
	assert [(p.row, p.reason) for p in reading.problems] == [(2, Reason.INVALID_CHARACTER)]


def test_a_unit_counted_at_another_place_in_the_same_count_is_moved_not_missing():
	count = Voucher("Stock Reconciliation", "SR-1", "2026-01-03", "10:00")
	rows = [
		row(1, "HEC-1", 1, operation=Operation.COUNT, from_warehouse=None, to_warehouse="Stores"),
		row(2, "HEC-2", 1, operation=Operation.COUNT, from_warehouse=None, to_warehouse="Goods"),
	]
	reading = read(rows)
	states = {"HEC-1": State("HEC-1", "PHONE", Status.IN_STOCK, "Goods", sequence=4)}
	stock = {("PHONE", "Goods"): [states["HEC-1"], in_stock("OTHER", "Goods")]}
	result = plan(count, rows, reading, states, stock)
	moved = {(s.movement.code, s.movement.operation, s.after.status, s.after.warehouse) for s in result.steps}
	assert moved == {
		("HEC-1", Operation.COUNT, Status.IN_STOCK, "Stores"),
		("HEC-2", Operation.COUNT, Status.IN_STOCK, "Goods"),
		("OTHER", Operation.COUNT_MISSING, Status.MISSING, None),
	}
	assert [s.after.sequence for s in result.steps if s.movement.code == "HEC-1"] == [5]


def test_an_arrival_takes_only_what_its_outgoing_entry_sent():
	rows = [
		row(
			1,
			"S1 S3",
			2,
			operation=Operation.TRANSFER_IN,
			from_warehouse="Transit",
			to_warehouse="W2",
			allowed=frozenset({"S1", "S2"}),
			allowed_from="STE-1",
		)
	]
	problems = read(rows).problems
	assert [(p.reason, p.code, p.params["outgoing"]) for p in problems] == [
		(Reason.NOT_ON_OUTGOING, "S3", "STE-1")
	]


def test_moved_places_are_every_warehouse_the_rows_move_units_out_of_or_into():
	rows = [
		row(1, "A1", 1, Operation.TRANSFER, from_warehouse="W1", to_warehouse="W2"),
		row(2, "A2", 1, Operation.SELL, from_warehouse="W1", to_warehouse=None),
		row(3, "A3", 1, Operation.RECEIVE, from_warehouse=None, to_warehouse="W3"),
	]
	assert moved_places(rows) == {("PHONE", "W1"), ("PHONE", "W2"), ("PHONE", "W3")}


def test_a_row_short_of_its_codes_says_how_many_are_missing():
	from serial_tracking.core.plan import codes_missing

	short, none, over = (
		read([r]).problems[0] for r in (row(1, "A B", 5), row(2, "", 3, required=True), row(3, "A B", 1))
	)
	assert (
		codes_missing(short).reason,
		codes_missing(short).params["missing"],
		codes_missing(short).row,
	) == (
		Reason.CODES_MISSING,
		3,
		1,
	)
	assert (codes_missing(none).params["missing"], codes_missing(none).params["count"]) == (3, 0)
	assert codes_missing(over) is None
