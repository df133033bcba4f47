from serial_tracking.core.voiding import LoggedMovement, blocking_vouchers


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
