"""Hostile input: named values sent to every method and document that takes codes, filters or files
(tests/rest/test_hostile.py). The big ones are made once, at import.

``texts(tag)`` embeds ``tag`` in every value that could be stored, so that each target gets codes
no other target stored before it (a code accepted once is refused the second time as known).
"""

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
