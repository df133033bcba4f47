"""Lookups, pages, picking and documents on a site filled with a million serials or more (``--part scale``).

Run ``bench --site SITE serial-tracking-fill`` once on a development site made for it, then
``bench --site SITE serial-tracking-benchmark --part scale [--baseline-site EMPTY-SITE]`` (see
docs/benchmarks.md, "A million serials").

As Administrator, each lookup is called once to warm up and then ``CALLS`` times; the table shows
the median and the 95th percentile of those calls against the target (50 ms at the 95th
percentile). The lookups are what Desk and the API run for them, called in the process as a
request would: the serial's form (``frappe.get_doc``), the POS scan (``serial_tracking.api
.find_serial``), the link field's search (``frappe.desk.search.search_link``), the Serial Number
list's first page and count (``frappe.desk.reportview.get`` and ``get_count`` with the list view's
arguments), the Serial Number Search report (``execute``) with each filter, a serial's history
(``serial_tracking.api.trace``), picking 1,000 codes In Stock (``serial_tracking.api.in_stock``, the
SN dialog's "pick from stock"), and the consistency check of one item (no target) and of the item of
100,000 serials (under 2 s at the 95th percentile of its 5 calls).

Documents: the rounds of ``serial_tracking.devtools.benchmark`` (a Purchase Receipt and a Delivery
Note of 1 and of 1,000 serials of a new item, submitted and cancelled, the round rolled back),
on the filled site and, with ``--baseline-site``, on an empty one in the same run. Target: each
median within 20% of the empty site's.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import frappe
from frappe.utils import getdate, nowdate

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.devtools import benchmark
from serial_tracking.devtools.fill import CODE_PREFIX, ITEM_PREFIX, WAREHOUSE_PREFIX

CALLS = 50
TARGET_MS = 50
#: The consistency check of the item of 100,000 serials (at the 95th percentile of its calls).
CHECK_TARGET_MS = 2000
#: Submits and cancels on the filled site may take this much longer than on an empty one.
TARGET_DOCUMENT_RATIO = 1.2
DOCUMENT_SIZES = (1, 1000)
#: A filled site has at least this many serials.
FILLED = 500_000


@dataclass(frozen=True)
class Timing:
	label: str
	calls: int
	median_ms: float
	p95_ms: float
	target_ms: float | None
	rows: int | None = None

	@property
	def met(self) -> bool | None:
		return None if self.target_ms is None else self.p95_ms < self.target_ms


def filled() -> bool:
	"""Whether this site was filled by ``serial-tracking-fill``."""
	return bool(frappe.db.exists(SERIAL, f"{CODE_PREFIX}{FILLED:07d}"))


def serials() -> int:
	"""How many serials the site holds (a count along the primary key: seconds at ten million)."""
	return frappe.db.count(SERIAL)


def timed(label: str, action: Callable[[], object], calls: int = CALLS, target_ms=TARGET_MS) -> Timing:
	"""``action`` called once to warm up, then ``calls`` times."""
	result = action()
	rows = len(result) if isinstance(result, list | tuple) else None
	seconds = []
	for _call in range(calls):
		frappe.local.response = frappe._dict(docs=[])
		start = time.perf_counter()
		action()
		seconds.append(time.perf_counter() - start)
	return Timing(label, calls, statistics.median(seconds) * 1000, _p95(seconds) * 1000, target_ms, rows)


def _p95(seconds: list[float]) -> float:
	if len(seconds) < 2:
		return seconds[0]
	return statistics.quantiles(seconds, n=20, method="inclusive")[18]


@dataclass(frozen=True)
class Scene:
	"""What the lookups are about, read from the filled site."""

	code: str
	prefix: str
	item: str
	big_item: str
	big_warehouse: str
	warehouse: str
	supplier: str
	customer: str
	voucher_type: str
	voucher_no: str
	item_group: str
	company: str


def scene() -> Scene:
	abbr_warehouse = frappe.db.get_value(
		"Warehouse", {"warehouse_name": f"{WAREHOUSE_PREFIX} 01"}, ["name", "company"], as_dict=True
	)
	code = f"{CODE_PREFIX}{654_321:07d}"
	serial = frappe.db.get_value(
		SERIAL, code, ["item_code", "supplier", "voucher_type", "voucher_no"], as_dict=True
	)
	customer = frappe.db.get_value(SERIAL, {"name": f"{CODE_PREFIX}{654_322:07d}"}, "customer")
	return Scene(
		code=code,
		# a prefix of 100 codes, as typed in a link field
		prefix=code[:-2],
		item=serial.item_code,
		big_item=f"{ITEM_PREFIX}0001",
		big_warehouse=abbr_warehouse.name,
		warehouse=frappe.db.get_value("Warehouse", {"warehouse_name": f"{WAREHOUSE_PREFIX} 07"}),
		supplier=serial.supplier,
		customer=customer or frappe.db.get_value(SERIAL, {"status": "Sold"}, "customer"),
		voucher_type=serial.voucher_type,
		voucher_no=serial.voucher_no,
		# a group of 20 items of about 4,500 serials each (not the item of 100,000)
		item_group=frappe.db.get_value("Item", f"{ITEM_PREFIX}0002", "item_group"),
		company=abbr_warehouse.company,
	)


def _list_args(**filters) -> dict:
	"""What the Serial Number list view sends for its first page (``frappe.desk.reportview.get``)."""
	table = f"`tab{SERIAL}`"
	fields = [
		"name",
		"owner",
		"creation",
		"modified",
		"modified_by",
		"_user_tags",
		"_comments",
		"_assign",
		"_liked_by",
		"docstatus",
		"idx",
		"item_code",
		"status",
		"warehouse",
	]
	return {
		"doctype": SERIAL,
		"fields": frappe.as_json([f"{table}.`{f}`" for f in fields]),
		"filters": frappe.as_json([[SERIAL, k, "=", v] for k, v in filters.items()]),
		"order_by": f"{table}.`modified` desc",
		"start": 0,
		"page_length": 20,
		"view": "List",
		"group_by": "",
		"with_comment_count": 1,
	}


def _list_page(**filters) -> int:
	"""The list's first page and its count (``limit`` 1001: Desk shows "1,000+" past that)."""
	from frappe.desk import reportview

	frappe.local.form_dict = frappe._dict(_list_args(**filters))
	page = reportview.get()
	frappe.local.form_dict = frappe._dict(
		doctype=SERIAL,
		filters=frappe.as_json([[SERIAL, k, "=", v] for k, v in filters.items()]),
		fields=[],
		distinct="false",
		limit=1001,
	)
	reportview.get_count()
	return page


