"""Documents that move SN codes post to ERPNext's stock ledger one at a time: the posting turn.

Each such document first takes the turn (:func:`take_turn`): a lock on the one row of the app's
table ``Serial Posting Turn``, kept until it commits, so that two documents never deadlock in
ERPNext's own locking reads of the stock ledger. Waiting is announced to the user and bounded
(:data:`PATIENCE`); docs/decisions.md says why and what it costs ("The posting turn, bounded
and announced").
"""

import secrets
import time
from dataclasses import asdict, dataclass

import frappe
from frappe import _
from frappe.utils import escape_html

from erpnext.stock.utils import get_or_make_bin

from serial_tracking.constants import TURN
from serial_tracking.messages import PostingBusy, SerialTrackingError

BIN = "Bin"
#: The one row of the turn.
ROW = "stock ledger"
#: Where the holder of the turn is announced to the documents waiting for it.
ANNOUNCED = "serial_tracking:posting_turn"
#: Seconds a document waits for the turn before it is refused: in a web request (Frappe's web
#: server ends a request after 120 s by default; the posting itself needs the rest), and in a
#: background job.
PATIENCE = {"request": 60, "job": 900}
#: Seconds between two looks at the holder while waiting (and so between two messages).
SLICE = 5
#: Seconds between two announcements of the holder's progress.
PROGRESS_EVERY = 2
#: The realtime event telling a user what their document waits for.
WAITING_EVENT = "serial_tracking_waiting"
#: Where this transaction keeps the holder while it holds the turn.
_HELD = "serial_tracking_turn"


@dataclass
class Holder:
	"""Who holds the turn, as documents waiting for it are told."""

	doctype: str | None
	name: str | None
	user: str
	rows: int
	since: float
	token: str
	#: Rows posted so far (stock ledger entries, or documents made by a count).
	done: int = 0
	#: What ``done`` counts up to, when known.
	total: int = 0
	told: float = 0.0


def holding() -> Holder | None:
	"""The holder of the turn, when this transaction holds it."""
	return frappe.local.flags.get(_HELD)


def in_job() -> bool:
	return bool(getattr(frappe.local, "job", None))


def take_turn(doc=None, places: set[tuple[str, str]] = frozenset(), rows: int = 0) -> None:
	"""Wait for the posting turn (announced, bounded), hold it until this transaction ends, then make
	the Bins of ``places`` (item, warehouse) visible to this transaction, or make them.

	``doc``: the document about to post (named to those who wait for it); ``rows``: how many rows
	it posts. Taking the turn again in the same transaction (the documents a count makes) keeps the
	first holder.
	"""
	if not holding():
		holder = Holder(
			doctype=doc.doctype if doc else None,
			name=doc.name if doc else None,
			user=frappe.session.user,
			rows=rows,
			since=time.time(),
			token=secrets.token_hex(8),
		)
		if not _take(wait=None):
			_wait()
		holder.since = time.time()
		_hold(holder)
	_see_bins(places)


def _take(wait: int | None) -> bool:
	"""Lock the turn's row: at once or not at all (``wait`` None), else waiting up to ``wait``
	seconds. Whether this transaction now holds it."""
	if wait is None:
		found = frappe.db.sql(
			f"select `name` from `tab{TURN}` where `name` = %s for update skip locked", (ROW,)
		)
		if found:
			return True
		if not frappe.db.exists(TURN, ROW):
			_make_row()
			return _take(wait=None)
		return False
	before = frappe.db.sql("select @@session.innodb_lock_wait_timeout")[0][0]
	frappe.db.sql(f"set session innodb_lock_wait_timeout = {int(wait)}")
	try:
		frappe.db.sql(f"select `name` from `tab{TURN}` where `name` = %s for update", (ROW,))
		return True
	except frappe.QueryTimeoutError:
		# Only the statement is rolled back (innodb_rollback_on_timeout is off): the transaction
		# goes on, and asks again.
		return False
	finally:
		frappe.db.sql(f"set session innodb_lock_wait_timeout = {int(before)}")


def _make_row() -> None:
	"""The turn's row, made on install; made here when it is missing (a site restored without it)."""
	frappe.db.sql(
		f"insert ignore into `tab{TURN}` (`name`, `description`, `creation`, `modified`, `owner`,"
		" `modified_by`) values (%s, %s, now(6), now(6), 'Administrator', 'Administrator')",
		(ROW, "Locked by the document that posts SN codes to the stock ledger."),
	)


def ensure_row() -> None:
	"""On install and migrate: the turn's row exists."""
	if not frappe.db.exists(TURN, ROW):
		_make_row()


def _wait() -> None:
	"""Wait for the turn in slices, telling the user what holds it; refuse past :data:`PATIENCE`."""
	patience = PATIENCE["job" if in_job() else "request"]
	deadline = time.monotonic() + patience
	told = None
	while True:
		current = announced()
		shown = describe(current)
		if shown != told:
			_tell(shown)
			told = shown
		left = deadline - time.monotonic()
		if left <= 0:
			frappe.throw(
				_(
					"This document waited {0} seconds for {1} to finish posting to the stock ledger; nothing"
					" was saved. Please try again when it is done."
				).format(patience, escape_html(shown)),
				PostingBusy,
				title=_("Stock busy"),
			)
		if _take(wait=max(1, min(SLICE, int(left)))):
			return


