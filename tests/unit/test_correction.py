"""A code correction is no movement: replays, consistency and voiding pass over it."""

import pytest

from serial_tracking.core import code_changes
from serial_tracking.core.ledger_differences import replay_differences
from serial_tracking.core.problems import Reason
from serial_tracking.core.states import Movement, Operation, State, Status, replay
from serial_tracking.core.voiding import LoggedMovement, blocking_vouchers, voided_rows

MAIN, SHOP = "Main", "Shop"
PR = ("Purchase Receipt", "PR-1")
DN = ("Delivery Note", "DN-1")
ITEM = ("Item", "PHONE")


def mv(operation, voucher, from_warehouse=None, to_warehouse=None, code="NEW-1"):
	return Movement(code, "PHONE", operation, from_warehouse, to_warehouse, *voucher)


def corrected(warehouse):
	"""The correction row as logged: status and warehouse as they were."""
	return mv(Operation.CORRECT, ITEM, warehouse, warehouse)


def test_a_correction_in_the_history_changes_no_replayed_state():
	plain = [mv(Operation.RECEIVE, PR, to_warehouse=MAIN), mv(Operation.SELL, DN, MAIN)]
	with_correction = [plain[0], corrected(MAIN), plain[1]]
	assert replay(with_correction) == replay(plain)
	assert replay(with_correction).status is Status.SOLD
	assert replay(with_correction).voucher_no == "DN-1"


def test_a_correction_last_leaves_the_serial_where_its_last_movement_put_it():
	state = replay([mv(Operation.RECEIVE, PR, to_warehouse=MAIN), corrected(MAIN)])
	assert (state.status, state.warehouse, state.voucher_type) == (Status.IN_STOCK, MAIN, "Purchase Receipt")


def test_a_correction_alone_is_no_state():
	assert replay([corrected(MAIN)]) is None


def test_consistency_finds_no_difference_with_a_correction_in_the_log():
	stored = State("NEW-1", "PHONE", Status.IN_STOCK, SHOP)
	log = {"NEW-1": [mv(Operation.RECEIVE, PR, to_warehouse=SHOP), corrected(SHOP)]}
	assert replay_differences([stored], log) == []


def row(sequence, voucher, operation, order, code="NEW-1"):
	return LoggedMovement(code, sequence, *voucher, (order,), operation, f"{code}-{sequence}")


def test_a_correction_after_a_document_neither_blocks_its_cancellation_nor_is_voided_by_it():
	receipt = row(1, PR, Operation.RECEIVE, 1)
	fix = row(2, ITEM, Operation.CORRECT, 2)
	active = [receipt, fix]
	assert blocking_vouchers(*PR, active) == []
	assert voided_rows(*PR, active) == [receipt]


def test_a_correction_between_two_documents_leaves_the_later_one_blocking():
	active = [
		row(1, PR, Operation.RECEIVE, 1),
		row(2, ITEM, Operation.CORRECT, 2),
		row(3, DN, Operation.SELL, 3),
	]
	assert blocking_vouchers(*PR, active) == [DN]
	sale, fix = active[2], active[1]
	assert blocking_vouchers(*DN, active) == []
	assert voided_rows(*DN, active) == [sale]
	assert fix not in voided_rows(*DN, active)


def test_statements_after_a_correction_are_still_voided_with_the_document_before_them():
	sale = row(2, DN, Operation.SELL, 2)
	fix = row(3, ITEM, Operation.CORRECT, 3)
	moved = row(4, ITEM, Operation.ADJUST, 4)
	active = [row(1, PR, Operation.RECEIVE, 1), sale, fix, moved]
	assert voided_rows(*DN, active) == [sale, moved]


@pytest.mark.parametrize(
	("text", "expected"),
	[("ＡＢＣ－１", "ABC-1"), ("  abc-1 ", "abc-1"), ("", "")],
)
def test_new_code_is_folded_and_trimmed(text, expected):
	assert code_changes.new_code(text) == expected


@pytest.mark.parametrize(
	("code", "reason"),
	[
		("", Reason.NOTHING_ENTERED),
		("A" * 11, Reason.TOO_LONG),
		("AB C", Reason.CONTROL_CHARACTER),
		("AB<1>", Reason.INVALID_CHARACTER),
		("ABÇ", Reason.NON_ASCII),
		("AB\u200b1", Reason.INVISIBLE_CHARACTER),
	],
)
def test_a_new_code_passes_every_code_rule(code, reason):
	assert code_changes.code_problem(code, max_length=10).reason is reason


def test_a_good_new_code_has_no_problem():
	assert code_changes.code_problem("PH-0001", max_length=10) is None


def test_only_letter_case_is_a_case_change():
	assert code_changes.is_case_change("abc-1", "ABC-1")
	assert not code_changes.is_case_change("abc-1", "abc-2")


@pytest.mark.parametrize("operation", [Operation.SELL, Operation.SALES_RETURN, Operation.TRANSFER_IN])
def test_movements_of_existing_serials_read_old_codes(operation):
	assert code_changes.names_known_serials(operation)


@pytest.mark.parametrize("operation", [Operation.RECEIVE, Operation.REGISTER, Operation.COUNT])
def test_what_may_bring_a_new_unit_in_keeps_an_old_code(operation):
	assert not code_changes.names_known_serials(operation)


def test_old_codes_in_a_text_become_current_ones():
	assert code_changes.rename_entries("old-1, X-2\nOLD-3", {"OLD-1": "NEW-1", "OLD-3": "NEW-3"}) == (
		"NEW-1\nX-2\nNEW-3"
	)
	assert code_changes.rename_entries("X-2 X-3", {"OLD-1": "NEW-1"}) == "X-2 X-3"
	assert code_changes.rename_entries(None, {"OLD-1": "NEW-1"}) is None


def test_current_codes_skip_codes_that_are_serials_now_and_ambiguous_ones():
	found = [("A", "B"), ("c", "D"), ("E", "F"), ("e", "G"), ("H", "I"), ("h", "I")]
	assert code_changes.current_codes(found, known={"C"}) == {"A": "B", "H": "I"}
