"""Hostile input (tests/hostile/corpus.py) over real HTTP to every whitelisted method and document
that takes codes, filters or files.

For every (input, target): the answer is a 4xx with a human message (one of Frappe's or the app's
errors, no traceback, the input's markup not echoed raw) or the input is stored exactly as given
(codes split at separators and full-width folded, as docs/decisions.md promises); a refusal leaves
no Serial Number, log row, carton, document or file behind; no 500. Then what was stored is shown
escaped in print formats and labels, and never a formula in the xlsx export.
"""

import io
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from serial_tracking.core.codes import fold, key, split
from tests.hostile import corpus
from tests.integration import factory
from tests.rest.conftest import REFUSALS, URL, message

ITEM = "ST-HOSTILE"
SERIAL = "Serial Number"
LOG = "Serial Circulation Log"
CARTON = "Serial Carton"
COUNT = "Serial Count"
SCAN = "Serial Count Scan"
#: An SN-tracked item with no stock: the counts the test posts count it alone (posting one makes
#: no document).
COUNTED = "ST-HOSTILE-COUNTED"
#: Markup of the corpus that a message shown as HTML in Desk must never carry raw.
MARKUP = ("<img", "<script", "<svg")


# The site


@dataclass
class Context:
	"""The test's item, its stock, the codes it made and the documents to undo afterwards."""

	frappe: Any
	client: Any
	uid: str
	existing: str = ""
	corrected: str = ""
	made: list[tuple[str, str]] = field(default_factory=list)
	drafts: list[tuple[str, str]] = field(default_factory=list)
	count: int = 0
	#: A submitted document of the item (what a plan is asked for), the draft count scanned into,
	#: and every count the test made.
	receipt: str = ""
	scanned: str = ""
	serial_counts: list[str] = field(default_factory=list)

	def tag(self) -> str:
		self.count += 1
		return f"{self.uid}{self.count:03d}"

	def counts(self) -> dict[str, int]:
		frappe = self.frappe
		frappe.db.rollback()
		owner = self.client.name
		return {
			SERIAL: frappe.db.count(SERIAL, {"item_code": ITEM}),
			LOG: frappe.db.count(LOG, {"item_code": ITEM}),
			CARTON: frappe.db.count(CARTON, {"item_code": ITEM}),
			"File": frappe.db.count("File", {"owner": owner}),
			**{dt: frappe.db.count(dt, {"owner": owner}) for dt in DOCUMENTS},
			SCAN: frappe.db.count(SCAN, {"owner": owner}),
			f"{COUNT} posted": frappe.db.count(
				COUNT, {"name": ("in", self.serial_counts or [""]), "docstatus": ("!=", 0)}
			),
			"cancelled": frappe.db.count("Stock Entry", {"name": self.receipt, "docstatus": 2}),
		}

	def draft_count(self, item: str = ITEM) -> str:
		"""A new draft count of the item at the main warehouse, committed."""
		doc = self.frappe.get_doc(
			{"doctype": COUNT, "warehouse": factory.MAIN, "items": [{"item_code": item}]}
		).insert(ignore_permissions=True)
		self.frappe.db.commit()
		self.serial_counts.append(doc.name)
		return doc.name


DOCUMENTS = ("Purchase Receipt", "Delivery Note", "Stock Entry", "Stock Reconciliation")


