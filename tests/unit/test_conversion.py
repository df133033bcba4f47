"""Planning an item's conversion from ERPNext's serial records, without a database."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from serial_tracking.core.conversion import Event, Held, Why, arrivals, movements, plan, valuation_queue
from serial_tracking.core.states import Operation, Status, replay

ITEM = "IT"
START = datetime(2026, 1, 1, 10)


def at(day: int) -> datetime:
	return START + timedelta(days=day)


def event(code, vtype, vno, warehouse, qty, day, **values):
	return Event(
		code=code,
		voucher_type=vtype,
		voucher_no=vno,
		warehouse=warehouse,
		qty=qty,
		posted_at=at(day),
		creation=at(day),
		posting_date=at(day).date().isoformat(),
		posting_time="10:00:00",
		**values,
	)


def received(code="A", warehouse="W1", day=0, rate=100.0, **values):
	return event(code, "Purchase Receipt", f"PR-{day}", warehouse, 1, day, party="SUP", rate=rate, **values)


def test_a_receipt_a_transfer_and_a_sale_replay_to_sold():
	events = [
		received(),
		event("A", "Stock Entry", "SE-1", "W1", -1, 1),
		event("A", "Stock Entry", "SE-1", "W2", 1, 1, rate=100),
		event("A", "Delivery Note", "DN-1", "W2", -1, 2, party="CUS"),
	]
	found = movements(ITEM, events, warranty_days=10)["A"]
	assert [m.operation for m in found] == [Operation.RECEIVE, Operation.TRANSFER, Operation.SELL]
	assert (found[1].from_warehouse, found[1].to_warehouse) == ("W1", "W2")
	assert found[2].warranty_until == "2026-01-13"
	state = replay(found)
	assert (state.status, state.customer, state.supplier) == (Status.SOLD, "CUS", "SUP")


def test_returns_and_counts_take_the_apps_operations():
	events = [
		received(),
		event("A", "Delivery Note", "DN-1", "W1", -1, 1, party="CUS"),
		event("A", "Delivery Note", "DN-R", "W1", 1, 2, party="CUS", is_return=True),
		event("A", "Purchase Receipt", "PR-R", "W1", -1, 3, party="SUP", is_return=True),
		event("B", "Stock Reconciliation", "SR-1", "W1", 1, 0),
		event("B", "Stock Reconciliation", "SR-2", "W1", -1, 1),
		event("B", "Stock Reconciliation", "SR-2", "W1", 1, 1),
		event("B", "Stock Reconciliation", "SR-3", "W1", -1, 2),
	]
	found = movements(ITEM, events)
	assert [m.operation for m in found["A"]] == [
		Operation.RECEIVE,
		Operation.SELL,
		Operation.SALES_RETURN,
		Operation.PURCHASE_RETURN,
	]
	# a count that found the serial where it was moves nothing
	assert [m.operation for m in found["B"]] == [Operation.COUNT, Operation.COUNT_MISSING]


def test_a_transfer_through_transit_is_out_then_in():
	events = [
		received(),
		event("A", "Stock Entry", "SE-1", "W1", -1, 1),
		event("A", "Stock Entry", "SE-1", "T", 1, 1, transit=True),
		event("A", "Stock Entry", "SE-2", "T", -1, 2, transit=True),
		event("A", "Stock Entry", "SE-2", "W2", 1, 2),
	]
	found = movements(ITEM, events)["A"]
	assert [m.operation for m in found] == [Operation.RECEIVE, Operation.TRANSFER_OUT, Operation.TRANSFER_IN]
	assert replay(found[:2]).status is Status.IN_TRANSIT


def test_posting_order_not_the_order_read():
	events = [event("A", "Stock Entry", "SE-9", "W1", -1, 5), received(day=1)]
	assert [m.operation for m in movements(ITEM, events)["A"]] == [Operation.RECEIVE, Operation.ISSUE]


def test_the_plan_carries_states_and_steps_and_tells_what_arrives():
	events = [
		received("A"),
		received("B", "W2", rate=120),
		event("B", "Delivery Note", "DN", "W2", -1, 3, party="C"),
	]
	held = [Held("A", "Active", "W1"), Held("B", "Delivered", warranty_expiry_date="2027-01-01")]
	result = plan(ITEM, events, held)
	assert result.problems == []
	assert [s.after.sequence for s in result.steps] == [1, 1, 2]
	sold = next(s for s in result.states if s.code == "B")
	# ERPNext's warranty end of the serial sold
	assert sold.warranty_expiry_date == "2027-01-01"
	assert arrivals(result.states) == [
		{"status": "In Stock", "warehouse": "W1", "count": 1},
		{"status": "Sold", "warehouse": None, "count": 1},
	]
	assert result.values == {"A": (at(0), 100.0)}


def test_what_cannot_be_carried_over():
	events = [
		received("TWICE"),
		received("TWICE", "W2", day=1),
		received("ELSEWHERE"),
		event("GONE", "Delivery Note", "DN", "W1", -1, 1, party="C"),
		received("BATCHED", batch=True),
		received("NO RECORD"),
	]
	held = [
		Held("TWICE", "Active", "W2"),
		Held("ELSEWHERE", "Active", "W2"),
		Held("GONE", "Delivered"),
		Held("OLD", "Expired"),
		Held("BATCHED", "Active", "W1"),
		Held("IDLE", "Inactive"),
		Held("NOWHERE", "Active", "W1"),
		Held("BAD CODE", "Active", "W1"),
		Held("TAKEN", "Active", "W1"),
	]
	events.append(received("TAKEN"))
	result = plan(ITEM, events, held, taken=frozenset({"TAKEN"}))
	why = {r.code: r.why for r in result.problems}
	assert why == {
		"TWICE": Why.TWO_PLACES,
		"ELSEWHERE": Why.OTHER_PLACE,
		"GONE": Why.OTHER_PLACE,
		"OLD": Why.EXPIRED,
		"BATCHED": Why.BATCH,
		"NOWHERE": Why.NEVER_HELD,
		"BAD CODE": Why.BAD_CODE,
		"TAKEN": Why.TAKEN,
		"NO RECORD": Why.NOT_THERE,
	}
	assert result.left == ["IDLE"]
	assert result.states == []


def test_the_queue_is_the_serials_values_oldest_first():
	values = [(at(3), 130.0), (at(1), 100.0), (at(2), 100.0)]
	assert valuation_queue(values, 330.0) == [[2.0, 100.0], [1.0, 130.0]]
	assert valuation_queue([], 0) == []


def test_values_that_do_not_add_up_give_way_to_the_stock_value():
	assert valuation_queue([(at(1), 100.0), (at(2), 0.0)], 220.0) == [[2.0, 110.0]]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 500)), min_size=1, max_size=40))
def test_the_queue_always_holds_the_stock_value_and_quantity(serials):
	values = [(at(day), float(rate)) for day, rate in serials]
	total = sum(rate for _day, rate in serials)
	queue = valuation_queue(values, float(total))
	assert sum(q for q, _r in queue) == len(serials)
	assert abs(sum(q * r for q, r in queue) - total) < 1e-6


@given(st.lists(st.sampled_from(["in", "out"]), max_size=12))
def test_a_history_erpnext_accepted_replays_without_problems(steps):
	"""Any alternation of receipts and sales ERPNext could have posted for one serial converts."""
	events, inside, day = [], False, 0
	for step in steps:
		day += 1
		if step == "in" and not inside:
			events.append(received("A", day=day))
			inside = True
		elif step == "out" and inside:
			events.append(event("A", "Delivery Note", f"DN-{day}", "W1", -1, day, party="C"))
			inside = False
	if not events:
		return
	held = [Held("A", "Active" if inside else "Delivered", "W1" if inside else None)]
	result = plan(ITEM, events, held)
	assert result.problems == []
	assert len(result.steps) == len(events)
	assert result.states[0].status is (Status.IN_STOCK if inside else Status.SOLD)
