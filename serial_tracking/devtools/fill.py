"""Fill a development site with a million serials (up to ten million), set-based, for the scale benchmark.

Run with ``bench --site SITE serial-tracking-fill`` (see docs/benchmarks.md, "A million serials").

It makes SN-tracked items ``FILL-0001`` ... (spread over ten item groups, or one for each 20 items
past 200) and warehouses ``Fill 01`` ... (and ``Fill Transit``)
under the company through their controllers, a few suppliers and customers, and then the serials
and their circulation log with ``INSERT ... SELECT`` from MariaDB's SEQUENCE engine
(``seq_1_to_N``): a few hundred statements, whatever the number of serials.

Serial ``n`` (code ``FS0000001`` ...) lives three movements, each one log row with its sequence
(1, 2, 3; the serial's ``movement_seq`` is 3), posted on dates spread over the last two years,
consistent with its status, so that the consistency check's replay of the log finds each serial as
stored:

* In Stock: receive at A, transfer A -> B, transfer B -> C; or receive at A, sell from A, sales
  return to B.
* Sold: receive at A, transfer A -> B, sell from B.
* Returned / Issued / Missing: receive at A, transfer A -> B, then a purchase return, a material
  issue or a count that did not find it.
* In Transit: receive at A, transfer A -> B, transfer out of B to the transit warehouse.

The first 100,000 serials (a tenth when fewer are asked for) are of ``FILL-0001`` and In Stock at
``Fill 01``: the warehouse where the benchmark picks 1,000 codes.

The documents the log names (``FILL-PR-000123`` ...) do not exist: no ERPNext document is made.
ERPNext's stock is written where cheap: one Bin and one Stock Ledger Entry (of the Stock
Reconciliation ``FILL-OPENING``, which does not exist either) per item and warehouse, with the
quantity the serials held there, so the consistency check finds serials and stock in agreement.
No GL entry is made: the accounts and the stock value know nothing of these units.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import frappe
from frappe.utils import add_days, nowdate
from frappe.utils.nestedset import get_root_of

from serial_tracking.constants import LOG, SERIAL

ITEM_PREFIX = "FILL-"
CODE_PREFIX = "FS"
WAREHOUSE_PREFIX = "Fill"
TRANSIT_NAME = "Fill Transit"
SUPPLIERS = 10
#: Item groups the items are spread over, one after another: ten, or more of 20 items each.
ITEM_GROUPS = 10
ITEMS_PER_GROUP = 20
CUSTOMERS = 50
#: In Stock serials of the first item at the first warehouse (the pick measurement).
BIG_PLACE = 100_000
#: Serials per document named in the log; rows per INSERT ... SELECT.
PER_DOCUMENT = 100
CHUNK = 100_000
#: Log rows per serial.
MOVES = 3
#: The fill's log spreads over this many days before today.
DAYS = 730
#: The most serials a fill makes; codes have seven digits (``FS0000001``), the ten millionth eight.
MOST_SERIALS = 10_000_000
DIGITS = 7


class FillError(Exception):
	"""The fill cannot run on this site."""


@dataclass(frozen=True)
class Step:
	operation: str
	status: str
	#: The warehouse after the step: "A", "B", "C", "T" (transit) or None.
	slot: str | None
	voucher_type: str
	voucher_prefix: str
	#: "Supplier", "Customer" or None.
	party: str | None = None


RECEIVE = Step("Receive", "In Stock", "A", "Purchase Receipt", "FILL-PR-", "Supplier")
MOVE_B = Step("Transfer", "In Stock", "B", "Stock Entry", "FILL-STE-", None)

#: Each path: its three steps, and its share of the serials in thousandths (of those not at the
#: big place).
PATHS = {
	"stock": ((RECEIVE, MOVE_B, Step("Transfer", "In Stock", "C", "Stock Entry", "FILL-STM-")), 300),
	"stock_returned": (
		(
			RECEIVE,
			Step("Sell", "Sold", None, "Delivery Note", "FILL-DN-", "Customer"),
			Step("Sales Return", "In Stock", "B", "Delivery Note", "FILL-DNR-", "Customer"),
		),
		150,
	),
	"sold": ((RECEIVE, MOVE_B, Step("Sell", "Sold", None, "Delivery Note", "FILL-DN-", "Customer")), 350),
	"returned": (
		(
			RECEIVE,
			MOVE_B,
			Step("Purchase Return", "Returned", None, "Purchase Receipt", "FILL-PRR-", "Supplier"),
		),
		40,
	),
	"issued": ((RECEIVE, MOVE_B, Step("Issue", "Issued", None, "Stock Entry", "FILL-STI-")), 60),
	"missing": (
		(RECEIVE, MOVE_B, Step("Count Missing", "Missing", None, "Stock Reconciliation", "FILL-SR-")),
		50,
	),
	"transit": (
		(RECEIVE, MOVE_B, Step("Transfer Out", "In Transit", "T", "Stock Entry", "FILL-STT-")),
		50,
	),
}
assert sum(share for _steps, share in PATHS.values()) == 1000


@dataclass
class Report:
	serials: int = 0
	log_rows: int = 0
	items: list[str] = field(default_factory=list)
	warehouses: list[str] = field(default_factory=list)
	big_item: str = ""
	big_warehouse: str = ""
	big_count: int = 0
	statuses: dict[str, int] = field(default_factory=dict)
	seconds: dict[str, float] = field(default_factory=dict)

	def render(self) -> str:
		lines = [
			f"Site {frappe.local.site}: {self.serials:,} serials, {self.log_rows:,} log rows,"
			f" {len(self.items)} items ({self.items[0]} ... {self.items[-1]}),"
			f" {len(self.warehouses)} warehouses ({self.warehouses[0]} ... {self.warehouses[-1]}, and the"
			" transit warehouse)",
			f"{self.big_count:,} serials of {self.big_item} In Stock at {self.big_warehouse}",
			"Statuses: " + ", ".join(f"{status} {n:,}" for status, n in self.statuses.items()),
			"Time: "
			+ ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items())
			+ f"; total {sum(self.seconds.values()):.1f} s",
		]
		return "\n".join(lines)


def check_site(serials: int, items: int, warehouses: int, yes: bool) -> str:
	"""The company to fill; refuses a site that is no development site (without ``yes``), a site
	filled already, and sizes the fill cannot make."""
	if not yes and not (frappe.conf.developer_mode or frappe.conf.allow_tests):
		raise FillError(
			f"{frappe.local.site} is not a development site (neither developer_mode nor allow_tests in"
			" its site_config.json): the fill writes a million rows that cannot be told from real ones."
			" Pass --yes to fill it anyway."
		)
	if "serial_tracking" not in frappe.get_installed_apps():
		raise FillError("serial_tracking is not installed on this site")
	if serials < 1000 or serials > MOST_SERIALS:
		raise FillError("--serials: from 1,000 to 10,000,000")
	if items < 2 or items > 9999:
		raise FillError("--items: from 2 to 9,999")
	if warehouses < 3 or warehouses > 99:
		raise FillError("--warehouses: from 3 to 99")
	if frappe.db.exists("Item", {"name": ("like", ITEM_PREFIX + "%")}):
		raise FillError(f"this site is filled already (items {ITEM_PREFIX}...): fill a new site")
	company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {})
	if not company:
		raise FillError("no company on this site: finish the setup wizard first")
	return company


def fill(
	serials: int = 1_000_000,
	items: int = 200,
	warehouses: int = 20,
	*,
	yes: bool = False,
	progress: Callable[[str], None] | None = None,
) -> Report:
	"""Fill the site (committing as it goes) and say what was made and how long it took."""
	progress = progress or (lambda line: None)
	company = check_site(serials, items, warehouses, yes)
	frappe.db.sql("set session unique_checks = 0")
	report = Report()
	started = time.perf_counter()

	def timed(step: str):
		now = time.perf_counter()
		report.seconds[step] = now - timed.last
		timed.last = now
		progress(f"{step}: {report.seconds[step]:.1f} s")

	timed.last = started
	places = _warehouses(company, warehouses)
	transit = _transit(company)
	item_codes = _items(items)
	suppliers = _parties("Supplier", SUPPLIERS)
	customers = _parties("Customer", CUSTOMERS)
	frappe.db.commit()
	timed("master data")
	big = min(BIG_PLACE, serials // 10)
	values = _values(company, places, transit, item_codes, suppliers, customers, big)
	counts = (len(places), len(suppliers), len(customers))
	_insert_serials(serials, counts, values, progress)
	timed("serials")
	_insert_log(serials, counts, values, progress)
	timed("log")
	_stock(company, values)
	frappe.db.commit()
	timed("bins and stock ledger")
	frappe.db.sql(f"analyze table `tab{SERIAL}`, `tab{LOG}`")
	timed("analyze")
	_count_made(report, item_codes, places)
	timed("counts")
	return report


def _insert_serials(serials: int, counts: tuple, values: dict, progress) -> None:
	"""The serials, a chunk at a time, one statement per path a chunk's serials took."""
	for start in range(1, serials + 1, CHUNK):
		end = min(start + CHUNK - 1, serials)
		for path, (steps, _share) in PATHS.items():
			frappe.db.sql(
				_serial_insert(path, steps, serials, counts), {**values, "start": start, "end": end}
			)
		frappe.db.commit()
		progress(f"serials {end:,} / {serials:,}")


