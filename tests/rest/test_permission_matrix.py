"""The permission matrix: every whitelisted method, report, print format and doctype of the app, called
over real HTTP with token authentication by eight principals, and what each may read and do.

The test makes its own data (committed, removed afterwards): SN codes received and sold at two
warehouses of the company, codes sold to a second customer and codes bought from a second supplier,
cartons, spare serials, cartons and label layouts for each principal to delete, and xlsx files to
import. It calls everything as each principal and reads every answer, downloaded files included
(csv, xlsx, PDF and ZPL), for what is behind the principal's wall: the codes held at the other
warehouse, the codes sold to the other customer, the codes bought from the other supplier.

The matrix it builds is compared with ``docs/permissions.md``; ``ST_WRITE_PERMISSIONS=1`` writes the
table there instead. A whitelisted method found in the app's code without a row here fails the test.
"""

import ast
import io
import json
import os
import pathlib
import secrets
import subprocess
from dataclasses import dataclass, field

import pytest
import requests

from tests.integration import factory
from tests.rest.conftest import URL, Client, _token_user

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP = ROOT / "serial_tracking"
DOCS = ROOT / "docs" / "permissions.md"
START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"

SERIAL, LOG, CARTON, SETTINGS, LAYOUT, COUNT, SCAN = (
	"Serial Number",
	"Serial Circulation Log",
	"Serial Carton",
	"Serial Tracking Settings",
	"SN Label Layout",
	"Serial Count",
	"Serial Count Scan",
)
MAIN, SHOP, COMPANY = factory.MAIN, factory.SHOP, factory.COMPANY
#: An SN-tracked item of this test's own (kept, as the other master data): the integration tests
#: hold their items' stock locked while they run.
PHONE = "ST-PERM-PHONE"
#: An SN-tracked item with no stock: the counts each principal posts, cancels, makes and deletes
#: count it alone, so that posting one changes nothing of the other rows' stock.
COUNTED = "ST-PERM-COUNTED"

#: The principals, as the table's columns: (key, heading, roles, User Permissions).
PRINCIPALS = (
	("guest", "Guest", None, []),
	("none", "No role", [], []),
	("stock", "Stock User", ["Stock User"], []),
	(
		"restricted",
		"Stock User of one warehouse",
		["Stock User"],
		[("Company", COMPANY), ("Warehouse", MAIN)],
	),
	("customer", "Stock User of one customer", ["Stock User"], [("Customer", factory.CUSTOMER)]),
	("supplier", "Stock User of one supplier", ["Stock User"], [("Supplier", factory.SUPPLIER)]),
	("manager", "Stock Manager", ["Stock User", "Stock Manager"], []),
	("system", "System Manager", ["System Manager"], []),
)
HEADINGS = {key: heading for key, heading, _roles, _allow in PRINCIPALS}
#: The wall each restricted principal stands behind: what its User Permissions keep from it.
WALLS = {"restricted": "warehouse", "customer": "customer", "supplier": "supplier"}

#: What a cell says when some answers were refused and none showed what is behind the wall.
OWN = {"warehouse": "own warehouse only", "customer": "own customer only", "supplier": "own supplier only"}
#: ... and when they showed none of a warehouse's serials (only those sold, returned or issued).
NOWHERE = "no warehouse's serials"


# --- the whitelisted methods of the app, read from its code ---------------------------------------


def whitelisted_methods() -> set[str]:
	"""Every function decorated with ``frappe.whitelist`` in the app, by the dotted path a client calls:
	``serial_tracking.api.<name>`` for those the api package exports, else its module's path (and
	class, for a document's method)."""
	init = ast.parse((APP / "api" / "__init__.py").read_text())
	exported = {a.asname or a.name for n in ast.walk(init) if isinstance(n, ast.ImportFrom) for a in n.names}
	exported |= {n.name for n in init.body if isinstance(n, ast.FunctionDef)}
	found = set()
	for path in sorted(APP.rglob("*.py")):
		module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
		tree = ast.parse(path.read_text())
		scopes = [(None, tree.body)] + [(n.name, n.body) for n in tree.body if isinstance(n, ast.ClassDef)]
		for owner, body in scopes:
			for node in body:
				if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
					continue
				if not any(ast.unparse(d).split("(")[0].endswith("whitelist") for d in node.decorator_list):
					continue
				if owner:
					found.add(f"{module}.{owner}.{node.name}")
				elif module.startswith("serial_tracking.api") and node.name in exported:
					found.add(f"serial_tracking.api.{node.name}")
				else:
					found.add(f"{module}.{node.name}")
	return found


# --- the data ---------------------------------------------------------------------------------------


@dataclass
class World:
	prefix: str
	main: list[str]
	shop: list[str]
	docs: dict = field(default_factory=dict)
	cartons: dict = field(default_factory=dict)
	files: dict = field(default_factory=dict)
	spares: dict = field(default_factory=dict)
	log_rows: dict = field(default_factory=dict)
	layout: dict = field(default_factory=dict)
	counts: dict = field(default_factory=dict)
	scans: dict = field(default_factory=dict)
	made_files: list = field(default_factory=list)
	#: Codes sold to the second customer (registered, so that no document of another party names
	#: them), and codes bought from the second supplier (in stock at the main warehouse, in a carton).
	sold_away: list = field(default_factory=list)
	bought_away: list = field(default_factory=list)

	def walled(self, wall: str) -> list[str]:
		"""What a user behind ``wall`` must never read. The warehouse: the codes held at the shop and
		the shop itself (a movement through it, a count there). The customer: the codes sold to the
		other customer, their sale and that customer. The supplier: the codes bought from the other
		supplier, their receipt, its carton and that supplier."""
		return {
			"warehouse": [*self.shop[:2], SHOP],
			"customer": [*self.sold_away, factory.CUSTOMER2, self.docs[("Delivery Note", "away")]],
			"supplier": [
				*self.bought_away,
				factory.SUPPLIER2,
				self.docs[("Purchase Receipt", "away")],
				self.cartons["away"],
			],
		}[wall]

	def secrets(self, key: str) -> list[str]:
		"""What principal ``key`` must never read; for a principal behind no wall, what any wall hides
		(which it reads)."""
		if wall := WALLS.get(key):
			return self.walled(wall)
		return [secret for wall in dict.fromkeys(WALLS.values()) for secret in self.walled(wall)]

	@property
	def own(self) -> list[str]:
		"""What shows a principal the main warehouse's serials (and its carton)."""
		return [*self.main, MAIN, self.cartons["main"]]


def _xlsx(rows) -> bytes:
	from openpyxl import Workbook

	book = Workbook()
	book.active.append(
		["Item code (SKU)", "Item name", "Warehouse (location)", "SN code", "Carton (optional)"]
	)
	for row in rows:
		book.active.append(row)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


