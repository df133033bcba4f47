"""A small demo dataset that shows SN tracking at work, made through real ERPNext documents.

Run it on a site with::

	bench --site SITE execute serial_tracking.devtools.demo.make_demo

On a site whose setup wizard was never run (no Company yet) it first completes
ERPNext's setup for a demo company, the way ERPNext does it for its own tests,
so that Desk opens on a working company. Then it makes warehouses, a supplier,
a customer, three SN-tracked items and one plain item, and moves the units
through a purchase receipt, a two-step transfer through a transit warehouse, a
direct transfer, a delivery note, a sales invoice that updates stock, a sales
return and a purchase return. Every document is inserted and submitted, so
every hook runs exactly as it does for a user.

Running it again does nothing: a demo item already existing means the demo was made.

:func:`make_demo` is the command: it commits. :func:`make_demo_data` makes the
data inside the caller's transaction and never commits (the tests call it).
"""

from collections import Counter
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate
from frappe.utils.nestedset import get_root_of

from serial_tracking.core.generate import Rule, generate
from serial_tracking.core.states import Status
from serial_tracking.settings import SETTINGS

#: The company the setup makes on a site without one.
DEMO_COMPANY = "SN Demo Electronics"
DEMO_ABBR = "SND"

MAIN_STORE = "Main Store"
CITY_SHOP = "City Shop"
TRANSIT = "Delivery Van"

SUPPLIER = "Northwind Mobile Distribution"
CUSTOMER = "Harbour Street Retail"

#: The demo's till: the Point of Sale page sells from the City Shop through it.
POS_PROFILE = "City Shop POS"
#: How its sales are paid.
CASH = "Cash"


@dataclass(frozen=True)
class DemoItem:
	code: str
	name: str
	buying_rate: float
	selling_rate: float
	#: Prefix of the generated SN codes; None for an item without SN tracking.
	prefix: str | None
	received: int

	def codes(self) -> list[str]:
		if not self.prefix:
			return []
		codes, problem = generate(Rule(prefix=self.prefix, count=self.received, width=4))
		assert problem is None, problem
		return codes


PHONE_A = DemoItem("DEMO-PHONE-A5", "Aster A5 Smartphone 128 GB", 220, 299, "PH-A-", 10)
PHONE_B = DemoItem("DEMO-PHONE-B7", "Aster B7 Smartphone 256 GB", 410, 549, "PH-B-", 6)
LAPTOP = DemoItem("DEMO-LAPTOP-14", "Nimbus 14 Laptop", 640, 899, "LT-14-", 4)
CABLE = DemoItem("DEMO-CABLE-USBC", "USB-C Charging Cable 1 m", 2.5, 9, None, 50)
ITEMS = (PHONE_A, PHONE_B, LAPTOP, CABLE)

#: Its existence means the demo was made on this site.
MARKER_ITEM = PHONE_A.code


# The command


def make_demo(company: str | None = None) -> None:
	"""Fill this site with the demo, commit, and print what was made (a bench command)."""
	if frappe.db.exists("Item", MARKER_ITEM):
		print(
			_("The serial tracking demo is already on this site (item {0} exists); nothing was made.").format(
				MARKER_ITEM
			)
		)
		# a demo made before the till was part of it gets its till (and only then is anything committed)
		made = frappe.db.get_value("Item Default", {"parent": MARKER_ITEM}, "company")
		if made and not frappe.db.exists("POS Profile", {"company": made}):
			print(_("Point of Sale: POS Profile {0} made (/app/point-of-sale).").format(pos_profile(made)))
			frappe.db.commit()
		return
	if not company and not frappe.db.a_row_exists("Company"):
		complete_setup()
		company = DEMO_COMPANY
	summary = make_demo_data(company)
	frappe.db.commit()
	print(describe(summary))