def _insert_log(serials: int, counts: tuple, values: dict, progress) -> None:
	"""The log rows of the serials, a chunk at a time, one statement per step of each path."""
	for start in range(1, serials + 1, CHUNK):
		end = min(start + CHUNK - 1, serials)
		for path, (steps, _share) in PATHS.items():
			for number, step in enumerate(steps, 1):
				previous = steps[number - 2] if number > 1 else None
				frappe.db.sql(
					_log_insert(path, number, step, previous, serials, counts),
					{**values, "start": start, "end": end},
				)
		frappe.db.commit()
		progress(f"log rows of serials {end:,} / {serials:,}")


def _count_made(report: Report, item_codes: list[str], places: list[str]) -> None:
	"""What the site now holds of the fill, into ``report``."""
	report.serials = frappe.db.count(SERIAL, {"name": ("like", CODE_PREFIX + "%")})
	report.log_rows = frappe.db.count(LOG, {"item_code": ("like", ITEM_PREFIX + "%")})
	report.items, report.warehouses = item_codes, places
	report.big_item, report.big_warehouse = item_codes[0], places[0]
	report.big_count = frappe.db.count(
		SERIAL, {"item_code": item_codes[0], "warehouse": places[0], "status": "In Stock"}
	)
	report.statuses = dict(
		frappe.db.sql(
			f"select status, count(*) from `tab{SERIAL}` where item_code like %s group by status"
			" order by count(*) desc",
			ITEM_PREFIX + "%",
		)
	)