@pytest.fixture(scope="module")
def world(site):
	frappe = site
	from serial_tracking.stock import count_scanning, in_stock_registration

	prefix = f"PM{secrets.token_hex(3).upper()}-"
	w = World(prefix, factory.codes(f"{prefix}M", 4), factory.codes(f"{prefix}S", 4))
	for item in (PHONE, COUNTED):
		if not frappe.db.exists("Item", item):
			factory.make_item(item, sn_tracking=1)
			frappe.db.commit()
	_clean(frappe)
	# The public check answers while switched on only: its row shows who may call it then.
	public_check = frappe.db.get_single_value(SETTINGS, "public_check")
	try:
		frappe.db.set_single_value(SETTINGS, "public_check", 1)
		for place, codes in ((MAIN, w.main), (SHOP, w.shop)):
			tag = "main" if place == MAIN else "shop"
			for doc in (
				factory.purchase_receipt([(PHONE, 3, codes[:3], place)]),
				factory.purchase_invoice([(PHONE, 1, codes[3:], place)]),
				factory.delivery_note([(PHONE, 1, [codes[2]], place)]),
				factory.sales_invoice([(PHONE, 1, [codes[3]], place)]),
			):
				w.docs[(doc.doctype, tag)] = doc.name
		# Units at the main warehouse without codes: room for what the principals register.
		factory.stock_entry("Material Receipt", [(PHONE, 40, None, None, MAIN)])
		# Sold to the second customer: registered (a manager's statement names no party) and sold.
		w.sold_away = factory.codes(f"{prefix}C", 2)
		in_stock_registration.register(PHONE, MAIN, "\n".join(w.sold_away))
		sale = factory.delivery_note([(PHONE, 2, w.sold_away, MAIN)], customer=factory.CUSTOMER2)
		w.docs[("Delivery Note", "away")] = sale.name
		# Bought from the second supplier, packed in a carton by the receipt.
		w.bought_away = factory.codes(f"{prefix}U", 2)
		receipt = factory.purchase_receipt(
			[],
			supplier=factory.SUPPLIER2,
			items=[
				{
					"item_code": PHONE,
					"qty": 2,
					"rate": 100,
					"conversion_factor": 1,
					"warehouse": MAIN,
					"sn_codes": "\n".join(w.bought_away),
					"sn_cartons": json.dumps({f"{prefix}KAWAY": w.bought_away}),
				}
			],
		)
		w.docs[("Purchase Receipt", "away")] = receipt.name
		w.cartons["away"] = frappe.get_all(CARTON, filters={"made_by_no": receipt.name}, pluck="name")[0]
		for tag, codes in (("main", w.main[:2]), ("shop", w.shop[:2])):
			carton = frappe.get_doc(
				{
					"doctype": CARTON,
					"carton_code": f"{prefix}K{tag}",
					"item_code": PHONE,
					"add_codes": " ".join(codes),
				}
			).insert()
			w.cartons[tag] = carton.name
		layout = frappe.get_all(LAYOUT, filters={"enabled": 1}, fields=["*"], limit=1)[0]
		w.layout = {
			k: v
			for k, v in layout.items()
			if k not in ("name", "owner", "creation", "modified", "modified_by", "idx", "docstatus")
			and not k.startswith("_")
		}
		w.layout["is_default"] = 0
		# A draft count at each warehouse with two of its codes scanned; at the main warehouse also a
		# code sold to the other customer and one bought from the other supplier.
		for tag, place, codes in (
			("main", MAIN, [*w.main[:2], w.sold_away[0], w.bought_away[0]]),
			("shop", SHOP, w.shop[:2]),
		):
			w.counts[tag] = _count(frappe, place, PHONE)
			count_scanning.scan(w.counts[tag], "\n".join(codes))
			w.scans[tag] = frappe.get_all(
				SCAN, filters={"serial_count": w.counts[tag], "code": codes[0]}, pluck="name"
			)[0]
		for tag, code in (("sold away", w.sold_away[0]), ("bought away", w.bought_away[0])):
			w.scans[tag] = frappe.get_all(
				SCAN, filters={"serial_count": w.counts["main"], "code": code}, pluck="name"
			)[0]
		for n, (key, *_rest) in enumerate(PRINCIPALS):
			spares = {"delete": f"{prefix}D{n}", "correct": f"{prefix}C{n}"}
			in_stock_registration.register(PHONE, MAIN, "\n".join(spares.values()))
			# Counts of the principal's own: one to scan into (the main warehouse's phones, with a
			# unit of the shop scanned: misplaced), one to post, one posted to cancel, one to delete.
			spares["count"] = _count(frappe, MAIN, PHONE)
			count_scanning.scan(spares["count"], w.shop[1])
			spares["count_post"] = _count(frappe, MAIN, COUNTED)
			spares["count_cancel"] = _count(frappe, MAIN, COUNTED)
			frappe.get_doc(COUNT, spares["count_cancel"]).submit()
			spares["count_delete"] = _count(frappe, MAIN, COUNTED)
			spares["carton"] = (
				frappe.get_doc({"doctype": CARTON, "carton_code": f"{prefix}KD{n}", "item_code": PHONE})
				.insert()
				.name
			)
			spares["layout"] = (
				frappe.get_doc({**w.layout, "doctype": LAYOUT, "layout_name": f"{prefix}LD{n}"}).insert().name
			)
			w.spares[key] = spares
			w.files[key] = _public_file(frappe, prefix, [[PHONE, "", MAIN, f"{prefix}I{n}", ""]])
		w.files["main"] = _public_file(frappe, prefix, [[PHONE, "", MAIN, w.main[0], ""]])
		w.files["shop"] = _public_file(frappe, prefix, [[PHONE, "", SHOP, w.shop[0], ""]])
		for tag, code in (("main", w.main[0]), ("shop", w.shop[0])):
			w.log_rows[tag] = frappe.get_all(LOG, filters={"serial_no": code}, pluck="name", limit=1)[0]
		for tag, voucher in (("sold away", sale.name), ("bought away", receipt.name)):
			w.log_rows[tag] = frappe.get_all(LOG, filters={"voucher_no": voucher}, pluck="name", limit=1)[0]
		frappe.db.commit()
		yield w
	finally:
		frappe.db.set_single_value(SETTINGS, "public_check", public_check)
		frappe.db.commit()
		_clean(frappe, w)


def _count(frappe, warehouse: str, item: str) -> str:
	"""A draft Serial Count of one item at the warehouse."""
	doc = frappe.get_doc({"doctype": COUNT, "warehouse": warehouse, "items": [{"item_code": item}]})
	return doc.insert().name


def _public_file(frappe, prefix: str, rows) -> str:
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{prefix}{secrets.token_hex(3)}.xlsx",
			"is_private": 0,
			"content": _xlsx(rows),
		}
	).insert(ignore_permissions=True)
	return file.file_url


#: The stock documents that may hold the test's item, as (doctype, row doctype).
DOCUMENTS = (
	("Sales Invoice", "Sales Invoice Item"),
	("Delivery Note", "Delivery Note Item"),
	("Purchase Invoice", "Purchase Invoice Item"),
	("Purchase Receipt", "Purchase Receipt Item"),
	("Stock Entry", "Stock Entry Detail"),
)


def _retried(frappe, step) -> None:
	"""``step`` committed, tried again after a deadlock or lock wait with another test of the site."""
	for attempt in range(3):
		try:
			step()
			frappe.db.commit()
			return
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			frappe.db.rollback()
			if attempt == 2:
				raise


