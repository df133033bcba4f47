"""Frappe's apps screen over HTTP: the app's entry, with its logo, opens the Serial Tracking workspace,
only for users who may read SN codes, and login still lands in Desk."""

import requests

from tests.rest.conftest import URL, message

APPS = "frappe.apps.get_apps"


def entry(client) -> dict | None:
	return next((app for app in message(client.get(APPS)) if app["name"] == "serial_tracking"), None)


def test_the_entry_opens_the_workspace_for_a_user_who_reads_sn_codes(users):
	app = entry(users["manager"])
	assert app == {
		"name": "serial_tracking",
		"logo": "/assets/serial_tracking/images/serial-tracking-logo.svg",
		"title": "Serial Tracking",
		"route": "/app/Serial Tracking",
	}
	logo = requests.get(f"{URL}{app['logo']}", timeout=60)
	assert logo.status_code == 200 and logo.content.lstrip().startswith(b"<svg"), logo.status_code
	opened = requests.get(f"{URL}{app['route']}", allow_redirects=False, timeout=60)
	assert opened.status_code in (301, 302), opened.status_code
	assert opened.headers["Location"].endswith("/app/serial-tracking"), opened.headers["Location"]


def test_a_user_who_may_not_read_sn_codes_has_no_entry(site, users):
	outsider = users["outsider"]
	assert not site.has_permission("Serial Number", "read", user=outsider.name)
	assert entry(outsider) is None
	assert entry(users["manager"]) is not None


def test_login_still_lands_in_desk(site, users):
	"""Frappe sends users to the apps screen after login when an app on it opens outside /app."""
	from frappe.apps import get_apps, get_default_path

	site.set_user(users["manager"].name)
	try:
		assert any(app["name"] == "serial_tracking" for app in get_apps())
		assert get_default_path() == "/app"
	finally:
		site.set_user("Administrator")
