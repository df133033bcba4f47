"""Counting a warehouse by scanning: scans, the live summary, posting and cancelling a Serial Count.

Each test makes items of its own (rolled back with it), so that the consistency check of those
items sees only what the test did.
"""

import time
from datetime import timedelta

import pytest

import frappe
from frappe.utils import now_datetime

from serial_tracking import api
from serial_tracking.constants import LOG
from serial_tracking.stock import cartons, consistency_check, posting
from serial_tracking.stock.count_basics import SCAN, CountError
from serial_tracking.stock.timing import posted_at
from tests.integration import factory as f


def _items(run: str, count: int = 3) -> list[str]:
	names = [f"ST-CNT-{run}-{n}" for n in range(count)]
	for name in names:
		f.make_item(name)
	return names


def _count(warehouse=f.MAIN, items=()) -> str:
	doc = frappe.get_doc(
		{"doctype": "Serial Count", "warehouse": warehouse, "items": [{"item_code": i} for i in items]}
	)
	doc.insert()
	return doc.name


def _state(code: str) -> tuple:
	row = frappe.db.get_value("Serial Number", code, ["status", "warehouse"])
	return tuple(row) if row else None


def _differences(items: list[str]) -> list:
	return [d for item in items for d in consistency_check.check(item)]


def _world(run: str):
	"""Units of every kind of difference for a count of MAIN of items A and B (C is another item):

	A: counted A1-A3, missing A4-A5, misplaced A6 (at SHOP), sold A7 found here;
	B: quantity unchanged (2) but serials changed: B1 counted, B2 missing, B3 (sold) found here;
	C: C1 held here, outside the count's items."""
	a, b, c = _items(run)
	code = lambda prefix, n: f"{run}-{prefix}{n}"  # noqa: E731
	A = {n: code("A", n) for n in range(1, 8)}
	B = {n: code("B", n) for n in range(1, 4)}
	C1 = code("C", 1)
	f.purchase_receipt(
		[
			(a, 5, [A[n] for n in range(1, 6)], f.MAIN),
			(a, 1, [A[6]], f.SHOP),
			(a, 1, [A[7]], f.MAIN),
			(b, 3, [B[1], B[2], B[3]], f.MAIN),
			(c, 1, [C1], f.MAIN),
		]
	)
	f.delivery_note([(a, 1, [A[7]], f.MAIN), (b, 1, [B[3]], f.MAIN)])
	return (a, b, c), A, B, C1