def _clean(frappe, w: World | None = None) -> None:
	"""Everything of the test's item removed (a run stopped half-way included): its submitted
	documents cancelled latest first, its serials, log rows and cartons deleted; and the layouts,
	files, users' traces the run made."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	# the counts of the test's items (each counts one of them), posted ones cancelled latest first
	counts = frappe.get_all(
		COUNT,
		filters=[["Serial Count Item", "item_code", "in", [PHONE, COUNTED]]],
		fields=["name", "docstatus", "modified"],
		order_by="modified desc",
		distinct=True,
	)
	for count in counts:
		if count.docstatus == 1:
			_retried(frappe, lambda name=count.name: frappe.get_doc(COUNT, name).cancel())
	for count in counts:
		_retried(frappe, lambda name=count.name: frappe.delete_doc(COUNT, name, force=True))
		for doctype, column in (("Version", "docname"), ("Deleted Document", "deleted_name")):
			frappe.db.delete(doctype, {column: count.name})
	for name in frappe.get_all(CARTON, filters={"item_code": PHONE}, pluck="name"):
		_retried(frappe, lambda name=name: frappe.db.delete(CARTON, name))
	# serials no document moved (registered, corrected): their rows would block nothing, but go first
	moved = frappe.get_all(
		LOG, filters={"item_code": PHONE, "voucher_type": ("!=", "Item")}, pluck="serial_no"
	)
	_retried(
		frappe,
		lambda: frappe.db.delete(SERIAL, {"item_code": PHONE, "name": ("not in", moved or [""])}),
	)
	submitted = [
		(row.creation, doctype, row.name)
		for doctype, child in DOCUMENTS
		for row in frappe.get_all(
			doctype,
			filters=[[child, "item_code", "=", PHONE], [doctype, "docstatus", "=", 1]],
			fields=["name", "creation"],
			distinct=True,
		)
	]
	for _creation, doctype, name in sorted(submitted, reverse=True):
		_retried(frappe, lambda doctype=doctype, name=name: frappe.get_doc(doctype, name).cancel())
	_retried(frappe, lambda: frappe.db.delete(LOG, {"item_code": PHONE}))
	_retried(frappe, lambda: frappe.db.delete(SERIAL, {"item_code": PHONE}))
	_retried(frappe, lambda: frappe.db.delete(LAYOUT, {"name": ("like", "PM%-L%")}))
	if w:
		for url in {*w.made_files, *w.files.values()}:
			for name in frappe.get_all("File", filters={"file_url": url}, pluck="name"):
				frappe.delete_doc("File", name, ignore_permissions=True, force=True)
		for doctype, field in (("Version", "docname"), ("Deleted Document", "deleted_name")):
			frappe.db.delete(doctype, {field: ("like", f"{w.prefix}%")})
	frappe.db.commit()


@pytest.fixture(scope="module")
def principals(site):
	frappe = site
	clients = {}
	for key, _heading, roles, allow in PRINCIPALS:
		if roles is None:
			clients[key] = Client("Guest")
		else:
			clients[key] = _token_user(frappe, f"st-perm-{key}@example.com", roles, allow)
	yield clients
	for client in clients.values():
		if client.name != "Guest":
			frappe.db.delete("User Permission", {"user": client.name})
			frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


# --- calling and reading the answers --------------------------------------------------------------


@dataclass
class Answer:
	status: int
	text: str
	clean: bool  # a 4xx of Frappe's own errors, or a 2xx

	@property
	def ok(self) -> bool:
		return 200 <= self.status < 300


def _content_text(content: bytes) -> str:
	"""What a downloaded file says: every cell of an xlsx, the text of a PDF, else the text itself."""
	if content[:2] == b"PK":
		from openpyxl import load_workbook

		book = load_workbook(io.BytesIO(content), read_only=True)
		return "\n".join(
			str(value)
			for sheet in book.worksheets
			for row in sheet.iter_rows(values_only=True)
			for value in row
			if value is not None
		)
	if content[:4] == b"%PDF":
		return subprocess.run(
			["pdftotext", "-", "-"], input=content, capture_output=True, check=True
		).stdout.decode()
	return content.decode("utf-8", "replace")


def _answer(client: Client, response: requests.Response, w: World) -> Answer:
	status = response.status_code
	kind = response.headers.get("content-type", "")
	if "json" not in kind:
		return Answer(status, _content_text(response.content), status < 500)
	body = response.json()
	text = response.text
	if 200 <= status < 300:
		message = body.get("message")
		if isinstance(message, dict) and isinstance(message.get("file_url"), str):
			w.made_files.append(message["file_url"])
			text += "\n" + _content_text(client.download(message["file_url"]).content)
		return Answer(status, text, True)
	exception = body.get("exception") or f"frappe.exceptions.{body.get('exc_type')}"
	clean = 400 <= status < 500 and exception.startswith(("frappe.exceptions.", "serial_tracking.messages."))
	return Answer(status, text, clean)


def method(path: str, /, **args):
	return ("method", path, args)


def resource(verb: str, doctype: str, name: str | None = None, body=None, **params):
	return ("resource", verb, doctype, name, body, params)


def report(name: str, filters: dict, export: bool = False):
	return ("report", name, filters, export)


def typed(call, code: str):
	"""A call sending a code of the other warehouse as the user typed it: its answer may repeat the
	code, and must say nothing more of it (where it is)."""
	return ("typed", code, call)


def other(call, wall: str = "warehouse"):
	"""A call about what is behind ``wall`` itself (the other warehouse's serial, document or row; the
	other customer's sale; the other supplier's receipt): refused to a user behind that wall."""
	return ("other", wall, call)


def about_wall(call, key: str) -> bool:
	"""Whether ``call`` asks principal ``key`` about what is behind its wall (for a principal behind
	no wall: about anything another is kept from)."""
	return call[0] == "other" and WALLS.get(key, call[1]) == call[1]


def _call(client: Client, call, w: World) -> Answer:
	session = client.session
	if call[0] == "other":
		return _call(client, call[2], w)
	if call[0] == "typed":
		answer = _call(client, call[2], w)
		answer.text = answer.text.replace(call[1], "")
		return answer
	if call[0] == "method":
		response = client.post(call[1], **call[2])
	elif call[0] == "resource":
		_kind, verb, doctype, name, body, params = call
		path = f"{URL}/api/resource/{doctype}" + (f"/{name}" if name else "")
		params = {k: json.dumps(v) if not isinstance(v, str | int) else v for k, v in params.items()}
		response = session.request(verb, path, params=params, json=body, timeout=120)
	elif call[0] == "form":
		response = session.post(f"{URL}/api/method/{call[1]}", data=call[2], timeout=120)
	else:
		_kind, name, filters, export = call
		if export:
			response = session.post(
				f"{URL}/api/method/frappe.desk.query_report.export_query",
				data={
					"report_name": name,
					"filters": json.dumps(filters),
					"file_format_type": "CSV",
					# as Desk sends it: the rows shown
					"visible_idx": json.dumps(list(range(1000))),
				},
				timeout=120,
			)
		else:
			response = client.post("frappe.desk.query_report.run", report_name=name, filters=filters)
	return _answer(client, response, w)


def _unsaved(doctype: str, warehouse: str, party: str | None = None) -> tuple[dict, str]:
	"""A new document of one PHONE row as Desk holds it before its first save, and the row's name;
	``party``: its customer or supplier, if not the first."""
	slug = doctype.lower().replace(" ", "-")
	if doctype == "Delivery Note":
		party = {"customer": party or factory.CUSTOMER}
	else:
		party = {"supplier": party or factory.SUPPLIER}
	row = f"new-{slug}-item-1"
	return (
		{
			"doctype": doctype,
			"name": f"new-{slug}-1",
			"__islocal": 1,
			"__unsaved": 1,
			"docstatus": 0,
			"company": COMPANY,
			"set_posting_time": 0,
			**party,
			"items": [
				{
					"doctype": f"{doctype} Item",
					"name": row,
					"__islocal": 1,
					"idx": 1,
					"item_code": PHONE,
					"qty": 1,
					"stock_qty": 1,
					"uom": "Nos",
					"stock_uom": "Nos",
					"conversion_factor": 1,
					"rate": 100,
					"warehouse": warehouse,
				}
			],
		},
		row,
	)


# --- the rows of the matrix: what each principal is asked to do ------------------------------------
#
# Each row: (label, scoped, calls(w, key, n)). A scoped row asks about what is on both sides of each
# wall (both warehouses, both customers, both suppliers): its answers are read for what is behind the
# principal's wall, and a principal who sees none of it while being refused or answered without it
# reads "own warehouse only" ("own customer only", "own supplier only"). A row scoped behind some
# walls only names them (a set); behind the others it reads "yes".


def _dialog(api: str, doctype: str, warehouse: str, party: str | None = None, **args):
	doc, row = _unsaved(doctype, warehouse, party)
	return method(api, doc=doc, row=row, **args)


def _report_view(doctype: str, fields: list[str], filters: list, export: bool = False):
	"""Desk's report view of a doctype (``frappe.desk.reportview.get``), or its export as CSV."""
	args = {
		"doctype": doctype,
		"fields": json.dumps([f"`tab{doctype}`.`{f}`" for f in fields]),
		"filters": json.dumps(filters),
	}
	if export:
		return ("form", "frappe.desk.reportview.export_query", {**args, "file_format_type": "CSV"})
	return ("form", "frappe.desk.reportview.get", {**args, "page_length": 500})


