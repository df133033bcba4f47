"""Permission checks that hold in every context.

``readable`` / ``require_readable``: what the user may read, judged as ``frappe.get_list`` judges
it; ``require_role``: unlike ``frappe.only_for``, lets no test or Administrator through;
``query_conditions`` and ``has_permission`` (hooked for the log, cartons and count scans) apply
to their Dynamic Link parties the rule Frappe applies to a Customer or Supplier link
(:func:`party_allowed`).
"""

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import escape_html

from serial_tracking.constants import CARTON, LOG, SERIAL

MANAGERS = ("Stock Manager", "System Manager")


def may_open_app() -> bool:
	"""Frappe's apps screen shows the app to users who may read SN codes."""
	return bool(frappe.has_permission(SERIAL, "read"))


def require_role(roles=MANAGERS) -> None:
	if frappe.session.user == "Administrator" or set(roles) & set(frappe.get_roles()):
		return
	frappe.throw(
		_("Only {0} may do this").format(", ".join(_(role) for role in roles)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def readable(doctype: str, names: Iterable[str | None]) -> set[str]:
	"""Those of ``names`` that exist and that the user may read (as stored, for comparing).

	A user with no role that reads ``doctype`` (ERPNext gives Warehouse to Stock User, not to
	Stock Manager) reads none of them.
	"""
	names = sorted({name for name in names if name})
	if not names or not (frappe.has_permission(doctype, "read") or frappe.has_permission(doctype, "select")):
		return set()
	return set(frappe.get_list(doctype, filters={"name": ("in", names)}, pluck="name", limit_page_length=0))


def require_readable(doctype: str, name: str | None, *, known_only: bool = False) -> None:
	"""Refuse, naming it, a document that is missing, does not exist or that the user may not read.

	``known_only``: refuse only an existing document the user may not read (the caller names
	missing and unknown ones in its own words).
	"""
	if not name:
		if known_only:
			return
		frappe.throw(_("{0} is required").format(_(doctype)), frappe.MandatoryError)
	if readable(doctype, [name]):
		return
	if not frappe.db.exists(doctype, name):
		if known_only:
			return
		frappe.throw(
			_("{0} {1} does not exist").format(_(doctype), escape_html(name)), frappe.DoesNotExistError
		)
	frappe.throw(
		_("You are not permitted to read {0} {1}").format(_(doctype), escape_html(name)),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def allowed_parties(
	pairs: Iterable[tuple[str | None, str | None]], doctypes: Iterable[str]
) -> set[tuple[str, str]]:
	"""Those (party type, party) of ``pairs`` that the user's User Permissions let through for
	``doctypes``, as a list lets a Customer or Supplier link through: a user restricted to some
	customers (or suppliers) sees no sale to (or receipt from) another. A Dynamic Link such as the
	log's party is not restricted by ``frappe.get_list``; this (and ``query_conditions``) is its
	check. Pairs without a party are left out: the caller's list decides those."""
	restricted = party_restrictions(doctypes)
	return {
		(party_type, party)
		for party_type, party in {(t, p) for t, p in pairs if t and p}
		if party_allowed(party_type, party, restricted)
	}


# The walls of the app's Dynamic Links
#
# Frappe restricts a list (and a document read by name) by the User Permissions on each Link field:
# a value is let through when it is one of the user's allowed documents of the link's doctype
# (those without ``applicable_for``, or applicable to the doctype read), or when it is empty, unless
# *Apply Strict User Permissions* is set. A Dynamic Link is not looked at. The app's parties are
# judged here as if each party doctype were a Link of its own: the log's ``party`` is "the
# customer" of a row whose ``party_type`` is Customer, empty for any other row.

#: A code scanned into a Serial Count: judged by its unit's parties (a serial sold to another
#: customer, or bought from another supplier, is read through none of its scans).
SCAN = "Serial Count Scan"
#: The doctypes a party of the app's Dynamic Links may be.
PARTY_TYPES = ("Customer", "Supplier")
#: The documents that make a carton from a supplier (a carton's party is their supplier).
RECEIPTS = ("Purchase Receipt", "Purchase Invoice")
#: A unit's own parties, Links of its Serial Number: the supplier it was last bought from and the
#: customer it was last sold to. A log row is a movement of a unit: it is judged by its own party
#: and by its unit's, so that a unit sold to another customer shows none of its movements.
UNIT_PARTIES = {"Customer": "customer", "Supplier": "supplier"}


def party_restrictions(doctypes: str | Iterable[str], user: str | None = None) -> dict[str, frozenset[str]]:
	"""Per party doctype the user is restricted on, the parties their User Permissions allow for
	``doctypes`` (those applicable to every doctype or to one of them); an unrestricted party
	doctype is absent."""
	doctypes = {doctypes} if isinstance(doctypes, str) else set(doctypes)
	permissions = frappe.permissions.get_user_permissions(user or frappe.session.user)
	found = {}
	for party_type in PARTY_TYPES:
		docs = frozenset(
			p.get("doc")
			for p in permissions.get(party_type, [])
			if not p.get("applicable_for") or p.get("applicable_for") in doctypes
		)
		if docs:
			found[party_type] = docs
	return found


def _strict() -> bool:
	return bool(frappe.get_system_settings("apply_strict_user_permissions"))


def unit_allowed(unit: dict | None, restricted: dict[str, frozenset[str]]) -> bool:
	"""Whether the parties of a unit (its Serial Number's ``customer`` and ``supplier``; None for a
	serial deleted since) are let through ``restricted``: none of them is another's. (A row's own
	party decides what strict User Permissions hide.)"""
	return all(
		not (value := (unit or {}).get(UNIT_PARTIES[party_type])) or value in allowed
		for party_type, allowed in restricted.items()
	)


def party_allowed(
	party_type: str | None,
	party: str | None,
	restricted: dict[str, frozenset[str]],
	strict: bool | None = None,
) -> bool:
	"""Whether a row of ``party_type`` ``party`` is let through ``restricted``
	(``party_restrictions``): for each party doctype the user is restricted on, the row's party of
	that doctype (none when the row's party is of another doctype, or empty) is one of the allowed
	ones, or there is none and User Permissions are not strict."""
	if not restricted:
		return True
	strict = _strict() if strict is None else strict
	for doctype, allowed in restricted.items():
		value = party if party_type == doctype and party else None
		if value is None:
			if strict:
				return False
		elif value not in allowed:
			return False
	return True


def _quoted(value: str) -> str:
	return frappe.db.escape(value, percent=False)


def _listed(*values: str) -> str:
	return ", ".join(_quoted(v) for v in sorted(values))


def _in(column: str, values: Iterable[str]) -> str:
	return f"{column} in ({_listed(*values)})"


def _party_sql(type_column: str, column: str, doctype: str, allowed: frozenset[str], strict: bool) -> str:
	"""The SQL of ``party_allowed`` for one party doctype: ``column`` holds the party, of the doctype
	named in ``type_column``."""
	if strict:
		return f"({type_column} = {_quoted(doctype)} and {_in(column, allowed)})"
	other = f"ifnull({type_column}, '') != {_quoted(doctype)}"
	return f"({other} or ifnull({column}, '') = '' or {_in(column, allowed)})"


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""``permission_query_conditions`` of the log and of cartons: the SQL that hides the rows whose
	party the user's User Permissions do not let through ("" when they are not restricted on a
	party). An ``in`` of the user's allowed parties on the row itself and on its unit (the log), or on
	the receipt that made the carton, each read by its primary key: no statement reads more for it
	than a row looked up per row read."""
	user = user or frappe.session.user
	restricted = party_restrictions(doctype, user)
	if not restricted:
		return ""
	strict = _strict()
	if doctype == LOG:
		table = f"`tab{LOG}`"
		own = [
			_party_sql(f"{table}.`party_type`", f"{table}.`party`", party_type, allowed, strict)
			for party_type, allowed in restricted.items()
		]
		return " and ".join([*own, _unit_sql(restricted)])
	if doctype == SCAN:
		return _unit_sql(restricted, f"`tab{SCAN}`.`code`")
	if doctype == CARTON:
		# A carton's party is the supplier of the receipt that made it; it has no customer.
		return " and ".join(
			_carton_sql(allowed, strict) if party_type == "Supplier" else "1 = 0"
			for party_type, allowed in restricted.items()
			if party_type == "Supplier" or strict
		)
	return ""


def _unit_sql(restricted: dict[str, frozenset[str]], code: str = f"`tab{LOG}`.`serial_no`") -> str:
	"""The log rows (the scans: ``code``, the column naming the serial) whose unit's parties
	(``unit_allowed``) are let through. Each party is read as a scalar subquery by the serial's
	primary key: MariaDB runs it for the rows it reads, and cannot turn it into a read of every serial
	of another party (as it may a ``not exists``)."""
	unit = f"from `tab{SERIAL}` s where s.`name` = {code}"
	return " and ".join(
		f"ifnull((select s.`{UNIT_PARTIES[t]}` {unit}), '') in ({_listed('', *names)})"
		for t, names in restricted.items()
	)


def _carton_sql(allowed: frozenset[str], strict: bool) -> str:
	"""Cartons but those made by a receipt from a supplier not allowed; strict: only those made by a
	receipt from an allowed supplier. The receipt's supplier is a scalar subquery by its primary key."""
	table = f"`tab{CARTON}`"
	supplier = " ".join(
		f"when {_quoted(d)} then (select r.`supplier` from `tab{d}` r where r.`name` = {table}.`made_by_no`)"
		for d in RECEIPTS
	)
	party = f"(case {table}.`made_by_type` {supplier} end)"
	if strict:
		return _in(party, allowed)
	return f"ifnull({party}, '') in ({_listed('', *allowed)})"


def has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""``has_permission`` of the log, cartons and count scans: False when the document's party (a log
	row's and its unit's, a scan's unit's, the supplier of the receipt that made a carton) is not let
	through the user's User Permissions, as a list hides it; otherwise None (the other rules
	decide)."""
	restricted = party_restrictions(doc.doctype, user)
	if not restricted:
		return None
	strict = _strict()
	if doc.doctype == CARTON:
		party_type = party = None
		if doc.get("made_by_type") in RECEIPTS and doc.get("made_by_no"):
			party_type = "Supplier"
			party = frappe.db.get_value(doc.made_by_type, doc.made_by_no, "supplier")
		allowed = party_allowed(party_type, party, restricted, strict)
	elif doc.doctype == SCAN:
		unit = doc.get("code") and frappe.db.get_value(
			SERIAL, doc.code, list(UNIT_PARTIES.values()), as_dict=True
		)
		allowed = unit_allowed(unit or None, restricted)
	else:
		unit = doc.get("serial_no") and frappe.db.get_value(
			SERIAL, doc.serial_no, list(UNIT_PARTIES.values()), as_dict=True
		)
		allowed = party_allowed(doc.get("party_type"), doc.get("party"), restricted, strict)
		allowed = allowed and unit_allowed(unit or None, restricted)
	if allowed:
		return None
	if debug:
		print(f"{doc.doctype} {doc.name}: its party is not allowed by the user's User Permissions")
	return False
