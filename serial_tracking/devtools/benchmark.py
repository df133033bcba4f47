"""Submit and cancel times of receipts and deliveries with SN codes, beside ERPNext's own serial numbers.

Run with ``bench --site SITE serial-tracking-benchmark`` (see docs/benchmarks.md).

Each round makes its own item, supplier and customer, submits a Purchase Receipt
and then a Delivery Note of N serials, cancels them latest first, and rolls the
whole round back: the site keeps nothing, and a commit attempted in between
stops the run. The same round is made once for an item tracked by this app and
once for an item with ERPNext's own serial numbers (``has_serial_no``), and once for an
untracked item (neither), whose time is subtracted from the others' to give each its own cost
of serial tracking (:mod:`serial_tracking.devtools.ratios`). ERPNext's
row takes its serials as its UI gives them: up to 1,000 in the row's ``serial_no``
text with ``use_serial_batch_fields`` (ERPNext makes the Serial and Batch Bundle
during submit); more do not fit that text column, so they go, as in the UI's
serial dialog, into a Serial and Batch Bundle saved with the draft (its Serial Nos
made first on a receipt), outside the timed submit. Figures are medians over the
rounds.

A size above the site's most SN codes per document raises that setting inside
the round's transaction, rolled back with it.

While a document is submitted or cancelled, this app's stock doc_events are
timed and the SQL statements they issue are counted, so the table shows the
app's own share beside the whole document's.
"""

import functools
import importlib
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import frappe
from frappe.utils import nowdate, nowtime
from frappe.utils.nestedset import get_root_of

from serial_tracking.constants import SETTINGS
from serial_tracking.devtools import ratios
from serial_tracking.settings import get_settings

SIZES = (1, 100, 1000, 10_000)
RUNS = 3
#: Rounds of sizes above 1,000: ERPNext's own serials take minutes per round there.
BIG_RUNS = 1
#: The most serials ERPNext's row text takes (its column holds 64 KB); more go through a bundle.
ERPNEXT_TEXT_MOST = 1000
#: Attempts of a round that deadlocks with another session using the site.
ATTEMPTS = 3
APP = "app"
ERPNEXT = "erpnext"
#: An item with neither this app's tracking nor ERPNext's serials: the baseline of both own costs.
UNTRACKED = "untracked"
MODES = (APP, ERPNEXT, UNTRACKED)
RECEIPT = "Purchase Receipt"
DELIVERY = "Delivery Note"
SUBMIT = "submit"
CANCEL = "cancel"


class BenchmarkError(Exception):
	"""The benchmark cannot run on this site, or a round tried to commit."""


@dataclass(frozen=True)
class Sample:
	"""One submit or cancel of one document."""

	seconds: float
	hook_seconds: float
	hook_statements: int
	statements: int
	#: Peak bytes allocated during the action, when traced.
	peak_bytes: int = 0


@dataclass(frozen=True)
class Figure:
	"""Medians of the samples of one (mode, document, serial count, action)."""

	ms: float
	hook_ms: float
	hook_statements: int
	statements: int


class Meter:
	"""Time spent inside this app's stock doc_events, and SQL statements issued there and overall."""

	def __init__(self):
		self.reset()
		self._depth = 0

	def reset(self) -> None:
		self.hook_seconds = 0.0
		self.hook_statements = 0
		self.statements = 0

	@contextmanager
	def installed(self) -> Iterator["Meter"]:
		"""Wrap the app's handlers (hooks resolve their dotted paths on every call) and ``frappe.db.sql``."""
		handlers = {path: frappe.get_attr(path) for path in app_handlers()}
		sql = frappe.db.sql

		@functools.wraps(sql)
		def counted_sql(*args, **kwargs):
			self.statements += 1
			if self._depth:
				self.hook_statements += 1
			return sql(*args, **kwargs)

		for path, handler in handlers.items():
			_replace(path, self._timed(handler))
		frappe.db.sql = counted_sql
		try:
			yield self
		finally:
			del frappe.db.sql
			for path, handler in handlers.items():
				_replace(path, handler)

	def _timed(self, handler: Callable) -> Callable:
		@functools.wraps(handler)
		def timed(*args, **kwargs):
			self._depth += 1
			start = time.perf_counter()
			try:
				return handler(*args, **kwargs)
			finally:
				self._depth -= 1
				if not self._depth:
					self.hook_seconds += time.perf_counter() - start

		return timed

	def measure(self, action: Callable[[], object], traced: bool = False) -> Sample:
		self.reset()
		if traced:
			tracemalloc.start()
		start = time.perf_counter()
		try:
			action()
			seconds = time.perf_counter() - start
			peak = tracemalloc.get_traced_memory()[1] if traced else 0
		finally:
			if traced:
				tracemalloc.stop()
		return Sample(seconds, self.hook_seconds, self.hook_statements, self.statements, peak)