def _search(doctype: str, txt: str, fields: list[str]):
	"""Frappe's link search, asked (as any user may ask it) to ignore User Permissions and to return
	columns of the rows it finds."""
	return method(
		"frappe.desk.search.search_widget",
		doctype=doctype,
		txt=txt,
		filter_fields=json.dumps(fields),
		as_dict=1,
		ignore_user_permissions=1,
	)


def _print(doctype: str, name: str):
	return method(
		"frappe.www.printview.get_html_and_style",
		doc=doctype,
		name=name,
		print_format=f"{doctype} with SN codes",
	)


def _methods(w: World, k: str, n: int) -> dict:
	"""Per whitelisted method (by name, for those of ``serial_tracking.api``): whether it is scoped,
	and the calls made."""
	like = f"{w.prefix}*"
	pr_main, pr_shop = w.docs[("Purchase Receipt", "main")], w.docs[("Purchase Receipt", "shop")]
	# the sale to the other customer, the receipt from the other supplier, and a code of each
	dn_away, pr_away = w.docs[("Delivery Note", "away")], w.docs[("Purchase Receipt", "away")]
	sold, bought = w.sold_away[0], w.bought_away[0]
	return {
		"parse_codes": (False, [method("parse_codes", text=f"{w.main[0]}\n{w.main[1]}", item_code=PHONE)]),
		"generate_codes": (False, [method("generate_codes", count=3, prefix=f"{w.prefix}G")]),
		# nothing of the other customer's is in stock
		"in_stock": (
			{"warehouse", "supplier"},
			[
				method("in_stock", item_code=PHONE, warehouse=MAIN),
				other(method("in_stock", item_code=PHONE, warehouse=SHOP)),
			],
		),
		"history": (
			True,
			[
				method("history", serial_no=w.main[0]),
				other(method("history", serial_no=w.shop[0])),
				# sold at the shop: its movements through the shop are not shown
				method("history", serial_no=w.shop[2]),
				other(method("history", serial_no=sold), "customer"),
				other(method("history", serial_no=bought), "supplier"),
			],
		),
		# quantities per warehouse the user may read, of every unit there whoever supplied it
		"item_stock": ({"warehouse"}, [method("item_stock", item_code=PHONE)]),
		# the units to pick at a warehouse
		"stock_units": (
			{"warehouse", "supplier"},
			[
				method("stock_units", item_code=PHONE, warehouse=MAIN),
				other(method("stock_units", item_code=PHONE, warehouse=SHOP)),
			],
		),
		# what registering would say, nothing written
		"check_registration": (
			True,
			[
				method("check_registration", item_code=PHONE, warehouse=MAIN, text=f"{w.prefix}C{n}"),
				other(method("check_registration", item_code=PHONE, warehouse=SHOP, text=f"{w.prefix}C{n}")),
				typed(
					method("check_registration", item_code=PHONE, warehouse=MAIN, text=w.shop[0]), w.shop[0]
				),
			],
		),
		"register_serials": (
			False,
			[method("register_serials", item_code=PHONE, warehouse=MAIN, codes=f"{w.prefix}R{n}")],
		),
		"set_tracking": (False, [method("set_tracking", items=[PHONE], enable=1)]),
		"convert_from_erpnext_serials": (False, [method("convert_from_erpnext_serials", items=[PHONE])]),
		"check_consistency": (False, [method("check_consistency", item_code=PHONE)]),
		"search_serials": (True, [method("search_serials", filters={"serial_no": like})]),
		"export_serials": (
			True,
			[
				method("export_serials", filters={"serial_no": like}, format="csv"),
				method("export_serials", filters={"serial_no": like}, format="xlsx"),
			],
		),
		"trace": (
			True,
			[
				method("trace", serial_no=w.main[0]),
				other(method("trace", serial_no=w.shop[0])),
				method("trace", serial_no=w.shop[2]),
				method("trace", voucher_type="Purchase Receipt", voucher_no=pr_main),
				other(method("trace", voucher_type="Purchase Receipt", voucher_no=pr_shop)),
				method("trace", supplier=factory.SUPPLIER),
				other(method("trace", serial_no=sold), "customer"),
				other(method("trace", voucher_type="Delivery Note", voucher_no=dn_away), "customer"),
				other(method("trace", serial_no=bought), "supplier"),
				other(method("trace", voucher_type="Purchase Receipt", voucher_no=pr_away), "supplier"),
				other(method("trace", supplier=factory.SUPPLIER2), "supplier"),
			],
		),
		# what an after-sales form (Warranty Claim, Maintenance Visit) fills from a unit it may read
		"sn_code_details": (
			True,
			[
				method("sn_code_details", sn_code=w.main[0]),
				other(method("sn_code_details", sn_code=w.shop[0])),
				method("sn_code_details", sn_code=w.shop[2]),
				other(method("sn_code_details", sn_code=sold), "customer"),
				other(method("sn_code_details", sn_code=bought), "supplier"),
			],
		),
		"print_labels": (
			True,
			[
				method("print_labels", codes=[w.main[0]], format="zpl"),
				other(method("print_labels", codes=[w.shop[0]], format="zpl")),
				method("print_labels", filters={"serial_no": like}, format="zpl"),
				method("print_labels", filters={"serial_no": like}, format="pdf"),
				other(
					method("print_labels", voucher_type="Purchase Receipt", voucher_no=pr_shop, format="zpl")
				),
				other(method("print_labels", codes=[sold], format="zpl"), "customer"),
				other(method("print_labels", voucher_type="Delivery Note", voucher_no=dn_away), "customer"),
				other(method("print_labels", codes=[bought], format="zpl"), "supplier"),
				other(
					method("print_labels", voucher_type="Purchase Receipt", voucher_no=pr_away), "supplier"
				),
			],
		),
		"count_labels": (
			True,
			[
				method("count_labels", filters={"serial_no": like}),
				method("count_labels", voucher_type="Purchase Receipt", voucher_no=pr_main),
				other(method("count_labels", voucher_type="Purchase Receipt", voucher_no=pr_shop)),
				other(method("count_labels", voucher_type="Delivery Note", voucher_no=dn_away), "customer"),
				other(
					method("count_labels", voucher_type="Purchase Receipt", voucher_no=pr_away), "supplier"
				),
			],
		),
		# after-sales stock: a claim's or a visit's writer (ERPNext's Maintenance User) who makes Stock
		# Entries; none of the principals writes claims or visits, so the role check refuses them first
		"replace_unit": (
			False,
			[
				method(
					"replace_unit", claim="SER-WRN-NONE", new_code=w.main[0], warehouse=MAIN, faulty_code=sold
				)
			],
		),
		"fit_parts": (
			False,
			[
				method(
					"fit_parts", visit="MAT-MVS-NONE", unit_code=sold, part_codes=[w.main[0]], warehouse=MAIN
				)
			],
		),
		"correct_code": (
			False,
			[method("correct_code", serial_no=w.spares[k]["correct"], new_code=f"{w.spares[k]['correct']}X")],
		),
		"check_row": (
			True,
			[
				_dialog("check_row", "Delivery Note", MAIN, text=w.main[0]),
				other(_dialog("check_row", "Delivery Note", SHOP, text=w.shop[0])),
				typed(_dialog("check_row", "Delivery Note", MAIN, text=w.shop[0]), w.shop[0]),
				# sold to the other customer: by a document named only to those who may read it
				typed(_dialog("check_row", "Delivery Note", MAIN, text=sold), sold),
				other(
					_dialog("check_row", "Delivery Note", MAIN, factory.CUSTOMER2, text=w.main[0]), "customer"
				),
				other(
					_dialog("check_row", "Purchase Receipt", MAIN, factory.SUPPLIER2, text=bought), "supplier"
				),
			],
		),
		# a scan into the document's own Scan Barcode field: as the SN dialog's live check
		"scan_into_document": (
			True,
			[
				_dialog("scan_into_document", "Delivery Note", MAIN, scan=w.main[0]),
				other(_dialog("scan_into_document", "Delivery Note", SHOP, scan=w.shop[0])),
				typed(_dialog("scan_into_document", "Delivery Note", MAIN, scan=w.shop[0]), w.shop[0]),
				typed(_dialog("scan_into_document", "Delivery Note", MAIN, scan=sold), sold),
				other(
					_dialog("scan_into_document", "Delivery Note", MAIN, factory.CUSTOMER2, scan=w.main[0]),
					"customer",
				),
				other(
					_dialog("scan_into_document", "Purchase Receipt", MAIN, factory.SUPPLIER2, scan=bought),
					"supplier",
				),
			],
		),
		"read_scan": (
			{"warehouse", "supplier"},
			[
				_dialog("read_scan", "Delivery Note", MAIN, scan=w.cartons["main"]),
				other(_dialog("read_scan", "Delivery Note", SHOP, scan=w.cartons["shop"])),
				# the shop's carton on a row of the main warehouse: none of its units, nor where they are
				_dialog("read_scan", "Delivery Note", MAIN, scan=w.cartons["shop"]),
				# the carton of the other supplier's receipt: none of its units
				typed(_dialog("read_scan", "Delivery Note", MAIN, scan=w.cartons["away"]), w.cartons["away"]),
			],
		),
		"import_template": (False, [method("import_template")]),
		"import_serials": (False, [method("import_serials", file_url=w.files[k])]),
		"read_import": (
			True,
			[
				_dialog("read_import", "Purchase Receipt", MAIN, file_url=w.files["main"]),
				other(_dialog("read_import", "Purchase Receipt", SHOP, file_url=w.files["shop"])),
				other(
					_dialog(
						"read_import", "Purchase Receipt", MAIN, factory.SUPPLIER2, file_url=w.files["main"]
					),
					"supplier",
				),
			],
		),
		"find_serial": (
			{"warehouse", "supplier"},
			[
				method("find_serial", code=w.main[0], warehouse=MAIN),
				other(method("find_serial", code=w.shop[0], warehouse=SHOP)),
				method("find_serial", code=w.shop[0], warehouse=MAIN),
				# held here, bought from the other supplier: found only by those who may read it
				method("find_serial", code=bought, warehouse=MAIN),
			],
		),
		"is_tracked": (False, [method("is_tracked", item_code=PHONE)]),
		# public: a unit sold at each warehouse, one in stock, one sold to the other customer
		"check_authenticity": (
			False,
			[
				method("check_authenticity", code=w.main[2]),
				method("check_authenticity", code=w.shop[2]),
				method("check_authenticity", code=w.main[0]),
				method("check_authenticity", code=sold),
			],
		),
		"cancel_plan": (
			True,
			[
				method("cancel_plan", voucher_type="Purchase Receipt", voucher_no=pr_main),
				other(method("cancel_plan", voucher_type="Purchase Receipt", voucher_no=pr_shop)),
				other(method("cancel_plan", voucher_type="Delivery Note", voucher_no=dn_away), "customer"),
				other(method("cancel_plan", voucher_type="Purchase Receipt", voucher_no=pr_away), "supplier"),
			],
		),
		# Asked on each refresh of a submitted document's form, instead of the plan: no codes in the
		# answer (the shop's document is refused to a user of the main warehouse).
		"cancel_blocked": (
			False,
			[
				method("cancel_blocked", voucher_type="Purchase Receipt", voucher_no=pr_main),
				other(method("cancel_blocked", voucher_type="Purchase Receipt", voucher_no=pr_shop)),
			],
		),
		# No chain cancelled in the background: nothing to report, to those who may read the document.
		"cancel_chain_status": (
			False,
			[
				method("cancel_chain_status", voucher_type="Purchase Receipt", voucher_no=pr_main),
				other(method("cancel_chain_status", voucher_type="Purchase Receipt", voucher_no=pr_shop)),
			],
		),
		# A confirmation of no plan: refused, nothing cancelled, by every principal who may call it.
		"cancel_chain": (
			False,
			[method("cancel_chain", voucher_type="Purchase Receipt", voucher_no=pr_main, confirm="stale")],
		),
		# Into the principal's own count of the main warehouse: a unit of it, and a unit of the shop
		# (misplaced: where it is, only to those who may read the shop); into the shop's count.
		"count_scan": (
			True,
			[
				method("count_scan", count=w.spares[k]["count"], text=w.main[0]),
				typed(method("count_scan", count=w.spares[k]["count"], text=w.shop[0]), w.shop[0]),
				other(method("count_scan", count=w.counts["shop"], text=w.shop[2])),
				# a unit sold to the other customer, one bought from the other supplier: what each is,
				# only to those who may read it
				typed(method("count_scan", count=w.spares[k]["count"], text=sold), sold),
				typed(method("count_scan", count=w.spares[k]["count"], text=bought), bought),
			],
		),
		"count_summary": (
			True,
			[
				method("count_summary", count=w.counts["main"]),
				other(method("count_summary", count=w.counts["shop"])),
				# the codes of the shop scanned into the principal's count are listed, not where they are
				typed(
					typed(
						typed(
							typed(method("count_summary", count=w.spares[k]["count"]), w.shop[0]), w.shop[1]
						),
						sold,
					),
					bought,
				),
			],
		),
		"count_unscan": (
			{"warehouse"},
			[
				typed(method("count_unscan", count=w.spares[k]["count"], code=w.shop[0]), w.shop[0]),
				other(method("count_unscan", count=w.counts["shop"], code=w.shop[2])),
			],
		),
		# the scans of a count by kind, as its summary lists them
		"count_scans": (
			True,
			[
				method("count_scans", count=w.counts["main"]),
				other(method("count_scans", count=w.counts["shop"])),
				typed(
					typed(
						typed(typed(method("count_scans", count=w.spares[k]["count"]), w.shop[0]), w.shop[1]),
						sold,
					),
					bought,
				),
			],
		),
		"count_remove_scans": (
			{"warehouse"},
			[
				typed(method("count_remove_scans", count=w.spares[k]["count"], codes=w.shop[0]), w.shop[0]),
				other(method("count_remove_scans", count=w.counts["shop"], codes=w.shop[2])),
			],
		),
		# what posting would do: warehouses misplaced units come from, only those the user may read
		"count_preview": (
			True,
			[
				method("count_preview", count=w.counts["main"]),
				other(method("count_preview", count=w.counts["shop"])),
				method("count_preview", count=w.spares[k]["count"]),
			],
		),
		"post_count": (False, [method("post_count", count=w.spares[k]["count_post"])]),
		"cancel_count": (False, [method("cancel_count", count=w.spares[k]["count_cancel"])]),
		"search_serial_link": (
			True,
			[
				method("search_serial_link", txt=w.prefix, page_len=100),
				method("search_serial_link", txt=w.prefix, page_len=100, ignore_user_permissions=1),
			],
		),
		"search_walled": (
			{"supplier"},
			[method("search_walled", doctype=CARTON, txt=w.prefix, page_len=100, ignore_user_permissions=1)],
		),
	}