def test_a_count_with_every_kind_of_difference_posts_the_documents_and_cancels_back():
	run = frappe.generate_hash(length=6).upper()
	(a, b, c), A, B, C1 = _world(run)
	assert _differences([a, b, c]) == []
	name = _count(items=[a, b])
	unknown = f"{run}-NOPE"
	scanned = [A[1], A[2], A[3], A[6], A[7], B[1], B[3], C1, unknown]
	answer = api.count_scan(name, "\n".join(scanned))
	kinds = {r["code"]: r["kind"] for r in answer["results"]}
	assert kinds == {
		A[1]: "counted",
		A[2]: "counted",
		A[3]: "counted",
		A[6]: "misplaced",
		A[7]: "sold",
		B[1]: "counted",
		B[3]: "sold",
		C1: "wrong_item",
		unknown: "unknown",
	}
	misplaced = next(r for r in answer["results"] if r["code"] == A[6])
	assert misplaced["warehouse"] == f.SHOP and f.SHOP in misplaced["message"]
	assert "unknown SN code" in next(r["message"] for r in answer["results"] if r["code"] == unknown)
	lines = {line["item_code"]: line for line in answer["summary"]["items"]}
	assert (lines[a]["expected"], lines[a]["counted"], lines[a]["missing"]) == (5, 3, 2)
	assert lines[a]["unexpected"] == {"misplaced": 1, "sold": 1}
	assert (lines[b]["expected"], lines[b]["counted"], lines[b]["missing"]) == (2, 1, 1)
	assert lines[c]["unexpected"] == {"wrong_item": 1}
	assert lines[""]["unexpected"] == {"unknown": 1}

	# Unknown codes hold the posting back, naming them; nothing is made.
	with pytest.raises(CountError, match=unknown):
		api.post_count(name)
	assert frappe.db.get_value("Serial Count", name, "docstatus") == 0
	assert _state(A[6]) == ("In Stock", f.SHOP)
	assert api.count_unscan(name, unknown)["removed"]

	made = api.post_count(name)
	assert made["status"] == "Posted"
	documents = [(d["document_type"], d["document_name"]) for d in made["documents"]]
	assert [t for t, _n in documents] == ["Stock Entry", "Stock Reconciliation"]
	entry = frappe.get_doc(*documents[0])
	assert (entry.docstatus, entry.purpose) == (1, "Material Transfer")
	assert [(r.item_code, r.qty, r.s_warehouse, r.t_warehouse, r.sn_codes) for r in entry.items] == [
		(a, 1, f.SHOP, f.MAIN, A[6])
	]
	count = frappe.get_doc(*documents[1])
	# Only A changes quantity (6 after the transfer, 5 counted); B's row would be dropped by ERPNext.
	assert [(r.item_code, r.qty, r.warehouse) for r in count.items] == [(a, 5, f.MAIN)]
	assert set(count.items[0].sn_codes.split()) == {A[1], A[2], A[3], A[6], A[7]}

	here = ("In Stock", f.MAIN)
	assert [_state(A[n]) for n in range(1, 8)] == [
		here,
		here,
		here,
		("Missing", None),
		("Missing", None),
		here,
		here,
	]
	# B: same quantity, serials changed: moved by the count itself.
	assert [_state(B[n]) for n in range(1, 4)] == [here, ("Missing", None), here]
	own = frappe.get_all(
		LOG,
		filters={"voucher_type": "Serial Count", "voucher_no": name, "is_cancelled": 0},
		fields=["serial_no", "operation"],
		order_by="serial_no",
	)
	assert [(r.serial_no, r.operation) for r in own] == [(B[2], "Count Missing"), (B[3], "Count")]
	assert _state(C1) == here
	assert _differences([a, b, c]) == []

	# Posting again, or scanning into a posted count, is refused cleanly.
	with pytest.raises(CountError, match="already posted"):
		api.post_count(name)
	with pytest.raises(CountError, match="already posted"):
		api.count_scan(name, A[4])

	api.cancel_count(name)
	assert frappe.db.get_value("Serial Count", name, ["docstatus", "status"]) == (2, "Cancelled")
	assert frappe.db.get_value(*documents[0], "docstatus") == 2
	assert frappe.db.get_value(*documents[1], "docstatus") == 2
	assert [_state(A[n]) for n in range(1, 8)] == [here] * 5 + [("In Stock", f.SHOP), ("Sold", None)]
	assert [_state(B[n]) for n in range(1, 4)] == [here, here, ("Sold", None)]
	assert _differences([a, b, c]) == []


def test_a_refusal_after_documents_were_made_leaves_none_of_them(settings):
	run = frappe.generate_hash(length=6).upper()
	(a, *_others), A, *_more = _world(run)
	name = _count(items=[a])
	api.count_scan(name, "\n".join([A[1], A[2], A[3], A[6], A[7]]))
	entries = frappe.db.count("Stock Entry")
	# The transfer is made, then item A's five codes are more than a document may carry.
	settings(max_per_operation=4)
	with pytest.raises(CountError, match="more than 4"):
		api.post_count(name)
	assert frappe.db.count("Stock Entry") == entries
	assert frappe.db.get_value("Serial Count", name, ["docstatus", "status"]) == (0, "Draft")
	assert _state(A[6]) == ("In Stock", f.SHOP)
	assert _differences([a]) == []


def test_a_count_is_dated_once_its_posting_turn_is_its_own(monkeypatch):
	"""Its moment is taken after the turn and written to its row; the transfer of misplaced units is
	dated 1 ms before it, the reconciliation and the count's own movements at it."""
	run = frappe.generate_hash(length=6).upper()
	(a, b, _c), A, B, _C1 = _world(run)
	name = _count(items=[a, b])
	api.count_scan(name, "\n".join([A[1], A[2], A[3], A[6], A[7], B[1], B[3]]))
	turns = []
	take_turn = posting.take_turn

	def taken(*args, **kwargs):
		take_turn(*args, **kwargs)
		time.sleep(0.05)  # as if it had waited for another document's posting
		turns.append(now_datetime())

	monkeypatch.setattr(posting, "take_turn", taken)
	made = api.post_count(name)

	def moment(doctype: str, docname: str):
		return posted_at(*frappe.db.get_value(doctype, docname, ["posting_date", "posting_time"]))

	counted = moment("Serial Count", name)
	assert frappe.db.get_value("Serial Count", name, "status") == "Posted"
	transfer, reconciliation = [(d["document_type"], d["document_name"]) for d in made["documents"]]
	assert moment(*transfer) >= turns[0]
	assert moment(*transfer) == counted - timedelta(milliseconds=1)
	assert moment(*reconciliation) == counted
	own = frappe.get_all(
		LOG,
		filters={"voucher_type": "Serial Count", "voucher_no": name},
		fields=["posting_date", "posting_time"],
	)
	assert own and {posted_at(r.posting_date, r.posting_time) for r in own} == {counted}


