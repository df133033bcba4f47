from serial_tracking.core.states import Operation
from serial_tracking.core.voiding import LoggedMovement, blocking_vouchers, voided_rows


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
