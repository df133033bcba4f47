from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serial_tracking.core.problems import Reason
from serial_tracking.core.states import (
	NOT_MOVEMENTS,
	TRANSITIONS,
	Movement,
	Operation,
	State,
	Status,
	apply,
	changes,
	deciding,
	rebuilt,
	replay,
)

W1, W2, TRANSIT = "Stores", "Shop", "Transit"


def state(status, warehouse=None, item="PHONE", **kw):
	return State(code="SN1", item_code=item, status=status, warehouse=warehouse, **kw)


def mv(operation, from_warehouse=None, to_warehouse=None, item="PHONE", **kw):
	return Movement("SN1", item, operation, from_warehouse, to_warehouse, "Doc", "DOC-1", **kw)


ALL = [None, *Status]


def test_every_operation_has_one_rule():
	# a code correction is logged but moves nothing: it has no rule
	assert set(TRANSITIONS) == set(Operation) - NOT_MOVEMENTS


@pytest.mark.parametrize("status", [None, Status.SOLD, Status.RETURNED, Status.ISSUED, Status.MISSING])
def test_receive_from_any_outside_status(status):
	before = state(status) if status else None
	after, problem = apply(before, mv(Operation.RECEIVE, to_warehouse=W1, party_type="Supplier", party="S"))
	assert problem is None
	assert (after.status, after.warehouse, after.supplier) == (Status.IN_STOCK, W1, "S")


@pytest.mark.parametrize(
	"before, reason",
	[
		(state(Status.IN_STOCK, W1), Reason.ALREADY_IN_STOCK),
		(state(Status.IN_TRANSIT, TRANSIT), Reason.ALREADY_IN_TRANSIT),
		(state(Status.SOLD, item="LAPTOP"), Reason.WRONG_ITEM),
	],
)
def test_double_inbound_and_wrong_item_are_refused(before, reason):
	after, problem = apply(before, mv(Operation.RECEIVE, to_warehouse=W1))
	assert problem.reason is reason and after is before


@pytest.mark.parametrize(
	"operation, to_status",
	[
		(Operation.SELL, Status.SOLD),
		(Operation.PURCHASE_RETURN, Status.RETURNED),
		(Operation.ISSUE, Status.ISSUED),
		(Operation.TRANSFER, Status.IN_STOCK),
		(Operation.TRANSFER_OUT, Status.IN_TRANSIT),
		(Operation.COUNT_MISSING, Status.MISSING),
	],
)
def test_outbound_needs_in_stock_at_the_warehouse(operation, to_status):
	to = {Operation.TRANSFER: W2, Operation.TRANSFER_OUT: TRANSIT}.get(operation)
	after, problem = apply(state(Status.IN_STOCK, W1), mv(operation, W1, to))
	assert problem is None and after.status is to_status and after.warehouse == to
	assert apply(state(Status.IN_STOCK, W2), mv(operation, W1, to))[1].reason is Reason.WRONG_WAREHOUSE
	assert apply(None, mv(operation, W1, to))[1].reason is Reason.NOT_FOUND
	assert apply(state(Status.SOLD), mv(operation, W1, to))[1].reason is Reason.NOT_IN_STOCK
	assert apply(state(Status.IN_TRANSIT, TRANSIT), mv(operation, W1, to))[1].reason is Reason.NOT_IN_STOCK


def test_double_outbound_names_the_status_and_last_document():
	_, problem = apply(
		state(Status.SOLD, voucher_type="Delivery Note", voucher_no="DN-1"), mv(Operation.SELL, W1)
	)
	assert problem.reason is Reason.NOT_IN_STOCK
	assert problem.params["status"] == "Sold" and problem.params["voucher_no"] == "DN-1"


def test_transfer_in_needs_in_transit_at_the_transit_warehouse():
	after, problem = apply(state(Status.IN_TRANSIT, TRANSIT), mv(Operation.TRANSFER_IN, TRANSIT, W2))
	assert problem is None and (after.status, after.warehouse) == (Status.IN_STOCK, W2)
	assert apply(state(Status.IN_STOCK, W1), mv(Operation.TRANSFER_IN, TRANSIT, W2))[1].reason is (
		Reason.NOT_IN_TRANSIT
	)
	assert apply(state(Status.IN_TRANSIT, "Other"), mv(Operation.TRANSFER_IN, TRANSIT, W2))[1].reason is (
		Reason.WRONG_WAREHOUSE
	)


