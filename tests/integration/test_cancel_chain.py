"""The cancellation planner: what blocks a cancellation across generations, and cancelling it all.

Plans are read inside the test's rolled-back transaction. Cancelling a chain commits each
document in turn (a refusal must leave the ones before it cancelled), so those tests commit,
on an item of their own with codes unique to the run, and cancel what is left before they end.
"""

import time

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.api import cancel_blocked, cancel_chain, cancel_chain_status, cancel_plan
from serial_tracking.stock import cancel_planner, consistency_check
from tests.integration import factory as f
from tests.integration.factory import user_with
from tests.integration.jobs import Published, queued_job, run_as_a_worker
from tests.integration.racing import (
	DONE,
	Session,
	cancel_latest_first,
	carrying,
	keep,
	no_raw_errors,
	race,
	summary,
)

ITEM = "ST-CHAIN"
#: The item of the tests that commit.
COMMITTED = "ST-CHAIN-C"
OTHER = "ST Chain Other Customer"


@pytest.fixture(autouse=True)
def no_claims_left():
	"""Documents rolled back hand their names on to the next test's: the claims and reports of
	background cancellations kept for them in Redis go with each test."""
	yield
	frappe.cache.delete_keys("serial_tracking:cancel_chain")


def _generations(item, run, days=0):
	"""Five generations of one unit (A): received with B and C, moved to the shop with B, sold,
	returned, sold again to another customer; B sold on its own from the shop. Posted a day apart,
	the latest today; ``days`` moves them all back."""
	a, b, c = (f"{run}-{x}" for x in "ABC")
	day = lambda n: add_days(nowdate(), n - 6 - days)  # noqa: E731
	pr = f.purchase_receipt([(item, 3, [a, b, c], f.MAIN)], posting_date=day(1))
	se = f.stock_entry("Material Transfer", [(item, 2, [a, b], f.MAIN, f.SHOP)], posting_date=day(2))
	dn = f.delivery_note([(item, 1, [a], f.SHOP)], posting_date=day(3))
	ret = f.delivery_note(
		[(item, -1, [a], f.SHOP)], is_return=True, return_against=dn.name, posting_date=day(4)
	)
	sold_b = f.delivery_note([(item, 1, [b], f.SHOP)], posting_date=day(5))
	resale = f.delivery_note([(item, 1, [a], f.SHOP)], customer=f.customer(OTHER), posting_date=day(6))
	return {"pr": pr, "se": se, "dn": dn, "ret": ret, "sold_b": sold_b, "resale": resale, "codes": (a, b, c)}


def _names(plan):
	return [(d["voucher_type"], d["voucher_no"]) for d in plan["documents"]]


def _ties(plan):
	return {
		(d["voucher_type"], d["voucher_no"]): {(b["voucher_no"], tuple(b["serials"])) for b in d["blocks"]}
		for d in plan["documents"]
	}


def _key(doc):
	return (doc.doctype, doc.name)


@pytest.fixture
def chain():
	f.make_item(ITEM)
	return _generations(ITEM, frappe.generate_hash(length=6).upper())


def test_a_plan_lists_every_generation_latest_first_with_the_codes_that_tie_each(chain):
	c = chain
	a, b, _c = c["codes"]
	plan = cancel_plan("Purchase Receipt", c["pr"].name)

	assert plan["blocked"] is True
	# Each after everything that moved its codes later; the document itself last.
	assert _names(plan) == [_key(c[k]) for k in ("resale", "sold_b", "ret", "dn", "se", "pr")]
	assert [d["order"] for d in plan["documents"]] == [1, 2, 3, 4, 5, 6]
	assert plan["documents"][-1]["is_document"] is True
	ties = _ties(plan)
	assert ties[_key(c["se"])] == {(c["pr"].name, (a, b))}
	assert ties[_key(c["sold_b"])] == {(c["pr"].name, (b,)), (c["se"].name, (b,))}
	assert ties[_key(c["resale"])] == {
		(c["pr"].name, (a,)),
		(c["se"].name, (a,)),
		(c["dn"].name, (a,)),
		(c["ret"].name, (a,)),
	}
	assert ties[_key(c["pr"])] == set()
	assert plan["may_cancel_all"] is True and plan["stuck"] is False


