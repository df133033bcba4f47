"""Small site set-ups for development commands."""

import frappe

from serial_tracking.constants import SETTINGS


def switch_on():
	"""Serial Tracking switched on for the whole site (``bench execute`` commits afterwards)."""
	frappe.db.set_single_value(SETTINGS, "enabled", 1)
