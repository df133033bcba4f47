"""The app's user-facing strings and their entries in the languages it ships.

Frappe finds most of an app's strings itself (``frappe.translate.get_messages_for_app``: doctypes,
reports, ``_()`` in Python and Jinja, ``__()`` in Desk scripts). What it does not walk is added
here: the fields the app puts on ERPNext's doctypes, and the workspace's cards, shortcuts and
text blocks. A string Frappe or ERPNext already translates in a language needs no entry of ours
(and must not have one: an app's entry overrides theirs across the site).

    python -m serial_tracking.devtools.translations --site SITE missing de   # CSV rows to fill
    python -m serial_tracking.devtools.translations --site SITE check        # what the test checks
"""

import csv
import html
import json
import os
import re
import sys
from io import StringIO

import frappe

APP = "serial_tracking"
LANGUAGES = ("zh", "de", "fr", "es", "ar", "pt-BR")
# The apps whose translations ours stand beside: theirs are not to be overridden.
BASE_APPS = ("frappe", "erpnext")
_PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\([a-z_]+\)s|%s|%d")
_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>", re.I)


def key_of(message: str, context: str | None) -> str:
	"""The key a translation is looked up by: Frappe's ``message:context``."""
	return f"{message}:{context}" if context else message


def app_messages() -> dict[str, tuple[str, str | None]]:
	"""Every user-facing string of the app, by its translation key: (message, context)."""
	from frappe.translate import get_messages_for_app

	found: dict[str, tuple[str, str | None]] = {}

	def add(message, context=None):
		message = (message or "").strip() if isinstance(message, str) else ""
		if message and not message.isdigit():
			found.setdefault(key_of(message, context), (message, context))

	for entry in get_messages_for_app(APP):
		path = entry[0] or ""
		if path.startswith("Navbar:"):  # the site's navbar, not the app's
			continue
		add(entry[1], entry[2] if len(entry) > 2 else None)
	for message in _custom_field_messages():
		add(message)
	for message in _workspace_messages():
		add(message)
	return found


def _custom_field_messages() -> list[str]:
	from serial_tracking import install

	fields = []
	for group in (install.get_custom_fields(), install.replacement_fields()):
		for rows in group.values():
			fields.extend(rows)
	fields.extend(install.code_format_fields())
	after_sales = install.after_sales_fields()
	fields.extend(row for rows in after_sales.values() for row in rows)
	messages = []
	for field in fields:
		messages.extend([field.get("label"), field.get("description")])
		if field.get("fieldtype") == "Select":
			messages.extend((field.get("options") or "").split("\n"))
	return messages


def _workspace_messages() -> list[str]:
	messages = []
	for path in _app_files("workspace", ".json"):
		with open(path) as f:
			workspace = json.load(f)
		messages.extend([workspace.get("label"), workspace.get("title")])
		for key in ("links", "shortcuts", "number_cards", "charts", "quick_lists", "custom_blocks"):
			for row in workspace.get(key) or []:
				messages.extend([row.get("label"), row.get("description")])
		for block in json.loads(workspace.get("content") or "[]"):
			text = (block.get("data") or {}).get("text")
			if not text:
				continue
			if block.get("type") == "header":  # Desk translates a header's words inside its tags
				messages.append(html.unescape(_TAG.sub("", text)))
			elif block.get("type") == "paragraph":  # and a paragraph whole, tags and all
				messages.append(text)
	return messages


def _app_files(folder: str, suffix: str):
	root = frappe.get_app_path(APP)
	for base, _dirs, files in os.walk(root):
		if os.path.basename(os.path.dirname(base)) == folder:
			yield from (os.path.join(base, f) for f in files if f.endswith(suffix))


def theirs(lang: str) -> dict[str, str]:
	"""What Frappe and ERPNext translate in ``lang`` (with its parent language's entries)."""
	from frappe.translate import get_translations_from_apps

	return {k: v for k, v in get_translations_from_apps(lang, apps=list(BASE_APPS)).items() if v}


def translation_file(lang: str) -> str:
	return os.path.join(frappe.get_app_path(APP, "translations"), f"{lang}.csv")


def read_ours(lang: str, path: str | None = None) -> tuple[dict[str, str], list[str]]:
	"""The app's entries for ``lang`` (from ``path``, by default the app's file) by key, and what
	is wrong with its rows."""
	path = path or translation_file(lang)
	entries: dict[str, str] = {}
	problems: list[str] = []
	if not os.path.exists(path):
		return entries, [f"{lang}: no file {os.path.basename(path)}"]
	with open(path, newline="", encoding="utf-8") as f:
		for number, row in enumerate(csv.reader(f), start=1):
			if not row:
				continue
			if len(row) not in (2, 3) or not row[0].strip() or not row[1].strip():
				problems.append(f"{lang} row {number}: not 'source,translation[,context]': {row!r}")
				continue
			key = key_of(row[0], row[2] if len(row) == 3 else None)
			if key in entries:
				problems.append(f"{lang} row {number}: {row[0]!r} is there twice")
			entries[key] = row[1]
			if row[1].strip() != row[1] or row[0].strip() != row[0]:
				problems.append(f"{lang} row {number}: {row[0]!r} has spaces around it")
			if sorted(_PLACEHOLDER.findall(row[0])) != sorted(_PLACEHOLDER.findall(row[1])):
				problems.append(f"{lang} row {number}: {row[0]!r} and its translation differ in placeholders")
			if _tags(row[0]) != _tags(row[1]):
				problems.append(f"{lang} row {number}: {row[0]!r} and its translation differ in HTML tags")
	return entries, problems


def _tags(text: str) -> list[str]:
	return sorted(re.sub(r"\s.*", "", t.lower()).rstrip(">") for t in _TAG.findall(text))


def check(lang: str, messages=None) -> dict[str, list]:
	"""For ``lang``: the app's strings no one translates, entries that override Frappe's or
	ERPNext's, entries for strings the app no longer has, and broken rows."""
	messages = messages if messages is not None else app_messages()
	base = theirs(lang)
	ours, problems = read_ours(lang)
	known = ours.keys() | base.keys()

	def translated(key):  # a string with a context falls back to the same string without one
		message, context = messages[key]
		return key in known or (context is not None and message in known)

	return {
		"missing": sorted(k for k in messages if not translated(k)),
		"overriding": sorted(k for k in ours if k in base),
		"stale": sorted(k for k in ours if k not in messages),
		"broken": problems,
	}


def missing_rows(lang: str) -> str:
	"""CSV rows (source, empty translation, context) of the strings ``lang`` lacks."""
	messages = app_messages()
	out = StringIO()
	writer = csv.writer(out, lineterminator="\n")
	for key in check(lang, messages)["missing"]:
		message, context = messages[key]
		writer.writerow([message, "", context] if context else [message, ""])
	return out.getvalue()


def main(argv):
	site = argv[argv.index("--site") + 1]
	command = [a for a in argv if a not in ("--site", site)]
	frappe.init(site=site)
	frappe.connect()
	try:
		if command[0] == "missing":
			sys.stdout.write(missing_rows(command[1]))
		else:
			messages = app_messages()
			for lang in command[1:] or LANGUAGES:
				found = check(lang, messages)
				print(lang, {k: len(v) for k, v in found.items()})
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(sys.argv[1:])