def test_a_plan_from_the_middle_leaves_the_earlier_generations_out(chain):
	c = chain
	plan = cancel_plan("Delivery Note", c["dn"].name)
	assert _names(plan) == [_key(c["resale"]), _key(c["ret"]), _key(c["dn"])]


def test_a_document_nothing_blocks_plans_only_itself(chain):
	plan = cancel_plan("Delivery Note", chain["resale"].name)
	assert plan["blocked"] is False
	assert _names(plan) == [_key(chain["resale"])]


def test_a_later_count_of_a_place_stands_in_the_way_with_the_place(chain):
	c = chain
	_a, _b, cc = c["codes"]
	# The main store holds C; the count finds C and a unit nobody knew of.
	count = f.reconciliation([(ITEM, 2, [cc, f"{cc}-FOUND"], f.MAIN)])
	plan = cancel_plan("Purchase Receipt", c["pr"].name)
	assert _key(count) in _names(plan)
	entry = next(d for d in plan["documents"] if d["voucher_no"] == count.name)
	assert [ITEM, f.MAIN] in entry["blocks"][0]["counted_places"]
	assert _names(plan).index(_key(count)) < _names(plan).index(_key(c["pr"]))


def test_a_stale_confirmation_cancels_nothing(chain):
	c = chain
	plan = cancel_plan("Purchase Receipt", c["pr"].name)
	# A new document moves one of the codes: the chain grows after it was shown.
	a = c["codes"][0]
	f.delivery_note(
		[(ITEM, -1, [a], f.SHOP)], is_return=True, return_against=c["resale"].name, customer=OTHER
	)
	with pytest.raises(frappe.ValidationError, match="changed since they were shown"):
		cancel_chain("Purchase Receipt", c["pr"].name, plan["confirm"])
	assert frappe.db.get_value("Delivery Note", c["resale"].name, "docstatus") == 1


def test_a_plan_of_a_document_the_user_may_not_read_is_refused(chain, restricted):
	frappe.set_user(restricted("chain-shop", "Warehouse", f.SHOP))
	with pytest.raises(frappe.PermissionError):
		cancel_plan("Purchase Receipt", chain["pr"].name)


def test_documents_the_user_may_not_read_are_shown_by_type_only_and_nothing_is_cancelled(
	chain,
	restricted,
):
	c = chain
	frappe.set_user(restricted("chain-main", "Warehouse", f.MAIN, roles=("Stock Manager", "Stock User")))
	plan = cancel_plan("Purchase Receipt", c["pr"].name)
	hidden = [d for d in plan["documents"] if d["hidden"]]
	# The transfer to the shop, the sales and the return there: their names and links are not shown.
	assert sorted(d["voucher_type"] for d in hidden) == ["Delivery Note"] * 4 + ["Stock Entry"]
	assert all(d["voucher_no"] is None and d["url"] is None for d in hidden)
	assert not any(c["resale"].name in str(d) for d in plan["documents"])
	assert plan["may_cancel_all"] is False
	with pytest.raises(frappe.PermissionError, match="a Delivery Note you may not see"):
		cancel_chain("Purchase Receipt", c["pr"].name, plan["confirm"])
	assert frappe.db.get_value("Delivery Note", c["resale"].name, "docstatus") == 1


def test_a_chain_longer_than_the_most_a_plan_follows_is_refused_naming_the_most(chain, monkeypatch):
	monkeypatch.setattr(cancel_planner, "MOST", 3)
	with pytest.raises(frappe.ValidationError, match="More than 3 documents stand in the way"):
		cancel_plan("Purchase Receipt", chain["pr"].name)
	# The latest of them can still be cleared first.
	assert len(cancel_plan("Delivery Note", chain["dn"].name)["documents"]) == 3


def test_documents_that_hold_each_other_back_are_shown_and_nothing_is_cancelled(chain):
	"""Such a chain cannot be ordered (core.voiding.cancel_order says which); cancelling it is
	refused, naming them."""
	c = chain
	stuck = cancel_planner.Chain(_key(c["ret"]), order=[], stuck=[_key(c["resale"]), _key(c["ret"])], ties=[])
	shown = cancel_planner.described(stuck)
	assert shown["stuck"] is True and shown["may_cancel_all"] is False
	with pytest.raises(frappe.ValidationError, match="hold each other back") as refused:
		cancel_planner.cancel(stuck, stuck.confirm)
	assert c["resale"].name in str(refused.value) and c["ret"].name in str(refused.value)
	assert frappe.db.get_value("Delivery Note", c["resale"].name, "docstatus") == 1