def _others(w: World, k: str, n: int) -> dict:
	"""The reports, print formats and doctypes of the app, and Frappe's own ways of reading serials."""
	like = [["name", "like", f"{w.prefix}%"]]
	sold, bought = w.sold_away[0], w.bought_away[0]
	#: The documents of the other customer and supplier, by doctype, and the wall they are behind.
	away = {"Delivery Note": "customer", "Purchase Receipt": "supplier"}
	prints = {
		f"{doctype} with SN codes (print format)": (
			{"warehouse", away[doctype]} if doctype in away else True,
			[
				_print(doctype, w.docs[(doctype, "main")]),
				other(_print(doctype, w.docs[(doctype, "shop")])),
				*(
					[other(_print(doctype, w.docs[(doctype, "away")]), away[doctype])]
					if doctype in away
					else []
				),
			],
		)
		for doctype in ("Delivery Note", "Sales Invoice", "Purchase Receipt", "Purchase Invoice")
	}
	log_like = [["serial_no", "like", f"{w.prefix}%"]]
	log_fields = ["serial_no", "from_warehouse", "to_warehouse", "party", "voucher_no"]
	s = w.spares[k]
	return {
		"Serial Number Search (report): run": (
			True,
			[report("Serial Number Search", {"serial_no": f"{w.prefix}*"})],
		),
		"Serial Number Search (report): export": (
			True,
			[report("Serial Number Search", {"serial_no": f"{w.prefix}*"}, export=True)],
		),
		"Serial Traceability (report): run": (
			True,
			[
				report("Serial Traceability", {"serial_no": w.main[0]}),
				report("Serial Traceability", {"serial_no": w.shop[0]}),
				report("Serial Traceability", {"supplier": factory.SUPPLIER, "recall": 1}),
				other(
					report(
						"Serial Traceability",
						{
							"voucher_type": "Purchase Receipt",
							"voucher_no": w.docs[("Purchase Receipt", "shop")],
						},
					)
				),
				other(report("Serial Traceability", {"serial_no": sold}), "customer"),
				other(
					report(
						"Serial Traceability",
						{"voucher_type": "Delivery Note", "voucher_no": w.docs[("Delivery Note", "away")]},
					),
					"customer",
				),
				other(report("Serial Traceability", {"serial_no": bought}), "supplier"),
				other(
					report("Serial Traceability", {"supplier": factory.SUPPLIER2, "recall": 1}), "supplier"
				),
			],
		),
		"Serial Traceability (report): export": (
			True,
			[
				report("Serial Traceability", {"serial_no": w.main[0]}, export=True),
				report("Serial Traceability", {"serial_no": w.shop[0]}, export=True),
			],
		),
		**prints,
		f"{SERIAL}: list": (
			True,
			[resource("GET", SERIAL, filters=like, fields=["name", "warehouse"], limit_page_length=0)],
		),
		f"{SERIAL}: get": (
			True,
			[
				resource("GET", SERIAL, w.main[0]),
				other(resource("GET", SERIAL, w.shop[0])),
				other(resource("GET", SERIAL, sold), "customer"),
				other(resource("GET", SERIAL, bought), "supplier"),
			],
		),
		f"{SERIAL}: print (Desk)": (
			True,
			[
				method("frappe.www.printview.get_html_and_style", doc=SERIAL, name=w.main[0]),
				other(method("frappe.www.printview.get_html_and_style", doc=SERIAL, name=w.shop[0])),
				other(method("frappe.www.printview.get_html_and_style", doc=SERIAL, name=sold), "customer"),
				other(method("frappe.www.printview.get_html_and_style", doc=SERIAL, name=bought), "supplier"),
			],
		),
		f"{SERIAL}: link search (Desk)": (
			True,
			[method("frappe.desk.search.search_link", doctype=SERIAL, txt=w.prefix, page_length=100)],
		),
		f"{SERIAL}: export (Desk list)": (
			True,
			[
				(
					"form",
					"frappe.desk.reportview.export_query",
					{
						"doctype": SERIAL,
						"file_format_type": "CSV",
						"fields": json.dumps([f"`tab{SERIAL}`.`name`", f"`tab{SERIAL}`.`warehouse`"]),
						"filters": json.dumps(like),
					},
				)
			],
		),
		f"{SERIAL}: report view (Desk)": (
			True,
			[_report_view(SERIAL, ["name", "warehouse", "customer", "supplier", "voucher_no"], like)],
		),
		f"{SERIAL}: create": (
			False,
			[
				resource(
					"POST",
					SERIAL,
					body={"serial_no": f"{w.prefix}H{n}", "item_code": PHONE, "warehouse": MAIN},
				)
			],
		),
		f"{SERIAL}: write": (False, [resource("PUT", SERIAL, s["delete"], body={})]),
		f"{SERIAL}: delete": (False, [resource("DELETE", SERIAL, s["delete"])]),
		f"{LOG}: list": (
			True,
			[
				resource(
					"GET",
					LOG,
					filters=log_like,
					fields=log_fields,
					limit_page_length=0,
				)
			],
		),
		f"{LOG}: get": (
			True,
			[
				resource("GET", LOG, w.log_rows["main"]),
				other(resource("GET", LOG, w.log_rows["shop"])),
				other(resource("GET", LOG, w.log_rows["sold away"]), "customer"),
				other(resource("GET", LOG, w.log_rows["bought away"]), "supplier"),
			],
		),
		f"{LOG}: report view (Desk)": (True, [_report_view(LOG, log_fields, log_like)]),
		f"{LOG}: link search (Desk)": (
			True,
			[
				_search(LOG, w.log_rows[tag], log_fields)
				for tag in ("main", "shop", "sold away", "bought away")
			],
		),
		f"{LOG}: export (Desk list)": (True, [_report_view(LOG, log_fields, log_like, export=True)]),
		f"{LOG}: create": (
			False,
			[
				resource(
					"POST",
					LOG,
					body={
						"serial_no": w.main[0],
						"item_code": PHONE,
						"operation": "Receive",
						"to_warehouse": MAIN,
					},
				)
			],
		),
		f"{LOG}: write": (False, [resource("PUT", LOG, w.log_rows["main"], body={})]),
		f"{LOG}: delete": (False, [resource("DELETE", LOG, w.log_rows["main"])]),
		# A carton has no warehouse (any reader of cartons reads every carton); the one made by the other
		# supplier's receipt is that supplier's.
		f"{CARTON}: list": (
			{"supplier"},
			[resource("GET", CARTON, filters=like, fields=["name", "serial_count", "made_by_no"])],
		),
		f"{CARTON}: get": (
			{"supplier"},
			[
				resource("GET", CARTON, w.cartons["main"]),
				other(resource("GET", CARTON, w.cartons["away"]), "supplier"),
			],
		),
		f"{CARTON}: link search (Desk)": ({"supplier"}, [_search(CARTON, w.prefix, ["made_by_no"])]),
		f"{CARTON}: create": (
			False,
			[resource("POST", CARTON, body={"carton_code": f"{w.prefix}KN{n}", "item_code": PHONE})],
		),
		f"{CARTON}: write": (False, [resource("PUT", CARTON, s["carton"], body={})]),
		f"{CARTON}: delete": (False, [resource("DELETE", CARTON, s["carton"])]),
		f"{SETTINGS}: get": (False, [resource("GET", SETTINGS, SETTINGS)]),
		f"{SETTINGS}: write": (False, [resource("PUT", SETTINGS, SETTINGS, body={})]),
		f"{LAYOUT}: list": (False, [resource("GET", LAYOUT, filters=like)]),
		f"{LAYOUT}: get": (False, [resource("GET", LAYOUT, w.spares["guest"]["layout"])]),
		f"{LAYOUT}: create": (
			False,
			[resource("POST", LAYOUT, body={**w.layout, "layout_name": f"{w.prefix}LN{n}"})],
		),
		f"{LAYOUT}: write": (False, [resource("PUT", LAYOUT, s["layout"], body={})]),
		f"{LAYOUT}: delete": (False, [resource("DELETE", LAYOUT, s["layout"])]),
		f"{COUNT}: list": (
			{"warehouse"},
			[
				resource(
					"GET",
					COUNT,
					filters=[["name", "in", list(w.counts.values())]],
					fields=["name", "warehouse"],
					limit_page_length=0,
				)
			],
		),
		f"{COUNT}: get": (
			{"warehouse"},
			[resource("GET", COUNT, w.counts["main"]), other(resource("GET", COUNT, w.counts["shop"]))],
		),
		f"{COUNT}: link search (Desk)": (
			{"warehouse"},
			[_search(COUNT, w.counts[tag], ["warehouse"]) for tag in ("main", "shop")],
		),
		f"{COUNT}: create": (
			False,
			[resource("POST", COUNT, body={"warehouse": MAIN, "items": [{"item_code": COUNTED}]})],
		),
		f"{COUNT}: write": (False, [resource("PUT", COUNT, s["count"], body={})]),
		f"{COUNT}: delete": (False, [resource("DELETE", COUNT, s["count_delete"])]),
		# Scans are made by scanning (count_scan), never through the resource.
		f"{SCAN}: list": (
			True,
			[
				resource(
					"GET",
					SCAN,
					filters=[["serial_count", "in", list(w.counts.values())]],
					fields=["code", "serial_count"],
					limit_page_length=0,
				)
			],
		),
		f"{SCAN}: get": (
			True,
			[
				resource("GET", SCAN, w.scans["main"]),
				other(resource("GET", SCAN, w.scans["shop"])),
				other(resource("GET", SCAN, w.scans["sold away"]), "customer"),
				other(resource("GET", SCAN, w.scans["bought away"]), "supplier"),
			],
		),
		f"{SCAN}: link search (Desk)": (
			True,
			[
				_search(SCAN, w.scans[tag], ["code", "warehouse"])
				for tag in ("main", "shop", "sold away", "bought away")
			],
		),
		# The row documents lock to post one at a time: read by nobody over REST.
		"Serial Posting Turn: list": (False, [resource("GET", "Serial Posting Turn")]),
		"Serial Posting Turn: get": (False, [resource("GET", "Serial Posting Turn", "stock ledger")]),
	}