def complete_setup() -> None:
	"""Run the setup wizard's stages for the demo company, as ERPNext's own test set-up does."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	year = getdate(nowdate()).year
	print(_("Completing the setup wizard for the company {0}...").format(DEMO_COMPANY))
	conf = frappe.local.conf
	in_background = conf.get("trigger_site_setup_in_background")
	conf["trigger_site_setup_in_background"] = 0  # the stages must have run when this returns
	try:
		setup_complete(
			{
				"language": "English",
				"country": "United States",
				"timezone": "America/New_York",
				"currency": "USD",
				# No email: the setup would make a new user; Administrator keeps its login.
				"full_name": "Administrator",
				"company_name": DEMO_COMPANY,
				"company_abbr": DEMO_ABBR,
				"company_tagline": "Phones and laptops, every unit traced",
				"industry": "Retail",
				"fy_start_date": f"{year}-01-01",
				"fy_end_date": f"{year}-12-31",
				"chart_of_accounts": "Standard",
			}
		)
	finally:
		if in_background is None:
			conf.pop("trigger_site_setup_in_background", None)
		else:
			conf["trigger_site_setup_in_background"] = in_background
	if not frappe.db.exists("Company", DEMO_COMPANY) or not frappe.is_setup_complete():
		frappe.throw(_("The setup wizard did not complete; see the Error Log of the site."))
	# Desk decides on the wizard from this flag; the last stage sets it, make sure it stays set.
	frappe.db.set_single_value("System Settings", "setup_complete", 1)


def describe(summary: frappe._dict) -> str:
	"""The printed summary of a demo run."""
	lines = [_("Serial tracking demo made for the company {0}.").format(summary.company)]
	lines.append(_("Warehouses: {0}").format(", ".join(summary.warehouses)))
	lines.append(_("Supplier: {0}; customer: {1}").format(summary.supplier, summary.customer))
	lines.append(_("Items:"))
	for item in ITEMS:
		codes = item.codes()
		if codes:
			detail = _("{0} SN codes {1} to {2}").format(len(codes), codes[0], codes[-1])
		else:
			detail = _("no SN tracking")
		lines.append(f"  {item.code}  {item.name}: {detail}")
	lines.append(_("Documents (all submitted):"))
	lines.extend(f"  {_(doctype)} {name}: {what}" for doctype, name, what in summary.documents)
	counts = ", ".join(f"{count} {_(status)}" for status, count in summary.statuses.items())
	lines.append(_("SN codes now: {0}").format(counts))
	lines.append(_("Open Serial Number in Desk (/app/serial-number) to see them."))
	if summary.get("pos_profile"):
		lines.append(
			_("Point of Sale: POS Profile {0} (/app/point-of-sale); open a session there to sell.").format(
				summary.pos_profile
			)
		)
	return "\n".join(lines)


# The data


def make_demo_data(company: str | None = None) -> frappe._dict:
	"""Make the demo's master data and documents in the current transaction; never commits."""
	company = company or default_company()
	if not company or not frappe.db.exists("Company", company):
		frappe.throw(_("Company {0} not found: complete the setup wizard first").format(company))
	enable_serial_tracking()
	demo = _Demo(company)
	demo.make_master_data()
	demo.make_documents()
	return frappe._dict(
		company=company,
		pos_profile=pos_profile(company),
		warehouses=[demo.main, demo.shop, demo.transit],
		supplier=SUPPLIER,
		customer=CUSTOMER,
		items=[item.code for item in ITEMS],
		documents=demo.documents,
		statuses=demo.statuses(),
	)


def default_company() -> str | None:
	return (
		frappe.defaults.get_user_default("Company")
		or frappe.defaults.get_global_default("company")
		or frappe.db.get_value("Company", {}, "name", order_by="creation")
	)