def test_bad_arguments_are_refused_by_name(chain):
	with pytest.raises(frappe.ValidationError, match="not a stock document"):
		cancel_plan("User", "Administrator")
	with pytest.raises(frappe.DoesNotExistError):
		cancel_plan("Delivery Note", "NO-SUCH-DN")
	with pytest.raises(frappe.MandatoryError):
		cancel_chain("Delivery Note", chain["dn"].name, "")
	draft = f.delivery_note([(ITEM, 1, [chain["codes"][2]], f.MAIN)], submit=False)
	with pytest.raises(frappe.ValidationError, match="is not submitted"):
		cancel_plan("Delivery Note", draft.name)


# Cancelling, committed.


def _run():
	return "CH" + frappe.generate_hash(length=6).upper()


def _left(run):
	"""The run's documents (those carrying its codes, and its counts), to clean up latest first."""
	found = carrying(run)
	scan = frappe.qb.DocType("Serial Count Scan")
	counts = (
		frappe.qb.from_(scan)
		.select(scan.serial_count)
		.distinct()
		.where(scan.code.like(f"{run}%"))
		.run(pluck=True)
	)
	return found + [("Serial Count", name) for name in counts]


def _replay_differences(run):
	return [d for d in consistency_check.check(COMMITTED) if run in (d.code or "")]


def _all_cancelled(c):
	for k in ("resale", "sold_b", "ret", "dn", "se", "pr"):
		assert frappe.db.get_value(c[k].doctype, c[k].name, "docstatus") == 2, k


@pytest.fixture
def committed():
	"""The five generations of :func:`_generations`, committed (other sessions see only committed
	data), on the item of these tests; what the test leaves is cancelled latest first after it."""
	run = _run()
	f.committed_place(COMMITTED, f.MAIN)
	f.committed_place(COMMITTED, f.SHOP)
	try:
		chain = _generations(COMMITTED, run)
		frappe.db.commit()
		yield run, chain
	finally:
		cancel_latest_first(_left(run))


@pytest.mark.commits
def test_cancel_all_clears_five_generations_and_the_receipt_can_be_amended(committed):
	run, c = committed
	plan = cancel_plan("Purchase Receipt", c["pr"].name)
	result = cancel_chain("Purchase Receipt", c["pr"].name, plan["confirm"])

	assert result["status"] == "done", result
	assert [(d["voucher_type"], d["voucher_no"], d["outcome"]) for d in result["done"]] == [
		(*_key(c[k]), "cancelled") for k in ("resale", "sold_b", "ret", "dn", "se", "pr")
	]
	frappe.db.rollback()
	_all_cancelled(c)
	# The receipt made the codes: cancelled, they are gone, and the ledger agrees with ERPNext.
	assert not frappe.get_all("Serial Number", filters={"name": ("like", f"{run}-%")})
	assert _replay_differences(run) == []

	amended = frappe.copy_doc(c["pr"])
	amended.amended_from = c["pr"].name
	amended.insert()
	amended.submit()
	frappe.db.commit()
	assert f.serial(f"{run}-A").status == "In Stock"
	assert f.serial(f"{run}-A").voucher_no == amended.name


@pytest.mark.commits
def test_cancel_all_stops_at_the_document_erpnext_refuses_and_leaves_the_rest_as_it_was(committed):
	run, c = committed
	# An invoice made from the first sale: ERPNext refuses to cancel a note an invoice bills.
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	invoice = make_sales_invoice(c["dn"].name)
	invoice.insert()
	invoice.submit()
	frappe.db.commit()
	plan = cancel_plan("Purchase Receipt", c["pr"].name)
	result = cancel_chain("Purchase Receipt", c["pr"].name, plan["confirm"])

	assert result["status"] == "stopped", result
	assert [d["voucher_no"] for d in result["done"]] == [c[k].name for k in ("resale", "sold_b", "ret")]
	assert result["stopped_at"]["voucher_no"] == c["dn"].name
	assert invoice.name in result["stopped_at"]["reason"]
	assert [d["voucher_no"] for d in result["untouched"]] == [c["se"].name, c["pr"].name]
	assert not frappe.get_message_log()
	frappe.db.rollback()
	for k, docstatus in (("resale", 2), ("sold_b", 2), ("ret", 2), ("dn", 1), ("se", 1), ("pr", 1)):
		assert frappe.db.get_value(c[k].doctype, c[k].name, "docstatus") == docstatus, k
	a, b, cc = c["codes"]
	# After the return was cancelled, A is with the first customer again; B back at the shop.
	assert (f.serial(a).status, f.serial(a).voucher_no) == ("Sold", c["dn"].name)
	assert (f.serial(b).status, f.serial(b).warehouse) == ("In Stock", f.SHOP)
	assert (f.serial(cc).status, f.serial(cc).warehouse) == ("In Stock", f.MAIN)
	assert _replay_differences(run) == []
	invoice.reload()
	invoice.cancel()
	frappe.db.commit()