def method_name(path: str) -> str:
	"""The name a row of ``_methods`` has for a whitelisted method: its function's name for those of
	the api package, its whole path for any other."""
	return path.rsplit(".", 1)[1] if path.startswith("serial_tracking.api.") else path


def rows(w: World, k: str, n: int) -> dict:
	"""Every row of the matrix for principal ``k`` (the ``n``-th): label -> (scoped, calls)."""
	methods = _methods(w, k, n)
	out = {}
	for path in sorted(whitelisted_methods()):
		scoped, calls = methods[method_name(path)]
		out[f"`{path}`"] = (scoped, [_at(call, path) for call in calls])
	return {**out, **_others(w, k, n)}


def _at(call, path: str):
	"""A call of a whitelisted method of the app, made at the path it was found at."""
	if call[0] == "other":
		return ("other", call[1], _at(call[2], path))
	if call[0] == "typed":
		return ("typed", call[1], _at(call[2], path))
	if call[0] == "method" and "." not in call[1]:
		return ("method", path, call[2])
	return call


def cell(answers: list[tuple[bool, Answer]], scoped: bool, w: World, key: str) -> str:
	"""answers: (about what is behind principal ``key``'s wall itself, answer)."""
	if errors := sorted({a.status for _other, a in answers if a.status >= 500}):
		return "error ({})".format(", ".join(map(str, errors)))
	if not any(a.ok for _other, a in answers):
		return "no ({})".format(", ".join(map(str, sorted({a.status for _other, a in answers}))))
	if isinstance(scoped, set):
		# scoped behind some walls only
		scoped = key not in WALLS or WALLS[key] in scoped
	if not scoped or any(a.ok and (about or shows(a, w.secrets(key))) for about, a in answers):
		return "yes"
	if any(a.ok and shows(a, w.own) for _other, a in answers):
		return OWN[WALLS.get(key, "warehouse")]
	return NOWHERE