@pytest.fixture(scope="module")
def ctx(site, users):
	frappe = site
	if not frappe.db.exists("Item", ITEM):
		factory.make_item(ITEM)
	frappe.db.set_value("Item", ITEM, "sn_tracking", 1)
	if not frappe.db.exists("Item", COUNTED):
		factory.make_item(COUNTED)
	stock = factory.stock_entry(
		"Material Receipt",
		[(ITEM, 200, None, None, factory.MAIN), (ITEM, 5, None, None, factory.SHOP)],
	)
	uid = secrets.token_hex(2).upper()
	context = Context(frappe, users["manager"], uid)
	context.existing = f"Twin{uid}-Abc-1"
	context.corrected = f"Fix{uid}-1"
	context.receipt = stock.name
	frappe.db.commit()
	context.scanned = context.draft_count()
	message(
		context.client.post(
			"serial_tracking.api.register_serials",
			item_code=ITEM,
			warehouse=factory.MAIN,
			codes=f"{context.existing}\n{context.corrected}",
		)
	)
	frappe.db.commit()
	yield context
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for name in reversed(context.serial_counts):
		if frappe.db.get_value(COUNT, name, "docstatus") == 1:
			frappe.get_doc(COUNT, name).cancel()
		# the count's scans go with it
		frappe.delete_doc(COUNT, name, force=True)
	for doctype, name in context.drafts:
		if frappe.db.get_value(doctype, name, "docstatus") == 0:
			frappe.delete_doc(doctype, name, force=True)
	for doctype, name in reversed(context.made):
		doc = frappe.get_doc(doctype, name)
		if doc.docstatus == 1:
			doc.cancel()
		elif doc.docstatus == 0:
			frappe.delete_doc(doctype, name, force=True)
		# A cancelled stock document stays, as ERPNext keeps it: its cancelled ledger entries name it,
		# and deleting the last of its series would hand its name to the next document made.
	for carton in frappe.get_all(CARTON, {"item_code": ITEM}, pluck="name"):
		frappe.delete_doc(CARTON, carton, force=True)
	frappe.db.delete(LOG, {"item_code": ITEM})
	frappe.db.delete(SERIAL, {"item_code": ITEM})
	frappe.db.delete("File", {"owner": context.client.name})
	stock.reload()
	stock.cancel()
	frappe.db.commit()


# Judging an answer


def server_messages(body: dict) -> list[str]:
	return [str(json.loads(m).get("message", "")) for m in json.loads(body.get("_server_messages") or "[]")]


def judge(response: requests.Response, value: Any) -> dict | None:
	"""The answer's body when accepted; None when refused as it should be; AssertionError otherwise."""
	status = response.status_code
	assert status < 500, f"{status}: {response.text[:600]}"
	try:
		body = response.json()
	except ValueError:
		raise AssertionError(f"{status}, not JSON: {response.text[:300]}") from None
	if 200 <= status < 300:
		return body
	assert 400 <= status < 500, f"{status}: {response.text[:600]}"
	exception = body.get("exception") or ""
	if not exception.startswith(REFUSALS):
		# Frappe answers some refusals (DoesNotExistError) with the message alone
		exception = f"frappe.exceptions.{body.get('exc_type')}: {exception}"
	assert exception.startswith(REFUSALS), f"{status} {exception}"
	assert body.get("exc_type") in _ERRORS, exception
	# the message shown: Frappe's messages, or the refusal's own text (Frappe's type checks)
	shown = server_messages(body) or [exception.split(": ", 1)[-1]]
	assert any(m.strip() for m in shown), f"{status} {exception}: no message"
	for text in [*shown, str(body.get("message") or ""), exception]:
		assert "Traceback" not in text, f"{status}: a traceback shown: {text[:600]}"
		for markup in MARKUP:
			assert markup not in text, f"{status}: markup shown raw: {text[:600]}"
	return None


#: The errors a refusal may be: Frappe's own and the app's, never a raw Python or database error.
_ERRORS = {
	name
	for module in (__import__("frappe").exceptions, __import__("serial_tracking.messages").messages)
	for name in dir(module)
	if name.endswith(("Error", "Exception"))
}


# Targets


@dataclass
class Target:
	name: str
	send: Callable[[Context, Any], requests.Response]
	#: Checks what an accepted input stored (read back); None for reads.
	stored: Callable[[Context, Any, dict], None] | None = None
	#: Takes free text (gets the 10 MB inputs).
	text: bool = True


def call(method: str, param: str, **fixed):
	def send(ctx: Context, value: Any) -> requests.Response:
		return ctx.client.post(f"serial_tracking.api.{method}", **{**fixed, param: value})

	return send


def unsaved(ctx: Context, doctype: str = "Purchase Receipt") -> dict:
	"""A new receipt of one unit of the item as Desk holds it before the first save."""
	return {
		"doctype": doctype,
		"name": "new-purchase-receipt-1",
		"__islocal": 1,
		"docstatus": 0,
		"company": factory.COMPANY,
		"supplier": factory.SUPPLIER,
		"items": [
			{
				"doctype": "Purchase Receipt Item",
				"name": "new-purchase-receipt-item-1",
				"__islocal": 1,
				"idx": 1,
				"item_code": ITEM,
				"qty": 1,
				"stock_qty": 1,
				"uom": "Nos",
				"stock_uom": "Nos",
				"conversion_factor": 1,
				"rate": 100,
				"warehouse": factory.MAIN,
			}
		],
	}


