"""The fill's statements, evaluated by MariaDB without filling anything."""

import frappe

from serial_tracking.devtools import fill


def test_codes_stay_apart_up_to_ten_million():
	"""Seven digits, zero-padded; the ten millionth serial gets eight instead of the millionth's code."""
	numbers = (1, 1_000_000, 9_999_999, fill.MOST_SERIALS)
	texts = [
		frappe.db.sql(f"select {fill.number_text('n')} from (select %s as n) numbers", n)[0][0]
		for n in numbers
	]
	assert texts == ["0000001", "1000000", "9999999", "10000000"]


def test_the_sequence_reaches_ten_million():
	"""The fill reads its numbers from MariaDB's SEQUENCE engine a chunk at a time, by range, in
	order: the last chunk holds each of its numbers once, the ten millionth too. (Read backwards, as
	``max()`` or ``order by seq desc`` read it, MariaDB 10.11 leaves out the last number of such a
	range; the fill never reads so.)"""
	first, last = fill.MOST_SERIALS - fill.CHUNK + 1, fill.MOST_SERIALS
	found = frappe.db.sql(
		f"select count(*), sum(n), sum(n = %s) from (select seq as n from seq_1_to_{fill.MOST_SERIALS}"
		" where seq between %s and %s) numbers",
		(last, first, last),
	)[0]
	assert [int(value) for value in found] == [fill.CHUNK, (first + last) * fill.CHUNK // 2, 1]
