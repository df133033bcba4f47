"""Clerks posting at once: throughput with the app beside the same with an untracked item.

``bench --site SITE serial-tracking-benchmark --part clerks [--seconds 10]`` (a development site:
the documents are committed, then cancelled and deleted by the clerk that made them).

For each size (1, 100 and 1,000 serials a document) and each number of clerks (1, 2, 4, 8), the
clerks are processes of their own (spawned: each initialises Frappe and connects to the site as a
web worker would), each with its own item, and post, for ``seconds`` after a common start (a
barrier), a Purchase Receipt of N units then a Delivery Note of the same units, one after the
other, each saved, submitted and committed. Once with an item tracked by this app (N new SN
codes a receipt), once with an untracked item. A document refused or broken counts as a failure
and the clerk goes on. Once all have posted, each cancels and deletes what it made.

Throughput: documents committed by all clerks over the time from the start to the last clerk's
last document. The posting turn (:mod:`serial_tracking.stock.posting`) is held by one document at
a time from its taking to the commit; its ceiling at a size is one second over the median time a
clerk alone held it: the most documents of that size the site posts a second, whatever the
number of clerks.
"""

import multiprocessing
import statistics
import threading
import time
import traceback
from dataclasses import dataclass, field

import frappe
from frappe.utils.nestedset import get_root_of

from serial_tracking.constants import LOG
from serial_tracking.devtools import ratios
from serial_tracking.devtools.benchmark import APP, DELIVERY, RECEIPT, UNTRACKED, Place, _document

PREFIX = "BENCH-CLERK-"
CLERKS = (1, 2, 4, 8)
SIZES = (1, 100, 1000)
#: Seconds the clerks wait at the barrier (spawning eight of them on two cores takes a while).
START_TIMEOUT = 600
#: Attempts of cancelling and deleting a document that deadlocks with another clerk's.
ATTEMPTS = 5


@dataclass
class Clerk:
	"""What one clerk did in one configuration."""

	number: int
	posted: int = 0
	failures: int = 0
	seconds: float = 0.0
	#: Seconds the posting turn was held, per document (the app's documents).
	holds: list[float] = field(default_factory=list)
	said: str = ""
	#: Documents the clerk could not cancel or delete afterwards.
	left: int = 0


@dataclass(frozen=True)
class Configuration:
	mode: str
	size: int
	clerks: int
	posted: int
	failures: int
	seconds: float
	holds: list[float]
	said: str
	left: int

	@property
	def per_second(self) -> float:
		return ratios.throughput(self.posted, self.seconds)


def run(
	place: Place,
	seconds: float = 10,
	progress=None,
	clerks: tuple[int, ...] = CLERKS,
	sizes: tuple[int, ...] = SIZES,
) -> str:
	progress = progress or (lambda line: None)
	_master_data(max(clerks))
	if swept := sweep():
		progress(f"{swept} documents of an earlier run cancelled and deleted")
	found: dict[tuple[str, int, int], Configuration] = {}
	for size in sizes:
		for count in clerks:
			for mode in (UNTRACKED, APP):
				result = _configuration(place, mode, size, count, seconds)
				found[mode, size, count] = result
				progress(
					f"{size:,} serials, {count} clerk(s), {mode}: {result.posted} documents in "
					f"{result.seconds:.1f} s ({result.per_second:.2f}/s), {result.failures} failures"
					+ (f": {result.said}" if result.said else "")
				)
	if swept := sweep():
		progress(f"{swept} documents the clerks left cancelled and deleted")
	return render(found, sizes, clerks, seconds)


