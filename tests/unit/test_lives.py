"""Lives of a serial: grouping its log rows, and the recall question over them."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.lives import group, latest_movement, sales

OPERATIONS = [
	"Receive",
	"Registration",
	"Sell",
	"Sales Return",
	"Purchase Return",
	"Issue",
	"Transfer",
	"Count",
	"Count Missing",
	"Adjustment",
]


def row(operation, voucher="DOC", party_type=None, party=None, cancelled=False, previous_code=None):
	return SimpleNamespace(
		operation=operation,
		voucher_type="Doc",
		voucher_no=voucher,
		party_type=party_type,
		party=party,
		is_cancelled=int(cancelled),
		previous_code=previous_code,
	)


def bought(voucher, supplier="S1", **kw):
	return row("Receive", voucher, "Supplier", supplier, **kw)


def sold(voucher, customer="C1", **kw):
	return row("Sell", voucher, "Customer", customer, **kw)


def vouchers(life):
	return [r.voucher_no for r in life.rows]


def test_each_receipt_from_a_supplier_opens_a_life():
	rows = [
		bought("PR-1"),
		sold("DN-1"),
		row("Sales Return", "RET-1", "Customer", "C1"),
		row("Transfer", "SE-1"),
		sold("DN-2", "C2"),
		row("Purchase Return", "PRR-1", "Supplier", "S1"),
		bought("PR-2", "S2"),
		sold("DN-3", "C3"),
	]
	lives = group(rows)
	assert [life.number for life in lives] == [1, 2]
	assert [life.opening.voucher_no for life in lives] == ["PR-1", "PR-2"]
	assert vouchers(lives[0]) == ["PR-1", "DN-1", "RET-1", "SE-1", "DN-2", "PRR-1"]
	assert vouchers(lives[1]) == ["PR-2", "DN-3"]


def test_a_receipt_without_a_supplier_opens_a_life_only_when_none_is_open():
	rows = [
		row("Receive", "SE-1"),
		sold("DN-1"),
		row("Receive", "SE-2"),
		bought("PR-1"),
		row("Receive", "SE-3"),
	]
	lives = group(rows)
	assert [life.opening.voucher_no for life in lives] == ["SE-1", "PR-1"]
	assert vouchers(lives[0]) == ["SE-1", "DN-1", "SE-2"]
	assert vouchers(lives[1]) == ["PR-1", "SE-3"]


def test_registration_or_count_of_an_unknown_unit_opens_the_first_life():
	for operation in ("Registration", "Count"):
		lives = group([row(operation, "ITEM"), sold("DN-1"), row(operation, "ITEM-2")])
		assert len(lives) == 1
		assert lives[0].opening.operation == operation
		assert vouchers(lives[0]) == ["ITEM", "DN-1", "ITEM-2"]


def test_cancelled_rows_never_open_or_close_a_life():
	rows = [
		bought("PR-1"),
		sold("DN-1", cancelled=True),
		bought("PR-X", cancelled=True),
		sold("DN-2"),
	]
	lives = group(rows)
	assert len(lives) == 1
	assert vouchers(lives[0]) == ["PR-1", "DN-1", "PR-X", "DN-2"]
	assert [r.is_cancelled for r in lives[0].rows] == [0, 1, 1, 0]


def test_cancelled_rows_before_the_first_life_belong_to_it():
	lives = group([bought("PR-1", cancelled=True), bought("PR-2")])
	assert len(lives) == 1
	assert lives[0].opening.voucher_no == "PR-2"
	assert vouchers(lives[0]) == ["PR-1", "PR-2"]


def test_only_cancelled_rows_make_one_life_without_opening():
	lives = group([bought("PR-1", cancelled=True), sold("DN-1", cancelled=True)])
	assert len(lives) == 1
	assert lives[0].opening is None
	assert vouchers(lives[0]) == ["PR-1", "DN-1"]
	assert group([]) == []


def test_a_corrected_code_is_a_line_of_the_life_not_a_movement():
	fix = row("Receive", "ITEM", "Supplier", "S9", previous_code="OLD-1")
	lives = group([bought("PR-1"), fix, sold("DN-1")])
	assert len(lives) == 1
	assert vouchers(lives[0]) == ["PR-1", "ITEM", "DN-1"]
	assert latest_movement(group([bought("PR-1"), sold("DN-1"), fix])).voucher_no == "DN-1"
	# Before any life, a correction waits for the first one.
	assert group([fix, row("Registration", "REG")])[0].opening.voucher_no == "REG"


def test_recall_lists_the_sales_of_the_lives_a_receipt_opened():
	rows = [
		bought("PR-1"),
		sold("DN-1", "C1"),
		row("Sales Return", "RET-1", "Customer", "C1"),
		sold("DN-2", "C2", cancelled=True),
		sold("DN-3", "C3"),
		row("Purchase Return", "PRR-1", "Supplier", "S1"),
		bought("PR-2", "S2"),
		sold("DN-4", "C4"),
	]
	lives = group(rows)
	first = sales(lives, lambda opening: opening.voucher_no == "PR-1")
	assert [(s.row.voucher_no, s.row.party, s.held) for s in first] == [
		("DN-1", "C1", False),
		("DN-3", "C3", False),
	]
	second = sales(lives, lambda opening: opening.party == "S2")
	assert [(s.row.voucher_no, s.held, s.opening.voucher_no) for s in second] == [("DN-4", True, "PR-2")]
	assert sales(lives, lambda opening: opening.voucher_no == "PR-9") == []


def test_a_unit_sold_and_returned_is_no_longer_held():
	lives = group([bought("PR-1"), sold("DN-1"), row("Sales Return", "RET-1", "Customer", "C1")])
	assert [s.held for s in sales(lives, lambda o: True)] == [False]
	lives = group([bought("PR-1"), sold("DN-1"), sold("DN-2", cancelled=True)])
	assert [s.held for s in sales(lives, lambda o: True)] == [True]


rows_strategy = st.lists(
	st.builds(
		row,
		st.sampled_from(OPERATIONS),
		st.text("ABC123", min_size=1, max_size=3),
		st.sampled_from([None, "Supplier", "Customer"]),
		st.sampled_from([None, "S1", "C1"]),
		st.booleans(),
		st.sampled_from([None, None, None, "OLD"]),
	),
	max_size=30,
)


@given(rows_strategy)
def test_every_row_is_in_exactly_one_life_in_order(rows):
	lives = group(rows)
	assert [r for life in lives for r in life.rows] == rows
	assert [life.number for life in lives] == list(range(1, len(lives) + 1))


@given(rows_strategy)
def test_lives_open_at_receipts_from_suppliers_and_nowhere_else(rows):
	lives = group(rows)
	openings = [life.opening for life in lives if life.opening is not None]
	from_suppliers = [
		r
		for r in rows
		if not r.is_cancelled
		and not r.previous_code
		and r.operation == "Receive"
		and r.party_type == "Supplier"
	]
	first_active = next((r for r in rows if not r.is_cancelled and not r.previous_code), None)
	expected = [r for r in rows if r in from_suppliers or r is first_active]
	assert openings == expected
	for life in lives:
		if life.opening is None:
			assert len(lives) == 1 and all(r.is_cancelled or r.previous_code for r in rows)
		else:
			# nothing after the opening of a life opens another one inside it
			after = life.rows[life.rows.index(life.opening) + 1 :]
			assert not [r for r in after if r in from_suppliers]
