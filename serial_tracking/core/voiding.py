"""Latest-first voiding: a document may be cancelled only while its movements are the latest."""

from dataclasses import dataclass

from serial_tracking.core.codes import key


@dataclass(frozen=True)
class LoggedMovement:
	"""One active log row, as far as voiding needs it. ``order`` sorts rows by when they were made."""

	code: str
	sequence: int
	voucher_type: str
	voucher_no: str
	order: tuple = ()


def blocking_vouchers(
	voucher_type: str, voucher_no: str, active: list[LoggedMovement]
) -> list[tuple[str, str]]:
	"""The documents to cancel before this one, in the order they must be cancelled.

	``active`` holds every active log row of the serials the document moved.
	A document blocks when it moved one of them after this document did.
	"""
	own: dict[str, int] = {}
	for row in active:
		if (row.voucher_type, row.voucher_no) == (voucher_type, voucher_no):
			code_key = key(row.code)
			own[code_key] = min(own.get(code_key, row.sequence), row.sequence)
	latest: dict[tuple[str, str], tuple] = {}
	for row in active:
		this = (row.voucher_type, row.voucher_no)
		start = own.get(key(row.code))
		if this == (voucher_type, voucher_no) or start is None or row.sequence <= start:
			continue
		position = (row.order, row.sequence)
		latest[this] = max(latest.get(this, position), position)
	return sorted(latest, key=lambda voucher: latest[voucher], reverse=True)
