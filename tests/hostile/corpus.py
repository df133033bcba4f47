"""Hostile input: named values sent to every method and document that takes codes, filters or files
(tests/rest/test_hostile.py). The big ones are made once, at import.

``texts(tag)`` embeds ``tag`` in every value that could be stored, so that each target gets codes
no other target stored before it (a code accepted once is refused the second time as known).
"""

import functools
import io
import random
import struct
import zipfile
import zlib

#: 10 MB, as one word and as lines of codes.
TEN_MB = 10 * 1024 * 1024
TEN_MB_WORD = "H" * TEN_MB
TEN_MB_LINES = "\n".join(f"BIG-{n:07d}" for n in range(TEN_MB // 12 + 1))[:TEN_MB]
BIG = {"10mb-word": TEN_MB_WORD, "10mb-lines": TEN_MB_LINES}

#: Full-width forms of printable ASCII, as a CJK input method types a scanner's keystrokes.
_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def full_width(text: str) -> str:
	return text.translate(_FULL_WIDTH)


def texts(tag: str) -> dict[str, str]:
	"""Every hostile text, named; ``tag`` makes the codes among them unique."""
	return {
		"sql-quote": f"H{tag}' OR '1'='1",
		"sql-union": f"H{tag}' UNION SELECT name, password FROM `__Auth` -- ",
		"sql-stacked": f"H{tag}; DROP TABLE `tabSerial Number`; --",
		"sql-like": f"H{tag}%_",
		"sql-backslash": f"H{tag}\\",
		# nothing but characters a code may hold
		"sql-allowed": f"H{tag}-1)OR(1=1",
		"html-img": f"<img src=x onerror=alert('{tag}')>",
		"html-script": f"<script>alert('{tag}')</script>",
		"html-attr": f'H{tag}"><svg onload=alert(1)>',
		# allowed characters an HTML page would read as entities
		"html-entity": f"H{tag}&lt&amp",
		"jinja": "{{ frappe.db.sql('select name from tabUser') }}",
		# allowed characters ZPL would read as commands
		"zpl-commands": f"H{tag}^XZ~JR",
		"nul": f"H{tag}-\x00-1",
		"escape": f"H{tag}-\x1b[31m-1",
		"carriage-return": f"H{tag}-CR1\rH{tag}-CR2",
		"zero-width-space": f"H{tag}\u200b-1",
		"zero-width-joiner": f"H{tag}-\u200d1",
		"bidi-override": f"H{tag}-\u202e1-A",
		"bidi-isolate": f"H{tag}-\u20661",
		"emoji": f"H{tag}-\U0001f4e6",
		"cjk": f"H{tag}-\u5e8f\u5217\u53f7",
		"formula-equals": f"=H{tag}+1",
		"formula-plus": f"+H{tag}",
		"formula-minus": f"-H{tag}",
		"formula-at": f"@H{tag}",
		"1001-codes": "\n".join(f"H{tag}-{n:04d}" for n in range(1, 1002)),
	}


def twins(existing: str) -> dict[str, str]:
	"""Other spellings of an existing code: the same code to the product (it compares without case
	and folds full-width characters)."""
	return {
		"twin-lower": existing.lower(),
		"twin-upper": existing.upper(),
		"twin-full-width": full_width(existing),
		"twin-full-width-lower": full_width(existing.lower()),
	}


#: Values of the wrong type for an argument that takes a text.
WRONG_TYPES = {
	"list": ["A-1", "A-2"],
	"dict": {"code": "A-1"},
	"number": 12345,
	"float": 1e308,
	"null": None,
	"true": True,
	"nested": [[{"a": ["b", {"c": None}]}]],
}

#: Text arguments that are JSON nested deeper than Python's JSON reader goes (it raises a
#: RecursionError, not the ValueError of text that is no JSON).
DEEP_JSON = {
	"json-deep-list": "[" * 100_000 + "]" * 100_000,
	"json-deep-object": '{"a": ' * 100_000 + "1" + "}" * 100_000,
}

#: Request bodies that are not the JSON they say they are.
MALFORMED_JSON = {
	"truncated": b'{"text": "A-1',
	"unclosed-list": b"[1, 2",
	"nan": b'{"text": NaN}',
	"nul-byte": b"\x00",
	"not-utf8": b'{"text": "\xff\xfe"}',
	"array": b'["A-1"]',
	"bare-string": b'"A-1"',
	"deep": b"[" * 100_000 + b"]" * 100_000,
}

#: Texts a LIKE pattern would read as wildcards (``_``, ``%``) or as its escape (``\``): a search by
#: the start of a code takes them as typed, and reads no more for them than for any other text.
LIKE_WILDCARDS = {
	"underscore": "_",
	"percent": "%",
	"backslash": "\\",
	"underscores": "___",
	"mixed": "_%\\%_",
	"escaped-underscore": "\\_",
}

#: Row links ERPNext marks ``ignore_user_permissions`` (Frappe does not check them against a user's
#: User Permissions), on the documents that carry SN codes, as (document, row field, is a return,
#: read): whether the row's units leave from there, so that checking its codes would tell what that
#: warehouse holds (a user who may not read it is refused), or go there (not read, not checked).
IGNORED_LINKS = (
	("Purchase Receipt", "from_warehouse", False, True),
	("Purchase Receipt", "from_warehouse", True, False),
	("Purchase Invoice", "from_warehouse", False, True),
	("Purchase Invoice", "from_warehouse", True, False),
	("Delivery Note", "target_warehouse", False, False),
	("Delivery Note", "target_warehouse", True, True),
	("Sales Invoice", "target_warehouse", False, False),
	("Sales Invoice", "target_warehouse", True, True),
	("POS Invoice", "target_warehouse", False, False),
	("POS Invoice", "target_warehouse", True, True),
)
#: Links of the same documents ERPNext marks so that the app never reads (a row's own fields decide):
#: a user who may not read them is not refused for them.
IGNORED_UNREAD = (
	("Purchase Receipt", "set_from_warehouse"),
	("Purchase Receipt", "rejected_warehouse"),
	("Purchase Receipt", "supplier_warehouse"),
	("Delivery Note", "set_target_warehouse"),
)
#: The walls of User Permissions on a party, as (the doctype restricted, a document of another party
#: and its party field): a user of one customer (supplier) reads no document, log row or serial of
#: another's, and no message names that party or document.
PARTY_WALLS = (
	("Customer", "Delivery Note", "customer"),
	("Supplier", "Purchase Receipt", "supplier"),
)


# Hostile xlsx files, written part by part into the zip (nothing big is ever unpacked on disk or in
# memory), each made once, when first asked for. Their sheet is the template's: the five headers in
# row 1, inline strings.

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_HEADER = ("Item code (SKU)", "Item name", "Warehouse (location)", "SN code", "Carton (optional)")
_CONTENT_TYPES = (
	'<?xml version="1.0" encoding="UTF-8"?>'
	'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
	'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
	'<Default Extension="xml" ContentType="application/xml"/>'
	'<Override PartName="/xl/workbook.xml" '
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
	'<Override PartName="/xl/worksheets/sheet1.xml" '
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
	'<Override PartName="/xl/sharedStrings.xml" '
	'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
	"</Types>"
)
_PACKAGE_RELS = (
	'<?xml version="1.0" encoding="UTF-8"?>'
	'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
	'<Relationship Id="rId1" Target="xl/workbook.xml" '
	'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
	"</Relationships>"
)
_WORKBOOK = (
	'<?xml version="1.0" encoding="UTF-8"?>'
	f'<workbook xmlns="{_SHEET_NS}" '
	'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
	'<sheets><sheet name="SN codes" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
	'<?xml version="1.0" encoding="UTF-8"?>'
	'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
	'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
	'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
	'<Relationship Id="rId2" Target="sharedStrings.xml" '
	'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
	"</Relationships>"
)
_SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SHEET_NS}"><sheetData>'
_SHEET_END = "</sheetData></worksheet>"
_MB = 1024 * 1024


def xlsx_row(number: int, values) -> str:
	"""A sheet's row of inline strings (no ``<dimension>`` anywhere: the sheet states no size)."""
	cells = "".join(
		f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
		for letter, value in zip("ABCDE", values, strict=False)
		if value is not None
	)
	return f'<row r="{number}">{cells}</row>'


def xlsx_file(sheet, strings=None) -> bytes:
	"""An xlsx of one sheet, its XML given as chunks (bytes or text) and streamed into the zip, as are
	the shared strings' chunks (none by default)."""
	strings = strings or (f'<sst xmlns="{_SHEET_NS}"></sst>',)
	out = io.BytesIO()
	with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
		book.writestr("[Content_Types].xml", _CONTENT_TYPES)
		book.writestr("_rels/.rels", _PACKAGE_RELS)
		book.writestr("xl/workbook.xml", _WORKBOOK)
		book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
		for part, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
			with book.open(part, "w", force_zip64=True) as stream:
				for chunk in chunks:
					stream.write(chunk.encode() if isinstance(chunk, str) else chunk)
	return out.getvalue()


def _sheet(*rows: str):
	yield _SHEET_START + xlsx_row(1, _XLSX_HEADER)
	yield from rows
	yield _SHEET_END


@functools.cache
def far_row() -> bytes:
	"""No ``<dimension>``, a good row 2, then a row numbered 900,000,000: a reader that makes a row of
	every number it skips reads 900 million empty rows."""
	return xlsx_file(
		_sheet(
			xlsx_row(2, ("ST-HOSTILE", None, None, "FAR-1")),
			xlsx_row(900_000_000, ("ST-HOSTILE", None, None, "FAR-2")),
		)
	)


@functools.cache
def shared_strings_bomb() -> bytes:
	"""A shared string of 1 GB of one character (about 1 MB packed), the sheet's row 2 naming it."""
	chunk = b"A" * _MB

	def strings():
		yield f'<sst xmlns="{_SHEET_NS}"><si><t>'
		for _ in range(1024):
			yield chunk
		yield "</t></si></sst>"

	row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
	return xlsx_file(_sheet(row), strings())


@functools.cache
def sheet_bomb() -> bytes:
	"""A sheet of 1 GB (about 1 MB packed): the header row, then spaces."""
	chunk = b" " * _MB

	def sheet():
		yield _SHEET_START + xlsx_row(1, _XLSX_HEADER)
		for _ in range(1024):
			yield chunk
		yield _SHEET_END

	return xlsx_file(sheet())


def _declaring(content: bytes, part: str, size: int, crc_of_prefix: bool) -> bytes:
	"""``content`` (a zip) with ``part`` declaring ``size`` unpacked bytes, in its local header and
	in the directory; its CRC is the whole data's, or with ``crc_of_prefix`` that of the first
	``size`` bytes (which zipfile then reads without complaint)."""
	data = bytearray(content)
	book = zipfile.ZipFile(io.BytesIO(content))
	info = book.getinfo(part)
	crc = info.CRC
	if crc_of_prefix:
		with book.open(part) as stream:
			crc = zlib.crc32(stream.read(size))
	end = data.rfind(b"PK\x05\x06")
	(directory,) = struct.unpack("<I", data[end + 16 : end + 20])
	at = directory
	while data[at : at + 4] == b"PK\x01\x02":
		name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28 : at + 34])
		if data[at + 46 : at + 46 + name_length].decode() == part:
			struct.pack_into("<I", data, at + 16, crc)
			struct.pack_into("<I", data, at + 24, size)
		at += 46 + name_length + extra_length + comment_length
	local = info.header_offset
	struct.pack_into("<I", data, local + 14, crc)
	struct.pack_into("<I", data, local + 22, size)
	return bytes(data)