def on_draft(method: str, param: str, **fixed):
	def send(ctx: Context, value: Any) -> requests.Response:
		args = {"doc": unsaved(ctx), "row": "new-purchase-receipt-item-1", **fixed, param: value}
		return ctx.client.post(f"serial_tracking.api.{method}", **args)

	return send


def in_filter(method: str, name: str, **fixed):
	def send(ctx: Context, value: Any) -> requests.Response:
		return ctx.client.post(f"serial_tracking.api.{method}", filters={name: value}, **fixed)

	return send


def report(name: str, filter_name: str):
	def send(ctx: Context, value: Any) -> requests.Response:
		return ctx.client.post("frappe.desk.query_report.run", report_name=name, filters={filter_name: value})

	return send


def link_search(name: str, **fixed):
	"""Desk's search of a Link field to Serial Number (which the app answers)."""

	def send(ctx: Context, value: Any) -> requests.Response:
		return ctx.client.post("frappe.desk.search.search_link", doctype=SERIAL, **{**fixed, name: value})

	return send


def expected_codes(value: str) -> list[str]:
	"""The codes an accepted input stands for: split at separators, full-width folded."""
	return split(value)


def scanned(ctx: Context, value: Any, body: dict) -> None:
	"""An accepted scan: every code of the input answered (stored, or already scanned) or named in a
	problem; the scans it stored are those it answered as new, each a code of the input."""
	answer = body["message"]
	given = {key(code) for code in expected_codes(value)}
	answered = {key(r["code"]): r for r in answer["results"]}
	named = {key(p["code"]) for p in answer["problems"] if p.get("code")}
	assert set(answered) <= given, f"answered codes not given: {sorted(set(answered) - given)[:5]}"
	assert given <= set(answered) | named or answer["problems"], "codes neither answered nor refused"
	assert all(p["message"] for p in answer["problems"])
	ctx.frappe.db.rollback()
	new = {k for k, r in answered.items() if r["new"]}
	stored = ctx.frappe.get_all(
		SCAN,
		{"serial_count": ctx.scanned, "code": ("in", [r["code"] for r in answered.values()] or [""])},
		pluck="code",
	)
	assert {key(code) for code in stored} == set(answered), "answered codes not stored"
	if any(p["reason"] == "too_many" for p in answer["problems"]):
		assert not new, f"{len(new)} codes stored past the most per scan"


def posted(ctx: Context, value: Any, body: dict) -> None:
	"""A count posted with codes left aside: posted, and nothing made (it counts an item with no stock)."""
	ctx.frappe.db.rollback()
	name = body["message"]["count"]
	assert ctx.frappe.db.get_value(COUNT, name, "docstatus") == 1
	assert body["message"]["documents"] == []


def registered(ctx: Context, value: Any, body: dict) -> None:
	codes = expected_codes(value)
	ctx.frappe.db.rollback()
	assert body["message"]["registered"] == codes
	stored = ctx.frappe.get_all(SERIAL, {"name": ("in", codes)}, ["name", "item_code", "warehouse"])
	assert sorted(r.name for r in stored) == sorted(codes), stored
	assert {(r.item_code, r.warehouse) for r in stored} == {(ITEM, factory.MAIN)}


def made_by_hand(ctx: Context, value: Any, body: dict) -> None:
	code = fold(value.strip())
	ctx.frappe.db.rollback()
	assert body["data"]["name"] == code
	assert ctx.frappe.db.get_value(SERIAL, code, "name") == code


def carton_made(ctx: Context, value: Any, body: dict) -> None:
	code = fold(value.strip())
	ctx.frappe.db.rollback()
	assert body["data"]["name"] == code
	assert ctx.frappe.db.get_value(CARTON, code, "name") == code


def carton_packed(ctx: Context, value: Any, body: dict) -> None:
	ctx.frappe.db.rollback()
	packed = ctx.frappe.get_all(SERIAL, {"carton": body["data"]["name"]}, pluck="name")
	assert {c.upper() for c in packed} == {c.upper() for c in expected_codes(value)}


