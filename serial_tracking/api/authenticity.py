"""``serial_tracking.api.check_authenticity``: the public check of one SN code, for anyone."""

import frappe
from frappe.rate_limiter import rate_limit

from serial_tracking.finding import authenticity

#: Answers per client address per window: enough for a shop's counter, too few to walk the codes.
LIMIT, WINDOW = 30, 60


# xss_safe: Frappe would pass each argument of a guest through its HTML sanitizer, which first reads
# it as JSON (a text nested deep enough answered a 500, a RecursionError); the answer never holds the
# code, only values of the database, which the page escapes.
@frappe.whitelist(allow_guest=True, xss_safe=True, methods=["GET", "POST"])
@rate_limit(limit=LIMIT, seconds=WINDOW)
def check_authenticity(code=None) -> dict:
	"""Whether this business sold the unit of ``code``, its item's name and the end of its warranty
	(today or later): ``{"known", "item_name", "warranty_until"}``, nothing else. A code not sold
	here, unknown, malformed (of any type) or empty gets the same answer. Refused while the public check is off
	in Serial Tracking Settings; at most 30 calls a minute from one address."""
	authenticity.refuse_when_off()
	return authenticity.check(code)
