"""Serve one site for the browser tests: Frappe's development server, bound to the loopback only.

Run from the bench's ``sites`` folder with the bench's Python: ``python serve.py SITE PORT``.
"""

import sys
from pathlib import Path

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import run_simple

import frappe.app


def main(site: str, port: int) -> None:
	frappe.app._site = site
	frappe.app._sites_path = "."
	application = frappe.app.application_with_statics()
	# The app's public files from this checkout, whatever the bench's assets link points at, so that
	# two checkouts can be served side by side.
	public = Path(__file__).resolve().parents[2] / "serial_tracking" / "public"
	application = SharedDataMiddleware(application, {"/assets/serial_tracking": str(public)})
	run_simple("127.0.0.1", port, application, use_reloader=False, use_debugger=False, threaded=True)


if __name__ == "__main__":
	main(sys.argv[1], int(sys.argv[2]))
