"""The app's print formats and Jinja methods on real submitted documents: ranges under each row,
codes from the note an invoice was made from, bundles, escaping, and a PDF of 1,000 codes."""

import functools
import html as html_lib
import http.server
import os
import re
import subprocess
import tempfile
import threading

import pytest

import frappe

from serial_tracking.printing.jinja import sn_codes
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, PLAIN, codes

FORMATS = {
	"Delivery Note": "Delivery Note with SN codes",
	"Sales Invoice": "Sales Invoice with SN codes",
	"Purchase Receipt": "Purchase Receipt with SN codes",
	"Purchase Invoice": "Purchase Invoice with SN codes",
}
DASH = "\u2013"
BUNDLE = "ST-PRINT-BUNDLE"


@pytest.fixture(scope="module")
def assets():
	"""A web server for the bench's /assets (the print's style sheet), as wkhtmltopdf fetches it
	from the site's address; only the assets folder is served."""
	root = tempfile.mkdtemp()
	os.symlink(os.path.abspath("assets"), os.path.join(root, "assets"))
	handler = functools.partial(QuietHandler, directory=root)
	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	yield f"http://127.0.0.1:{server.server_address[1]}"
	server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass


@pytest.fixture
def pdf(assets, monkeypatch):
	"""The document's print as PDF: (page count, text)."""
	monkeypatch.setitem(frappe.local.conf, "host_name", assets)

	def render(doctype, name, print_format=None):
		data = frappe.get_print(doctype, name, print_format=print_format or FORMATS[doctype], as_pdf=True)
		with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
			file.write(data)
			file.flush()
			info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
			text = subprocess.run(
				["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True, check=True
			).stdout
		pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
		return pages, text

	return render


def printed(doctype, name, print_format=None):
	return frappe.get_print(doctype, name, print_format=print_format or FORMATS[doctype])


def rows(html):
	"""Each item row of a print: (the row's text, the text of the SN line under it or None)."""
	found = re.findall(
		r'<tr class="sn-row">(.*?)</tr>\s*(?:<tr class="sn-line">(.*?)</tr>)?', html, flags=re.S
	)
	return [(plain(row), plain(line) if line else None) for row, line in found]


def raw_lines(html):
	return re.findall(r'<tr class="sn-line">(.*?)</tr>', html, flags=re.S)


def plain(fragment):
	inline = re.sub(r"</?(span|b)\b[^>]*>", "", fragment)
	return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def sn_line(*items):
	return "SN codes: " + ", ".join(items)


class Row(str):
	"""Equal to a printed row's text that begins with its number and names this item."""

	def __eq__(self, other):
		return isinstance(other, str) and re.match(rf"^\d+ {re.escape(str(self))}\b", other) is not None

	__hash__ = str.__hash__


def test_the_four_print_formats_are_standard_jinja_formats_of_the_module():
	for doctype, name in FORMATS.items():
		values = frappe.db.get_value(
			"Print Format",
			name,
			["doc_type", "module", "standard", "custom_format", "print_format_type", "disabled"],
			as_dict=True,
		)
		assert values == {
			"doc_type": doctype,
			"module": "Serial Tracking",
			"standard": "Yes",
			"custom_format": 1,
			"print_format_type": "Jinja",
			"disabled": 0,
		}


@pytest.mark.parametrize("doctype", list(FORMATS))
def test_each_format_prints_the_ranges_under_their_row(doctype):
	prefix = "PF" + "".join(word[0] for word in doctype.split()) + "-"
	first, second = codes(prefix, 5), codes(prefix, 3, start=11)
	rows_ = [(PHONE, 5, first, MAIN), (PLAIN, 2, None, MAIN), (PHONE, 3, second, MAIN)]
	if doctype in ("Delivery Note", "Sales Invoice"):
		f.receive(first + second)
		f.purchase_receipt([(PLAIN, 2, None, MAIN)])
		doc = f.delivery_note(rows_) if doctype == "Delivery Note" else f.sales_invoice(rows_)
	else:
		doc = f.purchase_receipt(rows_) if doctype == "Purchase Receipt" else f.purchase_invoice(rows_)
	html = printed(doctype, doc.name)
	assert rows(html) == [
		(Row(PHONE), sn_line(f"{first[0]} {DASH} {first[-1]}")),
		(Row(PLAIN), None),
		(Row(PHONE), sn_line(f"{second[0]} {DASH} {second[-1]}")),
	]
	# a business document: company, number, date, party, totals
	text = plain(html)
	party = doc.customer if doctype in ("Delivery Note", "Sales Invoice") else doc.supplier
	for expected in (doc.company, doc.name, doc.get_formatted("posting_date"), party):
		assert expected in text
	assert f"Grand Total {doc.get_formatted('grand_total', doc)}" in text
	assert doc.items[0].get_formatted("amount", doc) in text


def test_a_mix_prints_ranges_and_single_codes_in_natural_order():
	sn = [*codes("MIX-", 3, start=8), "MIX-0020", "MIX-0005", *codes("MIX-", 2, start=30), "MIXED"]
	f.receive(sn)
	note = f.delivery_note([(PHONE, len(sn), sn, MAIN)])
	assert rows(printed("Delivery Note", note.name))[0][1] == sn_line(
		"MIX-0005", f"MIX-0008 {DASH} MIX-0010", "MIX-0020", "MIX-0030", "MIX-0031", "MIXED"
	)


def test_codes_are_escaped(pdf):
	# what the code rules allow of HTML: "&" (and no ";"): unescaped, "&lt1" would print "<1"
	sn = ["ESC&lt1", "ESC&amp", "ESC&gt&quot", "ESC&#60"]
	f.receive(sn)
	note = f.delivery_note([(PHONE, len(sn), sn, MAIN)])
	html = printed("Delivery Note", note.name)
	line = raw_lines(html)[0]
	for code in sn:
		assert html_lib.escape(code) in line
		assert f"{code}," not in line and f"{code}<" not in line
	_pages, text = pdf("Delivery Note", note.name)
	for code in sn:
		assert code in text


def test_a_delivery_note_of_1000_consecutive_codes_prints_on_one_page_and_its_invoice_prints_them(pdf):
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	sn = codes("PDF-", 1000)
	f.stock_entry("Material Receipt", [(PHONE, 1000, sn, None, MAIN)])
	note = f.delivery_note([(PHONE, 1000, sn, MAIN)])
	pages, text = pdf("Delivery Note", note.name)
	assert pages == 1
	assert f"PDF-0001 {DASH} PDF-1000" in text
	assert "PDF-0002" not in text

	invoice = make_sales_invoice(note.name)
	invoice.insert()
	invoice.submit()
	pages, text = pdf("Sales Invoice", invoice.name)
	assert pages == 1
	assert f"PDF-0001 {DASH} PDF-1000" in text


def test_an_invoice_row_without_codes_prints_those_of_the_delivery_note_row_it_was_made_from():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	first, second = codes("DNI-", 4), codes("DNI-", 2, start=7)
	f.receive(first + second)
	f.purchase_receipt([(PLAIN, 1, None, MAIN)])
	note = f.delivery_note([(PHONE, 4, first, MAIN), (PLAIN, 1, None, MAIN), (PHONE, 2, second, MAIN)])
	invoice = make_sales_invoice(note.name)
	for row in invoice.items:
		row.sn_codes = None  # made before the app copied codes, or cleared: the note's codes still print
	invoice.insert()
	invoice.submit()
	assert not any(row.sn_codes for row in invoice.items)
	assert [line for _row, line in rows(printed("Sales Invoice", invoice.name))] == [
		sn_line(f"DNI-0001 {DASH} DNI-0004"),
		None,
		sn_line("DNI-0007", "DNI-0008"),
	]


def test_an_invoice_reads_the_notes_codes_once_for_all_its_rows(monkeypatch):
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	sn = codes("ONE-", 6)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, [code], MAIN) for code in sn])
	invoice = make_sales_invoice(note.name)
	for row in invoice.items:
		row.sn_codes = None
	invoice.insert()
	invoice = frappe.get_doc("Sales Invoice", invoice.name)
	statements = []
	sql = frappe.db.sql

	def counting(query, *args, **kwargs):
		statements.append(str(query))
		return sql(query, *args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", counting)
	assert [plain(sn_codes(row, invoice)) for row in invoice.items] == sn
	assert len([s for s in statements if "tabDelivery Note Item" in s]) == 1


def test_a_purchase_invoice_row_without_codes_prints_those_of_its_receipt_row():
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	sn = codes("PRI-", 3)
	receipt = f.receive(sn)
	invoice = make_purchase_invoice(receipt.name)
	invoice.items[0].sn_codes = None
	invoice.insert()
	invoice.submit()
	assert rows(printed("Purchase Invoice", invoice.name))[0][1] == sn_line(f"PRI-0001 {DASH} PRI-0003")


def _bundle():
	if not frappe.db.exists("Item", BUNDLE):
		f.make_item(BUNDLE, sn_tracking=0, is_stock_item=0)
	if not frappe.db.exists("Product Bundle", {"new_item_code": BUNDLE}):
		frappe.get_doc(
			{
				"doctype": "Product Bundle",
				"new_item_code": BUNDLE,
				"items": [{"item_code": PHONE, "qty": 3}, {"item_code": PLAIN, "qty": 1}],
			}
		).insert()


def test_a_bundles_packed_codes_print_under_the_bundle_row_also_on_its_invoice():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	_bundle()
	sn = codes("BUN-", 3)
	f.receive(sn)
	f.purchase_receipt([(PLAIN, 2, None, MAIN)])
	note = f.delivery_note([(PLAIN, 1, None, MAIN), (BUNDLE, 1, None, MAIN)], submit=False)
	next(row for row in note.packed_items if row.item_code == PHONE).sn_codes = "\n".join(sn)
	note.save()
	note.submit()
	expected = [(Row(PLAIN), None), (Row(BUNDLE), f"SN codes: {PHONE}: BUN-0001 {DASH} BUN-0003")]
	assert rows(printed("Delivery Note", note.name)) == expected

	invoice = make_sales_invoice(note.name)
	invoice.insert()
	invoice.submit()
	assert rows(printed("Sales Invoice", invoice.name)) == expected


def test_the_custom_html_block_of_the_docs_prints_each_rows_codes():
	"""The snippet docs/printing.md gives for a Print Format Builder's Custom HTML block."""
	docs = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "printing.md")).read()
	block = docs.split("**The Print Format Builder**", 1)[1]
	snippet = re.search(r"```jinja\n(.*?)```", block, flags=re.S).group(1)
	sn = codes("CHB-", 3)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 3, sn, MAIN)])
	assert plain(frappe.render_template(snippet, {"doc": note})) == f"1. {PHONE}: CHB-0001 {DASH} CHB-0003"
