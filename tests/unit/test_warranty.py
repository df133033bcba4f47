"""The warranty a unit's movements give it: pure core logic."""

from datetime import date
from types import SimpleNamespace

from serial_tracking.core.codes import key
from serial_tracking.core.lives import SOLD, Step, phrase
from serial_tracking.core.plan import Reading, RowRequest, Voucher, plan
from serial_tracking.core.states import (
	Movement,
	Operation,
	State,
	Status,
	deciding,
	move,
	rebuilt,
	replay,
	warranty_end,
)

W1 = "Stores"


def mv(operation, until=None, party_type=None, party=None, **kw):
	return Movement(
		"SN1",
		"PHONE",
		operation,
		voucher_type="Doc",
		voucher_no=f"DOC-{operation.value}",
		party_type=party_type,
		party=party,
		warranty_until=until,
		**kw,
	)


RECEIVE = mv(Operation.RECEIVE, party_type="Supplier", party="S", to_warehouse=W1)
SALE = mv(Operation.SELL, "2027-01-31", "Customer", "C", from_warehouse=W1)
RETURN = mv(Operation.SALES_RETURN, party_type="Customer", party="C", to_warehouse=W1)
TRANSFER = mv(Operation.TRANSFER, from_warehouse=W1, to_warehouse="Shop")


def test_the_end_is_the_posting_date_and_the_period():
	assert warranty_end("2026-01-01", 365) == "2027-01-01"
	assert warranty_end("2026-12-05 10:00:00", 30) == "2027-01-04"


def test_no_period_or_no_date_gives_none():
	assert warranty_end("2026-01-01", 0) is None
	assert warranty_end("2026-01-01", None) is None
	assert warranty_end("2026-01-01", -5) is None
	assert warranty_end(None, 365) is None


def test_a_sale_to_a_customer_sets_it_a_return_ends_it_other_movements_keep_it():
	sold = replay([RECEIVE, SALE])
	assert sold.warranty_expiry_date == "2027-01-31"
	assert replay([RECEIVE, SALE, RETURN]).warranty_expiry_date is None
	bought_back = move(sold, mv(Operation.RECEIVE, party_type="Supplier", party="S", to_warehouse=W1))
	assert bought_back.warranty_expiry_date == "2027-01-31"


def test_a_sale_without_a_customer_gives_none():
	state = State("SN1", "PHONE", Status.IN_STOCK, W1, warranty_expiry_date="2026-02-01")
	assert (
		move(state, mv(Operation.SELL, "2027-01-31", from_warehouse=W1)).warranty_expiry_date == "2026-02-01"
	)


def test_a_rebuilt_state_follows_the_latest_row_as_logged():
	# Read back from the log, a row carries the warranty after it. The deciding rows of a unit
	# returned and then moved are its sale and the transfer: the warranty is the transfer's, none.
	history = [RECEIVE, SALE, RETURN, TRANSFER]
	assert replay(history).warranty_expiry_date is None
	assert rebuilt(deciding(history)).warranty_expiry_date is None
	# A unit bought back keeps the warranty its sale gave, and so does its next move.
	bought = mv(Operation.RECEIVE, "2027-01-31", "Supplier", "S", to_warehouse=W1)
	moved = mv(Operation.TRANSFER, "2027-01-31", from_warehouse=W1, to_warehouse="Shop")
	assert rebuilt(deciding([RECEIVE, SALE, bought, moved])).warranty_expiry_date == "2027-01-31"


def _plan(days, first=None, party_type="Customer"):
	voucher = Voucher("Delivery Note", "DN-1", "2026-03-01", "10:00:00", party_type, "C")
	row = RowRequest(1, "PHONE", Operation.SELL, 1, from_warehouse=W1, warranty_days=days)
	reading = Reading(codes={row.ref: ["sn1"]}, problems=[])
	states = {key("sn1"): State("sn1", "PHONE", Status.IN_STOCK, W1)}
	return plan(voucher, [row], reading, states, first_warranties=first).steps[0].after


def test_a_planned_sale_gives_its_date_and_the_items_period():
	assert _plan(10).warranty_expiry_date == "2026-03-11"
	assert _plan(0).warranty_expiry_date is None


def test_a_planned_resale_keeps_the_first_warranty_when_given_one():
	assert _plan(10, {key("sn1"): "2026-12-31"}).warranty_expiry_date == "2026-12-31"
	assert _plan(10, {}).warranty_expiry_date == "2026-03-11"


def _replacement(kept, first=None):
	voucher = Voucher("Stock Entry", "STE-1", "2026-03-01", "10:00:00", "Customer", "C")
	row = RowRequest(
		1,
		"PHONE",
		Operation.SELL,
		1,
		from_warehouse=W1,
		warranty_days=10,
		keeps_warranty=True,
		kept_warranty=kept,
	)
	reading = Reading(codes={row.ref: ["sn2"]}, problems=[])
	states = {key("sn2"): State("sn2", "PHONE", Status.IN_STOCK, W1)}
	return plan(voucher, [row], reading, states, first_warranties=first).steps[0].after


def test_a_unit_handed_over_in_place_of_another_keeps_its_end_not_a_new_period():
	assert _replacement("2026-12-31").warranty_expiry_date == "2026-12-31"
	assert _replacement(None).warranty_expiry_date is None
	assert _replacement("2026-12-31", {key("sn2"): "2027-06-30"}).warranty_expiry_date == "2026-12-31"


def _sold(until, party="Harbour Street"):
	row = SimpleNamespace(operation="Sell", party=party, warranty_expiry_date=until)
	return Step(kind=SOLD, date=date(2026, 11, 12), days=0, status="Sold", warehouse=None, row=row)


def test_a_sale_in_the_story_tells_its_warranty_end():
	assert (
		phrase(_sold(date(2027, 11, 12))) == "sold to Harbour Street on 2026-11-12, warranty until 2027-11-12"
	)
	assert phrase(_sold("2027-11-12", party=None)) == "sold on 2026-11-12, warranty until 2027-11-12"
	assert phrase(_sold(None)) == "sold to Harbour Street on 2026-11-12"