def app_handlers() -> set[str]:
	"""Dotted paths of this app's doc_events handlers of the documents measured."""
	doc_events = frappe.get_hooks("doc_events", app_name="serial_tracking")
	return {
		path
		for doctype in (RECEIPT, DELIVERY, "*")
		for paths in doc_events.get(doctype, {}).values()
		for path in ([paths] if isinstance(paths, str) else paths)
	}


def _replace(path: str, handler: Callable) -> None:
	module, name = path.rsplit(".", 1)
	setattr(importlib.import_module(module), name, handler)


@dataclass(frozen=True)
class Place:
	company: str
	currency: str
	warehouse: str


def find_place(company: str | None = None, warehouse: str | None = None) -> Place:
	"""The company and warehouse the documents use; refuses a site where the benchmark cannot run."""
	if "serial_tracking" not in frappe.get_installed_apps():
		raise BenchmarkError("serial_tracking is not installed on this site")
	if not get_settings().enabled:
		raise BenchmarkError("SN tracking is switched off on this site (Serial Tracking Settings)")
	company = company or frappe.defaults.get_global_default("company")
	if not company:
		companies = frappe.get_all("Company", pluck="name", order_by="creation", limit=1)
		company = companies[0] if companies else None
	if not company or not frappe.db.exists("Company", company):
		raise BenchmarkError("no company on this site: finish the setup wizard or pass --company")
	if not warehouse:
		candidates = frappe.get_all(
			"Warehouse",
			filters={"company": company, "is_group": 0, "disabled": 0},
			fields=["name", "warehouse_type"],
			order_by="name",
		)
		warehouse = next((w.name for w in candidates if w.warehouse_type != "Transit"), None)
	if not warehouse:
		raise BenchmarkError(f"company {company} has no warehouse to receive into: pass --warehouse")
	currency = frappe.get_cached_value("Company", company, "default_currency")
	return Place(company, currency, warehouse)


def run(
	place: Place,
	sizes: tuple[int, ...] = SIZES,
	runs: int = RUNS,
	progress: Callable[[str], None] | None = None,
	modes: tuple[str, ...] = MODES,
	big_runs: int = BIG_RUNS,
) -> dict[tuple[str, str, int, str], Figure]:
	"""Figures by (mode, doctype, serial count, action); one warm-up round per mode first.
	``big_runs``: rounds of sizes above 1,000 (:func:`rounds_of`)."""
	progress = progress or (lambda message: None)
	meter = Meter()
	samples: dict[tuple[str, str, int, str], list[Sample]] = {}
	with meter.installed():
		for mode in modes:
			_retried(place, mode, min(sizes), meter, progress)
		for number in range(1, runs + 1):
			for size in sizes:
				if number > rounds_of(size, runs, big_runs):
					continue
				for mode in modes:
					start = time.perf_counter()
					for (doctype, action), sample in _retried(place, mode, size, meter, progress).items():
						samples.setdefault((mode, doctype, size, action), []).append(sample)
					progress(
						f"run {number}/{runs}: {size} serials, {_mode_label(mode)}: "
						f"{time.perf_counter() - start:.1f} s"
					)
	return {key: _median(found) for key, found in samples.items()}


def rounds_of(size: int, runs: int, big_runs: int = BIG_RUNS) -> int:
	"""Rounds made of a size: sizes ERPNext's row text cannot take run ``big_runs`` rounds."""
	return runs if size <= ERPNEXT_TEXT_MOST else min(runs, big_runs)


def peak_memory(place: Place, size: int) -> int:
	"""Peak bytes Python allocates while the app submits a Delivery Note of ``size`` serials
	(``tracemalloc``, in a round of its own: tracing slows everything it measures; ERPNext's own
	serials are not traced, their round takes minutes at 10,000 untraced)."""
	return _round(place, APP, size, Meter(), traced=True)[DELIVERY, SUBMIT].peak_bytes


