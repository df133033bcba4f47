"""A serial's lives told as stories, on real documents: the steps, the one-line summary and the
figures that ``serial_tracking.api.trace`` answers, and what a user of one warehouse sees of them."""

import frappe
from frappe.utils import add_days, formatdate, nowdate

from serial_tracking import api
from tests.integration import factory as f
from tests.integration.factory import COMPANY, PHONE, codes

NORTHWIND = "ST Story Northwind"
HARBOUR = "ST Story Harbour Street"
KIM = "ST Story Kim"


def place(name: str) -> str:
	"""A warehouse of this test alone (no later entry or count of another test there)."""
	warehouse = f"{name} - {f.ABBR}"
	if not frappe.db.exists("Warehouse", warehouse):
		frappe.get_doc({"doctype": "Warehouse", "warehouse_name": name, "company": COMPANY}).insert()
	return warehouse


def days_ago(n: int) -> str:
	return add_days(nowdate(), -n)


def trade(doctype, party, rows, on, is_return=False, against=None):
	return f._trade(doctype, party, rows, True, is_return, against, {"posting_date": on})


def written(on: str) -> str:
	"""A date as the story writes it: in the user's date format, as the movements' table shows it."""
	return formatdate(on)


def history(code):
	"""Bought, moved, sold, returned and sold again, on known days: A 3 days, B 1 day, with Harbour
	Street 2 days, back at B 6 days, with Kim the last 4 days."""
	a, b = place("ST Story A"), place("ST Story B")
	sn = [code]
	on = {name: days_ago(n) for name, n in (("pr", 16), ("se", 13), ("dn1", 12), ("ret", 10), ("dn2", 4))}
	pr = trade("Purchase Receipt", f.supplier(NORTHWIND), [(PHONE, 1, sn, a)], on["pr"])
	se = f.stock_entry("Material Transfer", [(PHONE, 1, sn, a, b)], posting_date=on["se"])
	dn1 = trade("Delivery Note", f.customer(HARBOUR), [(PHONE, 1, sn, b)], on["dn1"])
	ret = trade("Delivery Note", HARBOUR, [(PHONE, -1, sn, b)], on["ret"], True, dn1.name)
	dn2 = trade("Delivery Note", f.customer(KIM), [(PHONE, 1, sn, b)], on["dn2"])
	return a, b, on, (pr, se, dn1, ret, dn2)


def test_a_serials_story_and_figures_from_its_documents():
	code = codes("TLS", 1)[0]
	a, b, on, (pr, se, dn1, ret, dn2) = history(code)

	traced = api.trace(serial_no=code)
	(life,) = traced["lives"]
	# what the answer had before stays
	assert [m["voucher_no"] for m in life["movements"]] == [pr.name, se.name, dn1.name, ret.name, dn2.name]
	assert life["opened_by"]["voucher_no"] == pr.name and traced["now"]["customer"] == KIM
	assert [
		(s["kind"], s["voucher_type"], s["voucher_no"], s["party"], s["warehouse"], s["days"])
		for s in life["story"]
	] == [
		# newest first, as the movements' table
		("sold_again", "Delivery Note", dn2.name, KIM, None, 4),
		("returned", "Delivery Note", ret.name, HARBOUR, b, 6),
		("sold", "Delivery Note", dn1.name, HARBOUR, None, 2),
		("moved", "Stock Entry", se.name, None, b, 1),
		("bought", "Purchase Receipt", pr.name, NORTHWIND, a, 3),
	]
	assert [str(s["date"]) for s in life["story"]] == list(on.values())[::-1]
	assert all(s["link"] for s in life["story"])
	assert life["summary"] == (
		f"Sold again to {KIM} on {written(on['dn2'])} ({dn2.name})"
		f" · returned by customer {HARBOUR} on {written(on['ret'])} ({ret.name}) · in {b} 6 days"
		f" · sold to {HARBOUR} on {written(on['dn1'])} ({dn1.name})"
		f" · moved to {b} on {written(on['se'])} ({se.name}) · in {b} 1 day"
		f" · bought from {NORTHWIND} on {written(on['pr'])} ({pr.name}) · in {a} 3 days"
	)
	assert life["summary"] == " · ".join(
		f"{s['text']} ({s['voucher_no']})" + (f" · {s['stay']}" if s["stay"] else "") for s in life["story"]
	)
	expected = {
		"days_in_stock": 10,
		"days_with_customers": 6,
		"days_elsewhere": 0,
		"returns": 1,
		"returns_to_supplier": 0,
	}
	assert life["figures"] == expected
	assert traced["figures"] == {**expected, "lives": 1}