# Two users cancelling overlapping chains at once.


def _plan(job):
	voucher_type, voucher_no = job
	return (voucher_type, voucher_no, cancel_plan(voucher_type, voucher_no)["confirm"])


def _cancel_chain(prepared):
	result = cancel_chain(*prepared)
	if result["status"] != "done":
		raise AssertionError(result)


@pytest.mark.commits
def test_two_users_cancelling_overlapping_chains_at_once_end_with_everything_cancelled_once(committed):
	run, c = committed
	outcomes = race(
		[
			Session(_plan, _cancel_chain, [("Purchase Receipt", c["pr"].name)]),
			Session(_plan, _cancel_chain, [("Delivery Note", c["dn"].name)]),
		]
	)
	print(f"\ntwo users cancelling overlapping chains:\n{summary(outcomes)}")
	no_raw_errors(outcomes)
	assert [o.kind for o in outcomes[0]] == [DONE, DONE], outcomes
	_all_cancelled(c)
	assert not frappe.get_all("Serial Number", filters={"name": ("like", f"{run}-%")})
	active_rows = frappe.get_all(
		"Serial Circulation Log", filters={"serial_no": ("like", f"{run}-%"), "is_cancelled": 0}
	)
	assert active_rows == []
	assert _replay_differences(run) == []


def _cancel_slowly(job):
	"""Cancel a document and keep the transaction open two seconds before it commits."""
	voucher_type, voucher_no = job
	frappe.get_doc(voucher_type, voucher_no).cancel()
	time.sleep(2)


def _cancel_chain_meanwhile(prepared):
	"""Start cancelling the chain once the other session holds its first document."""
	time.sleep(0.7)
	result = cancel_chain(*prepared)
	outcomes = [(d["voucher_no"], d["outcome"]) for d in result["done"]]
	if result["status"] != "done" or outcomes[0][1] != "already cancelled":
		raise AssertionError(result)


@pytest.mark.commits
def test_a_document_of_the_chain_another_user_is_cancelling_is_waited_for_and_passed_over(committed):
	run, c = committed
	outcomes = race(
		[
			Session(_plan, _cancel_chain_meanwhile, [("Purchase Receipt", c["pr"].name)]),
			Session(keep, _cancel_slowly, [_key(c["resale"])]),
		]
	)
	no_raw_errors(outcomes)
	assert [o.kind for o in outcomes[0]] == [DONE, DONE], outcomes
	_all_cancelled(c)
	assert _replay_differences(run) == []


# A Serial Count in the chain: where it left a quantity as it was, it moved the codes itself.


def _counted_over(item, run):
	"""X1-X3 received, X3 sold; a Serial Count of the main store scans X1 and X3 (found back): the
	quantity stays 2, X2 goes Missing and X3 In Stock by the count's own movements."""
	from serial_tracking import api

	x1, x2, x3 = (f"{run}-X{n}" for n in (1, 2, 3))
	pr = f.purchase_receipt([(item, 3, [x1, x2, x3], f.MAIN)])
	dn = f.delivery_note([(item, 1, [x3], f.MAIN)])
	count = frappe.get_doc({"doctype": "Serial Count", "warehouse": f.MAIN, "items": [{"item_code": item}]})
	count.insert()
	api.count_scan(count.name, f"{x1}\n{x3}")
	api.post_count(count.name)
	return pr, dn, frappe.get_doc("Serial Count", count.name), (x1, x2, x3)


