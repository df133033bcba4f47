"""Submit and cancel times of receipts and deliveries with SN codes, beside ERPNext's own serial numbers.

Run with ``bench --site SITE serial-tracking-benchmark`` (see docs/benchmarks.md).

Each round makes its own item, supplier and customer, submits a Purchase Receipt
and then a Delivery Note of N serials, cancels them latest first, and rolls the
whole round back: the site keeps nothing, and a commit attempted in between
stops the run. The same round is made once for an item tracked by this app and
once for an item with ERPNext's own serial numbers (``has_serial_no``; the row's
``serial_no`` text with ``use_serial_batch_fields``, from which ERPNext makes the
Serial and Batch Bundle). Figures are medians over the rounds.

While a document is submitted or cancelled, this app's stock doc_events are
timed and the SQL statements they issue are counted, so the table shows the
app's own share beside the whole document's.
"""

import functools
import importlib
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import frappe
from frappe.utils import nowdate
from frappe.utils.nestedset import get_root_of

from serial_tracking.settings import get_settings

SIZES = (1, 100, 1000)
RUNS = 3
#: Attempts of a round that deadlocks with another session using the site.
ATTEMPTS = 3
APP = "app"
ERPNEXT = "erpnext"
MODES = (APP, ERPNEXT)
RECEIPT = "Purchase Receipt"
DELIVERY = "Delivery Note"
SUBMIT = "submit"
CANCEL = "cancel"

#: What the figures should show.
TARGET_RATIO = 10
TARGET_HOOK_MS = 250


class BenchmarkError(Exception):
	"""The benchmark cannot run on this site, or a round tried to commit."""


@dataclass(frozen=True)
class Sample:
	"""One submit or cancel of one document."""

	seconds: float
	hook_seconds: float
	hook_statements: int
	statements: int


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

	def measure(self, action: Callable[[], object]) -> Sample:
		self.reset()
		start = time.perf_counter()
		action()
		seconds = time.perf_counter() - start
		return Sample(seconds, self.hook_seconds, self.hook_statements, self.statements)


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
) -> dict[tuple[str, str, int, str], Figure]:
	"""Figures by (mode, doctype, serial count, action); one warm-up round per mode first."""
	progress = progress or (lambda message: None)
	meter = Meter()
	samples: dict[tuple[str, str, int, str], list[Sample]] = {}
	with meter.installed():
		for mode in MODES:
			_retried(place, mode, min(sizes), meter, progress)
		for number in range(1, runs + 1):
			for size in sizes:
				for mode in MODES:
					start = time.perf_counter()
					for (doctype, action), sample in _retried(place, mode, size, meter, progress).items():
						samples.setdefault((mode, doctype, size, action), []).append(sample)
					progress(
						f"run {number}/{runs}: {size} serials, {_mode_label(mode)}: "
						f"{time.perf_counter() - start:.1f} s"
					)
	return {key: _median(found) for key, found in samples.items()}


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


def _round(place: Place, mode: str, size: int, meter: Meter) -> dict[tuple[str, str], Sample]:
	"""Receive and deliver ``size`` serials, cancel both latest first, and keep nothing."""
	suffix = frappe.generate_hash(length=10).upper()
	made: list[tuple[str, str]] = []
	with _rolled_back(made):
		item, supplier, customer = _master_data(mode, suffix, made)
		codes = [f"STB{suffix}-{n:05d}" for n in range(1, size + 1)]
		receipt = _document(RECEIPT, place, item, codes, mode, supplier=supplier)
		receipt.insert(set_name=f"STB-PR-{suffix}")
		found = {(RECEIPT, SUBMIT): meter.measure(receipt.submit)}
		delivery = _document(DELIVERY, place, item, codes, mode, customer=customer)
		delivery.insert(set_name=f"STB-DN-{suffix}")
		found[DELIVERY, SUBMIT] = meter.measure(delivery.submit)
		found[DELIVERY, CANCEL] = meter.measure(delivery.cancel)
		found[RECEIPT, CANCEL] = meter.measure(receipt.cancel)
	return found


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
	tracking = {"sn_tracking": 1} if mode == APP else {"has_serial_no": 1}
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
	else:
		row["use_serial_batch_fields"] = 1
		row["serial_no"] = "\n".join(codes)
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