def shows(answer: Answer, markers: list[str]) -> bool:
	return any(marker in answer.text for marker in markers)


@dataclass
class Run:
	cells: dict  # row -> principal key -> cell
	answers: dict  # (row, principal key) -> [(about the other warehouse, Answer)]


@pytest.fixture(scope="module")
def run(world, principals) -> Run:
	cells, answers = {}, {}
	for n, (key, *_rest) in enumerate(PRINCIPALS):
		for label, (scoped, calls) in rows(world, key, n).items():
			got = [(about_wall(call, key), _call(principals[key], call, world)) for call in calls]
			answers[(label, key)] = got
			cells.setdefault(label, {})[key] = cell(got, scoped, world, key)
	if dump := os.environ.get("ST_MATRIX_DUMP"):
		pathlib.Path(dump).write_text(
			json.dumps(
				{
					f"{label} / {key}": [[a.status, a.text[:3000]] for _o, a in got]
					for (label, key), got in answers.items()
				},
				indent=1,
			)
		)
	return Run(cells, answers)


# --- the table --------------------------------------------------------------------------------------


def table(cells: dict) -> str:
	keys = [key for key, *_rest in PRINCIPALS]
	lines = [
		"| Method, report, print format or doctype action | " + " | ".join(HEADINGS[k] for k in keys) + " |",
		"|---|" + "---|" * len(keys),
	]
	lines += [f"| {label} | " + " | ".join(row[k] for k in keys) + " |" for label, row in cells.items()]
	return "\n".join(lines)