def test_a_serial_count_that_moved_codes_itself_stands_in_the_chain():
	f.make_item(ITEM)
	pr, dn, count, (_x1, x2, x3) = _counted_over(ITEM, frappe.generate_hash(length=6).upper())
	assert f.serial(x2).status == "Missing"
	plan = cancel_plan("Purchase Receipt", pr.name)
	assert _names(plan) == [_key(count), _key(dn), _key(pr)]
	assert _ties(plan)[_key(count)] == {(pr.name, (x2, x3)), (dn.name, (x3,))}
	assert plan["may_cancel_all"] is True


@pytest.mark.commits
def test_cancel_all_cancels_a_serial_count_through_its_own_cancel():
	run = _run()
	# An item of the run's own: the count leaves its quantity as it was only if nothing else is there.
	item = f"{COMMITTED}-{run}"
	f.committed_place(item, f.MAIN)
	try:
		pr, dn, count, _codes = _counted_over(item, run)
		frappe.db.commit()
		plan = cancel_plan("Purchase Receipt", pr.name)
		assert _key(count) in _names(plan)
		result = cancel_chain("Purchase Receipt", pr.name, plan["confirm"])
		assert result["status"] == "done", result
		frappe.db.rollback()
		assert frappe.db.get_value("Serial Count", count.name, ["docstatus", "status"]) == (2, "Cancelled")
		assert frappe.db.get_value("Delivery Note", dn.name, "docstatus") == 2
		assert not frappe.get_all("Serial Number", filters={"name": ("like", f"{run}-%")})
		assert consistency_check.check(item) == []
	finally:
		cancel_latest_first(_left(run))


def test_what_holds_back_the_documents_a_count_made_holds_the_count_back():
	"""A count that brought a misplaced unit here made a transfer (and a reconciliation): its own
	cancel cancels them, so the plan shows them with it, never alone, and a later sale of the unit
	it brought comes before it."""
	from serial_tracking import api

	f.make_item(ITEM)
	run = frappe.generate_hash(length=6).upper()
	a1, a2, a3, a4 = (f"{run}-A{n}" for n in range(1, 5))
	pr = f.purchase_receipt([(ITEM, 3, [a1, a2, a3], f.MAIN), (ITEM, 1, [a4], f.SHOP)])
	count = frappe.get_doc({"doctype": "Serial Count", "warehouse": f.MAIN, "items": [{"item_code": ITEM}]})
	count.insert()
	api.count_scan(count.name, "\n".join([a1, a2, a3, a4]))
	made = api.post_count(count.name)
	count.reload()
	transfer = next(
		(d.document_type, d.document_name) for d in count.documents if d.document_type == "Stock Entry"
	)
	assert f.serial(a4).warehouse == f.MAIN, made
	# A document the count made is not cancelled on its own (as a request does, undone after).
	frappe.db.savepoint("alone")
	with pytest.raises(frappe.ValidationError, match="cancelling the count cancels it"):
		frappe.get_doc(*transfer).cancel()
	frappe.db.rollback(save_point="alone")
	sale = f.delivery_note([(ITEM, 1, [a4], f.MAIN)])

	plan = cancel_plan("Purchase Receipt", pr.name)
	assert _names(plan) == [_key(sale), ("Serial Count", count.name), _key(pr)]
	entry = next(d for d in plan["documents"] if d["voucher_type"] == "Serial Count")
	assert transfer in [(d["voucher_type"], d["voucher_no"]) for d in entry["cancels_with_it"]]
	# What a request would cancel counts them too (a chain past the request's share goes to a job).
	planned = cancel_planner.chain_of("Purchase Receipt", pr.name)
	assert cancel_planner.documents(planned) == 3 + len(entry["cancels_with_it"])
	assert (count.name, (a4,)) in _ties(plan)[_key(sale)]
	# Nor planned from.
	with pytest.raises(frappe.ValidationError, match="cancelling the count cancels it"):
		cancel_plan(*transfer)


# Whether anything blocks: what the form asks on each refresh, without planning.


def test_whether_anything_blocks_is_answered_as_the_plan_answers_it(chain):
	c = chain
	for k in ("pr", "se", "dn", "ret", "sold_b", "resale"):
		doc = _key(c[k])
		assert cancel_blocked(*doc) == {
			"blocked": cancel_plan(*doc)["blocked"],
			"made_by": None,
		}, k
	assert cancel_blocked(*_key(c["resale"]))["blocked"] is False


