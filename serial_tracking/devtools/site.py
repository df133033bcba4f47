"""Small site set-ups for development commands."""

import frappe

from serial_tracking.constants import SETTINGS


def switch_on():
	"""Serial Tracking switched on for the whole site (``bench execute`` commits afterwards)."""
	frappe.db.set_single_value(SETTINGS, "enabled", 1)


def prepare_erpnext_tests():
	"""A site for ERPNext's own tests: the app switched on, and the site's clock in UTC, so that
	scripts/erpnext-stock-tests.sh can keep a run clear of the site's midnight."""
	switch_on()
	frappe.db.set_single_value("System Settings", "time_zone", "Etc/UTC")
