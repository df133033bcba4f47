"""Barcode labels: every standard layout scans back to exactly the codes asked for; ZPL; sources; refusals."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

import frappe

from serial_tracking import api
from serial_tracking.finding import authenticity
from serial_tracking.printing import label_pages as pdf_labels
from serial_tracking.printing.barcodes import Label, pattern
from serial_tracking.printing.layouts import LAYOUT, STANDARD, ensure_label_layouts, get_layout
from tests.integration import factory as f
from tests.integration.factory import LAPTOP, MAIN, PHONE, SHOP, codes, user_with

#: Codes as awkward as the code rules allow: leading zeros, the punctuation a code may hold
#: (ZPL's ^ ~ _ among them, HTML's &), and 30 characters.
AWKWARD = ["000712", "A-1/2", "X+Y:Z#(1)", "SN2024" + "0" * 23 + "1", "lb_a^c~d", "[x]&y@z!=$|*", "p.q(r)"]
LAYOUTS = [values["layout_name"] for values in STANDARD]


def file_content(file_url: str) -> bytes:
	content = frappe.get_doc("File", {"file_url": file_url}).get_content()
	return content.encode() if isinstance(content, str) else content


def scan(pdf: bytes, symbology: str = "code128") -> tuple[list[str], int, str]:
	"""The symbols (Code128, or ``qrcode``) read from each page at 300 dpi, the page count and the
	PDF's text."""
	with tempfile.TemporaryDirectory() as folder:
		path = Path(folder) / "labels.pdf"
		path.write_bytes(pdf if isinstance(pdf, bytes) else pdf.encode())
		info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
		pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
		subprocess.run(["pdftoppm", "-r", "300", "-png", path, Path(folder) / "page"], check=True)
		found = []
		for image in sorted(Path(folder).glob("page-*.png")):
			out = subprocess.run(
				["zbarimg", "--raw", "-q", "-Sdisable", f"-S{symbology}.enable", image],
				capture_output=True,
				text=True,
			).stdout
			found += out.splitlines()
		text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout
	return found, pages, text


def files() -> int:
	return frappe.db.count("File")