def test_a_later_count_of_its_place_alone_blocks_a_document():
	"""The count found the unit where it was (it logs nothing for it): only its place ties it."""
	f.make_item(ITEM)
	run = frappe.generate_hash(length=6).upper()
	pr = f.purchase_receipt([(ITEM, 1, [f"{run}-K"], f.MAIN)])
	assert cancel_blocked("Purchase Receipt", pr.name)["blocked"] is False
	count = f.reconciliation([(ITEM, 2, [f"{run}-K", f"{run}-FOUND"], f.MAIN)])
	assert cancel_blocked("Purchase Receipt", pr.name)["blocked"] is True
	assert _names(cancel_plan("Purchase Receipt", pr.name)) == [_key(count), _key(pr)]


def test_whether_anything_blocks_takes_a_few_statements_whatever_the_chain(chain, statements):
	c = chain
	doc = _key(c["pr"])
	cancel_blocked(*doc)  # caches warm
	asked = statements(lambda: cancel_blocked(*doc))
	planned = statements(lambda: cancel_plan(*doc))
	assert asked <= 8, asked
	assert planned > 3 * asked, (asked, planned)


def test_a_document_a_count_made_is_answered_by_its_count_without_error():
	from serial_tracking import api

	f.make_item(ITEM)
	run = frappe.generate_hash(length=6).upper()
	a1, a2 = f"{run}-M1", f"{run}-M2"
	f.purchase_receipt([(ITEM, 1, [a1], f.MAIN), (ITEM, 1, [a2], f.SHOP)])
	count = frappe.get_doc({"doctype": "Serial Count", "warehouse": f.MAIN, "items": [{"item_code": ITEM}]})
	count.insert()
	api.count_scan(count.name, f"{a1}\n{a2}")
	api.post_count(count.name)
	count.reload()
	transfer = next(
		(d.document_type, d.document_name) for d in count.documents if d.document_type == "Stock Entry"
	)
	assert cancel_blocked(*transfer) == {
		"blocked": False,
		"made_by": {"voucher_type": "Serial Count", "voucher_no": count.name},
	}
	assert not frappe.get_message_log()
	# The count itself is held back by what holds back the documents it made.
	assert cancel_blocked("Serial Count", count.name)["blocked"] is False
	sale = f.delivery_note([(ITEM, 1, [a2], f.MAIN)])
	assert cancel_blocked("Serial Count", count.name)["blocked"] is True
	assert _key(sale) in _names(cancel_plan("Serial Count", count.name))


def test_whether_anything_blocks_asks_the_plans_permissions(chain, restricted):
	frappe.set_user(restricted("chain-blocked-shop", "Warehouse", f.SHOP))
	with pytest.raises(frappe.PermissionError, match="You may not read Purchase Receipt"):
		cancel_blocked("Purchase Receipt", chain["pr"].name)
	frappe.set_user("Administrator")
	with pytest.raises(frappe.ValidationError, match="not a stock document"):
		cancel_blocked("User", "Administrator")
	with pytest.raises(frappe.DoesNotExistError):
		cancel_blocked("Delivery Note", "NO-SUCH-DN")
	with pytest.raises(frappe.MandatoryError):
		cancel_blocked("Delivery Note", " ")


# A chain longer than a request cancels: a background job.


def _notes(user: str, name: str) -> list:
	return frappe.get_all(
		"Notification Log",
		filters={"for_user": user, "document_name": name},
		fields=["name", "subject", "email_content", "document_type"],
		order_by="creation desc",
	)


@pytest.fixture
def queued(committed, monkeypatch):
	"""The committed chain with a request that cancels at most three documents; the queued jobs and
	notifications of its receipt removed after the test."""
	monkeypatch.setattr(cancel_planner, "IN_REQUEST", 3)
	run, c = committed
	root = _key(c["pr"])
	yield run, c
	from frappe.utils.background_jobs import get_job

	frappe.db.rollback()
	if job := get_job(cancel_planner._job_id(root)):
		job.delete()
	cancel_planner._release(root)
	for note in _notes("Administrator", c["pr"].name):
		frappe.delete_doc("Notification Log", note.name, ignore_permissions=True)
	frappe.db.commit()