def _long_sheet():
	yield _SHEET_START + xlsx_row(1, _XLSX_HEADER)
	for start in range(2, 1_000_002, 20_000):
		yield "".join(f'<row r="{n}"><c r="F{n}"/></row>' for n in range(start, start + 20_000))
	yield _SHEET_END


@functools.cache
def lying_size() -> bytes:
	"""A sheet that declares 4 KB and inflates to about 30 MB (its CRC the whole data's)."""
	return _declaring(xlsx_file(_long_sheet()), "xl/worksheets/sheet1.xml", 4096, crc_of_prefix=False)


@functools.cache
def lying_size_crc() -> bytes:
	"""The same, its CRC that of the 4 KB it declares: zipfile reads those and stops."""
	return _declaring(xlsx_file(_long_sheet()), "xl/worksheets/sheet1.xml", 4096, crc_of_prefix=True)


@functools.cache
def wide_row() -> bytes:
	"""A row of 300,000 cells past column E, each with another style (so that it packs like a real
	sheet, not like a bomb)."""
	styles = random.Random(7)
	cells = "".join(f'<c r="F2" s="{styles.randrange(10**6)}"/>' for _ in range(300_000))
	return xlsx_file(_sheet(f'<row r="2"><c r="A2" t="inlineStr"><is><t>X</t></is></c>{cells}</row>'))