def test_misplaced_units_left_elsewhere_are_neither_moved_nor_counted():
	run = frappe.generate_hash(length=6).upper()
	(a, *_others), A, *_more = _world(run)
	name = _count(items=[a])
	api.count_scan(name, "\n".join([A[1], A[2], A[3], A[4], A[5], A[6]]))
	made = api.post_count(name, leave=[A[6]])
	# Nothing changes at MAIN (5 counted, 5 held): no document at all.
	assert made["documents"] == []
	assert _state(A[6]) == ("In Stock", f.SHOP)
	assert _differences([a]) == []


def test_a_scan_of_more_codes_than_one_operation_takes_is_refused_whole(settings):
	run = frappe.generate_hash(length=6).upper()
	(a, *_others), A, *_more = _world(run)
	name = _count(items=[a])
	settings(max_per_operation=3)
	with pytest.raises(CountError, match="4 SN codes entered; at most 3 are allowed at once"):
		api.count_scan(name, "\n".join([A[1], A[2], A[3], A[4]]))
	assert frappe.db.count(SCAN, {"serial_count": name}) == 0


def test_a_unit_scanned_here_stays_counted_whatever_leave_names():
	"""``leave`` keeps misplaced units where they are; a unit scanned where it is stays counted."""
	run = frappe.generate_hash(length=6).upper()
	(a, *_others), A, *_more = _world(run)
	name = _count(items=[a])
	api.count_scan(name, "\n".join([A[1], A[2], A[3], A[4], A[5]]))
	made = api.post_count(name, leave=[A[1]])
	assert made["documents"] == []
	assert _state(A[1]) == ("In Stock", f.MAIN)


def test_a_code_scanned_twice_or_in_another_case_is_kept_once_and_cartons_and_gs1_scans_enter_their_codes():
	run = frappe.generate_hash(length=6).upper()
	(a, *_others), A, *_more = _world(run)
	name = _count(items=[a])
	first = api.count_scan(name, A[1])
	assert first["results"][0]["new"] is True
	again = api.count_scan(name, A[1].lower())
	assert again["results"][0]["new"] is False
	assert "already scanned" in again["results"][0]["message"]
	carton = f"{run}-CARTON"
	cartons.pack({carton: (a, [A[2], A[3]])})
	packed = api.count_scan(name, carton)
	assert sorted(r["code"] for r in packed["results"]) == [A[2], A[3]]
	assert all(r["carton"] == carton for r in packed["results"])
	gs1 = api.count_scan(name, f"(01)09506000134352(21){A[4]}")
	assert [(r["code"], r["kind"]) for r in gs1["results"]] == [(A[4], "counted")]
	assert frappe.db.count(SCAN, {"serial_count": name}) == 4
	assert api.count_summary(name)["codes"]["not_scanned"] == [A[5]]
	# A scan taken out as typed in full-width letters (the database's collation folds them): the same code.
	wide = A[4].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
	assert api.count_unscan(name, wide)["removed"] is True
	assert frappe.db.count(SCAN, {"serial_count": name}) == 3


def test_who_may_scan():
	run = frappe.generate_hash(length=6).upper()
	_, A, *_more = _world(run)
	name = _count()
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		api.count_scan(name, A[1])
	frappe.set_user("Administrator")
	with pytest.raises(frappe.DoesNotExistError, match="SN-COUNT-NONE"):
		api.count_scan("SN-COUNT-NONE", A[1])
	user = f"st-count-{run.lower()}@example.com"
	frappe.get_doc(
		{"doctype": "User", "email": user, "first_name": "Counter", "roles": [{"role": "Stock User"}]}
	).insert()
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Warehouse", "for_value": f.SHOP}
	).insert()
	frappe.set_user(user)
	with pytest.raises(frappe.PermissionError):
		api.count_scan(name, A[1])
	assert frappe.db.count(SCAN, {"serial_count": name}) == 0
