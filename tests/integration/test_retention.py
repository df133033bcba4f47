"""The files the app makes (exports, labels, an import's problems) are removed after the days Serial
Tracking Settings keep them; a user's own files, whatever their name, and newer ones stay.

The clean-up commits each batch, as a scheduled job does: here its commits are left to the test's
transaction, rolled back after it; the files it wrote on disk go with it (no_files_left).
"""

import os

import pytest

import frappe
from frappe.utils import add_to_date, now_datetime

from serial_tracking import api
from serial_tracking.devtools.bench_find import insert_serials
from serial_tracking.exchange import retention, xlsx_import
from tests.integration.factory import COMPANY, MAIN, user_with

NAMES = ("sn-codes-%", "sn-labels-%", "sn-import-problems-%")


@pytest.fixture(autouse=True)
def no_files_left():
	"""Every file of these tests on disk goes with the test (their File rows roll back)."""
	yield
	for pattern in NAMES:
		for url in frappe.get_all("File", filters={"file_name": ("like", pattern)}, pluck="file_url"):
			path = frappe.get_site_path(url.lstrip("/")) if url else None
			if path and os.path.exists(path):
				os.remove(path)


@pytest.fixture
def commits(monkeypatch):
	"""The commits of the clean-up (one per batch), left to the test's transaction."""
	made = []
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: made.append(1))
	return made


def _age(name: str, days: float) -> None:
	"""Date a File ``days`` days back, as if it were made then."""
	frappe.db.set_value(
		"File", name, "creation", add_to_date(now_datetime(), days=-days), update_modified=False
	)


def _file(url: str):
	return frappe.get_doc("File", frappe.get_all("File", filters={"file_url": url}, pluck="name")[0])


def _exists(name: str) -> bool:
	return bool(frappe.db.exists("File", name))


def _own_file(user: str, file_name: str, content: bytes, **attached) -> str:
	"""A private file a user uploads (Frappe names it)."""
	frappe.set_user(user)
	file = frappe.get_doc(
		{"doctype": "File", "file_name": file_name, "is_private": 1, "content": content, **attached}
	)
	file.insert()
	frappe.set_user("Administrator")
	return file.name


def test_the_apps_files_older_than_the_setting_go_newer_ones_and_users_own_files_stay(settings, commits):
	settings(keep_files_days=7)
	owner = user_with(["Stock User", "Stock Manager"])
	codes = insert_serials(2, "SRT", warehouses=(MAIN,), company=COMPANY)
	frappe.set_user(owner)
	export = _file(api.export_serials(filters={"serial_no": "SRT*"}, format="csv")["file_url"])
	labels = _file(api.print_labels(codes=codes, format="zpl")["file_url"])
	newer = _file(api.export_serials(filters={"serial_no": "SRT*"}, format="xlsx")["file_url"])
	problems = xlsx_import._problem_file([])
	# one the user made public since (Desk's "Is Private" unticked): theirs to keep
	published = _file(api.print_labels(codes=codes[:1], format="zpl")["file_url"])
	frappe.set_user("Administrator")
	frappe.db.set_value("File", published.name, "is_private", 0)
	made = [export.name, labels.name, newer.name, problems.name]
	assert all(name.startswith(retention.PREFIX) for name in made), made
	# The user's own files: one named as an export and attached to their User, one an upload of the
	# export itself (the same content on disk).
	named_alike = _own_file(
		owner, "sn-codes-20260101-000000.csv", b"mine", attached_to_doctype="User", attached_to_name=owner
	)
	copy = _own_file(owner, "my-copy.csv", export.get_content())
	for name in (export.name, labels.name, problems.name, published.name, named_alike, copy):
		_age(name, 8)
	_age(newer.name, 6)

	assert retention.remove_old_files() == 3
	assert [_exists(name) for name in made] == [False, False, True, False]
	assert _exists(named_alike) and _exists(copy) and _exists(published.name)
	# The disk files go with them, but for the one the user's copy shares.
	assert not os.path.exists(labels.get_full_path())
	assert os.path.exists(newer.get_full_path())
	assert frappe.get_doc("File", copy).get_content() == export.get_content()
	assert commits


def test_zero_days_keeps_the_files_for_ever(settings, commits):
	settings(keep_files_days=0)
	codes = insert_serials(1, "SRTZ", warehouses=(MAIN,), company=COMPANY)
	labels = _file(api.print_labels(codes=codes, format="zpl")["file_url"])
	_age(labels.name, 4000)
	assert retention.remove_old_files() == 0
	assert _exists(labels.name)


def test_a_run_deletes_in_batches_up_to_its_most(settings, commits, monkeypatch):
	monkeypatch.setattr(retention, "BATCH", 2)
	monkeypatch.setattr(retention, "MOST_PER_RUN", 3)
	settings(keep_files_days=1)
	codes = insert_serials(4, "SRTB", warehouses=(MAIN,), company=COMPANY)
	made = [_file(api.print_labels(codes=[code], format="zpl")["file_url"]).name for code in codes]
	for name in made:
		_age(name, 2)
	assert retention.remove_old_files() == 3
	assert len(commits) == 2
	assert sum(_exists(name) for name in made) == 1
	assert retention.remove_old_files() == 1
	assert not any(_exists(name) for name in made)


def test_a_file_that_cannot_be_deleted_is_logged_and_leaves_the_others_to_go(settings, commits, monkeypatch):
	settings(keep_files_days=1)
	codes = insert_serials(3, "SRTF", warehouses=(MAIN,), company=COMPANY)
	made = [_file(api.print_labels(codes=[code], format="zpl")["file_url"]).name for code in codes]
	for name in made:
		_age(name, 2)
	delete = frappe.delete_doc

	def refuse_one(doctype, name, **kwargs):
		done = delete(doctype, name, **kwargs)
		if name == made[1]:
			# failing once part of it is written: none of it stays
			raise OSError("read-only file system")
		return done

	monkeypatch.setattr(frappe, "delete_doc", refuse_one)
	logged = frappe.db.count("Error Log")
	assert retention.remove_old_files() == 2
	assert [_exists(name) for name in made] == [False, True, False]
	assert frappe.db.count("Error Log") == logged + 1


def test_a_negative_period_is_refused_by_name(settings):
	with pytest.raises(frappe.ValidationError, match="Keep exported files for"):
		settings(keep_files_days=-1)


def test_the_clean_up_runs_daily():
	assert (
		"serial_tracking.exchange.retention.remove_old_files" in frappe.get_hooks("scheduler_events")["daily"]
	)