def corrected(ctx: Context, value: Any, body: dict) -> None:
	code = fold(value.strip())
	ctx.frappe.db.rollback()
	assert body["message"]["serial_no"] == code
	assert ctx.frappe.db.get_value(SERIAL, code, "name") == code
	ctx.corrected = code


def correct(ctx: Context, value: Any) -> requests.Response:
	return ctx.client.post("serial_tracking.api.correct_code", serial_no=ctx.corrected, new_code=value)


def by_hand(doctype: str, param: str, **fixed):
	def send(ctx: Context, value: Any) -> requests.Response:
		values = {"item_code": ITEM, **fixed, param: value}
		if doctype == SERIAL:
			values["warehouse"] = factory.MAIN
		if doctype == CARTON and param != "carton_code":
			values["carton_code"] = f"HC{ctx.tag()}"
		return ctx.client.session.post(f"{URL}/api/resource/{doctype}", json=values, timeout=120)

	return send


def document(doctype: str):
	"""Save a new document whose row carries ``value`` as its SN codes, then submit it."""

	def send(ctx: Context, value: Any) -> requests.Response:
		row = {"item_code": ITEM, "qty": 1, "rate": 100, "conversion_factor": 1, "sn_codes": value}
		values = {
			"doctype": doctype,
			"company": factory.COMPANY,
			"posting_date": ctx.frappe.utils.nowdate(),
			"set_posting_time": 1,
			"items": [row],
		}
		if doctype == "Stock Entry":
			values.update(purpose="Material Receipt", stock_entry_type="Material Receipt")
			row.update(t_warehouse=factory.MAIN, basic_rate=100)
		else:
			buying = doctype == "Purchase Receipt"
			values.update(
				{
					("supplier" if buying else "customer"): factory.SUPPLIER if buying else factory.CUSTOMER,
					"currency": "USD",
					("buying_price_list" if buying else "selling_price_list"): (
						"Standard Buying" if buying else "Standard Selling"
					),
				}
			)
			row["warehouse"] = factory.MAIN
		if isinstance(value, str):
			row["qty"] = max(len(expected_codes(value)), 1)
		session = ctx.client.session
		response = session.post(f"{URL}/api/resource/{doctype}", json=values, timeout=120)
		if not response.ok:
			return response
		name = response.json()["data"]["name"]
		ctx.drafts.append((doctype, name))
		saved = response.json()["data"]["items"][0].get("sn_codes") or ""
		assert saved == "\n".join(expected_codes(value)), f"saved as {saved!r}"
		before = ctx.counts()
		submitted = session.put(f"{URL}/api/resource/{doctype}/{name}", json={"docstatus": 1}, timeout=120)
		if not submitted.ok:
			judge(submitted, value)
			after = ctx.counts()
			assert after == before, f"submit refused, yet stored: {before} -> {after}"
			# A draft may lack codes (they are required at submit): it goes, so that the
			# caller's check sees the state from before the draft.
			ctx.frappe.db.rollback()
			ctx.frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			ctx.frappe.db.commit()
			ctx.drafts.remove((doctype, name))
			return submitted
		ctx.made.append((doctype, name))
		return submitted

	return send


def document_stored(ctx: Context, value: Any, body: dict) -> None:
	doc = body["data"]
	assert doc["docstatus"] == 1
	codes = expected_codes(value)
	assert (doc["items"][0].get("sn_codes") or "") == "\n".join(codes)
	ctx.frappe.db.rollback()
	moved = ctx.frappe.get_all(
		LOG, {"voucher_type": doc["doctype"], "voucher_no": doc["name"], "is_cancelled": 0}, pluck="serial_no"
	)
	assert {c.upper() for c in moved} == {c.upper() for c in codes}