def announced() -> Holder | None:
	"""The holder of the turn as it announced itself (None: not announced, or gone)."""
	found = frappe.cache.get_value(ANNOUNCED)
	if not isinstance(found, dict):
		return None
	try:
		return Holder(**found)
	except TypeError:
		return None


def describe(holder: Holder | None) -> str:
	"""The holder as the current user may see it (plain text): its document when they may read it,
	its rows, for how long and how far it got."""
	if holder is None:
		return _("another document")
	if holder.doctype and holder.name and _may_read(holder.doctype, holder.name):
		named = f"{_(holder.doctype)} {holder.name}"
	else:
		named = _("another document")
	details = [_("posting for {0} seconds").format(max(int(time.time() - holder.since), 0))]
	if holder.total:
		details.append(_("{0} of {1} rows done").format(min(holder.done, holder.total), holder.total))
	elif holder.rows:
		details.append(_("{0} rows").format(holder.rows))
	return "{} ({})".format(named, ", ".join(details))


def _may_read(doctype: str, name: str) -> bool:
	try:
		return bool(frappe.has_permission(doctype, "read", doc=name))
	except Exception:
		return False


def _tell(shown: str) -> None:
	"""Tell the user whose document waits what it waits for, in plain text (Desk shows it; a job's
	user too)."""
	user = frappe.session.user
	if not user or user == "Guest":
		return
	frappe.publish_realtime(
		WAITING_EVENT,
		{"message": _("Waiting for {0} to finish posting; your document goes next.").format(shown)},
		user=user,
	)


def _hold(holder: Holder) -> None:
	frappe.local.flags[_HELD] = holder
	_announce(holder)
	frappe.db.after_commit.add(_release)
	frappe.db.after_rollback.add(_release)


def _announce(holder: Holder) -> None:
	holder.told = time.time()
	# Kept a day at most: a holder whose process died leaves no lock, only this note.
	frappe.cache.set_value(ANNOUNCED, asdict(holder), expires_in_sec=86400)


def _release() -> None:
	holder = frappe.local.flags.pop(_HELD, None)
	if holder is None:
		return
	current = announced()
	if current is not None and current.token == holder.token:
		frappe.cache.delete_value(ANNOUNCED)


def progress(done: int, total: int | None = None) -> None:
	"""How far the holder got (``done`` of ``total``, or of its rows): announced to those waiting every
	few seconds, and shown as a progress bar on the document when a background job posts it."""
	holder = holding()
	if holder is None:
		return
	holder.done = done
	if total is not None:
		holder.total = total
	if time.time() - holder.told < PROGRESS_EVERY:
		return
	_announce(holder)
	if in_job() and holder.doctype and holder.name:
		of = holder.total or holder.rows
		frappe.publish_progress(
			min(done * 100 / of, 99) if of else 0,
			title=_("Posting {0} {1}").format(_(holder.doctype), holder.name),
			doctype=holder.doctype,
			docname=holder.name,
			description=_("{0} of {1} rows posted").format(min(done, of), of) if of else None,
		)


def ledger_entry(doc, method=None) -> None:
	"""``Stock Ledger Entry`` before_insert: one more row posted by the document holding the turn."""
	holder = holding()
	if holder is not None and doc.voucher_type == holder.doctype and doc.voucher_no == holder.name:
		progress(holder.done + 1)


# The first Bin of an item at a warehouse


def _see_bins(places: set[tuple[str, str]]) -> None:
	"""Make the Bins of ``places`` this transaction cannot see (made by a document that posted while
	this one waited) visible to it by updating them, and make those that do not exist yet.

	Each read or write is one statement whatever the number of places.
	"""
	places = {(item, warehouse) for item, warehouse in places if item and warehouse}
	if not places:
		return
	missing = places - _bins(places)
	if not missing:
		return
	# A row this transaction updates is read as updated: the Bins committed since it began appear.
	frappe.db.sql(
		f"update `tab{BIN}` set `modified` = now(6) where {_pairs(missing)}",
		[value for place in sorted(missing) for value in place],
	)
	for item_code, warehouse in sorted(missing - _bins(missing)):
		_make_bin(item_code, warehouse)


def _pairs(places) -> str:
	"""The places as a condition along Bin's unique index. Not ``(item_code, warehouse) in ((…))``:
	MariaDB runs an update by one such pair as a scan of every Bin, locking each (18 ms and 42,000
	locked Bins on a site of 2,000 items and 20 warehouses)."""
	return "({})".format(" or ".join(["(`item_code` = %s and `warehouse` = %s)"] * len(places)))


def _bins(places: set[tuple[str, str]]) -> set[tuple[str, str]]:
	return set(
		frappe.db.sql(
			f"select `item_code`, `warehouse` from `tab{BIN}` where {_pairs(places)}",
			[value for place in sorted(places) for value in place],
		)
	)


def _make_bin(item_code: str, warehouse: str) -> str:
	"""The item's first Bin at the warehouse. A document that does not take the turn (an order) may
	make it at the same moment: this one is then refused, nothing saved, and goes through when sent
	again."""
	try:
		return get_or_make_bin(item_code, warehouse)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError, frappe.DoesNotExistError):
		frappe.throw(
			_(
				"Another document is posting item {0} at warehouse {1} for the first time at this moment;"
				" nothing was saved. Please try again."
			).format(*(frappe.bold(escape_html(name)) for name in (item_code, warehouse))),
			SerialTrackingError,
			title=_("Stock busy"),
		)