def _retried(
	place: Place, mode: str, size: int, meter: Meter, progress: Callable[[str], None]
) -> dict[tuple[str, str], Sample]:
	"""A round, made again when it deadlocked with another session using the site (nothing was kept)."""
	for attempt in range(1, ATTEMPTS + 1):
		try:
			return _round(place, mode, size, meter)
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			if attempt == ATTEMPTS:
				raise
			progress(
				f"{size} serials, {_mode_label(mode)}: deadlock or lock wait with another session; again"
			)


def _median(samples: list[Sample]) -> Figure:
	return Figure(
		ms=statistics.median(s.seconds for s in samples) * 1000,
		hook_ms=statistics.median(s.hook_seconds for s in samples) * 1000,
		hook_statements=max(s.hook_statements for s in samples),
		statements=round(statistics.median(s.statements for s in samples)),
	)


def _round(
	place: Place, mode: str, size: int, meter: Meter, traced: bool = False
) -> dict[tuple[str, str], Sample]:
	"""Receive and deliver ``size`` serials, cancel both latest first, and keep nothing."""
	suffix = frappe.generate_hash(length=10).upper()
	made: list[tuple[str, str]] = [(SETTINGS, SETTINGS)]
	with _rolled_back(made):
		if mode == APP:
			_allow(size)
		item, supplier, customer = _master_data(mode, suffix, made)
		codes = [f"STB{suffix}-{n:05d}" for n in range(1, size + 1)]
		receipt = _document(RECEIPT, place, item, codes, mode, supplier=supplier)
		receipt.insert(set_name=f"STB-PR-{suffix}")
		found = {(RECEIPT, SUBMIT): meter.measure(receipt.submit)}
		delivery = _document(DELIVERY, place, item, codes, mode, customer=customer)
		delivery.insert(set_name=f"STB-DN-{suffix}")
		found[DELIVERY, SUBMIT] = meter.measure(delivery.submit, traced=traced)
		found[DELIVERY, CANCEL] = meter.measure(delivery.cancel)
		found[RECEIPT, CANCEL] = meter.measure(receipt.cancel)
	return found


def _allow(size: int) -> None:
	"""Raise the most SN codes per document to ``size`` for this round (rolled back with it; the
	settings stay locked until then, so only the app's rounds, which are short, raise it)."""
	if size > get_settings().limits.max_per_operation:
		frappe.db.set_single_value(SETTINGS, "max_per_operation", size)
		frappe.clear_document_cache(SETTINGS, SETTINGS)


@contextmanager
def _rolled_back(made: list[tuple[str, str]]) -> Iterator[None]:
	"""A transaction rolled back at the end, whatever happens; a commit in between raises."""

	def refuse_commit(*args, **kwargs):
		raise BenchmarkError("a commit was attempted during a benchmark round; nothing of the round was kept")

	frappe.db.rollback()
	frappe.db.commit = refuse_commit
	try:
		yield
	finally:
		del frappe.db.commit
		frappe.db.rollback()
		for doctype, name in made:
			frappe.clear_document_cache(doctype, name)


def _master_data(mode: str, suffix: str, made: list[tuple[str, str]]) -> tuple[str, str, str]:
	tracking = {APP: {"sn_tracking": 1}, ERPNEXT: {"has_serial_no": 1}}.get(mode, {})
	item = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": f"STB-{suffix}",
			"item_name": f"Benchmark {suffix}",
			"item_group": get_root_of("Item Group"),
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"valuation_rate": 100,
			**tracking,
		}
	).insert()
	supplier = frappe.get_doc(
		{
			"doctype": "Supplier",
			"supplier_name": f"Benchmark Supplier {suffix}",
			"supplier_group": get_root_of("Supplier Group"),
		}
	).insert()
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": f"Benchmark Customer {suffix}",
			"customer_group": get_root_of("Customer Group"),
			"territory": get_root_of("Territory"),
		}
	).insert()
	made.extend((doc.doctype, doc.name) for doc in (item, supplier, customer))
	return item.name, supplier.name, customer.name


def _document(doctype: str, place: Place, item: str, codes: list[str], mode: str, **party):
	row = {
		"item_code": item,
		"qty": len(codes),
		"uom": "Nos",
		"conversion_factor": 1,
		"rate": 100,
		"warehouse": place.warehouse,
	}
	if mode == APP:
		row["sn_codes"] = "\n".join(codes)
	elif mode == UNTRACKED:
		pass
	elif len(codes) <= ERPNEXT_TEXT_MOST:
		row["use_serial_batch_fields"] = 1
		row["serial_no"] = "\n".join(codes)
	else:
		row["serial_and_batch_bundle"] = _bundle(doctype, place, item, codes)
	return frappe.get_doc(
		{
			"doctype": doctype,
			"company": place.company,
			"currency": place.currency,
			"posting_date": nowdate(),
			"items": [row],
			**party,
		}
	)