def receive(values, item=PHONE, warehouse=MAIN):
	f.receive(values, item=item, warehouse=warehouse)
	return values


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_standard_layout_scans_back_to_exactly_the_codes(layout):
	values = receive(AWKWARD + (codes("LBL-", 19) if layout.startswith("A4") else []))
	result = api.print_labels(codes=values, layout=layout)
	assert result["file_url"].startswith("/private/files/") and result["file_url"].endswith(".pdf")
	found, pages, text = scan(file_content(result["file_url"]))
	assert sorted(found) == sorted(values)
	per_page = get_layout(layout).per_page
	assert pages == -(-len(values) // per_page)
	# the code is printed under the bars, and the item
	for code in values:
		assert code in text
	assert PHONE in text


def test_labels_have_the_layouts_physical_size():
	"""Millimetres of a layout are millimetres on paper: the page, and the bars' width."""
	code = receive(["PH-SIZE1"])[0]
	layout = get_layout("Roll 50 x 25 mm")
	pdf = file_content(api.print_labels(codes=[code], layout=layout.name)["file_url"])
	with tempfile.TemporaryDirectory() as folder:
		path = Path(folder) / "label.pdf"
		path.write_bytes(pdf)
		info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
		width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
		# 50 x 25 mm (wkhtmltopdf rounds the page to whole points)
		assert (width, height) == (pytest.approx(141.7, abs=0.5), pytest.approx(70.9, abs=0.5))
		subprocess.run(
			["pdftoppm", "-r", "600", "-gray", "-singlefile", path, Path(folder) / "p"], check=True
		)
		from PIL import Image

		image = Image.open(Path(folder) / "p.pgm")
	# a row through the middle of the bars
	top = layout.content_top + 2 * layout.line_height + layout.bar_height / 2
	y = round(top / 25.4 * 600)
	dark = [x for x in range(image.width) if image.getpixel((x, y)) < 128]
	width_mm = (dark[-1] - dark[0] + 1) * 25.4 / 600
	assert width_mm == pytest.approx(len(pattern(code)) * layout.module_width, abs=0.15)


def test_codes_and_item_names_are_escaped_in_the_html():
	html = pdf_labels.render_html([Label("[x]&y", "IT<1>", "<b>x</b> & co")], get_layout("A4 3 x 8"))
	assert "<b>x</b>" not in html and "IT<1>" not in html
	assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in html and "[x]&amp;y" in html and "IT&lt;1&gt;" in html


def test_zpl_has_one_block_per_code_with_code128_and_the_escaped_code():
	values = receive([*AWKWARD[:3], "lb_a^c~d"])
	result = api.print_labels(codes="\n".join(values), layout="Roll 100 x 50 mm", format="ZPL")
	assert result["file_url"].endswith(".zpl")
	text = file_content(result["file_url"]).decode()
	blocks = re.findall(r"\^XA(.*?)\^XZ", text, re.S)
	assert len(blocks) == len(values) == text.count("^XA") == text.count("^XZ")
	for block, code in zip(blocks, values, strict=True):
		assert re.search(
			r"\^BCN,\d+,N,N,N,A\^FH\^FD"
			+ re.escape(code.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E"))
			+ r"\^FS",
			block,
		)
		assert "^PW799" in block and "^LL400" in block  # 100 x 50 mm at 203 dpi
	assert "lb_5Fa_5Ec_7Ed" in text and "lb_a^c~d" not in text


def test_codes_of_a_submitted_receipt_in_row_order():
	phones, laptops = codes("LBR-P", 3), codes("LBR-L", 2)
	receipt = f.purchase_receipt([(LAPTOP, 2, laptops, MAIN), (PHONE, 3, phones, MAIN)])
	result = api.print_labels(voucher_type="Purchase Receipt", voucher_no=receipt.name, format="zpl")
	text = file_content(result["file_url"]).decode()
	printed = re.findall(r"\^BC[^\n]*\^FD([^\^]*)\^FS", text)
	assert printed == laptops + phones
	found, _pages, _text = scan(
		file_content(api.print_labels(voucher_type="Purchase Receipt", voucher_no=receipt.name)["file_url"])
	)
	assert sorted(found) == sorted(laptops + phones)


def test_a_document_not_submitted_or_without_serials_is_refused():
	draft = f.purchase_receipt([(PHONE, 1, ["LBD-1"], MAIN)], submit=False)
	plain = f.purchase_receipt([(f.PLAIN, 1, None, MAIN)])
	before = files()
	with pytest.raises(frappe.ValidationError, match=f"Purchase Receipt {draft.name} is not submitted"):
		api.print_labels(voucher_type="Purchase Receipt", voucher_no=draft.name)
	with pytest.raises(frappe.ValidationError, match=f"Purchase Receipt {plain.name} moved no SN codes"):
		api.print_labels(voucher_type="Purchase Receipt", voucher_no=plain.name)
	with pytest.raises(frappe.DoesNotExistError, match="MAT-PRE-NONE"):
		api.print_labels(voucher_type="Purchase Receipt", voucher_no="MAT-PRE-NONE")
	with pytest.raises(frappe.ValidationError, match=r"Voucher type must be one of .*, not 'Item'"):
		api.print_labels(voucher_type="Item", voucher_no=PHONE)
	assert files() == before


def test_codes_from_the_search_filters():
	values = receive(codes("LBF-", 4))
	receive(codes("LBG-", 2))
	result = api.print_labels(filters={"serial_no": "LBF-*"}, layout="A4 4 x 12")
	found, pages, _text = scan(file_content(result["file_url"]))
	assert sorted(found) == values and pages == 1
	result = api.print_labels(filters=frappe.as_json({"serial_no": "LBF-*", "warehouse": MAIN}), format="zpl")
	assert file_content(result["file_url"]).decode().count("^XA") == 4


def test_a_consultant_made_layout_works():
	frappe.get_doc(
		{
			"doctype": LAYOUT,
			"layout_name": "A5 2 x 5 test",
			"kind": "Sheet",
			"page_width_mm": 148,
			"page_height_mm": 210,
			"columns": 2,
			"rows": 5,
			"label_width_mm": 70,
			"label_height_mm": 40,
			"margin_top_mm": 5,
			"margin_left_mm": 3,
			"gap_x_mm": 2,
			"module_width_mm": 0.3,
			"bar_height_mm": 15,
			"font_size_pt": 9,
			"show_item_name": 0,
			"zpl_dpi": "300",
			"enabled": 1,
		}
	).insert()
	values = receive(codes("LBC-", 11))
	found, pages, _text = scan(
		file_content(api.print_labels(codes=values, layout="A5 2 x 5 test")["file_url"])
	)
	assert sorted(found) == values and pages == 2
	zpl = file_content(
		api.print_labels(codes=values[:1], layout="A5 2 x 5 test", format="zpl")["file_url"]
	).decode()
	assert "^PW827" in zpl and "^LL472" in zpl  # 70 x 40 mm at 300 dpi


@pytest.mark.parametrize(
	"values, message",
	[
		(
			{"columns": 4},
			"do not fit its page: margins, 4 columns and their gaps take 280 mm across, the page is 210 mm wide",
		),
		({"rows": 9}, "do not fit its page: margins, 9 rows and their gaps take 334 mm down"),
		({"bar_height_mm": 30}, "The content of a label of layout Bad test needs"),
		(
			{"module_width_mm": 0.1},
			"Module width of label layout Bad test must be between 0.19 mm and 1.0 mm, not 0.1 mm",
		),
		({"label_width_mm": 0}, "Label Width \\(mm\\) of label layout Bad test must be more than 0"),
		({"is_default": 1, "enabled": 0}, "cannot be the default while it is disabled"),
	],
)
def test_a_layout_that_does_not_fit_is_refused_with_its_sizes(values, message):
	doc = frappe.get_doc(
		{"doctype": LAYOUT, **STANDARD[0], "layout_name": "Bad test", "is_default": 0, **values}
	)
	with pytest.raises(frappe.ValidationError, match=message):
		doc.insert()


def test_one_default_layout_and_standard_layouts_are_never_overwritten():
	roll = frappe.get_doc(LAYOUT, "Roll 50 x 25 mm")
	roll.bar_height_mm = 12
	roll.is_default = 1
	roll.save()
	assert frappe.get_all(LAYOUT, filters={"is_default": 1}, pluck="name") == ["Roll 50 x 25 mm"]
	frappe.delete_doc(LAYOUT, "A4 4 x 12")
	ensure_label_layouts()
	assert frappe.db.get_value(LAYOUT, "Roll 50 x 25 mm", ["bar_height_mm", "is_default"]) == (12, 1)
	assert frappe.db.exists(LAYOUT, "A4 4 x 12")
	assert frappe.get_all(LAYOUT, filters={"is_default": 1}, pluck="name") == ["Roll 50 x 25 mm"]
	# no layout named: the default one
	code = receive(["LBDEF-1"])[0]
	assert "roll-50-x-25-mm" in api.print_labels(codes=[code])["file_url"]


def test_refusals_name_the_thing_and_write_no_file(restricted, settings):
	here, there = receive(codes("LBH-", 2)), receive(codes("LBT-", 1), warehouse=SHOP)
	too_long = receive(["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"])
	before = files()
	with pytest.raises(frappe.DoesNotExistError, match="Serial Number LB-NOPE does not exist"):
		api.print_labels(codes=[*here, "LB-NOPE"])
	with pytest.raises(frappe.DoesNotExistError, match="Label layout Nope does not exist"):
		api.print_labels(codes=here, layout="Nope")
	frappe.db.set_value(LAYOUT, "A4 4 x 12", "enabled", 0)
	with pytest.raises(frappe.ValidationError, match="Label layout A4 4 x 12 is disabled"):
		api.print_labels(codes=here, layout="A4 4 x 12")
	with pytest.raises(frappe.ValidationError, match="Format must be one of pdf, zpl, not 'png'"):
		api.print_labels(codes=here, format="png")
	with pytest.raises(frappe.ValidationError, match="Select at least one SN code"):
		api.print_labels(codes=[])
	with pytest.raises(frappe.ValidationError, match="Select at least one SN code"):
		api.print_labels(codes=" \n ")
	with pytest.raises(
		frappe.ValidationError,
		match="Give exactly one of codes, filters or voucher_type / voucher_no, not none",
	):
		api.print_labels()
	with pytest.raises(frappe.ValidationError, match="not codes, filters"):
		api.print_labels(codes=here, filters={"serial_no": "LBH-*"})
	with pytest.raises(frappe.ValidationError, match="Codes must be a list of SN codes"):
		api.print_labels(codes=frappe.as_json({"a": 1}))
	with pytest.raises(
		frappe.ValidationError,
		match=r"SN code ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 is too long for a label of layout Roll 50 x 25 mm",
	):
		api.print_labels(codes=too_long, layout="Roll 50 x 25 mm")
	settings(max_per_operation=2)
	with pytest.raises(
		frappe.ValidationError, match="3 SN codes asked for; labels are printed for at most 2"
	):
		api.print_labels(codes=here + there)
	with pytest.raises(frappe.ValidationError, match="More than 2 serials match"):
		api.print_labels(filters={"serial_no": "LB*"})
	frappe.set_user(restricted("labels-main", "Warehouse", MAIN))
	with pytest.raises(
		frappe.PermissionError, match=f"You are not permitted to read Serial Number {there[0]}"
	):
		api.print_labels(codes=here[:1] + there)
	frappe.set_user("Administrator")
	frappe.set_user(user_with(["Accounts User"]))
	with pytest.raises(frappe.PermissionError):
		api.print_labels(codes=here)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(api.print_labels)
	with pytest.raises(frappe.PermissionError):
		api.print_labels(codes=here)
	frappe.set_user("Administrator")
	assert files() == before


@pytest.mark.parametrize(
	"args",
	[
		{"codes": ["<img/src=x/onerror=alert(1)>"]},
		{"codes": ["LBX-1"], "format": "<img/src=x/onerror=alert(1)>"},
		{"codes": ["LBX-1"], "layout": "<img/src=x/onerror=alert(1)>"},
		{"voucher_type": "<img/src=x/onerror=alert(1)>", "voucher_no": "x"},
		{"codes": '{"<img/src=x/onerror=alert(1)>": 1}'},
	],
)
def test_refusals_escape_what_they_name(args):
	"""Desk shows messages as HTML: a value sent in a request is named, never run."""
	with pytest.raises(frappe.ValidationError) as refused:
		api.print_labels(**args)
	assert "&lt;img/src=x/onerror=alert(1)&gt;" in str(refused.value)
	assert "<img" not in str(refused.value)


def test_a_user_of_one_warehouse_prints_its_serials(restricted):
	here = receive(codes("LBU-", 2))
	frappe.set_user(restricted("labels-ok", "Warehouse", MAIN))
	result = api.print_labels(codes=here, format="zpl")
	assert file_content(result["file_url"]).decode().count("^XA") == 2
	assert frappe.db.get_value("File", {"file_url": result["file_url"]}, ["is_private", "owner"]) == (
		1,
		"st-only-labels-ok@example.com",
	)


def test_the_count_refuses_what_the_print_would_refuse(restricted):
	"""A user of one warehouse counts the labels of its serials only: the serials of a receipt into the
	other warehouse are refused as the print refuses them, not counted."""
	here = receive(codes("LBV-", 2))
	receipt = f.purchase_receipt([(PHONE, 2, codes("LBW-", 2), MAIN), (PHONE, 1, ["LBW-S001"], SHOP)])
	frappe.set_user(restricted("labels-count", "Warehouse", MAIN))
	assert api.count_labels(codes=here, layout="A4 4 x 12")["labels"] == 2
	assert api.count_labels(filters={"serial_no": "LBW-*"}, layout="A4 4 x 12")["labels"] == 2
	with pytest.raises(frappe.PermissionError, match="LBW-S001"):
		api.count_labels(voucher_type="Purchase Receipt", voucher_no=receipt.name, layout="A4 4 x 12")
	with pytest.raises(frappe.PermissionError, match="LBW-S001"):
		api.count_labels(codes=["LBW-0001", "LBW-S001"], layout="A4 4 x 12")


def test_a_thousand_labels_in_one_call():
	values = receive(codes("LBK-", 1000))
	result = api.print_labels(codes=values, layout="A4 4 x 12")
	found, pages, _text = scan(file_content(result["file_url"]))
	assert pages == 21 and sorted(found) == values


def test_the_count_says_how_many_labels_on_how_many_sheets_before_printing(settings):
	"""``count_labels`` answers for the same sources as ``print_labels``, without making a file."""
	receive(codes("LBC-", 50))
	before = files()
	# A4 4 x 12: 48 labels a sheet
	assert api.count_labels(filters={"serial_no": "LBC-*"}, layout="A4 4 x 12") == {
		"labels": 50,
		"per_sheet": 48,
		"sheets": 2,
		"too_many": False,
		"limit": 1000,
	}
	assert api.count_labels(codes="LBC-0001\nLBC-0002\nLBC-0001", layout="A4 4 x 12")["labels"] == 2
	receipt = f.purchase_receipt([(PHONE, 3, codes("LBC-R", 3), MAIN)])
	counted = api.count_labels(voucher_type="Purchase Receipt", voucher_no=receipt.name, layout="A4 4 x 12")
	assert (counted["labels"], counted["sheets"]) == (3, 1)
	# past the most one call prints: said, counted no further
	settings(max_per_operation=20)
	counted = api.count_labels(filters={"serial_no": "LBC-*"}, layout="A4 4 x 12")
	assert counted["too_many"] is True and counted["labels"] == 20 and counted["limit"] == 20
	assert api.count_labels(codes=codes("LBC-", 21), layout="A4 4 x 12")["too_many"] is True
	with pytest.raises(frappe.ValidationError, match="Give exactly one of codes, filters"):
		api.count_labels(codes=["LBC-0001"], filters={"serial_no": "LBC-*"})
	assert files() == before


def with_qr_codes(layout: str) -> str:
	frappe.db.set_value(LAYOUT, layout, "qr_code", 1)
	return layout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_qr_codes_hold_the_check_page_address_of_each_code_beside_its_barcode(layout, settings):
	"""Every standard size carries a QR code readable beside a Code128 still readable (codes of up to
	ten characters and an IMEI: the QR code takes width the longest codes need on the smallest labels)."""
	settings(public_check=1)
	values = receive([code for code in AWKWARD if len(code) <= 10] + ["356938035643809"])
	pdf = file_content(api.print_labels(codes=values, layout=with_qr_codes(layout))["file_url"])
	addresses, _pages, _text = scan(pdf, "qrcode")
	assert sorted(addresses) == sorted(authenticity.check_url(code) for code in values)
	assert all("/sn-check?code=" in address for address in addresses)
	bars, _pages, _text = scan(pdf)
	assert sorted(bars) == sorted(values)


def test_zpl_labels_carry_the_qr_code_of_the_check_page(settings):
	settings(public_check=1)
	values = receive(["lb_q^r~s"])
	zpl = file_content(
		api.print_labels(codes=values, layout=with_qr_codes("Roll 100 x 50 mm"), format="zpl")["file_url"]
	).decode()
	field = re.search(r"\^BQN,2,(\d+)\^FH\^FDMA,(.*)\^FS", zpl)
	assert field, zpl
	assert 2 <= int(field.group(1)) <= 10
	# the code in the address: ^ percent-escaped; ZPL writes _ and ~ (which an address keeps) as _XX
	assert field.group(2).endswith("/sn-check?code=lb_5Fq%5Er_7Es")


def test_qr_codes_are_refused_while_the_check_page_is_off(settings):
	settings(public_check=0)
	values = receive(codes("LBQ-", 2))
	before = files()
	layout = with_qr_codes("A4 3 x 8")
	for call in (api.print_labels, api.count_labels):
		with pytest.raises(
			frappe.ValidationError, match="A4 3 x 8 prints a QR code of the public check page"
		):
			call(codes=values, layout=layout)
	assert files() == before


def test_a_layout_too_small_for_a_qr_code_is_refused():
	doc = frappe.get_doc(
		{
			**STANDARD[0],
			"doctype": LAYOUT,
			"layout_name": "Small QR test",
			"is_default": 0,
			"label_height_mm": 12,
			"rows": 20,
			"padding_mm": 2.2,
			"bar_height_mm": 3,
			"font_size_pt": 4,
			"show_item_name": 0,
			"qr_code": 1,
		}
	)
	with pytest.raises(frappe.ValidationError, match=r"would be 7\.6 mm wide, a phone needs at least 8 mm"):
		doc.insert()


def test_a_code_whose_qr_code_would_be_too_fine_is_refused_naming_it(settings):
	"""A long code in a small square: its address needs more modules than the square holds (digits: its
	barcode, in pairs, fits)."""
	settings(public_check=1)
	long_code = "7" * 60
	values = receive([long_code])
	frappe.get_doc(
		{
			**STANDARD[2],
			"doctype": LAYOUT,
			"layout_name": "Fine QR test",
			"is_default": 0,
			"label_width_mm": 100,
			"page_width_mm": 100,
			"label_height_mm": 12,
			"page_height_mm": 12,
			"padding_mm": 1,
			"bar_height_mm": 4,
			"font_size_pt": 4,
			"module_width_mm": 0.19,
			"show_item_name": 0,
			"qr_code": 1,
		}
	).insert()
	before = files()
	with pytest.raises(frappe.ValidationError, match=f"The QR code of SN code {long_code} needs"):
		api.print_labels(codes=values, layout="Fine QR test")
	assert files() == before