def test_a_cancelled_sale_and_a_purchase_return_in_the_story():
	code = codes("TLC", 1)[0]
	a = place("ST Story A")
	sn = [code]
	pr = trade("Purchase Receipt", f.supplier(NORTHWIND), [(PHONE, 1, sn, a)], days_ago(9))
	cancelled = trade("Delivery Note", f.customer(HARBOUR), [(PHONE, 1, sn, a)], days_ago(7))
	cancelled.cancel()
	back = trade("Purchase Receipt", NORTHWIND, [(PHONE, -1, sn, a)], days_ago(5), True, pr.name)
	again = trade("Purchase Receipt", f.supplier("ST Story Southwind"), [(PHONE, 1, sn, a)], days_ago(2))

	traced = api.trace(serial_no=code)
	first, second = traced["lives"]
	assert [(s["kind"], s["voucher_no"], s["days"]) for s in first["story"]] == [
		("returned_to_supplier", back.name, 3),
		("bought", pr.name, 4),
	]
	# the cancelled sale stays a (struck) movement, never a step
	assert cancelled.name in [m["voucher_no"] for m in first["movements"]]
	assert first["summary"].startswith(
		f"Returned to supplier {NORTHWIND} on {written(days_ago(5))} ({back.name}) · bought from"
	)
	assert [(s["kind"], s["days"]) for s in second["story"]] == [("bought", 2)]
	assert traced["figures"] == {
		"days_in_stock": 6,
		"days_with_customers": 0,
		"days_elsewhere": 3,
		"returns": 0,
		"returns_to_supplier": 1,
		"lives": 2,
	}
	assert again.name in second["summary"]


def test_a_user_of_one_warehouse_sees_no_step_through_another(restricted):
	code = codes("TLP", 1)[0]
	a, b, on, (pr, se, dn1, ret, dn2) = history(code)

	frappe.set_user(restricted("story-a", "Warehouse", a))
	(life,) = api.trace(serial_no=code)["lives"]
	# the receipt's stay ends when the unit left for B: the days at B are not told
	assert [(s["kind"], s["voucher_no"], s["warehouse"], s["days"]) for s in life["story"]] == [
		("bought", pr.name, a, 3)
	]
	assert life["summary"] == f"Bought from {NORTHWIND} on {written(on['pr'])} ({pr.name}) · in {a} 3 days"
	assert life["figures"]["days_in_stock"] == 3 and life["figures"]["days_with_customers"] == 0

	frappe.set_user("Administrator")
	frappe.set_user(restricted("story-b", "Warehouse", b))
	traced = api.trace(serial_no=code)
	(life,) = traced["lives"]
	assert [(s["kind"], s["voucher_no"]) for s in life["story"]] == [
		("sold_again", dn2.name),
		("returned", ret.name),
		("sold", dn1.name),
	]
	for shown in (life["summary"], repr(life["story"]), repr(traced["figures"])):
		assert a not in shown and NORTHWIND not in shown and pr.name not in shown and se.name not in shown
	assert life["summary"].endswith(f"sold to {HARBOUR} on {written(on['dn1'])} ({dn1.name})")
	assert traced["figures"] == {
		"days_in_stock": 6,
		"days_with_customers": 6,
		"days_elsewhere": 0,
		"returns": 1,
		"returns_to_supplier": 0,
		"lives": 1,
	}


def test_a_unit_still_with_its_customer_counts_until_today():
	code = codes("TLH", 1)[0]
	a = place("ST Story A")
	trade("Purchase Receipt", f.supplier(NORTHWIND), [(PHONE, 1, [code], a)], days_ago(30))
	trade("Delivery Note", f.customer(KIM), [(PHONE, 1, [code], a)], days_ago(21))
	figures = api.trace(serial_no=code)["figures"]
	assert (figures["days_in_stock"], figures["days_with_customers"]) == (9, 21)


def test_a_document_the_user_may_not_open_is_told_but_not_linked(restricted):
	"""A Stock User reads no Purchase Invoice: the step it made names it, without a link to it."""
	a = place("ST Story A")
	sn = codes("TLL", 1)
	invoice = f.purchase_invoice([(PHONE, 1, sn, a)], posting_date=days_ago(3))
	dn = trade("Delivery Note", f.customer(KIM), [(PHONE, 1, sn, a)], days_ago(1))
	frappe.set_user(restricted("story-link", "Warehouse"))
	assert not frappe.has_permission("Purchase Invoice", "read")
	(life,) = api.trace(serial_no=sn[0])["lives"]
	assert [(s["kind"], s["voucher_no"], s["link"]) for s in life["story"]] == [
		("sold", dn.name, True),
		("bought", invoice.name, False),
	]


def test_a_return_names_the_customer_only_to_a_user_who_may_read_them(restricted):
	""" "Returned by customer Harbour Street" to a user who may read Harbour Street; a user restricted to
	Kim reads no step of Harbour Street's, and no word of it."""
	code = codes("TLR", 1)[0]
	_a, _b, on, (_pr, _se, dn1, ret, dn2) = history(code)
	returned = f"returned by customer {HARBOUR} on {written(on['ret'])} ({ret.name})"
	assert returned in api.trace(serial_no=code)["lives"][0]["summary"]

	frappe.set_user(restricted("story-kim", "Customer", KIM))
	(life,) = api.trace(serial_no=code)["lives"]
	# not even "sold again": the sale before it is not told
	assert [s["kind"] for s in life["story"]] == ["sold", "moved", "bought"]
	for shown in (life["summary"], repr(life["story"]), repr(life["movements"])):
		assert HARBOUR not in shown and ret.name not in shown and dn1.name not in shown
	assert life["summary"].startswith(f"Sold to {KIM} on {written(on['dn2'])} ({dn2.name})")
