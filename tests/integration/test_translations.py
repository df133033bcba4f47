"""The app speaks six languages: every user-facing string has an entry in each, in its own
translation file or in Frappe's or ERPNext's, and the app's files are well formed and never
override what Frappe or ERPNext already translate."""

import csv

import pytest

import frappe
from frappe.translate import get_translation_dict_from_file

from serial_tracking.devtools import translations
from serial_tracking.devtools.translations import LANGUAGES, app_messages, check, read_ours

SHOWN = 15


@pytest.fixture(scope="module")
def messages():
	return app_messages()


def _listed(keys):
	more = f" … and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
	return "; ".join(repr(k) for k in keys[:SHOWN]) + more


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_the_app_shows_has_an_entry(lang, messages):
	found = check(lang, messages)
	assert not found["broken"], f"{lang}: " + "; ".join(found["broken"][:SHOWN])
	assert not found["missing"], f"{lang} lacks {len(found['missing'])}: {_listed(found['missing'])}"
	assert not found["overriding"], (
		f"{lang} overrides Frappe's or ERPNext's own entry for: {_listed(found['overriding'])}"
	)
	assert not found["stale"], (
		f"{lang} has entries for strings the app no longer has: {_listed(found['stale'])}"
	)


def test_the_catalogue_holds_what_frappe_does_not_walk(messages):
	"""The fields put on ERPNext's doctypes, the workspace's text, lazily translated labels."""
	for message in (
		"Track SN Codes",  # a custom field on Item
		"SN Code Format",
		"Fitted Into",  # on Stock Entry Detail
		"Start here",  # the workspace's header, without its tags
		"Days Since Last Movement",  # a search column, translated when the report runs
	):
		assert message in messages, message
	assert any(key.startswith("<b>1. Switch an item on:</b>") for key in messages), "the workspace's steps"
	assert not any(key.startswith("Toggle Theme") for key in messages), "the site's navbar is not the app's"


def test_a_users_language_reaches_the_app_strings():
	frappe.local.lang = "de"
	try:
		ours, _ = read_ours("de")
		assert frappe._("Track SN Codes") == ours["Track SN Codes"] != "Track SN Codes"
		# A word ERPNext translates stays ERPNext's.
		assert frappe._("Delivery Note") == translations.theirs("de")["Delivery Note"]
	finally:
		frappe.local.lang = "en"


def test_a_word_erpnext_translates_otherwise_gets_the_apps_sense_by_its_context():
	"""ERPNext's Arabic "Set" is a set (a group): the SN dialog's button says apply, and "Set"
	elsewhere on the site stays ERPNext's."""
	frappe.local.lang = "ar"
	try:
		ours, _ = read_ours("ar")
		assert frappe._("Set", context="SN dialog") == ours["Set:SN dialog"]
		assert frappe._("Set") == translations.theirs("ar")["Set"] != ours["Set:SN dialog"]
		assert frappe._("Post", context="Serial Count") == ours["Post:Serial Count"]
	finally:
		frappe.local.lang = "en"


def test_a_broken_row_fails_the_check_not_the_site(tmp_path):
	path = tmp_path / "de.csv"
	with open(path, "w", newline="", encoding="utf-8") as f:
		writer = csv.writer(f, lineterminator="\n")
		writer.writerow(["Add SN Codes", "SN-Codes hinzufügen"])
		writer.writerow(["Row {0}: {1}", "Zeile {0}"])  # a placeholder lost
		writer.writerow(["<b>Set</b>", "Setzen"])  # a tag lost
		writer.writerow(["One", "Eins", "context", "a fourth column"])
		writer.writerow(["Two", ""])  # no translation
		writer.writerow(["Add SN Codes", "SN-Codes erfassen"])  # twice
	entries, problems = read_ours("de", str(path))
	assert entries["Add SN Codes"] == "SN-Codes erfassen"
	assert [p.split(":")[0] for p in problems] == ["de row 2", "de row 3", "de row 4", "de row 5", "de row 6"]
	assert "placeholders" in problems[0] and "HTML tags" in problems[1] and "twice" in problems[4]
	# Frappe reads the same file without raising: a broken row costs its entry, not the site.
	assert get_translation_dict_from_file(str(path), "de", "serial_tracking")["Add SN Codes"]