def test_sales_return_only_of_a_serial_sold_on_the_original():
	sold = state(Status.SOLD, voucher_type="Delivery Note", voucher_no="DN-1", customer="C")
	after, problem = apply(sold, mv(Operation.SALES_RETURN, to_warehouse=W1, against_voucher="DN-1"))
	assert problem is None and (after.status, after.warehouse) == (Status.IN_STOCK, W1)
	_, problem = apply(sold, mv(Operation.SALES_RETURN, to_warehouse=W1, against_voucher="DN-2"))
	assert problem.reason is Reason.NOT_ON_ORIGINAL and problem.params["against"] == "DN-2"
	_, problem = apply(state(Status.IN_STOCK, W1), mv(Operation.SALES_RETURN, to_warehouse=W1))
	assert problem.reason is Reason.NOT_SOLD


@pytest.mark.parametrize(
	"status", [None, Status.IN_STOCK, Status.SOLD, Status.RETURNED, Status.ISSUED, Status.MISSING]
)
def test_count_takes_anything_but_in_transit(status):
	before = state(status, W2 if status is Status.IN_STOCK else None) if status else None
	after, problem = apply(before, mv(Operation.COUNT, to_warehouse=W1))
	assert problem is None and (after.status, after.warehouse) == (Status.IN_STOCK, W1)
	_, problem = apply(state(Status.IN_TRANSIT, TRANSIT), mv(Operation.COUNT, to_warehouse=W1))
	assert problem.reason is Reason.IN_TRANSIT_ON_COUNT


def test_a_count_of_a_serial_already_there_changes_nothing():
	assert not changes(state(Status.IN_STOCK, W1), mv(Operation.COUNT, to_warehouse=W1))
	assert changes(state(Status.IN_STOCK, W2), mv(Operation.COUNT, to_warehouse=W1))


@pytest.mark.parametrize("operation", list(TRANSITIONS))
@pytest.mark.parametrize("before_status", ALL)
def test_every_forbidden_move_has_a_reason(operation, before_status):
	before = state(before_status, W1 if before_status in (Status.IN_STOCK, Status.IN_TRANSIT) else None)
	if before_status is None:
		before = None
	after, problem = apply(before, mv(operation, W1, W2))
	allowed = before_status in TRANSITIONS[operation].sources
	if allowed:
		assert problem is None and after.status is TRANSITIONS[operation].to
	else:
		assert problem is not None and isinstance(problem.reason, Reason) and problem.code == "SN1"


def test_sequence_grows_with_every_movement():
	after, _ = apply(None, mv(Operation.RECEIVE, to_warehouse=W1))
	after, _ = apply(after, mv(Operation.SELL, W1))
	assert after.sequence == 2


def test_replay_rebuilds_the_state_and_parties():
	movements = [
		mv(Operation.RECEIVE, to_warehouse=W1, party_type="Supplier", party="S1", posting_date="2026-01-01"),
		mv(Operation.SELL, W1, party_type="Customer", party="C1", posting_date="2026-01-02"),
		mv(Operation.SALES_RETURN, to_warehouse=W2, party_type="Customer", party="C1"),
	]
	final = replay(movements)
	assert (final.status, final.warehouse, final.supplier, final.customer) == (
		Status.IN_STOCK,
		W2,
		"S1",
		"C1",
	)
	assert replay(movements[:1]).customer is None
	assert replay([]) is None