TARGETS = [
	Target("parse_codes.text", call("parse_codes", "text")),
	Target("parse_codes.item_code", call("parse_codes", "item_code", text="A-1")),
	Target("generate_codes.prefix", call("generate_codes", "prefix", count=2)),
	Target("generate_codes.suffix", call("generate_codes", "suffix", count=2)),
	Target("generate_codes.count", call("generate_codes", "count")),
	Target("in_stock.item_code", call("in_stock", "item_code", warehouse=factory.MAIN)),
	Target("in_stock.warehouse", call("in_stock", "warehouse", item_code=ITEM)),
	Target("in_stock.limit", call("in_stock", "limit", item_code=ITEM, warehouse=factory.MAIN)),
	Target("history.serial_no", call("history", "serial_no")),
	Target("item_stock.item_code", call("item_stock", "item_code")),
	Target(
		"register_serials.codes",
		call("register_serials", "codes", item_code=ITEM, warehouse=factory.MAIN),
		registered,
	),
	Target(
		"register_serials.item_code",
		call("register_serials", "item_code", warehouse=factory.MAIN, codes="HX-1"),
	),
	Target("register_serials.warehouse", call("register_serials", "warehouse", item_code=ITEM, codes="HX-1")),
	Target("set_tracking.items", call("set_tracking", "items", enable=0)),
	Target("convert_from_erpnext_serials.items", call("convert_from_erpnext_serials", "items")),
	# each value as an item code of a list, read by the permission checks
	Target(
		"convert_from_erpnext_serials.items[]",
		lambda ctx, v: call("convert_from_erpnext_serials", "items")(ctx, json.dumps([v])),
	),
	# an item no one has: a value read as "no dry run" queues nothing
	Target(
		"convert_from_erpnext_serials.dry_run",
		call("convert_from_erpnext_serials", "dry_run", items=json.dumps(["ST-HOSTILE-NO-SUCH-ITEM"])),
	),
	Target("check_consistency.item_code", call("check_consistency", "item_code")),
	Target("check_row.text", on_draft("check_row", "text")),
	Target("check_row.doc", on_draft("check_row", "doc", text="A-1")),
	Target("check_row.row", on_draft("check_row", "row", text="A-1")),
	Target("read_scan.scan", on_draft("read_scan", "scan")),
	Target("read_scan.doc", on_draft("read_scan", "doc", scan="A-1")),
	Target("read_import.file_url", on_draft("read_import", "file_url")),
	Target("import_serials.file_url", call("import_serials", "file_url")),
	Target("correct_code.new_code", correct, corrected),
	# the new code is taken: the serial is looked up, never renamed
	Target(
		"correct_code.serial_no",
		lambda ctx, value: ctx.client.post(
			"serial_tracking.api.correct_code", serial_no=value, new_code=ctx.existing
		),
	),
	Target("print_labels.codes", call("print_labels", "codes")),
	Target("print_labels.filters", call("print_labels", "filters")),
	Target("print_labels.filters.serial_no", in_filter("print_labels", "serial_no")),
	Target("print_labels.voucher_no", call("print_labels", "voucher_no", voucher_type="Purchase Receipt")),
	Target("print_labels.layout", call("print_labels", "layout", codes="HX-1")),
	Target("print_labels.format", call("print_labels", "format", codes="HX-1")),
	Target("count_labels.codes", call("count_labels", "codes")),
	Target("count_labels.filters", call("count_labels", "filters")),
	Target("count_labels.filters.serial_no", in_filter("count_labels", "serial_no")),
	Target("count_labels.voucher_no", call("count_labels", "voucher_no", voucher_type="Purchase Receipt")),
	Target("count_labels.layout", call("count_labels", "layout", codes="HX-1")),
	Target("find_serial.code", call("find_serial", "code", warehouse=factory.MAIN)),
	Target("find_serial.warehouse", call("find_serial", "warehouse", code="HX-1")),
	Target("is_tracked.item_code", call("is_tracked", "item_code")),
	Target("trace.serial_no", call("trace", "serial_no")),
	Target("sn_code_details.sn_code", call("sn_code_details", "sn_code")),
	Target("sn_code_details.on", lambda ctx, v: call("sn_code_details", "on", sn_code=ctx.existing)(ctx, v)),
	Target("trace.voucher_no", call("trace", "voucher_no", voucher_type="Purchase Receipt")),
	Target("trace.voucher_type", call("trace", "voucher_type", voucher_no="X")),
	Target("trace.supplier", call("trace", "supplier")),
	Target("search_serials.filters", call("search_serials", "filters")),
	Target("search_serials.start", call("search_serials", "start")),
	Target("search_serials.serial_no", in_filter("search_serials", "serial_no")),
	Target("search_serials.item_code", in_filter("search_serials", "item_code")),
	Target("search_serials.warehouse", in_filter("search_serials", "warehouse")),
	Target("search_serials.status", in_filter("search_serials", "status")),
	Target("search_serials.customer", in_filter("search_serials", "customer")),
	Target("search_serials.carton", in_filter("search_serials", "carton")),
	Target("search_serials.from_date", in_filter("search_serials", "from_date")),
	Target("export_serials.serial_no", in_filter("export_serials", "serial_no")),
	Target("export_serials.format", call("export_serials", "format", filters={"item_code": ITEM})),
	Target("report.search.serial_no", report("Serial Number Search", "serial_no")),
	Target("report.traceability.serial_no", report("Serial Traceability", "serial_no")),
	Target("search_serial_link.txt", call("search_serial_link", "txt")),
	# every code's window (no text), so that the filters are applied
	Target("search_serial_link.filters", call("search_serial_link", "filters", txt="")),
	Target("search_serial_link.start", call("search_serial_link", "start", txt="H")),
	Target("search_link.txt", link_search("txt")),
	Target("cancel_plan.voucher_no", call("cancel_plan", "voucher_no", voucher_type="Stock Entry")),
	Target(
		"cancel_plan.voucher_type",
		lambda ctx, v: call("cancel_plan", "voucher_type", voucher_no=ctx.receipt)(ctx, v),
	),
	# no confirmation but the plan's own cancels anything
	Target(
		"cancel_chain.confirm",
		lambda ctx, v: call("cancel_chain", "confirm", voucher_type="Stock Entry", voucher_no=ctx.receipt)(
			ctx, v
		),
	),
	Target(
		"cancel_chain.voucher_no", call("cancel_chain", "voucher_no", voucher_type="Stock Entry", confirm="x")
	),
	Target("count_scan.text", lambda ctx, v: call("count_scan", "text", count=ctx.scanned)(ctx, v), scanned),
	Target("count_scan.count", call("count_scan", "count", text="HX-1")),
	Target("count_unscan.code", lambda ctx, v: call("count_unscan", "code", count=ctx.scanned)(ctx, v)),
	Target("count_summary.count", call("count_summary", "count")),
	Target("count_scans.kind", lambda ctx, v: call("count_scans", "kind", count=ctx.scanned)(ctx, v)),
	Target("count_preview.count", call("count_preview", "count")),
	Target(
		"count_remove_scans.codes",
		lambda ctx, v: call("count_remove_scans", "codes", count=ctx.scanned)(ctx, v),
	),
	Target(
		"count_remove_scans.kind",
		lambda ctx, v: call("count_remove_scans", "kind", count=ctx.scanned)(ctx, v),
	),
	# each input on a draft count of its own, which posting (the codes left out aside) makes nothing of
	Target(
		"post_count.leave",
		lambda ctx, v: call("post_count", "leave", count=ctx.draft_count(COUNTED))(ctx, v),
		posted,
	),
	Target("Serial Number.serial_no", by_hand(SERIAL, "serial_no"), made_by_hand),
	Target("Serial Carton.carton_code", by_hand(CARTON, "carton_code"), carton_made),
	Target("Serial Carton.add_codes", by_hand(CARTON, "add_codes"), carton_packed),
	Target("Purchase Receipt.sn_codes", document("Purchase Receipt"), document_stored),
	Target("Delivery Note.sn_codes", document("Delivery Note"), document_stored),
	Target("Stock Entry.sn_codes", document("Stock Entry"), document_stored),
]