@functools.cache
def wide_string() -> bytes:
	"""A shared string of 200,000 runs of text, each another (it packs like real text)."""
	words = random.Random(11)
	runs = "".join(f"<r><t>{words.randrange(10**9)}</t></r>" for _ in range(200_000))
	row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
	return xlsx_file(_sheet(row), [f'<sst xmlns="{_SHEET_NS}"><si>{runs}</si></sst>'])


@functools.cache
def many_parts() -> bytes:
	"""A zip of 5,000 parts (Excel's files hold a few dozen)."""
	out = io.BytesIO()
	with zipfile.ZipFile(io.BytesIO(xlsx_file(_sheet()))) as source, zipfile.ZipFile(out, "w") as target:
		for info in source.infolist():
			target.writestr(info, source.read(info))
		for n in range(5000):
			target.writestr(f"xl/media/part{n}.bin", b"")
	return out.getvalue()


@functools.cache
def entity_bomb() -> bytes:
	"""A sheet whose DTD makes one entity a billion characters ("billion laughs")."""
	entities = '<!ENTITY e0 "AAAAAAAAAA">' + "".join(
		f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10)
	)
	head = f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{entities}]>'
	row = '<row r="2"><c r="A2" t="inlineStr"><is><t>&e9;</t></is></c></row>'
	body = f'<worksheet xmlns="{_SHEET_NS}"><sheetData>{xlsx_row(1, _XLSX_HEADER)}{row}{_SHEET_END}'
	return xlsx_file([head + body])


#: The hostile xlsx files by name: each refused at once, in well under two seconds, storing nothing.
HOSTILE_XLSX = {
	"far-row": far_row,
	"shared-strings-bomb": shared_strings_bomb,
	"sheet-bomb": sheet_bomb,
	"lying-size": lying_size,
	"lying-size-crc": lying_size_crc,
	"wide-row": wide_row,
	"wide-string": wide_string,
	"many-parts": many_parts,
	"entity-bomb": entity_bomb,
}