def _bundle(doctype: str, place: Place, item: str, codes: list[str]) -> str:
	"""A Serial and Batch Bundle of ``codes`` as ERPNext's serial dialog saves it with the draft; on a
	receipt, its Serial Nos made first, as the dialog's "Create Serial Nos" does."""
	from erpnext.stock.doctype.serial_and_batch_bundle.serial_and_batch_bundle import (
		add_serial_batch_ledgers,
		make_serial_nos,
	)

	if doctype == RECEIPT:
		make_serial_nos(item, [{"serial_no": code} for code in codes])
	row = frappe._dict(parenttype=doctype, item_code=item, warehouse=place.warehouse, is_rejected=0)
	parent = frappe._dict(
		doctype=doctype, posting_date=nowdate(), posting_time=nowtime(), company=place.company
	)
	entries = [{"serial_no": code, "qty": 1} for code in codes]
	return add_serial_batch_ledgers(entries, row, parent, place.warehouse).name


def _mode_label(mode: str) -> str:
	return {APP: "this app", ERPNEXT: "ERPNext serials"}.get(mode, "untracked item")


# The report


def render(
	figures: dict[tuple[str, str, int, str], Figure],
	sizes: tuple[int, ...],
	runs: int,
	peak: int | None = None,
	floors: dict[tuple[str, str], float] | None = None,
	big_runs: int = BIG_RUNS,
) -> str:
	"""A Markdown table of the figures and a line per target; ``peak``: :func:`peak_memory` at the
	largest size; ``floors``: the floor's ms by (doctype, action) at :data:`.ratios.FLOOR_SIZE`
	(:mod:`.bench_ratios`). A mode left out of a size shows a dash."""
	header = (
		"| Document | Serials | ERPNext's serials in | Submit, app (ms) | Submit, ERPNext (ms) "
		"| Submit, untracked (ms) | Own cost ERPNext / app "
		"| Cancel, app (ms) | Cancel, ERPNext (ms) | Cancel, untracked (ms) | Own cost ERPNext / app "
		"| App hooks in submit / cancel (ms) | App hook statements, submit / cancel "
		"| All statements per submit, app / ERPNext |"
	)
	lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
	for doctype in (RECEIPT, DELIVERY):
		for size in sizes:
			app = {action: figures.get((APP, doctype, size, action)) for action in (SUBMIT, CANCEL)}
			erp = {action: figures.get((ERPNEXT, doctype, size, action)) for action in (SUBMIT, CANCEL)}
			bare = {action: figures.get((UNTRACKED, doctype, size, action)) for action in (SUBMIT, CANCEL)}
			cells = [doctype, f"{size:,}", "row text" if size <= ERPNEXT_TEXT_MOST else "bundle"]
			for action in (SUBMIT, CANCEL):
				cells += [
					_ms(app[action]),
					_ms(erp[action]),
					_ms(bare[action]),
					_own_ratio(figures, doctype, size, action),
				]
			cells += [
				f"{_ms(app[SUBMIT], 'hook_ms')} / {_ms(app[CANCEL], 'hook_ms')}",
				f"{_count(app[SUBMIT], 'hook_statements')} / {_count(app[CANCEL], 'hook_statements')}",
				f"{_count(app[SUBMIT], 'statements')} / {_count(erp[SUBMIT], 'statements')}",
			]
			lines.append("| " + " | ".join(cells) + " |")
	lines.append("")
	counted = sorted({rounds_of(size, runs, big_runs) for size in sizes}, reverse=True)
	lines.append(
		"Medians of "
		+ " / ".join(
			f"{n} round{'s' if n > 1 else ''} "
			f"({', '.join(f'{z:,}' for z in sizes if rounds_of(z, runs, big_runs) == n)})"
			for n in counted
		)
		+ " per row; own cost: the document's median less the untracked item's; statements are the"
		" most seen in one round."
	)
	if peak:
		lines.append(
			f"Peak memory Python allocated in the worker while the app submitted a Delivery Note of "
			f"{max(sizes):,} serials (tracemalloc): {peak / 2**20:,.1f} MiB."
		)
	lines.append("")
	lines.extend(targets(figures, sizes, runs, floors))
	return "\n".join(lines)


