"""Browser tests: Desk in headless Chromium against a running site (see scripts/test.sh).

``ST_BROWSER_URL`` is the site's address (e.g. ``http://127.0.0.1:8123``); without it every
test is skipped. ``ST_BROWSER_USER`` / ``ST_BROWSER_PASSWORD`` log in (Administrator /
admin), ``ST_CHROMIUM`` / ``ST_CHROMEDRIVER`` name the browser and its driver
(/usr/bin/chromium, /usr/bin/chromedriver), ``ST_BROWSER_SHOTS`` the folder of the
screenshots taken when a test fails (serial_tracking_browser in the temporary folder);
``ST_BROWSER_STEPS``, when set, a folder for a screenshot of each notable step.

The server commits what the tests make: each test cancels and deletes its documents (ERPNext
keeps a cancelled stock document that its cancelled ledger entries refer to; no SN code of a
run stays behind). The master data is the integration tests' (tests/integration/factory.py).
"""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

URL = os.environ.get("ST_BROWSER_URL", "").rstrip("/")
USER = os.environ.get("ST_BROWSER_USER", "Administrator")
PASSWORD = os.environ.get("ST_BROWSER_PASSWORD", "admin")
CHROMIUM = os.environ.get("ST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ST_CHROMEDRIVER", "/usr/bin/chromedriver")
SHOTS = Path(os.environ.get("ST_BROWSER_SHOTS") or Path(tempfile.gettempdir()) / "serial_tracking_browser")


def pytest_collection_modifyitems(config, items):
	if URL:
		return
	skip = pytest.mark.skip(reason="ST_BROWSER_URL is not set: no site to drive")
	for item in items:
		if "tests/browser" in str(item.fspath):
			item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	outcome = yield
	report = outcome.get_result()
	setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def driver():
	from selenium import webdriver
	from selenium.webdriver.chrome.service import Service

	profile = tempfile.mkdtemp(prefix="st-chromium-")
	options = webdriver.ChromeOptions()
	# Both paths given: Selenium Manager has nothing to look up or download.
	options.binary_location = CHROMIUM
	for argument in (
		"--headless=new",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-dev-shm-usage",
		"--window-size=1400,1000",
		"--lang=en-US",
		f"--user-data-dir={profile}",
	):
		options.add_argument(argument)
	browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
	try:
		yield browser
	finally:
		browser.quit()
		shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def logged_in(driver):
	from tests.browser.desk import Desk

	desk = Desk(driver, URL)
	desk.login(USER, PASSWORD)
	return desk


@pytest.fixture
def desk(logged_in, request):
	"""Desk, logged in, on a fresh page; a screenshot under ST_BROWSER_SHOTS if the test fails."""
	yield logged_in
	report = getattr(request.node, "report_call", None)
	if report is not None and report.failed:
		SHOTS.mkdir(parents=True, exist_ok=True)
		path = SHOTS / f"{request.node.name}.png"
		logged_in.driver.save_screenshot(str(path))
		print(f"screenshot: {path}")
	logged_in.close_dialogs()


@pytest.fixture(scope="session")
def api():
	"""The REST API, logged in as the same user, for setting up, checking and cleaning up."""
	from tests.browser.desk import Api

	client = Api(URL)
	client.login(USER, PASSWORD)
	return client


@pytest.fixture
def cleanup(api):
	"""Documents to cancel (when submitted) and delete after the test, newest first."""
	made: list[tuple[str, str]] = []
	yield made
	errors = []
	for doctype, name in reversed(made):
		try:
			api.discard(doctype, name)
		except Exception as e:
			errors.append(f"{doctype} {name}: {e}")
	assert not errors, "clean-up failed: " + "; ".join(errors)


@pytest.fixture
def uid():
	"""A suffix that makes this run's SN codes unique on the site."""
	return secrets.token_hex(4).upper()
