"""The files the app makes are removed after a while: exports of SN codes, label files and the
problem lists of imports, all private files of the user who asked.

The app names each such File itself (:func:`file_name`: a prefix no File Frappe names can have,
since Frappe names an uploaded or attached file by a random hash), so the daily clean-up
(:func:`remove_old_files`) finds them by that name, and never a file a user uploaded or attached,
whatever it is called. It deletes those older than *Keep exported files for (days)* (Serial
Tracking Settings; 0 keeps them for ever) through Frappe's own delete, which removes the file on
disk unless another File shares its content, a batch at a time, each batch committed.
"""

import frappe
from frappe.query_builder import Criterion
from frappe.utils import add_to_date, now_datetime

from serial_tracking import settings

#: The start of the name of every File the app makes.
PREFIX = "sn-made-"
#: The names the app gives its files (``file_name``): exports, labels, an import's problems.
FILE_NAMES = ("sn-codes-", "sn-labels-", "sn-import-problems-")
#: Files deleted in one transaction, and the most one run of the clean-up deletes (the rest the
#: next day).
BATCH = 200
MOST_PER_RUN = 10000


def file_name() -> str:
	"""The name of a new File the app makes (``insert(set_name=...)``)."""
	return PREFIX + frappe.generate_hash(length=12)


def old_files(days: int, limit: int, passed_over: list[str] | None = None) -> list[str]:
	"""Up to ``limit`` Files the app made more than ``days`` days ago, oldest first: found along
	the primary key by the app's prefix, private, and named as the app names them."""
	file = frappe.qb.DocType("File")
	named = Criterion.any([file.file_name.like(f"{start}%") for start in FILE_NAMES])
	query = (
		frappe.qb.from_(file)
		.select(file.name)
		.where(
			file.name.like(f"{PREFIX}%")
			& (file.is_folder == 0)
			& (file.is_private == 1)
			& named
			& (file.creation < add_to_date(now_datetime(), days=-days))
		)
		.orderby(file.creation)
		.limit(limit)
	)
	if passed_over:
		query = query.where(file.name.notin(passed_over))
	return query.run(pluck=True)


def remove_old_files() -> int:
	"""The daily job: delete the app's files older than the settings keep them, in batches of
	:data:`BATCH`, each committed, at most :data:`MOST_PER_RUN` a day; how many it deleted."""
	days = settings.keep_files_days()
	if not days:
		return 0
	removed, failed = 0, []
	while (room := MOST_PER_RUN - removed - len(failed)) > 0:
		names = old_files(days, min(BATCH, room), failed)
		if not names:
			break
		for name in names:
			frappe.db.savepoint("sn_retention")
			try:
				frappe.delete_doc("File", name, ignore_permissions=True, delete_permanently=True)
				removed += 1
			except Exception:
				# One file that cannot go (its disk gone read-only, say) leaves the others to go.
				frappe.db.rollback(save_point="sn_retention")
				frappe.log_error(title="Removing an old file of Serial Tracking")
				failed.append(name)
		frappe.db.commit()  # a scheduled job owns its transaction: each batch is kept as it ends
	return removed