def render(found: dict, sizes: tuple[int, ...], clerks: tuple[int, ...], seconds: float) -> str:
	lines = [
		f"Each configuration posts for {seconds:g} s (then finishes the document under way).",
		"",
		"| Serials a document | Clerks | Untracked (docs/s) | App (docs/s) | App / untracked "
		"| Failures, untracked / app | Turn held, median (ms) | Target: at least "
		f"{ratios.TARGET_LOAD_SHARE}x, no failure |",
		"|---|---|---|---|---|---|---|---|",
	]
	verdicts = []
	for size in sizes:
		for count in clerks:
			bare, app = found[UNTRACKED, size, count], found[APP, size, count]
			share = ratios.ratio(app.per_second, bare.per_second)
			met = ratios.at_least(share, ratios.TARGET_LOAD_SHARE)
			met = None if met is None else met and bare.failures == 0 and app.failures == 0
			verdicts.append(met)
			hold = f"{statistics.median(app.holds) * 1000:,.0f}" if app.holds else "—"
			lines.append(
				f"| {size:,} | {count} | {bare.per_second:.2f} | {app.per_second:.2f} | "
				f"{'—' if share is None else f'{share:.2f}x'} | {bare.failures} / {app.failures} | {hold} | "
				f"{ratios.verdict(met)} |"
			)
	lines.append("")
	for size in sizes:
		alone = found[APP, size, min(clerks)].holds
		if alone:
			held = statistics.median(alone)
			lines.append(
				f"- Posting turn's ceiling at {size:,} serials a document: {1 / held:.1f} documents/s "
				f"(held {held * 1000:,.0f} ms a document, median, with {min(clerks)} clerk(s))"
			)
	said = [
		f"- {mode}, {size:,} serials, {count} clerk(s): {c.said}"
		for (mode, size, count), c in found.items()
		if c.said
	]
	if said:
		lines += ["", "First failure of each configuration that had one:", *said]
	left = sum(c.left for c in found.values())
	if left:
		lines.append(
			f"\n{left} documents a clerk could not cancel and delete itself ({ATTEMPTS} attempts, each"
			" meeting another clerk's clean-up); the sweep after the run cancels and deletes them."
		)
	missed = sum(1 for v in verdicts if v is False)
	lines.append(
		f"\nUnder load (at least {ratios.TARGET_LOAD_SHARE}x of untracked, zero failures): "
		f"{len(verdicts) - missed} of {len(verdicts)} configurations met: "
		f"{ratios.verdict(None if None in verdicts else not missed)}"
	)
	return "\n".join(lines)


def _master_data(count: int) -> None:
	"""Each clerk's items (one tracked by the app, one untracked), a supplier and a customer."""
	for number in range(1, count + 1):
		for mode, tracked in ((APP, 1), (UNTRACKED, 0)):
			name = _item(mode, number)
			if not frappe.db.exists("Item", name):
				frappe.get_doc(
					{
						"doctype": "Item",
						"item_code": name,
						"item_name": name,
						"item_group": get_root_of("Item Group"),
						"stock_uom": "Nos",
						"is_stock_item": 1,
						"valuation_rate": 100,
						"sn_tracking": tracked,
					}
				).insert()
	if not frappe.db.exists("Supplier", f"{PREFIX}SUPPLIER"):
		frappe.get_doc(
			{
				"doctype": "Supplier",
				"supplier_name": f"{PREFIX}SUPPLIER",
				"supplier_group": get_root_of("Supplier Group"),
			}
		).insert(set_name=f"{PREFIX}SUPPLIER")
	if not frappe.db.exists("Customer", f"{PREFIX}CUSTOMER"):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"{PREFIX}CUSTOMER",
				"customer_group": get_root_of("Customer Group"),
				"territory": get_root_of("Territory"),
			}
		).insert(set_name=f"{PREFIX}CUSTOMER")
	frappe.db.commit()


def _item(mode: str, number: int) -> str:
	return f"{PREFIX}{'SN' if mode == APP else 'BARE'}-{number}"


def _configuration(place: Place, mode: str, size: int, count: int, seconds: float) -> Configuration:
	frappe.db.commit()
	# spawned: a clerk shares no connection with this process
	context = multiprocessing.get_context("spawn")
	barrier, answers = context.Barrier(count), context.Queue()
	run_id = frappe.generate_hash(length=6).upper()
	site, sites_path = frappe.local.site, frappe.local.sites_path
	processes = [
		context.Process(
			target=_clerk,
			args=(site, sites_path, place, mode, size, number, seconds, run_id, barrier, answers),
		)
		for number in range(1, count + 1)
	]
	for process in processes:
		process.start()
	done = [answers.get(timeout=START_TIMEOUT + seconds * 20 + 600) for _ in processes]
	for process in processes:
		process.join(60)
	return Configuration(
		mode=mode,
		size=size,
		clerks=count,
		posted=sum(c.posted for c in done),
		failures=sum(c.failures for c in done),
		seconds=max(c.seconds for c in done),
		holds=[hold for c in done for hold in c.holds],
		said=next((c.said for c in done if c.said), ""),
		left=sum(c.left for c in done),
	)