def test_a_movement_dated_before_the_serials_latest_one_is_refused_and_the_same_moment_is_not():
	from datetime import datetime

	later = datetime(2026, 3, 2, 9, 0)
	current = state(Status.IN_STOCK, W1, voucher_type="Purchase Receipt", voucher_no="PR-1", posted_at=later)
	_, problem = apply(current, mv(Operation.SELL, W1, posted_at=datetime(2026, 3, 1, 9, 0)))
	assert problem.reason is Reason.BACKDATED
	assert problem.params["last_posted_at"] == later and problem.params["voucher_no"] == "PR-1"
	after, problem = apply(current, mv(Operation.SELL, W1, posted_at=later))
	assert problem is None and after.posted_at == later
	# An unknown code has no past to contradict.
	assert apply(None, mv(Operation.RECEIVE, to_warehouse=W1, posted_at=datetime(2020, 1, 1)))[1] is None


def test_a_purchase_return_goes_only_to_the_supplier_the_unit_came_from():
	current = state(Status.IN_STOCK, W1, supplier="Northwind")
	ret = lambda party: mv(Operation.PURCHASE_RETURN, W1, party_type="Supplier", party=party)  # noqa: E731
	assert apply(current, ret("Contoso"))[1].reason is Reason.OTHER_SUPPLIER
	assert apply(current, ret("Northwind"))[1] is None
	assert apply(state(Status.IN_STOCK, W1), ret("Contoso"))[1] is None


def test_replay_restores_the_posting_time_and_company_of_the_latest_movement():
	from datetime import datetime

	first = mv(Operation.RECEIVE, to_warehouse=W1, posted_at=datetime(2026, 1, 1), company="A")
	second = mv(Operation.TRANSFER, W1, W2, posted_at=datetime(2026, 1, 5))
	assert replay([first]).posted_at == datetime(2026, 1, 1)
	assert (replay([first, second]).posted_at, replay([first, second]).company) == (datetime(2026, 1, 5), "A")


# The few movements a cancellation reads instead of a serial's whole history.

_PARTIES = st.sampled_from(
	[(None, None), ("Supplier", "S1"), ("Supplier", "S2"), ("Customer", "C1"), ("Customer", "C2")]
)


@st.composite
def _histories(draw):
	"""Any sequence of logged movements of one serial, with or without party, company and date."""
	from datetime import datetime

	movements = []
	for n in range(draw(st.integers(min_value=0, max_value=12))):
		party_type, party = draw(_PARTIES)
		dated = draw(st.booleans())
		movements.append(
			replace(
				mv(
					draw(st.sampled_from(list(Operation))),
					draw(st.sampled_from([None, W1, W2])),
					draw(st.sampled_from([None, W1, W2, TRANSIT])),
					party_type=party_type,
					party=party,
					posting_date=f"2026-01-{n + 1:02d}" if dated else None,
					posted_at=datetime(2026, 1, n + 1) if dated else None,
					company=draw(st.sampled_from([None, "A", "B"])),
					to_transit=draw(st.booleans()),
				),
				voucher_no=f"DOC-{n}",
			)
		)
	return movements


def _without_counter(state):
	return state and replace(state, sequence=0)


@given(_histories())
@settings(max_examples=500, deadline=None)
def test_what_decides_a_history_rebuilds_the_state_the_whole_history_replays_to(movements):
	found = deciding(movements)
	if found is None:
		assert replay(movements) is None
	else:
		assert _without_counter(rebuilt(found)) == _without_counter(replay(movements))


def test_a_long_history_is_read_back_from_its_latest_movement_and_the_last_of_each_kind():
	receipt = mv(
		Operation.RECEIVE, to_warehouse=W1, party_type="Supplier", party="S1", posting_date="2026-01-01"
	)
	sale = mv(Operation.SELL, W1, party_type="Customer", party="C1", posting_date="2026-01-02")
	back = mv(Operation.SALES_RETURN, to_warehouse=W1, party_type="Customer", party="C1")
	moves = [mv(Operation.TRANSFER, W1, W2), mv(Operation.TRANSFER, W2, W1)] * 5
	found = deciding([receipt, sale, back, *moves])
	assert (found.latest, found.from_supplier, found.to_customer) == (moves[-1], receipt, sale)
	assert (rebuilt(found).supplier, rebuilt(found).customer, rebuilt(found).warehouse) == ("S1", "C1", W1)
