"""Make the tests' master data on the site ``ST_SITE`` and commit it (scripts/test.sh, before the
lanes' copies of the test site are made): ``python -m tests.integration.master_data`` from the
bench's sites folder, with this checkout on the Python path."""

import os

import frappe

from tests.integration import factory


def main() -> None:
	frappe.init(site=os.environ.get("ST_SITE", "st-test.localhost"), sites_path=".")
	frappe.connect()
	try:
		frappe.flags.in_test = True
		frappe.set_user("Administrator")
		factory.make_master_data()
		frappe.db.commit()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