# Master data, through the controllers


def _warehouses(company: str, count: int) -> list[str]:
	root = frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 1, "parent_warehouse": ("is", "not set")}
	)
	return [_warehouse(company, root, f"{WAREHOUSE_PREFIX} {number:02d}") for number in range(1, count + 1)]


def _transit(company: str) -> str:
	root = frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 1, "parent_warehouse": ("is", "not set")}
	)
	return _warehouse(company, root, TRANSIT_NAME, "Transit")


def _warehouse(company: str, root: str, warehouse_name: str, warehouse_type: str | None = None) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	name = f"{warehouse_name} - {abbr}"
	if not frappe.db.exists("Warehouse", name):
		frappe.get_doc(
			{
				"doctype": "Warehouse",
				"warehouse_name": warehouse_name,
				"company": company,
				"parent_warehouse": root,
				"warehouse_type": warehouse_type,
			}
		).insert()
	return name


def item_groups(items: int = ITEM_GROUPS * ITEMS_PER_GROUP) -> list[str]:
	"""The item groups ``items`` items are spread over (made when missing): ten, or one for every 20
	items past 200, so that a group holds 20 items however many are made."""
	root = get_root_of("Item Group")
	names = []
	for number in range(1, max(ITEM_GROUPS, -(-items // ITEMS_PER_GROUP)) + 1):
		name = f"{WAREHOUSE_PREFIX} Group {number:02d}"
		if not frappe.db.exists("Item Group", name):
			frappe.get_doc(
				{"doctype": "Item Group", "item_group_name": name, "parent_item_group": root}
			).insert()
		names.append(name)
	return names


def _items(count: int) -> list[str]:
	groups = item_groups(count)
	codes = []
	for number in range(1, count + 1):
		code = f"{ITEM_PREFIX}{number:04d}"
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": f"Fill item {number:04d}",
				"item_group": groups[(number - 1) % len(groups)],
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"valuation_rate": 100,
				"sn_tracking": 1,
			}
		).insert()
		codes.append(code)
	return codes


def _parties(doctype: str, count: int) -> list[str]:
	group = get_root_of(f"{doctype} Group")
	names = []
	for number in range(1, count + 1):
		name = f"Fill {doctype} {number:02d}"
		if not frappe.db.exists(doctype, name):
			values = {"territory": get_root_of("Territory")} if doctype == "Customer" else {}
			frappe.get_doc(
				{
					"doctype": doctype,
					f"{doctype.lower()}_name": name,
					f"{doctype.lower()}_group": group,
					**values,
				}
			).insert()
		names.append(name)
	return names


# The statements. Every value is a parameter; the SQL text is made of this module's constants
# and of whole numbers checked in ``check_site``.


def _values(company, places, transit, item_codes, suppliers, customers, big) -> dict:
	values = {
		"company": company,
		"transit": transit,
		"base": add_days(nowdate(), -DAYS),
		"big": big,
		"items": len(item_codes),
		"code_prefix": CODE_PREFIX,
		"item_prefix": ITEM_PREFIX,
		"user": "Administrator",
	}
	values |= {f"w{i}": name for i, name in enumerate(places, 1)}
	values |= {f"s{i}": name for i, name in enumerate(suppliers, 1)}
	values |= {f"c{i}": name for i, name in enumerate(customers, 1)}
	return values


def number_text(n_sql: str) -> str:
	"""The number ``n_sql`` in a code: zero-padded to :data:`DIGITS` digits, and whole past them (MariaDB's
	``lpad`` cuts a longer text: the ten millionth serial would take the millionth's code)."""
	return f"lpad({n_sql}, greatest({DIGITS}, char_length({n_sql})), '0')"


def _elt(index_sql: str, prefix: str, count: int) -> str:
	"""The ``index_sql``-th (from 1) of the parameters ``prefix``1 ... ``prefix``count."""
	return f"elt({index_sql}, " + ", ".join(f"%({prefix}{i})s" for i in range(1, count + 1)) + ")"


class _Sql:
	"""SQL expressions of the serial number ``n`` (and of its document group ``g = n div 100``);
	``counts``: how many warehouses, suppliers and customers to choose from."""

	def __init__(self, counts: tuple[int, int, int]):
		w, self.suppliers, self.customers = counts
		self.g = f"(n div {PER_DOCUMENT})"
		self.code = f"concat(%(code_prefix)s, {number_text('n')})"
		self.item_number = "if(n <= %(big)s, 1, 2 + n mod (%(items)s - 1))"
		self.item = f"concat(%(item_prefix)s, lpad({self.item_number}, 4, '0'))"
		self.item_name = f"concat('Fill item ', lpad({self.item_number}, 4, '0'))"
		a = f"(n mod {w})"
		b = f"(({a} + 1 + (n div {w}) mod {w - 1}) mod {w})"
		c = f"(({b} + 1 + (n div {w * w}) mod {w - 1}) mod {w})"
		# at the big place: received at the 2nd warehouse, moved to the 3rd, then to the 1st
		self.slots = {
			"A": f"if(n <= %(big)s, 1, {a})",
			"B": f"if(n <= %(big)s, 2, {b})",
			"C": f"if(n <= %(big)s, 0, {c})",
		}
		self.warehouses = w
		g = self.g
		# days after %(base)s of each step: a document's serials share its date and time
		self.days = {
			1: f"(({g} * 37) mod 600)",
			2: f"(({g} * 37) mod 600 + 1 + {g} mod 30)",
			3: f"(({g} * 37) mod 600 + 1 + {g} mod 30 + 1 + ({g} * 13) mod 60)",
		}
		self.times = {step: f"sec_to_time(32400 + (({g} * {step * 7919}) mod 28800))" for step in (1, 2, 3)}

	def warehouse(self, slot: str | None) -> str:
		if slot is None:
			return "null"
		if slot == "T":
			return "%(transit)s"
		return _elt(f"1 + {self.slots[slot]}", "w", self.warehouses)

	def date(self, step: int) -> str:
		return f"date_add(%(base)s, interval {self.days[step]} day)"

	def posted(self, step: int) -> str:
		return f"timestamp({self.date(step)}, {self.times[step]})"

	def voucher(self, step: Step) -> str:
		return f"concat('{step.voucher_prefix}', lpad({self.g}, 6, '0'))"

	def party(self, kind: str | None) -> str:
		suppliers, customers = self.suppliers, self.customers
		if kind == "Supplier":
			return _elt(f"1 + {self.g} mod {suppliers}", "s", suppliers)
		if kind == "Customer":
			return _elt(f"1 + ({self.g} * 7) mod {customers}", "c", customers)
		return "null"


def _path_of(path: str) -> str:
	"""The condition choosing the serials of ``path``: thousandths of a scrambled ``n``."""
	low = 0
	for name, (_steps, share) in PATHS.items():
		if name == path:
			break
		low += share
	high = low + PATHS[path][1]
	scrambled = "((n * 7919) mod 1000)"
	condition = f"{scrambled} >= {low} and {scrambled} < {high}"
	if path == "stock":
		return f"(n <= %(big)s or ({condition}))"
	return f"(n > %(big)s and {condition})"


def _numbers(total: int) -> str:
	# the SEQUENCE engine's table of 1 .. total; total is a whole number checked in check_site
	return f"(select seq as n from seq_1_to_{int(total)} where seq between %(start)s and %(end)s)"


def _serial_insert(path: str, steps: tuple[Step, ...], total: int, counts: tuple[int, int, int]) -> str:
	sql = _Sql(counts)
	last = steps[-1]
	sold = next((number for number, step in enumerate(steps, 1) if step.operation == "Sell"), None)
	columns = {
		"name": sql.code,
		"serial_no": sql.code,
		"item_code": sql.item,
		"status": f"'{last.status}'",
		"warehouse": sql.warehouse(last.slot),
		"company": "%(company)s",
		"voucher_type": f"'{last.voucher_type}'",
		"voucher_no": sql.voucher(last),
		"movement_seq": str(len(steps)),
		"posted_at": sql.posted(len(steps)),
		"supplier": sql.party("Supplier"),
		"purchase_date": sql.date(1),
		"customer": sql.party("Customer") if sold else "null",
		"delivery_date": sql.date(sold) if sold else "null",
		"creation": sql.posted(1),
		"modified": sql.posted(len(steps)),
		"owner": "%(user)s",
		"modified_by": "%(user)s",
		"docstatus": "0",
		"idx": "0",
	}
	return (
		f"insert into `tab{SERIAL}` ({', '.join(f'`{c}`' for c in columns)})"
		f" select {', '.join(columns.values())} from {_numbers(total)} numbers where {_path_of(path)}"
	)


def _log_insert(
	path: str, number: int, step: Step, previous: Step | None, total: int, counts: tuple[int, int, int]
) -> str:
	sql = _Sql(counts)
	columns = {
		"name": f"concat('FL', {number_text('n')}, '-{number}')",
		"creation": sql.posted(number),
		"modified": sql.posted(number),
		"owner": "%(user)s",
		"modified_by": "%(user)s",
		"docstatus": "0",
		"idx": "0",
		"serial_no": sql.code,
		"item_code": sql.item,
		"operation": f"'{step.operation}'",
		"sequence": str(number),
		"is_cancelled": "0",
		"voucher_type": f"'{step.voucher_type}'",
		"voucher_no": sql.voucher(step),
		"voucher_detail_no": f"concat('fill-row-', {sql.item_number})",
		"row_no": f"1 + {sql.item_number} mod 20",
		"posting_date": sql.date(number),
		"posting_time": sql.times[number],
		"status_before": f"'{previous.status}'" if previous else "null",
		"from_warehouse": sql.warehouse(previous.slot) if previous else "null",
		"status_after": f"'{step.status}'",
		"to_warehouse": sql.warehouse(step.slot),
		"party_type": f"'{step.party}'" if step.party else "null",
		"party": sql.party(step.party),
		"company": "%(company)s",
	}
	return (
		f"insert into `tab{LOG}` ({', '.join(f'`{c}`' for c in columns)})"
		f" select {', '.join(columns.values())} from {_numbers(total)} numbers where {_path_of(path)}"
	)


def _stock(company: str, values: dict) -> None:
	"""One Bin and one stock ledger entry per item and warehouse holding the filled serials."""
	held = (
		f"select item_code, warehouse, count(*) as qty from `tab{SERIAL}`"
		" where item_code like %(pattern)s and status in ('In Stock', 'In Transit') group by item_code, warehouse"
	)
	params = {
		"pattern": ITEM_PREFIX + "%",
		"company": company,
		"base": values["base"],
		"user": "Administrator",
	}
	frappe.db.sql(
		"insert into `tabBin` (name, creation, modified, owner, modified_by, item_code, warehouse,"
		" actual_qty, projected_qty, stock_uom)"
		" select concat('FILLBIN-', item_code, '-', warehouse), now(), now(), %(user)s, %(user)s,"
		f" item_code, warehouse, qty, qty, 'Nos' from ({held}) held",
		params,
	)
	frappe.db.sql(
		"insert into `tabStock Ledger Entry` (name, creation, modified, owner, modified_by, docstatus,"
		" item_code, warehouse, posting_date, posting_time, posting_datetime, voucher_type, voucher_no,"
		" voucher_detail_no, actual_qty, qty_after_transaction, company, stock_uom, is_cancelled, to_rename)"
		" select concat('FILLSLE-', item_code, '-', warehouse), now(), now(), %(user)s, %(user)s, 1,"
		" item_code, warehouse, %(base)s, '00:00:00', timestamp(%(base)s, '00:00:00'),"
		" 'Stock Reconciliation', 'FILL-OPENING', concat('fill-', item_code), qty, qty, %(company)s,"
		f" 'Nos', 0, 0 from ({held}) held",
		params,
	)