def _mode_label(mode: str) -> str:
	return "this app" if mode == APP else "ERPNext serials"


# The report


def render(figures: dict[tuple[str, str, int, str], Figure], sizes: tuple[int, ...], runs: int) -> str:
	"""A Markdown table of the figures and a line per target."""
	header = (
		"| Document | Serials | Submit, app (ms) | Submit, ERPNext (ms) | ERPNext / app "
		"| Cancel, app (ms) | Cancel, ERPNext (ms) | ERPNext / app "
		"| App hooks in submit / cancel (ms) | App hook statements, submit / cancel "
		"| All statements per submit, app / ERPNext |"
	)
	lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
	for doctype in (RECEIPT, DELIVERY):
		for size in sizes:
			app_submit, erp_submit = (
				figures[APP, doctype, size, SUBMIT],
				figures[ERPNEXT, doctype, size, SUBMIT],
			)
			app_cancel, erp_cancel = (
				figures[APP, doctype, size, CANCEL],
				figures[ERPNEXT, doctype, size, CANCEL],
			)
			cells = (
				doctype,
				f"{size:,}",
				f"{app_submit.ms:,.0f}",
				f"{erp_submit.ms:,.0f}",
				f"{erp_submit.ms / app_submit.ms:.1f}x",
				f"{app_cancel.ms:,.0f}",
				f"{erp_cancel.ms:,.0f}",
				f"{erp_cancel.ms / app_cancel.ms:.1f}x",
				f"{app_submit.hook_ms:,.0f} / {app_cancel.hook_ms:,.0f}",
				f"{app_submit.hook_statements} / {app_cancel.hook_statements}",
				f"{app_submit.statements:,} / {erp_submit.statements:,}",
			)
			lines.append("| " + " | ".join(cells) + " |")
	lines.append("")
	lines.append(f"Medians of {runs} rounds per row; statements are the most seen in one round.")
	lines.extend(targets(figures, sizes))
	return "\n".join(lines)


def targets(figures: dict[tuple[str, str, int, str], Figure], sizes: tuple[int, ...]) -> list[str]:
	"""One line per target: the figure, and whether it is met."""
	largest, smallest = max(sizes), min(sizes)
	lines = []
	app, erp = figures[APP, DELIVERY, largest, SUBMIT], figures[ERPNEXT, DELIVERY, largest, SUBMIT]
	ratio = erp.ms / app.ms
	lines.append(
		f"- Delivery Note with {largest:,} serials, submit: ERPNext / app = {ratio:.1f}x "
		f"(target: at least {TARGET_RATIO}x): {_verdict(ratio >= TARGET_RATIO)}"
	)
	worst = max(
		(figures[APP, doctype, size, SUBMIT].hook_ms, doctype, size)
		for doctype in (RECEIPT, DELIVERY)
		for size in sizes
	)
	lines.append(
		f"- App hooks' share of a submit, at most {worst[0]:,.0f} ms ({worst[1]}, {worst[2]:,} serials) "
		f"(target: under {TARGET_HOOK_MS} ms): {_verdict(worst[0] < TARGET_HOOK_MS)}"
	)
	for doctype in (RECEIPT, DELIVERY):
		counts = {
			action: (
				figures[APP, doctype, smallest, action].hook_statements,
				figures[APP, doctype, largest, action].hook_statements,
			)
			for action in (SUBMIT, CANCEL)
		}
		same = all(low == high for low, high in counts.values())
		described = ", ".join(f"{action} {low} and {high}" for action, (low, high) in counts.items())
		lines.append(
			f"- {doctype}: app hook statements at {smallest:,} and {largest:,} serials: {described} "
			f"(target: the same): {_verdict(same)}"
		)
	return lines


def _verdict(met: bool) -> str:
	return "met" if met else "MISSED"