def inputs(ctx: Context, target: Target) -> dict[str, Any]:
	values: dict[str, Any] = dict(corpus.texts(ctx.tag()))
	values.update(corpus.twins(ctx.existing))
	values.update({f"type-{k}": v for k, v in corpus.WRONG_TYPES.items()})
	values.update(corpus.DEEP_JSON)
	return values


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_every_input_is_refused_clearly_or_stored_exactly(ctx, target):
	failures = []
	for name, value in inputs(ctx, target).items():
		before = ctx.counts()
		try:
			response = target.send(ctx, value)
			body = judge(response, value)
			if body is None:
				after = ctx.counts()
				assert after == before, f"refused, yet stored: {before} -> {after}"
			elif target.stored:
				target.stored(ctx, value, body)
		except AssertionError as e:
			failures.append(f"{name}: {str(e).splitlines()[0]}")
	assert not failures, "\n".join(failures)


# Bodies that are not JSON, and 10 MB of text

RAW_TARGETS = [
	"serial_tracking.api.parse_codes",
	"serial_tracking.api.register_serials",
	"serial_tracking.api.check_row",
	"serial_tracking.api.search_serials",
	"serial_tracking.api.print_labels",
	"serial_tracking.api.import_serials",
	"serial_tracking.api.count_scan",
	"serial_tracking.api.cancel_chain",
]