@pytest.mark.commits
def test_a_chain_longer_than_a_request_cancels_is_queued_once_then_cancelled_by_its_job(queued):
	run, c = queued
	pr = c["pr"].name
	plan = cancel_plan("Purchase Receipt", pr)
	answer = cancel_chain("Purchase Receipt", pr, plan["confirm"])
	assert (answer["status"], answer["documents"]) == ("queued", 6), answer
	assert answer["job"] == f"{frappe.local.site}::{cancel_planner._job_id(('Purchase Receipt', pr))}"
	# The request's commit queues it (nothing before): nothing is cancelled by the request.
	frappe.db.commit()
	statuses = [frappe.db.get_value(c[k].doctype, c[k].name, "docstatus") for k in c if k != "codes"]
	assert set(statuses) == {1}
	assert cancel_chain_status("Purchase Receipt", pr)["status"] == "queued"
	# Asked again: the same job, not another one.
	again = cancel_chain("Purchase Receipt", pr, plan["confirm"])
	frappe.db.commit()
	assert (again["status"], again["job"]) == ("queued", answer["job"])
	from frappe.utils.background_jobs import get_queue

	assert [j for j in get_queue("long").get_job_ids() if j == answer["job"]] == [answer["job"]]
	# Another user is told a job is cancelling it.
	other = user_with(["Stock Manager", "Stock User"])
	frappe.set_user(other)
	with pytest.raises(frappe.ValidationError, match="being cancelled in the background at this moment"):
		cancel_chain("Purchase Receipt", pr, cancel_plan("Purchase Receipt", pr)["confirm"])
	frappe.db.rollback()
	frappe.set_user("Administrator")

	job = queued_job(answer["job"])
	with Published() as published:
		run_as_a_worker(job)
		messages = published.messages()
	frappe.db.rollback()
	_all_cancelled(c)
	assert not frappe.get_all("Serial Number", filters={"name": ("like", f"{run}-%")})
	assert _replay_differences(run) == []

	report = cancel_chain_status("Purchase Receipt", pr)
	assert report["status"] == "done" and report["stopped_at"] is None and report["untouched"] == []
	assert [(d["voucher_no"], d["outcome"]) for d in report["done"]] == [
		(c[k].name, "cancelled") for k in ("resale", "sold_b", "ret", "dn", "se", "pr")
	]
	# Progress to the user, at each document, and the report to the form.
	mine = [
		m for m in messages if m["namespace"] == frappe.local.site and m["room"].endswith("Administrator")
	]
	progress = [m["message"] for m in mine if m["event"] == "progress"]
	assert [round(p["percent"]) for p in progress] == [17, 33, 50, 67, 83, 100]
	assert progress[0]["description"] == "1 of 6 documents"
	reports = [m["message"] for m in mine if m["event"] == cancel_planner.EVENT]
	assert [r["status"] for r in reports] == ["running"] * 6 + ["done"]
	assert [len(r["done"]) for r in reports[:6]] == [1, 2, 3, 4, 5, 6]
	(note,) = _notes("Administrator", pr)
	assert note.document_type == "Purchase Receipt"
	assert note.subject == f"Cancel all, latest first, of Purchase Receipt {pr}: done, 6 documents cancelled"
	assert f"Delivery Note {c['resale'].name}: cancelled" in note.email_content
	# Nothing holds the document any more: a new plan may be asked and cancelled (nothing left).
	assert cancel_planner._holder(("Purchase Receipt", pr)) is None


