from serial_tracking.core.ledger_differences import Difference, replay_differences, stock_differences
from serial_tracking.core.states import Movement, Operation, State, Status


def test_stock_differences_name_each_place():
	in_stock = {("PHONE", "Main"): 2, ("PHONE", "Shop"): 1}
	qty = {("PHONE", "Main"): 2.0, ("PHONE", "Van"): 3.0}
	assert stock_differences(in_stock, qty) == [
		Difference("stock", "PHONE", "Shop", expected=0, found=1),
		Difference("stock", "PHONE", "Van", expected=3.0, found=0),
	]
	assert stock_differences({("A", "W"): 1}, {("A", "W"): 1.0}) == []


def test_replay_differences_find_a_state_the_log_does_not_explain():
	receive = Movement("S1", "PHONE", Operation.RECEIVE, None, "Main", "Purchase Receipt", "PR-1")
	sell = Movement("S1", "PHONE", Operation.SELL, "Main", None, "Delivery Note", "DN-1")
	sold = State("S1", "PHONE", Status.SOLD)
	assert replay_differences([sold], {"S1": [receive, sell]}) == []
	moved = State("S1", "PHONE", Status.IN_STOCK, "Shop")
	assert replay_differences([moved], {"S1": [receive]}) == [
		Difference("replay", "PHONE", "Shop", "S1", expected="In Stock @ Main", found="In Stock @ Shop")
	]
	assert replay_differences([moved], {})[0].expected == "unknown"


def test_replay_differences_find_a_warranty_the_log_does_not_explain():
	receive = Movement("S1", "PHONE", Operation.RECEIVE, None, "Main", "Purchase Receipt", "PR-1")
	sell = Movement(
		"S1",
		"PHONE",
		Operation.SELL,
		"Main",
		None,
		"Delivery Note",
		"DN-1",
		party_type="Customer",
		party="C",
		warranty_until="2027-11-12",
	)
	sold = State("S1", "PHONE", Status.SOLD, warranty_expiry_date="2027-11-12")
	assert replay_differences([sold], {"S1": [receive, sell]}) == []
	longer = State("S1", "PHONE", Status.SOLD, warranty_expiry_date="2028-01-01")
	assert replay_differences([longer], {"S1": [receive, sell]}) == [
		Difference("warranty", "PHONE", None, "S1", expected="2027-11-12", found="2028-01-01")
	]
	# a status difference is reported once, as a status difference
	moved = State("S1", "PHONE", Status.IN_STOCK, "Shop", warranty_expiry_date="2028-01-01")
	assert [d.kind for d in replay_differences([moved], {"S1": [receive, sell]})] == ["replay"]


def test_serials_in_stock_without_a_warehouse_are_a_place_of_their_own():
	assert stock_differences({("A", None): 1, ("A", "W"): 1}, {("A", "W"): 2}) == [
		Difference("stock", "A", None, expected=0, found=1),
		Difference("stock", "A", "W", expected=2, found=1),
	]
