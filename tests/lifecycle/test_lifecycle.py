"""Install, migrate twice, uninstall and install again, through the real Frappe CLI on the test site.

Run from the bench's ``sites`` folder with the bench's Python, outside the
integration tests' transaction (see scripts/test.sh).
"""

import os
import subprocess
import sys

import pytest

frappe = pytest.importorskip("frappe")

from serial_tracking.install import GRID_WIDTHS, get_custom_fields  # noqa: E402

SITE = os.environ.get("ST_SITE", "st-test.localhost")
MODULE = "Serial Tracking"


def cli(*args):
	result = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SITE, *args],
		capture_output=True,
		text=True,
		timeout=600,
	)
	assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
	return result.stdout


def snapshot():
	"""What the app leaves in the site: its custom fields, property setters, doctypes and tables."""
	frappe.init(site=SITE, sites_path=".")
	frappe.connect()
	try:
		fields = get_custom_fields()
		custom = sorted(
			(r.dt, r.fieldname)
			for r in frappe.get_all(
				"Custom Field", filters={"dt": ("in", list(fields))}, fields=["dt", "fieldname"]
			)
			if r.fieldname in {f["fieldname"] for f in fields[r.dt]}
		)
		# On the app's fields, and the app's own (the ERPNext columns narrowed for the SN column).
		own_fields = sorted({f["fieldname"] for rows in fields.values() for f in rows})
		setters = sorted(
			(r.doc_type, r.field_name, r.property, r.value)
			for r in frappe.get_all(
				"Property Setter",
				filters={"doc_type": ("in", list(fields))},
				or_filters={"field_name": ("in", own_fields), "module": MODULE},
				fields=["doc_type", "field_name", "property", "value"],
			)
		)
		doctypes = sorted(frappe.get_all("DocType", filters={"module": MODULE}, pluck="name"))
		tables = sorted(
			t
			for t in frappe.db.get_tables()
			if t in {f"tab{d}" for d in ("Serial Number", "Serial Circulation Log", "SN Label Layout")}
		)
		reports = sorted(frappe.get_all("Report", filters={"module": MODULE}, pluck="name"))
		formats = sorted(frappe.get_all("Print Format", filters={"module": MODULE}, pluck="name"))
		layouts = (
			sorted(frappe.get_all("SN Label Layout", pluck="name")) if "tabSN Label Layout" in tables else []
		)
		indexes = (
			sorted({r[2] for r in frappe.db.sql("show index from `tabSerial Number`")})
			if "tabSerial Number" in tables
			else []
		)
		workspaces = frappe.get_all("Workspace", filters={"module": MODULE}, pluck="name")
		installed = "serial_tracking" in frappe.get_installed_apps()
		return {
			"workspaces": workspaces,
			"custom": custom,
			"setters": setters,
			"doctypes": doctypes,
			"tables": tables,
			"reports": reports,
			"print_formats": formats,
			"label_layouts": layouts,
			"indexes": indexes,
			"installed": installed,
		}
	finally:
		frappe.destroy()


def expected_fields():
	return sorted((dt, f["fieldname"]) for dt, fields in get_custom_fields().items() for f in fields)


def test_migrate_twice_uninstall_and_install_again():
	if not snapshot()["installed"]:
		cli("install-app", "serial_tracking")
	cli("migrate", "--skip-search-index")
	first = snapshot()
	cli("migrate", "--skip-search-index")
	assert snapshot() == first
	assert first["custom"] == expected_fields()
	assert first["setters"] == sorted(
		(doctype, fieldname, "columns", str(width)) for doctype, (fieldname, width) in GRID_WIDTHS.items()
	)
	assert first["doctypes"] == [
		"SN Label Layout",
		"Serial Carton",
		"Serial Circulation Log",
		"Serial Count",
		"Serial Count Document",
		"Serial Count Item",
		"Serial Count Scan",
		"Serial Number",
		"Serial Posting Turn",
		"Serial Tracking Settings",
	]
	assert first["workspaces"] == ["Serial Tracking"]
	assert first["reports"] == ["Serial Number Search", "Serial Traceability"]
	assert first["print_formats"] == [
		f"{doctype} with SN codes"
		for doctype in ("Delivery Note", "Purchase Invoice", "Purchase Receipt", "Sales Invoice")
	]
	assert {"A4 3 x 8", "A4 4 x 12", "Roll 50 x 25 mm", "Roll 100 x 50 mm"} <= set(first["label_layouts"])
	assert {"item_place", "place_status", "status", "last_document", "posted_at", "carton"} <= set(
		first["indexes"]
	)

	cli("uninstall-app", "serial_tracking", "--yes", "--no-backup", "--force")
	gone = snapshot()
	assert gone == {
		"custom": [],
		"setters": [],
		"doctypes": [],
		"tables": [],
		"reports": [],
		"print_formats": [],
		"label_layouts": [],
		"indexes": [],
		"workspaces": [],
		"installed": False,
	}

	cli("install-app", "serial_tracking")
	assert snapshot() == first
