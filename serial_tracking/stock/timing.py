"""A document's posting date and time as one comparable value."""

from datetime import date, datetime, time, timedelta

from frappe.utils import getdate, to_timedelta


def posted_at(posting_date, posting_time) -> datetime | None:
	"""``posting_date`` + ``posting_time`` (a string, a time or the timedelta MariaDB returns).

	Called for every log row a cancellation replays: the values MariaDB returns
	(a date and a timedelta) take the direct path.
	"""
	if not posting_date:
		return None
	day = posting_date if type(posting_date) is date else getdate(posting_date)
	moment = datetime.combine(day, time())
	if not posting_time:
		return moment
	if isinstance(posting_time, timedelta):
		return moment + posting_time
	if isinstance(posting_time, time):
		return datetime.combine(day, posting_time)
	return moment + to_timedelta(posting_time)