def _ms(figure: Figure | None, field: str = "ms") -> str:
	return "—" if figure is None else f"{getattr(figure, field):,.0f}"


def _count(figure: Figure | None, field: str) -> str:
	return "—" if figure is None else f"{getattr(figure, field):,}"


def own_costs_of(
	figures: dict[tuple[str, str, int, str], Figure], doctype: str, size: int, action: str
) -> ratios.OwnCosts | None:
	"""ERPNext's and the app's own costs of one (document, size, action); None when a mode is missing."""
	found = [figures.get((mode, doctype, size, action)) for mode in (APP, ERPNEXT, UNTRACKED)]
	if None in found:
		return None
	app, erp, bare = found
	return ratios.own_costs(app.ms, erp.ms, bare.ms)


def _own_ratio(figures, doctype: str, size: int, action: str) -> str:
	costs = own_costs_of(figures, doctype, size, action)
	return "—" if costs is None or costs.ratio is None else _times(costs.ratio)


def _times(value: float) -> str:
	return "unbounded (app's own cost not above zero)" if value == float("inf") else f"{value:.1f}x"


def targets(
	figures: dict[tuple[str, str, int, str], Figure],
	sizes: tuple[int, ...],
	runs: int,
	floors: dict[tuple[str, str], float] | None = None,
) -> list[str]:
	"""One line per target: the figures, the ratio, and whether it is met (``not judged``: too few
	rounds, or a figure missing)."""
	lines = []
	size = ratios.RATIO_SIZE
	if size in sizes:
		enough = runs >= ratios.RATIO_RUNS
		for doctype in (RECEIPT, DELIVERY):
			for action in (SUBMIT, CANCEL):
				costs = own_costs_of(figures, doctype, size, action)
				if costs is None:
					continue
				met = ratios.at_least(costs.ratio, ratios.TARGET_OWN_RATIO) if enough else None
				told = "" if enough else f" (needs at least {ratios.RATIO_RUNS} rounds, had {runs})"
				lines.append(
					f"- {doctype} of {size:,} serials, {action}: own cost ERPNext {costs.erpnext_ms:,.0f} ms,"
					f" app {costs.app_ms:,.0f} ms, ERPNext / app = "
					f"{_times(costs.ratio) if costs.ratio is not None else '—'}"
					f" (target: at least {ratios.TARGET_OWN_RATIO}x): {ratios.verdict(met)}{told}"
				)
	for (doctype, action), floor_ms in sorted((floors or {}).items(), key=lambda kv: _order(*kv[0])):
		app = figures.get((APP, doctype, ratios.FLOOR_SIZE, action))
		bare = figures.get((UNTRACKED, doctype, ratios.FLOOR_SIZE, action))
		if app is None or bare is None:
			continue
		own = ratios.own_cost(app.ms, bare.ms)
		over = ratios.ratio(own, floor_ms)
		lines.append(
			f"- {doctype} of {ratios.FLOOR_SIZE:,} serials, {action}: app's own cost {own:,.0f} ms"
			f" ({app.ms:,.0f} less {bare.ms:,.0f} untracked), floor {floor_ms:,.0f} ms, app / floor = "
			f"{'—' if over is None else f'{over:.2f}x'} (target: at most {ratios.TARGET_FLOOR_RATIO}x): "
			f"{ratios.verdict(ratios.at_most(over, ratios.TARGET_FLOOR_RATIO))}"
		)
	smallest, largest = min(sizes), max(sizes)
	for doctype in (RECEIPT, DELIVERY):
		try:
			counts = {
				action: (
					figures[APP, doctype, smallest, action].hook_statements,
					figures[APP, doctype, largest, action].hook_statements,
				)
				for action in (SUBMIT, CANCEL)
			}
		except KeyError:
			continue
		if smallest == largest:
			continue
		same = all(low == high for low, high in counts.values())
		described = ", ".join(f"{action} {low} and {high}" for action, (low, high) in counts.items())
		lines.append(
			f"- {doctype}: app hook statements at {smallest:,} and {largest:,} serials: {described} "
			f"(target: the same): {ratios.verdict(same)}"
		)
	return lines


def _order(doctype: str, action: str) -> tuple[int, int]:
	return ((RECEIPT, DELIVERY).index(doctype), (SUBMIT, CANCEL).index(action))