def lookups(s: Scene) -> list[tuple[str, Callable[[], object], int]]:
	"""(label, action, calls) of each lookup."""
	from frappe.desk.search import search_link

	from serial_tracking import api
	from serial_tracking.serial_tracking.report.serial_number_search.serial_number_search import execute

	week = getdate(nowdate()) - timedelta(days=200)
	report = [
		("no filter", {}),
		("SN code, exact", {"serial_no": s.code}),
		("SN code, prefix (100 codes)", {"serial_no": s.prefix + "*"}),
		("item", {"item_code": s.item}),
		("item group", {"item_group": s.item_group}),
		("status Missing", {"status": ["Missing"]}),
		("statuses Sold, Returned", {"status": ["Sold", "Returned"]}),
		("warehouse", {"warehouse": s.warehouse}),
		("warehouse and status In Stock", {"warehouse": s.warehouse, "status": ["In Stock"]}),
		("supplier", {"supplier": s.supplier}),
		("customer", {"customer": s.customer}),
		("last document", {"voucher_type": s.voucher_type, "voucher_no": s.voucher_no}),
		("carton", {"carton": "FILL-NO-CARTON"}),
		("last movement, one week", {"from_date": str(week), "to_date": str(week + timedelta(days=6))}),
	]
	return [
		("exact code: the serial's form (get_doc)", lambda: frappe.get_doc(SERIAL, s.code), CALLS),
		(
			"exact code: POS scan (find_serial)",
			lambda: api.find_serial(code=s.code, warehouse=s.big_warehouse),
			CALLS,
		),
		(
			"link field search (search_link, prefix of 100 codes)",
			lambda: search_link(SERIAL, s.prefix),
			CALLS,
		),
		("link field search, an item code's prefix", lambda: search_link(SERIAL, ITEM_PREFIX + "01"), CALLS),
		("list, first page and count", _list_page, CALLS),
		("list, status In Stock: first page and count", lambda: _list_page(status="In Stock"), CALLS),
		*(
			(f"search report: {label}", (lambda filters=filters: execute(dict(filters))), CALLS)
			for label, filters in report
		),
		("history of one serial (trace)", lambda: api.trace(serial_no=s.code), CALLS),
		(
			"pick 1,000 In Stock of 100,000 (in_stock)",
			lambda: api.in_stock(item_code=s.big_item, warehouse=s.big_warehouse, limit=1000),
			CALLS,
		),
	]


