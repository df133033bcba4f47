"""Serve one site for the browser tests: Frappe's development server, bound to the loopback only.

Run from the bench's ``sites`` folder with the bench's Python: ``python serve.py SITE PORT``.
"""

import sys

from werkzeug.serving import run_simple

import frappe.app


def main(site: str, port: int) -> None:
	frappe.app._site = site
	frappe.app._sites_path = "."
	application = frappe.app.application_with_statics()
	run_simple("127.0.0.1", port, application, use_reloader=False, use_debugger=False, threaded=True)


if __name__ == "__main__":
	main(sys.argv[1], int(sys.argv[2]))