def pos_profile(company: str) -> str:
	"""The demo's POS Profile for ``company`` (made when missing), so that the Point of Sale page can
	be tried: it sells from the City Shop to the demo customer at the selling price list, paid in
	cash, booked to the company's default accounts; Cash gets the company's cash account. Returns its
	name: "City Shop POS", with the company's abbreviation when another company has that one."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	defaults = frappe.get_cached_value(
		"Company",
		company,
		[
			"default_currency",
			"cost_center",
			"default_income_account",
			"default_expense_account",
			"write_off_account",
			"default_cash_account",
		],
		as_dict=True,
	)
	_cash_account(company, defaults.default_cash_account)
	name = POS_PROFILE
	existing = frappe.db.get_value("POS Profile", name, "company")
	if existing and existing != company:
		name = f"{POS_PROFILE} - {abbr}"
	if frappe.db.exists("POS Profile", name):
		return name
	price_list = (
		"Standard Selling"
		if frappe.db.exists("Price List", "Standard Selling")
		else frappe.db.get_value("Price List", {"selling": 1, "enabled": 1})
	)
	doc = frappe.get_doc(
		{
			"doctype": "POS Profile",
			"name": name,
			"company": company,
			"currency": defaults.default_currency,
			"warehouse": f"{CITY_SHOP} - {abbr}",
			"customer": CUSTOMER if frappe.db.exists("Customer", CUSTOMER) else None,
			"selling_price_list": price_list,
			"cost_center": defaults.cost_center,
			"income_account": defaults.default_income_account,
			"expense_account": defaults.default_expense_account,
			"write_off_account": defaults.write_off_account,
			"write_off_cost_center": defaults.cost_center,
			"payments": [{"mode_of_payment": CASH, "default": 1}],
		}
	)
	doc.insert()
	return doc.name


def _cash_account(company: str, account: str | None) -> None:
	"""Cash paid at the till is booked to the company's cash account: the Mode of Payment needs it."""
	if not frappe.db.exists("Mode of Payment", CASH):
		frappe.get_doc({"doctype": "Mode of Payment", "mode_of_payment": CASH, "type": "Cash"}).insert()
	cash = frappe.get_doc("Mode of Payment", CASH)
	if any(row.company == company for row in cash.accounts):
		return
	account = account or frappe.db.get_value(
		"Account", {"company": company, "account_type": "Cash", "is_group": 0}
	)
	cash.append("accounts", {"company": company, "default_account": account})
	cash.save()


def enable_serial_tracking() -> None:
	settings = frappe.get_single(SETTINGS)
	if not settings.enabled:
		settings.enabled = 1
		settings.save()