def run_lookups(progress: Callable[[str], None]) -> list[Timing]:
	s = scene()
	found = []
	for label, action, calls in lookups(s):
		timing = timed(label, action, calls)
		progress(f"{label}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms")
		found.append(timing)
	from serial_tracking.stock import consistency_check

	# The check is no lookup: the 50 ms line is not its; the item of 100,000 serials has a line of its own.
	for label, item, calls, target in (
		(f"consistency check of one item ({s.item})", s.item, CALLS, None),
		(f"consistency check of the item of 100,000 serials ({s.big_item})", s.big_item, 5, CHECK_TARGET_MS),
	):
		timing = timed(label, lambda item=item: consistency_check.check(item), calls=calls, target_ms=target)
		progress(f"{label}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms")
		found.append(timing)
	frappe.db.rollback()
	return found


def run_documents(runs: int, progress: Callable[[str], None]) -> dict[tuple[str, int, str], Timing]:
	"""Submit and cancel of each document, by (doctype, size, action), as medians and p95."""
	place = benchmark.find_place()
	meter = benchmark.Meter()
	samples: dict[tuple[str, int, str], list[float]] = {}
	with meter.installed():
		benchmark._retried(place, benchmark.APP, 1, meter, progress)
		for size in DOCUMENT_SIZES:
			for _round in range(runs):
				for (doctype, action), sample in benchmark._retried(
					place, benchmark.APP, size, meter, progress
				).items():
					samples.setdefault((doctype, size, action), []).append(sample.seconds)
			progress(f"{frappe.local.site}: {runs} rounds of {size} serials")
	return {
		key: Timing(
			f"{key[0]} {key[2]}, {key[1]:,}",
			len(seconds),
			statistics.median(seconds) * 1000,
			_p95(seconds) * 1000,
			None,
		)
		for key, seconds in samples.items()
	}


def site_counts() -> tuple[int, int]:
	"""Serials and log rows of the site."""
	return frappe.db.count(SERIAL), frappe.db.sql(f"select count(*) from `tab{LOG}`")[0][0]


def render(
	site: str,
	counts: tuple[int, int],
	lookups_: list[Timing],
	documents: dict,
	baseline: dict | None,
	baseline_site: str | None,
	load: tuple[str, str],
) -> str:
	serials, logs = counts
	lines = [
		f"Site {site}: {serials:,} serials, {logs:,} log rows; load average before {load[0]}, after"
		f" {load[1]} ({_cpus()} CPUs)",
		"",
		"| lookup | calls | median (ms) | p95 (ms) | target p95 (ms) | |",
		"|---|---:|---:|---:|---:|---|",
	]
	for t in lookups_:
		target = f"< {t.target_ms:g}" if t.target_ms is not None else "-"
		verdict = "" if t.met is None else ("met" if t.met else "MISSED")
		lines.append(
			f"| {t.label} | {t.calls} | {t.median_ms:,.1f} | {t.p95_ms:,.1f} | {target} | {verdict} |"
		)
	lines += [
		"",
		f"| document | rounds | {site} median (ms) | p95 (ms) | "
		+ (f"{baseline_site} median (ms) | p95 (ms) | filled / empty | target |" if baseline else "")
		+ (" |" if not baseline else ""),
		"|---|---:|---:|---:|" + ("---:|---:|---:|---|" if baseline else ""),
	]
	for key, t in documents.items():
		line = f"| {t.label} | {t.calls} | {t.median_ms:,.0f} | {t.p95_ms:,.0f} |"
		if baseline and key in baseline:
			b = baseline[key]
			ratio = t.median_ms / b.median_ms
			verdict = "met" if ratio <= TARGET_DOCUMENT_RATIO else "MISSED"
			line += f" {b.median_ms:,.0f} | {b.p95_ms:,.0f} | {ratio:.2f} | <= {TARGET_DOCUMENT_RATIO:g} {verdict} |"
		lines.append(line)
	return "\n".join(lines)


def _cpus() -> int:
	import os

	return os.cpu_count() or 0


def load_average() -> str:
	import os

	return "{:.1f}, {:.1f}, {:.1f}".format(*os.getloadavg())


def run(baseline_site: str | None, progress: Callable[[str], None]) -> str:
	"""Every figure on this (filled) site, and the documents' on ``baseline_site`` if given; the
	table. Leaves the connection on the baseline site when one is given."""
	site = frappe.local.site
	before = load_average()
	counts = site_counts()
	found = run_lookups(progress)
	documents = run_documents(CALLS, progress)
	after = load_average()
	baseline = None
	if baseline_site:
		frappe.destroy()
		frappe.init(site=baseline_site)
		frappe.connect()
		frappe.set_user("Administrator")
		baseline = run_documents(CALLS, progress)
	return render(site, counts, found, documents, baseline, baseline_site, (before, after))
