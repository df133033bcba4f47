"""A document's posting date and time as one comparable value."""

from datetime import datetime, timedelta

from frappe.utils import get_datetime, getdate, to_timedelta


def posted_at(posting_date, posting_time) -> datetime | None:
	"""``posting_date`` + ``posting_time`` (a string, a time or the timedelta MariaDB returns)."""
	if not posting_date:
		return None
	moment = get_datetime(getdate(posting_date))
	if posting_time:
		moment += to_timedelta(posting_time) if not isinstance(posting_time, timedelta) else posting_time
	return moment