class _Demo:
	"""The demo's records for one company, made in order."""

	def __init__(self, company: str):
		self.company = company
		self.abbr = frappe.get_cached_value("Company", company, "abbr")
		self.currency = frappe.get_cached_value("Company", company, "default_currency")
		self.main = f"{MAIN_STORE} - {self.abbr}"
		self.shop = f"{CITY_SHOP} - {self.abbr}"
		self.transit = f"{TRANSIT} - {self.abbr}"
		#: (doctype, name, what it did), in the order made.
		self.documents: list[tuple[str, str, str]] = []
		self._fiscal_year_start = self._year_start()

	# Master data

	def make_master_data(self) -> None:
		self._warehouse(MAIN_STORE)
		self._warehouse(CITY_SHOP)
		self._warehouse(TRANSIT, warehouse_type="Transit")
		self._party("Supplier", SUPPLIER, "Distributor")
		self._party("Customer", CUSTOMER, "Commercial", territory=get_root_of("Territory"))
		for item in ITEMS:
			self._item(item)

	def _warehouse(self, warehouse_name: str, warehouse_type: str | None = None) -> None:
		if frappe.db.exists("Warehouse", f"{warehouse_name} - {self.abbr}"):
			return
		root = frappe.db.get_value(
			"Warehouse", {"company": self.company, "is_group": 1, "parent_warehouse": ("is", "not set")}
		)
		frappe.get_doc(
			{
				"doctype": "Warehouse",
				"warehouse_name": warehouse_name,
				"company": self.company,
				"parent_warehouse": root,
				"warehouse_type": warehouse_type,
			}
		).insert()

	def _party(self, doctype: str, name: str, preferred_group: str, **values) -> None:
		"""A supplier or customer of type Company, in ``preferred_group`` when the setup made it."""
		if frappe.db.exists(doctype, name):
			return
		group_doctype = f"{doctype} Group"
		group = (
			preferred_group
			if frappe.db.exists(group_doctype, preferred_group)
			else get_root_of(group_doctype)
		)
		frappe.get_doc(
			{
				"doctype": doctype,
				f"{doctype.lower()}_name": name,
				f"{doctype.lower()}_type": "Company",
				f"{doctype.lower()}_group": group,
				**values,
			}
		).insert()

	def _item(self, item: DemoItem) -> None:
		group = "Products" if frappe.db.exists("Item Group", "Products") else get_root_of("Item Group")
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item.code,
				"item_name": item.name,
				"description": item.name,
				"item_group": group,
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"valuation_rate": item.buying_rate,
				"standard_rate": item.selling_rate,
				"sn_tracking": 1 if item.prefix else 0,
				"item_defaults": [{"company": self.company, "default_warehouse": self.main}],
			}
		).insert()

	# Documents

	def make_documents(self) -> None:
		a, b, laptop = PHONE_A.codes(), PHONE_B.codes(), LAPTOP.codes()
		receipt = self._purchase_receipt(
			12, "09:15:00", [(PHONE_A, a), (PHONE_B, b), (LAPTOP, laptop), (CABLE, CABLE.received)]
		)
		out = self._stock_entry(
			10,
			"10:05:00",
			self.main,
			self.transit,
			[(PHONE_A, a[:4]), (PHONE_B, b[:2]), (CABLE, 20)],
			_("from Main Store into the van (two-step transfer, out)"),
			add_to_transit=1,
		)
		self._stock_in(out, 9, "11:20:00")
		self._stock_entry(
			8,
			"12:40:00",
			self.main,
			self.shop,
			[(LAPTOP, laptop[:1])],
			_("direct transfer from Main Store to City Shop"),
		)
		delivery = self._sale(
			"Delivery Note",
			6,
			"13:30:00",
			self.shop,
			[(PHONE_A, a[:2]), (PHONE_B, b[:1]), (CABLE, 2)],
			_("sold from City Shop"),
		)
		self._sale(
			"Sales Invoice",
			4,
			"14:50:00",
			self.main,
			[(PHONE_A, a[4:5]), (LAPTOP, laptop[1:2]), (CABLE, 1)],
			_("sold from Main Store on an invoice that updates stock"),
		)
		self._sales_return(delivery, PHONE_A, a[1], 2, "15:40:00")
		self._purchase_return(receipt, PHONE_B, b[-1], 1, "16:30:00")

	def _year_start(self):
		from erpnext.accounts.utils import get_fiscal_year

		return getdate(get_fiscal_year(nowdate(), company=self.company)[1])

	def _when(self, days_ago: int, time: str) -> dict:
		"""Posting date and time ``days_ago`` days back, never before this fiscal year."""
		date = max(getdate(add_days(nowdate(), -days_ago)), self._fiscal_year_start)
		return {"posting_date": date, "posting_time": time, "set_posting_time": 1}

	def _submit(self, doc, what: str):
		doc.insert()
		doc.submit()
		self.documents.append((doc.doctype, doc.name, what))
		return doc

	def _rows(self, lines: list, rate: str | None, **values) -> list[dict]:
		"""Item rows of ``lines``: (SN-tracked item, its codes) or (plain item, quantity).

		``rate``: the item's price to charge ("buying_rate" or "selling_rate"), None for stock entries.
		"""
		rows = []
		for item, moved in lines:
			codes = moved if isinstance(moved, list) else None
			row = {
				"item_code": item.code,
				"qty": len(codes) if codes else moved,
				"uom": "Nos",
				"conversion_factor": 1,
				**values,
			}
			if rate:
				# As the price list gives it in Desk (an insert by code fetches no price).
				row["price_list_rate"] = row["rate"] = getattr(item, rate)
			if codes:
				row["sn_codes"] = "\n".join(codes)
			rows.append(row)
		return rows

	def _purchase_receipt(self, days_ago: int, time: str, lines: list):
		rows = self._rows(lines, "buying_rate", warehouse=self.main)
		doc = frappe.get_doc(
			{
				"doctype": "Purchase Receipt",
				"company": self.company,
				"supplier": SUPPLIER,
				"currency": self.currency,
				"buying_price_list": "Standard Buying",
				"items": rows,
				**self._when(days_ago, time),
			}
		)
		return self._submit(doc, _("{0} units received at Main Store").format(sum(r["qty"] for r in rows)))

	def _stock_entry(
		self, days_ago: int, time: str, source: str, target: str, lines: list, what: str, **values
	):
		"""A material transfer of ``lines`` (see :meth:`_rows`) from ``source`` to ``target``."""
		doc = frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"company": self.company,
				"purpose": "Material Transfer",
				"stock_entry_type": "Material Transfer",
				"items": self._rows(lines, None, s_warehouse=source, t_warehouse=target),
				**self._when(days_ago, time),
				**values,
			}
		)
		return self._submit(doc, what)

	def _stock_in(self, out, days_ago: int, time: str):
		"""The second step of the transfer: the van arrives at City Shop (the rows carry the out-entry's codes)."""
		from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

		doc = frappe.get_doc(make_stock_in_entry(out.name))
		doc.update(self._when(days_ago, time))
		for row in doc.items:
			row.t_warehouse = self.shop
		return self._submit(doc, _("the van arrives at City Shop (two-step transfer, in)"))

	def _sale(self, doctype: str, days_ago: int, time: str, warehouse: str, lines: list, what: str):
		doc = frappe.get_doc(
			{
				"doctype": doctype,
				"company": self.company,
				"customer": CUSTOMER,
				"currency": self.currency,
				"selling_price_list": "Standard Selling",
				"items": self._rows(lines, "selling_rate", warehouse=warehouse),
				**self._when(days_ago, time),
			}
		)
		if doctype == "Sales Invoice":
			doc.update_stock = 1
		return self._submit(doc, what)

	def _sales_return(self, delivery, item: DemoItem, code: str, days_ago: int, time: str):
		"""The customer brings one unit back to City Shop: a return made from the delivery note."""
		from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

		doc = _one_unit_return(make_sales_return(delivery.name), item, code)
		doc.update(self._when(days_ago, time))
		return self._submit(doc, _("{0} returned by the customer to City Shop").format(code))

	def _purchase_return(self, receipt, item: DemoItem, code: str, days_ago: int, time: str):
		"""One faulty unit goes back to the supplier: a return made from the purchase receipt."""
		from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_return

		doc = _one_unit_return(make_purchase_return(receipt.name), item, code)
		doc.update(self._when(days_ago, time))
		return self._submit(doc, _("{0} returned to the supplier as faulty").format(code))

	def statuses(self) -> dict[str, int]:
		"""How many demo serials are in each status, in the order of the statuses."""
		found = Counter(
			frappe.get_all(
				"Serial Number", filters={"item_code": ("in", [i.code for i in ITEMS])}, pluck="status"
			)
		)
		return {s.value: found[s.value] for s in Status if found[s.value]}


def _one_unit_return(doc, item: DemoItem, code: str):
	"""Keep only ``item``'s row of a mapped return, for one unit with its SN code."""
	doc.items = [row for row in doc.items if row.item_code == item.code][:1]
	row = doc.items[0]
	row.idx = 1
	row.qty = -1
	if row.meta.has_field("received_qty"):
		row.received_qty = -1
	row.sn_codes = code
	return doc