@pytest.mark.commits
def test_a_job_stops_at_the_document_erpnext_refuses_and_reports_where(queued):
	run, c = queued
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	invoice = make_sales_invoice(c["dn"].name)
	invoice.insert()
	invoice.submit()
	frappe.db.commit()
	try:
		pr = c["pr"].name
		answer = cancel_chain("Purchase Receipt", pr, cancel_plan("Purchase Receipt", pr)["confirm"])
		frappe.db.commit()
		with Published() as published:
			run_as_a_worker(queued_job(answer["job"]))
			final = [m["message"] for m in published.messages() if m["event"] == cancel_planner.EVENT][-1]
		frappe.db.rollback()
		report = cancel_chain_status("Purchase Receipt", pr)
		assert final == report
		assert report["status"] == "stopped"
		assert [d["voucher_no"] for d in report["done"]] == [c[k].name for k in ("resale", "sold_b", "ret")]
		assert report["stopped_at"]["voucher_no"] == c["dn"].name
		assert invoice.name in report["stopped_at"]["reason"]
		assert [d["voucher_no"] for d in report["untouched"]] == [c["se"].name, c["pr"].name]
		for k, docstatus in (("resale", 2), ("sold_b", 2), ("ret", 2), ("dn", 1), ("se", 1), ("pr", 1)):
			assert frappe.db.get_value(c[k].doctype, c[k].name, "docstatus") == docstatus, k
		(note,) = _notes("Administrator", pr)
		assert note.subject.startswith(
			f"Cancel all, latest first, of Purchase Receipt {pr}: stopped at Delivery Note {c['dn'].name}:"
		)
		assert invoice.name in note.subject
		assert f"Left as they were: Stock Entry {c['se'].name}, Purchase Receipt {pr}" in note.email_content
		assert _replay_differences(run) == []
	finally:
		frappe.db.rollback()
		invoice.reload()
		invoice.cancel()
		frappe.db.commit()


@pytest.mark.commits
def test_a_job_whose_worker_was_killed_is_reported_interrupted_and_may_be_queued_again(queued):
	_run, c = queued
	pr = c["pr"].name
	plan = cancel_plan("Purchase Receipt", pr)
	answer = cancel_chain("Purchase Receipt", pr, plan["confirm"])
	frappe.db.commit()
	# The worker dies with the job (its record goes once RQ's time for it is over).
	queued_job(answer["job"]).delete()
	report = cancel_chain_status("Purchase Receipt", pr)
	assert report["status"] == "interrupted", report
	assert "ended before it finished" in report["message"]
	# Its claim is let go once the moment a request takes to queue it is over.
	claimed = frappe.cache.get(cancel_planner._claim_key(("Purchase Receipt", pr))).decode()
	frappe.cache.set(cancel_planner._claim_key(("Purchase Receipt", pr)), "0|" + claimed.split("|", 1)[1])
	again = cancel_chain("Purchase Receipt", pr, plan["confirm"])
	frappe.db.commit()
	assert again["status"] == "queued" and again["job"] == answer["job"]
	run_as_a_worker(queued_job(again["job"]))
	frappe.db.rollback()
	_all_cancelled(c)
	assert cancel_chain_status("Purchase Receipt", pr)["status"] == "done"


def test_two_requests_at_one_moment_queue_one_job(chain, monkeypatch):
	"""The second request's look found no job yet (the first had not claimed it): its claim finds the
	first one's, and it is refused, queueing nothing."""
	monkeypatch.setattr(cancel_planner, "IN_REQUEST", 3)
	root = _key(chain["pr"])
	plan = cancel_plan(*root)
	assert cancel_planner._claim(root, "someone.else@example.com")
	try:
		monkeypatch.setattr(cancel_planner, "_holder", lambda root: None)
		queued = []
		monkeypatch.setattr(frappe, "enqueue", lambda *a, **k: queued.append(k))
		with pytest.raises(frappe.ValidationError, match="being cancelled in the background at this moment"):
			cancel_chain(*root, plan["confirm"])
		assert queued == []
	finally:
		cancel_planner._release(root)


def test_a_request_that_does_not_commit_queues_nothing_and_holds_nothing(chain, monkeypatch):
	from frappe.utils.background_jobs import get_job

	monkeypatch.setattr(cancel_planner, "IN_REQUEST", 3)
	root = _key(chain["pr"])
	answer = cancel_chain(*root, cancel_plan(*root)["confirm"])
	assert answer["status"] == "queued" and cancel_planner._holder(root) == "Administrator"
	frappe.db.rollback()
	assert cancel_planner._holder(root) is None
	assert cancel_planner.report_of(*root) is None
	assert get_job(cancel_planner._job_id(root)) is None


def test_the_report_is_asked_with_the_documents_permissions(chain, restricted):
	assert cancel_chain_status("Purchase Receipt", chain["pr"].name) is None
	frappe.set_user(restricted("chain-status-shop", "Warehouse", f.SHOP))
	with pytest.raises(frappe.PermissionError, match="You may not read Purchase Receipt"):
		cancel_chain_status("Purchase Receipt", chain["pr"].name)
