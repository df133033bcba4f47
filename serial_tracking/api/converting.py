"""Converting items from ERPNext's serial numbers to SN codes: a dry run, then a background job."""

import frappe
from frappe import _
from frappe.utils import escape_html
from frappe.utils.background_jobs import create_job_id

from serial_tracking import arguments
from serial_tracking.arguments import WholeNumber, whole_number
from serial_tracking.permissions import MANAGERS, require_role
from serial_tracking.stock import conversion

#: ``items`` that stands for every item on ERPNext's serial numbers the user may read.
EVERY = "*"
#: Serials a dry run reads in one request; the items past them are answered as ``unchecked``.
DRY_RUN_SERIALS = 100_000
#: Items one request checks (their permissions and warehouses); a dry run answers the rest as
#: ``unchecked``, a conversion of more is refused.
MAX_ITEMS = 500
#: The longest item code there is (Item's name column).
MAX_CODE = 140


@frappe.whitelist(methods=["POST"])
def convert_from_erpnext_serials(items: list[str] | str, dry_run: WholeNumber = 1) -> dict:
	"""The dry run's report of each item (``{"items": [...], "unchecked": [...]}``), or, with
	``dry_run`` 0, the conversion queued as a background job (``{"job": id, "items": [...]}``), each
	item all or nothing. ``items`` "*": every item with Has Serial No the user may read.

	A dry run reads up to :data:`DRY_RUN_SERIALS` serials (at least one item): the items past them
	come back in ``unchecked``, to ask about next, as do the items past :data:`MAX_ITEMS`; a
	conversion of more than :data:`MAX_ITEMS` is refused. ``dry_run``: 1/0, "1"/"0" or
	true/false. A Stock Manager who may change the items and read
	every warehouse that holds them (the conversion rewrites them all); an item they may not is
	refused without telling what it holds."""
	frappe.has_permission("Item", "write", throw=True)
	require_role(MANAGERS)
	dry_run = _flag(dry_run)
	if items == EVERY:
		codes = frappe.get_list(
			"Item",
			filters={"has_serial_no": 1, "disabled": 0},
			pluck="name",
			order_by="name",
			limit_page_length=0,
		)
	else:
		codes = list(dict.fromkeys(arguments.item_codes(items)))
		for code in codes:
			if len(code) > MAX_CODE:
				frappe.throw(
					_("An item code has at most {0} characters, not '{1}...'").format(
						MAX_CODE, escape_html(code[:MAX_CODE])
					),
					title=_("Invalid argument"),
				)
	codes, later = codes[:MAX_ITEMS], codes[MAX_ITEMS:]
	if later and not dry_run:
		frappe.throw(
			_("Convert at most {0} items at a time, not {1}").format(MAX_ITEMS, len(codes) + len(later)),
			title=_("Too many items"),
		)
	allowed, refused = conversion.permitted(codes)
	if dry_run:
		reports, unchecked = [], []
		counts = conversion.serial_counts(allowed)
		read = 0
		for code in allowed:
			if reports and read + counts.get(code, 0) > DRY_RUN_SERIALS:
				unchecked.append(code)
				continue
			read += counts.get(code, 0)
			reports.append(conversion.dry_run(code))
		return {"items": [*refused, *reports], "unchecked": unchecked + later}
	job = None
	if allowed:
		job = f"serial_tracking::convert::{frappe.generate_hash(length=10)}"
		frappe.enqueue(
			conversion.run_job,
			queue="long",
			timeout=conversion.JOB_TIMEOUT,
			job_id=job,
			items=allowed,
			user=frappe.session.user,
			enqueue_after_commit=True,
		)
	return {"job": create_job_id(job) if job else None, "items": allowed, "refused": refused}


def _flag(value) -> bool:
	"""``dry_run`` as a request sends it: 1/0, "1"/"0", true/false or "true"/"false"."""
	if isinstance(value, str) and value.strip().lower() in ("true", "false"):
		return value.strip().lower() == "true"
	return bool(whole_number(value, _("Dry run")))