@pytest.mark.parametrize("name", corpus.MALFORMED_JSON)
def test_a_malformed_json_body_is_refused_clearly(ctx, name):
	body = corpus.MALFORMED_JSON[name]
	before = ctx.counts()
	failures = []
	for path in [
		*(f"/api/method/{m}" for m in RAW_TARGETS),
		f"/api/resource/{SERIAL}",
		f"/api/resource/{CARTON}",
	]:
		response = ctx.client.session.post(
			f"{URL}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=120
		)
		try:
			if response.status_code == 500 and _refused_by_frappe_alone(response):
				# Frappe reads a JSON body, routes it and matches arguments before any app code runs
				# (frappe.app.make_form_dict, frappe.api.v1, frappe.handler) and answers what it cannot
				# read there with a 500 of its own: nothing of the app ran, nothing was stored.
				continue
			judge(response, body)
		except AssertionError as e:
			failures.append(f"{path}: {str(e).splitlines()[0]}")
	assert ctx.counts() == before
	assert not failures, "\n".join(failures)


def _refused_by_frappe_alone(response: requests.Response) -> bool:
	"""Whether Frappe itself failed the request before any code of the app ran: no frame of the app
	in the traceback it sends."""
	try:
		body = response.json()
	except ValueError:
		return False
	trace = body.get("exc") or ""
	return bool(trace) and "serial_tracking" not in trace


def test_ten_megabytes_of_text_are_refused_clearly_in_seconds(ctx):
	"""Ten megabytes to every target that takes text: as lines of codes in CI (about a minute);
	``ST_HOSTILE_FULL=1`` sends it as one word too."""
	failures = []
	big = corpus.BIG if os.environ.get("ST_HOSTILE_FULL") else {"10mb-lines": corpus.BIG["10mb-lines"]}
	for target in TARGETS:
		if not target.text:
			continue
		for name, value in big.items():
			before = ctx.counts()
			started = time.monotonic()
			try:
				body = judge(target.send(ctx, value), value)
				assert body is None or target.stored is None, "10 MB stored"
				assert ctx.counts() == before, "refused, yet stored"
				took = time.monotonic() - started
				assert took < 10, f"took {took:.1f} s"
			except AssertionError as e:
				failures.append(f"{target.name} {name}: {str(e).splitlines()[0]}")
	assert not failures, "\n".join(failures)


# LIKE's wildcards and hostile xlsx files: answered at once


def test_like_wildcards_are_taken_as_typed_and_answered_at_once(ctx):
	"""``_``, ``%`` and ``\\`` to every search by the start of a code: each answered (or refused
	clearly) in under two seconds, whatever the site holds; rows read per call are what
	tests/integration/test_link_search.py counts."""
	searches = {
		"search_serial_link": lambda v: call("search_serial_link", "txt", page_len=100)(ctx, v),
		"search_link": lambda v: link_search("txt", page_length=100)(ctx, v),
		"search_widget": lambda v: ctx.client.post(
			"frappe.desk.search.search_widget", doctype=SERIAL, txt=v, start=100, page_length=100
		),
		"search_serials": lambda v: in_filter("search_serials", "serial_no")(ctx, f"{v}*"),
		"report.search": lambda v: report("Serial Number Search", "serial_no")(ctx, f"{v}*"),
	}
	failures = []
	for name, value in corpus.LIKE_WILDCARDS.items():
		for target, send in searches.items():
			started = time.monotonic()
			try:
				body = judge(send(value), value)
				took = time.monotonic() - started
				assert took < 2, f"took {took:.1f} s"
				if body is not None and target in ("search_serial_link", "search_link"):
					found = [r[0] if isinstance(r, list) else r["value"] for r in body["message"]]
					assert all(code.startswith(value) for code in found), f"found {found[:3]}"
			except AssertionError as e:
				failures.append(f"{target} {name}: {str(e).splitlines()[0]}")
	assert not failures, "\n".join(failures)


