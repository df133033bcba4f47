from serial_tracking.core.states import Operation
from serial_tracking.core.voiding import LoggedMovement, blocking_vouchers, cancel_order, voided_rows


def log(code, sequence, voucher, order):
	return LoggedMovement(code, sequence, voucher[0], voucher[1], (order,))


PR = ("Purchase Receipt", "PR-1")
DN = ("Delivery Note", "DN-1")
RET = ("Delivery Note", "DN-2")
OTHER = ("Stock Entry", "SE-1")


def test_latest_document_may_be_cancelled():
	active = [log("A", 1, PR, 1), log("A", 2, DN, 2)]
	assert blocking_vouchers(*DN, active) == []


def test_earlier_document_names_the_later_ones_latest_first():
	active = [
		log("A", 1, PR, 1),
		log("B", 1, PR, 1),
		log("A", 2, DN, 2),
		log("A", 3, RET, 3),
		log("B", 2, OTHER, 4),
	]
	assert blocking_vouchers(*PR, active) == [OTHER, RET, DN]


def test_codes_compare_without_case_and_unrelated_serials_do_not_block():
	active = [log("a", 1, PR, 1), log("A", 2, DN, 2), log("Z", 5, OTHER, 9)]
	assert blocking_vouchers(*PR, active) == [DN]


ITEM = ("Item", "ITEM-1")


def stated(code, sequence, operation, order):
	return LoggedMovement(code, sequence, *ITEM, (order,), operation, f"{code}-{sequence}")


def test_registrations_and_corrections_never_block_and_are_voided_with_the_document_before_them():
	before = stated("A", 1, Operation.REGISTER, 1)
	sale = LoggedMovement("A", 2, *DN, (2,), Operation.SELL, "A-2")
	after = stated("A", 3, Operation.REGISTER, 3)
	moved = stated("A", 4, Operation.ADJUST, 4)
	unrelated = stated("B", 7, Operation.ADJUST, 5)
	active = [before, sale, after, moved, unrelated]
	assert blocking_vouchers(*DN, active) == []
	assert voided_rows(*DN, active) == [sale, after, moved]


def test_a_document_after_a_statement_still_blocks():
	active = [
		LoggedMovement("A", 1, *PR, (1,), Operation.RECEIVE, "A-1"),
		stated("A", 2, Operation.ADJUST, 2),
		LoggedMovement("A", 3, *DN, (3,), Operation.SELL, "A-3"),
	]
	assert blocking_vouchers(*PR, active) == [DN]


# The order a chain of documents is cancelled in.

A, B, C, D, E = (("Doc", name) for name in "ABCDE")


def test_a_chain_is_cancelled_after_everything_that_blocks_each_document():
	# D blocks C and B; C blocks B; B blocks A: a receipt A, a transfer B, a sale C, a return D.
	blocked_by = {A: {B}, B: {C, D}, C: {D}, D: set()}
	position = {A: (1,), B: (2,), C: (3,), D: (4,)}
	assert cancel_order(blocked_by, position) == ([D, C, B, A], [])


def test_documents_free_at_once_go_latest_first_whatever_the_order_they_are_given_in():
	blocked_by = {A: {B, C}, B: set(), C: set()}
	assert cancel_order(blocked_by, {A: (1,), B: (3,), C: (2,)}) == ([B, C, A], [])
	assert cancel_order(blocked_by, {A: (1,), B: (2,), C: (3,)}) == ([C, B, A], [])


def test_a_later_position_never_goes_before_what_blocks_it():
	# E is the latest made but a count B posted after it holds it back (E blocks nothing).
	blocked_by = {A: {E}, E: {B}, B: set()}
	assert cancel_order(blocked_by, {A: (1,), B: (2,), E: (5,)}) == ([B, E, A], [])


def test_documents_holding_each_other_back_cannot_be_ordered_nor_what_waits_for_them():
	blocked_by = {A: {B}, B: {C}, C: {B}, D: set()}
	assert cancel_order(blocked_by, {A: (1,), B: (2,), C: (3,), D: (4,)}) == ([D], [A, B, C])