def parse_table(text: str) -> dict:
	"""The table between the markers of docs/permissions.md, as row -> principal key -> cell."""
	body = text.split(START, 1)[1].split(END, 1)[0] if START in text else ""
	lines = [line.strip() for line in body.splitlines() if line.strip().startswith("|")]
	if len(lines) < 2:
		return {}
	headings = [h.strip() for h in lines[0].strip("|").split("|")][1:]
	keys = {heading: key for key, heading in HEADINGS.items()}
	found = {}
	for line in lines[2:]:
		values = [v.strip() for v in line.strip("|").split("|")]
		found[values[0]] = {keys.get(h, h): v for h, v in zip(headings, values[1:], strict=False)}
	return found


def differences(documented: dict, measured: dict) -> list[str]:
	out = []
	for label in measured.keys() - documented.keys():
		out.append(f"{label}: not in docs/permissions.md")
	for label in documented.keys() - measured.keys():
		out.append(f"{label}: in docs/permissions.md, not in the code")
	for label in measured.keys() & documented.keys():
		for key, value in measured[label].items():
			if documented[label].get(key) != value:
				out.append(
					f"{label} / {HEADINGS[key]}: docs say {documented[label].get(key)!r}, the code does {value!r}"
				)
	return sorted(out)


# --- the tests --------------------------------------------------------------------------------------


def test_every_whitelisted_method_of_the_app_has_a_row(world):
	found = {method_name(path) for path in whitelisted_methods()}
	assert found, "no whitelisted method found: the code walk is broken"
	known = set(_methods(world, "guest", 0))
	assert sorted(found - known) == [], "whitelisted methods without a row in the matrix"
	assert sorted(known - found) == [], "rows of methods the app no longer has"


def test_every_doctype_report_and_print_format_of_the_app_has_rows(world):
	"""A child table (``istable``) is covered through its parent's rows: Frappe reads and writes its
	rows only with the parent document (a list of them asks for the parent's read permission), so
	it needs no rows of its own; its parent must have them."""
	module = APP / "serial_tracking"
	found = [
		json.loads(path.read_text())
		for kind in ("doctype", "report", "print_format")
		for path in module.glob(f"{kind}/*/*.json")
		if path.parent.name == path.stem
	]
	parents = {
		f["options"]: meta["name"]
		for meta in found
		for f in meta.get("fields", [])
		if f.get("fieldtype") in ("Table", "Table MultiSelect")
	}
	names = {
		parents.get(meta["name"], meta["name"]) if meta.get("istable") else meta["name"] for meta in found
	}
	labels = " ".join(_others(world, "guest", 0))
	assert sorted(name for name in names if name not in labels) == []


def test_no_answer_is_a_server_error_and_every_refusal_is_frappes_own(run):
	bad = [
		f"{label} / {HEADINGS[key]}: {a.status} {a.text[:300]}"
		for (label, key), answers in run.answers.items()
		for _about, a in answers
		if not a.clean
	]
	assert bad == []


@pytest.mark.parametrize("key", list(WALLS))
def test_a_restricted_user_reads_nothing_behind_its_wall(run, world, key):
	"""No method, report, export, print or label shows a user of one warehouse a code held at the
	other or a movement through it, a user of one customer a code sold to the other or that sale, a
	user of one supplier a code bought from the other or that receipt; and every call about what is
	behind the wall itself is refused."""
	leaks = [
		f"{label}: {'answered about what is behind the wall' if about else 'shows ' + repr(secret)}: {a.text[:300]}"
		for (label, principal), answers in run.answers.items()
		if principal == key
		for about, a in answers
		if a.ok
		for secret in ([None] if about else [s for s in world.secrets(key) if s in a.text])
	]
	assert leaks == []


def test_the_table_in_the_docs_is_the_code(run):
	measured = table(run.cells)
	text = DOCS.read_text() if DOCS.exists() else ""
	if os.environ.get("ST_WRITE_PERMISSIONS") == "1":
		if START not in text:
			text = f"# Permissions\n\n{START}\n{END}\n"
		head, rest = text.split(START, 1)
		DOCS.write_text(f"{head}{START}\n{measured}\n{END}{rest.split(END, 1)[1]}")
		return
	assert differences(parse_table(text), run.cells) == [], (
		"docs/permissions.md and the code disagree; fix the code, or rerun with ST_WRITE_PERMISSIONS=1"
	)