def upload(ctx: Context, content: bytes, name: str) -> str:
	response = ctx.client.session.post(
		f"{URL}/api/method/upload_file",
		files={"file": (f"{name}-{ctx.tag()}.xlsx", content)},
		data={"is_private": 1},
		timeout=120,
	)
	return message(response)["file_url"]


@pytest.mark.parametrize("name", corpus.HOSTILE_XLSX)
def test_a_hostile_xlsx_file_is_refused_at_once_storing_nothing(ctx, name):
	"""Rows numbered far away, zip bombs, parts lying about their size, too many parts or elements,
	an entity bomb: the import and the SN dialog refuse each in under two seconds, with a message,
	storing nothing."""
	url = upload(ctx, corpus.HOSTILE_XLSX[name](), name)
	failures = []
	for target in ("import_serials.file_url", "read_import.file_url"):
		send = next(t.send for t in TARGETS if t.name == target)
		before = ctx.counts()
		started = time.monotonic()
		try:
			response = send(ctx, url)
			took = time.monotonic() - started
			assert judge(response, url) is None, f"accepted: {response.text[:300]}"
			assert took < 2, f"took {took:.1f} s"
			assert ctx.counts() == before, "refused, yet stored"
		except AssertionError as e:
			failures.append(f"{target}: {str(e).splitlines()[0]}")
	assert not failures, "\n".join(failures)


# Shown escaped


@pytest.fixture(scope="module")
def shown(ctx):
	"""Accepted hostile codes received on a submitted receipt: (receipt name, codes)."""
	texts = corpus.texts(ctx.tag())
	codes = [
		texts[name]
		for name in (
			"html-entity",
			"zpl-commands",
			"sql-allowed",
			"formula-equals",
			"formula-plus",
			"formula-minus",
			"formula-at",
		)
	]
	response = document("Purchase Receipt")(ctx, "\n".join(codes))
	assert response.ok, response.text[:500]
	return response.json()["data"]["name"], codes


def test_stored_codes_are_shown_escaped_in_the_print_formats(ctx, shown):
	name, codes = shown
	response = ctx.client.post(
		"frappe.www.printview.get_html_and_style",
		doc="Purchase Receipt",
		name=name,
		print_format="Purchase Receipt with SN codes",
	)
	html = message(response)["html"]
	entity = next(c for c in codes if "&lt" in c)
	assert entity.replace("&", "&amp;") in html
	assert entity not in html


def test_stored_codes_are_escaped_in_zpl_labels(ctx, shown):
	_name, codes = shown
	made = message(ctx.client.post("serial_tracking.api.print_labels", codes=codes, format="zpl"))
	zpl = ctx.client.download(made["file_url"]).text
	command = next(c for c in codes if "^XZ" in c)
	assert command not in zpl
	# every label is one format, opened and closed once
	assert zpl.count("^XA") == zpl.count("^XZ") == len(codes)


def test_codes_starting_with_a_formula_sign_stay_text_in_the_export(ctx, shown):
	_name, codes = shown
	formulas = [c for c in codes if c.startswith(("=", "+", "-", "@"))]
	made = message(ctx.client.post("serial_tracking.api.export_serials", filters={"item_code": ITEM}))
	sheet = load_workbook(io.BytesIO(ctx.client.download(made["file_url"]).content)).worksheets[0]
	cells = {cell.value: cell for cell in next(iter(sheet.iter_cols(min_col=1, max_col=1)))}
	for code in formulas:
		assert cells[code].data_type == "s", code
	made = message(
		ctx.client.post("serial_tracking.api.export_serials", filters={"item_code": ITEM}, format="csv")
	)
	lines = ctx.client.download(made["file_url"]).content.decode("utf-8").splitlines()
	# the csv is for programs: each code exactly as stored (docs/decisions.md, Search and export)
	for code in formulas:
		assert any(line.startswith(f'"{code}",') for line in lines), code
