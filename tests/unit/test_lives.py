"""Lives of a serial: grouping its log rows, the recall question over them, and their stories."""

from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.lives import (
	Figures,
	figures,
	group,
	latest_movement,
	sales,
	stories,
	story,
	summary,
	tally,
)

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


def row(
	operation,
	voucher="DOC",
	party_type=None,
	party=None,
	cancelled=False,
	previous_code=None,
	on="2025-11-01",
	to=None,
	status=None,
):
	return SimpleNamespace(
		operation=operation,
		voucher_type="Doc",
		voucher_no=voucher,
		party_type=party_type,
		party=party,
		is_cancelled=int(cancelled),
		previous_code=previous_code,
		posting_date=on,
		to_warehouse=to,
		status_after=status,
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


# Stories and figures

TODAY = date(2025, 11, 25)


def told(steps):
	return [(s.kind, s.row.voucher_no, s.days) for s in steps]


def test_the_story_of_a_receipt_a_transfer_a_sale_a_return_and_a_resale():
	rows = [
		bought("PR-1", "Northwind", on="2025-11-09", to="Main"),
		row("Transfer", "SE-1", on="2025-11-11", to="Shop"),
		sold("DN-1", "Harbour Street", on="2025-11-12"),
		row("Sales Return", "RET-1", "Customer", "Harbour Street", on="2025-11-14", to="Shop"),
		sold("DN-2", "Kim", on="2025-11-20"),
	]
	(life,) = group(rows)
	steps = story(life, TODAY)
	assert told(steps) == [
		("bought", "PR-1", 2),
		("moved", "SE-1", 1),
		("sold", "DN-1", 2),
		("returned", "RET-1", 6),
		("sold_again", "DN-2", 5),
	]
	assert [s.warehouse for s in steps] == ["Main", "Shop", None, "Shop", None]
	assert summary(steps) == (
		"Bought from Northwind on 2025-11-09 (PR-1) · in Main 2 days"
		" · moved to Shop on 2025-11-11 (SE-1) · in Shop 1 day"
		" · sold to Harbour Street on 2025-11-12 (DN-1)"
		" · returned by customer Harbour Street on 2025-11-14 (RET-1) · in Shop 6 days"
		" · sold again to Kim on 2025-11-20 (DN-2)"
	)
	assert tally(steps) == Figures(days_in_stock=9, days_with_customers=7, returns=1)
	assert figures([life], TODAY) == Figures(days_in_stock=9, days_with_customers=7, returns=1, lives=1)


def test_the_words_are_translated_templates_and_dates_are_written_by_the_caller():
	french = {
		"bought from {0} on {1}": "acheté chez {0} le {1}",
		"in {0} {1} days": "à {0} {1} jours",
		"sold to {0} on {1}": "vendu à {0} le {1}",
	}
	(life,) = group([bought("PR-1", "N", on="2025-11-09", to="Main"), sold("DN-1", "K", on="2025-11-12")])
	line = summary(story(life, TODAY), lambda text: french.get(text, text), lambda d: f"{d.day}/{d.month}")
	assert line == "Acheté chez N le 9/11 (PR-1) · à Main 3 jours · vendu à K le 12/11 (DN-1)"


def test_a_cancelled_sale_or_return_is_no_step_and_cuts_no_stay():
	rows = [
		bought("PR-1", on="2025-11-09", to="Main"),
		sold("DN-X", on="2025-11-10", cancelled=True),
		row("Sales Return", "RET-X", "Customer", "C1", on="2025-11-11", to="Main", cancelled=True),
		sold("DN-1", on="2025-11-12"),
	]
	steps = story(group(rows)[0], TODAY)
	assert told(steps) == [("bought", "PR-1", 3), ("sold", "DN-1", 13)]
	assert tally(steps) == Figures(days_in_stock=3, days_with_customers=13)


def test_a_code_correction_is_no_step_and_cuts_no_stay():
	rows = [
		bought("PR-1", on="2025-11-09", to="Main"),
		row("Code Correction", "ITEM", on="2025-11-10", previous_code="OLD-1"),
		row("Registration", "ITEM", on="2025-11-11", previous_code="OLD-2"),
		sold("DN-1", on="2025-11-12"),
	]
	steps = story(group(rows)[0], TODAY)
	assert told(steps) == [("bought", "PR-1", 3), ("sold", "DN-1", 13)]


def test_a_unit_still_with_its_customer_counts_until_today():
	(life,) = group([bought("PR-1", on="2025-11-01", to="Main"), sold("DN-1", on="2025-11-20")])
	assert tally(story(life, TODAY)) == Figures(days_in_stock=19, days_with_customers=5)
	assert tally(story(life, "2025-11-30")).days_with_customers == 10


def test_a_unit_found_missing_then_counted_is_in_stock_again():
	rows = [
		bought("PR-1", on="2025-11-01", to="Main"),
		row("Count Missing", "SR-1", on="2025-11-05"),
		row("Count", "SR-2", on="2025-11-15", to="Shop"),
	]
	steps = story(group(rows)[0], "2025-11-20")
	assert told(steps) == [("bought", "PR-1", 4), ("missing", "SR-1", 10), ("counted", "SR-2", 5)]
	assert [s.warehouse for s in steps] == ["Main", None, "Shop"]
	assert tally(steps) == Figures(days_in_stock=9, days_elsewhere=10)
	assert "found missing on 2025-11-05 (SR-1) · counted on 2025-11-15 (SR-2) · in Shop 5 days" in summary(
		steps
	)


def test_an_issue_ends_the_time_in_stock_and_a_transit_keeps_it():
	rows = [
		row("Receive", "SE-0", on="2025-11-01", to="Main"),
		row("Transfer Out", "SE-1", on="2025-11-02", to="Transit"),
		row("Transfer In", "SE-2", on="2025-11-04", to="Shop"),
		row("Issue", "SE-3", on="2025-11-05"),
	]
	steps = story(group(rows)[0], "2025-11-15")
	assert told(steps) == [
		("received", "SE-0", 1),
		("moved", "SE-1", 2),
		("moved", "SE-2", 1),
		("issued", "SE-3", 10),
	]
	assert [s.status for s in steps] == ["In Stock", "In Transit", "In Stock", "Issued"]
	assert tally(steps) == Figures(days_in_stock=4, days_elsewhere=10)
	assert summary(steps).startswith("Received on 2025-11-01 (SE-0) · in Main 1 day")


def test_a_count_that_brings_in_an_unknown_unit_is_received():
	(life,) = group([row("Count", "SR-1", on="2025-11-01", to="Main"), sold("DN-1", on="2025-11-03")])
	assert told(story(life, TODAY)) == [("received", "SR-1", 2), ("sold", "DN-1", 22)]


def test_two_lives_returned_to_the_supplier_and_bought_again():
	rows = [
		bought("PR-1", "S1", on="2025-11-01", to="Main"),
		sold("DN-1", "C1", on="2025-11-02"),
		row("Sales Return", "RET-1", "Customer", "C1", on="2025-11-03", to="Main"),
		row("Purchase Return", "PRR-1", "Supplier", "S1", on="2025-11-05"),
		bought("PR-2", "S2", on="2025-11-10", to="Shop"),
		sold("DN-2", "C2", on="2025-11-12"),
	]
	lives = group(rows)
	first, second = stories(lives, "2025-11-15")
	assert told(first) == [
		("bought", "PR-1", 1),
		("sold", "DN-1", 1),
		("returned", "RET-1", 2),
		("returned_to_supplier", "PRR-1", 5),
	]
	# a new life starts afresh: its first sale is no sale "again"
	assert told(second) == [("bought", "PR-2", 2), ("sold", "DN-2", 3)]
	assert summary(first).endswith("returned to supplier S1 on 2025-11-05 (PRR-1)")
	assert tally(first) == Figures(
		days_in_stock=3, days_with_customers=1, days_elsewhere=5, returns=1, returns_to_supplier=1
	)
	assert figures(lives, "2025-11-15") == Figures(
		days_in_stock=5, days_with_customers=4, days_elsewhere=5, returns=1, returns_to_supplier=1, lives=2
	)


def test_rows_not_shown_make_no_step_and_lend_no_days():
	rows = [
		bought("PR-1", on="2025-11-01", to="Main"),
		row("Transfer", "SE-1", on="2025-11-03", to="Hidden"),
		sold("DN-1", "Other", on="2025-11-06"),
		row("Sales Return", "RET-1", "Customer", "Other", on="2025-11-08", to="Main"),
		sold("DN-2", "C1", on="2025-11-10"),
	]
	lives = group(rows)
	hidden = {"SE-1", "DN-1"}
	(steps,) = stories(lives, "2025-11-15", lambda r: r.voucher_no not in hidden)
	# the receipt's stay ends at the transfer: the days in the hidden warehouse are nobody's
	assert told(steps) == [("bought", "PR-1", 2), ("returned", "RET-1", 2), ("sold_again", "DN-2", 5)]
	# the return shown names its customer; the sale not shown is not told
	assert "Hidden" not in summary(steps) and "DN-1" not in summary(steps)
	assert "returned by customer Other on 2025-11-08 (RET-1)" in summary(steps)
	assert figures(lives, "2025-11-15", lambda r: r.voucher_no not in hidden) == Figures(
		days_in_stock=4, days_with_customers=5, returns=1, lives=1
	)
	# a return not shown makes no sale "again"
	(steps,) = stories(lives, "2025-11-15", lambda r: r.voucher_no != "RET-1")
	assert [s.kind for s in steps][-1] == "sold"
	# a life with no row shown is not counted
	assert figures(lives, "2025-11-15", lambda r: False) == Figures()


def test_a_life_of_cancelled_rows_only_has_no_story():
	lives = group([bought("PR-1", cancelled=True)])
	assert stories(lives, TODAY) == [[]]
	assert summary([]) == ""
	assert figures(lives, TODAY) == Figures(lives=1)


ACTIVE = ["Receive", "Registration", "Sell", "Sales Return", "Purchase Return", "Issue", "Transfer", "Count"]


@st.composite
def histories(draw):
	"""A serial's log with posting dates that never go back; movements, cancelled rows and
	corrections mixed, each receipt from a supplier or not."""
	rows = []
	on = date(2025, 1, 1)
	for _n in range(draw(st.integers(1, 25))):
		on += timedelta(days=draw(st.integers(0, 9)))
		operation = draw(st.sampled_from(ACTIVE))
		party_type = draw(st.sampled_from([None, "Supplier", "Customer"]))
		rows.append(
			row(
				operation,
				f"V{len(rows)}",
				party_type,
				party_type and "P",
				cancelled=draw(st.booleans()),
				previous_code=draw(st.sampled_from([None, None, None, "OLD"])),
				on=on.isoformat(),
				to=draw(st.sampled_from([None, "Main", "Shop"])),
			)
		)
	return rows, on + timedelta(days=draw(st.integers(0, 30)))


@given(histories())
def test_every_day_since_the_first_movement_is_counted_once(history):
	rows, today = history
	lives = group(rows)
	total = figures(lives, today)
	first = next((r.posting_date for r in rows if not r.is_cancelled and not r.previous_code), None)
	elapsed = (today - date.fromisoformat(first)).days if first else 0
	assert total.days_in_stock + total.days_with_customers + total.days_elsewhere == elapsed
	assert total.lives == len(lives)
	assert sum(len(steps) for steps in stories(lives, today)) == len(
		[r for r in rows if not r.is_cancelled and not r.previous_code]
	)


@given(histories(), st.sets(st.integers(0, 25)))
def test_hiding_rows_never_adds_days(history, hidden):
	rows, today = history
	lives = group(rows)

	def shown(r):
		return int(r.voucher_no[1:]) not in hidden

	all_rows, some = figures(lives, today), figures(lives, today, shown)
	assert all(a >= b for a, b in zip(all_rows.as_tuple(), some.as_tuple(), strict=True))
	for steps in stories(lives, today, shown):
		assert all(shown(s.row) for s in steps)