def _clerk(site, sites_path, place, mode, size, number, seconds, run_id, barrier, answers) -> None:
	"""Post receipts then deliveries of this clerk's item until ``seconds`` have passed; then cancel
	and delete them, latest first."""
	from serial_tracking.stock import posting

	clerk = Clerk(number)
	made: list[tuple[str, str]] = []
	try:
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.set_user("Administrator")
		item = _item(mode, number)
		barrier.wait(START_TIMEOUT)
		start = time.monotonic()
		cycle = 0
		while time.monotonic() - start < seconds:
			cycle += 1
			codes = [f"BC{run_id}{number:02d}{cycle:05d}-{n:04d}" for n in range(1, size + 1)]
			for doctype, party in (
				(RECEIPT, {"supplier": f"{PREFIX}SUPPLIER"}),
				(DELIVERY, {"customer": f"{PREFIX}CUSTOMER"}),
			):
				step = "save"
				try:
					# Saved, then submitted: two requests in the desk, each committed.
					doc = _document(doctype, place, item, codes, mode, **party)
					doc.insert()
					frappe.db.commit()
					made.append((doctype, doc.name))
					step = "submit"
					doc.submit()
					holder = posting.holding()
					frappe.db.commit()
					if holder is not None:
						clerk.holds.append(time.time() - holder.since)
					clerk.posted += 1
				except Exception as e:
					frappe.db.rollback()
					clerk.failures += 1
					clerk.said = clerk.said or f"{doctype} {step}: {type(e).__name__}: {e}"[:300] + _where(e)
					break
		clerk.seconds = time.monotonic() - start
		_all_done_posting(barrier)
		clerk.left = _clean_up(made)
	except Exception:
		clerk.said = clerk.said or traceback.format_exc()[-600:]
		barrier.abort()
	finally:
		answers.put(clerk)
		frappe.destroy()


def _all_done_posting(barrier) -> None:
	"""Wait until every clerk has posted its last document: a clerk cleaning up early deletes its
	latest documents while the others post, and a delete takes the locks that deadlock another
	clerk's draft (the naming series, for Frappe to give the name back, after the gap at the end of
	the items' ``parent`` index). That is the clean-up's doing, not the posting's. A clerk that broke
	the barrier still cleans up."""
	try:
		barrier.wait(START_TIMEOUT)
	except threading.BrokenBarrierError:
		pass


def _where(error: Exception) -> str:
	"""Where Frappe or ERPNext issued the statement that failed: its innermost frame outside the
	database layer."""
	frames = [
		frame
		for frame in traceback.extract_tb(error.__traceback__)
		if "/frappe/database/" not in frame.filename and "/pymysql/" not in frame.filename
	]
	if not frames:
		return ""
	frame = frames[-1]
	path = frame.filename.split("/apps/")[-1]
	return f" (at {path}:{frame.lineno}, {frame.name})"


def _clean_up(made: list[tuple[str, str]]) -> int:
	"""Cancel and delete the documents, latest first (again after a deadlock with another clerk
	cleaning up); how many were left."""
	left = 0
	for doctype, name in reversed(made):
		for attempt in range(1, ATTEMPTS + 1):
			try:
				if frappe.db.exists(doctype, name):
					doc = frappe.get_doc(doctype, name)
					if doc.docstatus == 1:
						doc.cancel()
					frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
				_forget(doctype, name)
				frappe.db.commit()
				break
			except Exception:
				frappe.db.rollback()
				if attempt == ATTEMPTS:
					left += 1
				else:
					# The clerks clean up at the same moment: let the other one finish first.
					time.sleep(0.2 * attempt)
	return left


def _forget(doctype: str, name: str) -> None:
	"""The cancelled ledger rows of a deleted document: the site keeps nothing of the clerks."""
	for ledger in ("Stock Ledger Entry", "GL Entry", "Payment Ledger Entry"):
		frappe.db.delete(ledger, {"voucher_type": doctype, "voucher_no": name})
	frappe.db.delete(LOG, {"voucher_type": doctype, "voucher_no": name})


def sweep() -> int:
	"""Cancel and delete, latest first, what clerks left of earlier runs; how many documents."""
	made = [
		(doctype, name)
		for created, doctype, name in sorted(
			[
				(row.creation, doctype, row.name)
				for doctype, party in ((RECEIPT, "supplier"), (DELIVERY, "customer"))
				for row in frappe.get_all(
					doctype,
					filters={party: ("like", f"{PREFIX}%")},
					fields=["name", "creation"],
				)
			]
		)
	]
	left = _clean_up(made)
	return len(made) - left
