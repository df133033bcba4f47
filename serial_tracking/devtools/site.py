"""Small site set-ups for development commands."""

import frappe
from frappe.utils import add_days, get_datetime, getdate, now_datetime

from serial_tracking.constants import SETTINGS


def switch_on():
	"""Serial Tracking switched on for the whole site (``bench execute`` commits afterwards)."""
	frappe.db.set_single_value(SETTINGS, "enabled", 1)


def seconds_to_midnight() -> int:
	"""Seconds until the site's next midnight, in its own time zone."""
	now = now_datetime()
	return int((get_datetime(add_days(getdate(now), 1)) - now).total_seconds())
