"""The posting turn, from the side of a document that waits for it: told what it waits for, dated
when it posts, refused by name past its patience; and plans that read without waiting.

A real process holds the turn (as a document being posted would, from its before_submit to its
commit) while this process submits or plans. These tests commit, on an item of their own with codes
unique to the run, and cancel what they made.
"""

import time

import pytest

import frappe
from frappe.utils import get_datetime

from serial_tracking.api import cancel_plan
from serial_tracking.messages import PostingBusy
from serial_tracking.stock import posting
from tests.integration import factory as f
from tests.integration import racing
from tests.integration.issued import plan_of
from tests.integration.jobs import Published
from tests.integration.racing import WAREHOUSE, clean_up, new_run

ITEM = "ST-TURN"


def _hold(site, sites_path, doctype, name, rows, seconds, held, released):
	"""Another session: take the posting turn as ``doctype`` ``name`` of ``rows`` rows, keep it
	``seconds``, then end the transaction; ``held`` once it holds it, ``released`` (the time) after."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		posting.take_turn(frappe.get_doc(doctype, name), rows=rows)
		held.set()
		time.sleep(seconds)
		frappe.db.rollback()
		released.put(frappe.utils.now_datetime())
	finally:
		frappe.destroy()


class Holder:
	"""A process holding the posting turn as a document for some seconds."""

	def __init__(self, doc, rows: int, seconds: float):
		context = racing.processes()
		self.held, self.released = context.Event(), context.Queue()
		frappe.db.commit()
		site, place = frappe.local.site, frappe.local.sites_path
		self.process = context.Process(
			target=_hold, args=(site, place, doc.doctype, doc.name, rows, seconds, self.held, self.released)
		)

	def __enter__(self):
		self.process.start()
		assert self.held.wait(60), "the other session never took the turn"
		return self

	def __exit__(self, *exc):
		self.process.join(60)
		if self.process.is_alive():
			self.process.terminate()
		assert self.process.exitcode == 0

	def released_at(self):
		"""When the other session let the turn go, in the site's time zone."""
		return self.released.get(timeout=60)


@pytest.fixture
def run():
	f.committed_place(ITEM, WAREHOUSE)
	run = new_run()
	yield run
	frappe.db.rollback()
	clean_up(run)


def _holding_document(run):
	"""The document the other session holds the turn as: a draft of another item, committed."""
	doc = f.stock_entry("Material Receipt", [(f.PLAIN, 1, None, None, f.MAIN)], submit=False)
	frappe.db.commit()
	return doc


def _receipt(run, n=1, **values):
	"""A draft receipt of ``n`` new codes of the run, dated when it is submitted (as Desk makes one)."""
	codes = [f"TN{run}-{i}" for i in range(n)]
	doc = f.purchase_receipt([(ITEM, n, codes, WAREHOUSE)], submit=False, set_posting_time=0, **values)
	frappe.db.commit()
	return doc


@pytest.mark.commits
def test_a_document_waiting_for_the_turn_is_told_what_holds_it_and_is_dated_when_it_posts(run):
	holding = _holding_document(run)
	receipt = _receipt(run)
	with Published() as published, Holder(holding, rows=1001, seconds=4) as holder:
		start = time.time()
		receipt.reload()
		receipt.submit()
		frappe.db.commit()
		waited = time.time() - start
		released = holder.released_at()
		heard = [m for m in published.messages() if m["event"] == posting.WAITING_EVENT]
	assert waited >= 2, waited
	told = [event["message"]["message"] for event in heard]
	assert told, "the waiting user was told nothing"
	assert f"Stock Entry {holding.name}" in told[0] and "1001 rows" in told[0], told
	assert all(event["room"] == "user:Administrator" for event in heard), heard
	# Dated once the turn was its own, after the holder let it go: never before what posted first.
	posted = get_datetime(f"{receipt.posting_date} {receipt.posting_time}")
	assert (posted - released).total_seconds() >= -0.5, (posted, released)
	assert frappe.db.get_value("Serial Number", f"TN{run}-0", "status") == "In Stock"
	frappe.delete_doc("Stock Entry", holding.name, force=True)
	frappe.db.commit()


@pytest.mark.commits
def test_a_document_waiting_past_its_patience_is_refused_naming_what_held_it(run, monkeypatch):
	monkeypatch.setitem(posting.PATIENCE, "request", 3)
	holding = _holding_document(run)
	receipt = _receipt(run)
	with Holder(holding, rows=1001, seconds=10):
		start = time.time()
		receipt.reload()
		with pytest.raises(PostingBusy) as refused:
			receipt.submit()
		frappe.db.rollback()
		waited = time.time() - start
	assert 3 <= waited < 8, waited
	message = frappe.utils.strip_html(str(refused.value))
	assert "waited 3 seconds for Stock Entry" in message and holding.name in message, message
	assert "1001 rows" in message and "nothing was saved" in message, message
	assert frappe.db.get_value("Purchase Receipt", receipt.name, "docstatus") == 0
	assert not frappe.db.exists("Serial Number", f"TN{run}-0")
	frappe.delete_doc("Stock Entry", holding.name, force=True)
	frappe.db.commit()


def test_the_holder_is_named_only_to_a_user_who_may_read_it(restricted):
	holder = posting.Holder(
		doctype="Stock Entry",
		name="MAT-STE-HIDDEN",
		user="Administrator",
		rows=12,
		since=time.time() - 30,
		token="t",
	)
	doc = f.stock_entry("Material Receipt", [(f.PLAIN, 1, None, None, f.SHOP)], submit=False)
	holder.name = doc.name
	assert posting.describe(holder).startswith(f"Stock Entry {doc.name} (posting for 30 seconds")
	frappe.set_user(restricted("turn-main", "Warehouse", f.MAIN))
	shown = posting.describe(holder)
	assert doc.name not in shown and shown.startswith("another document (posting for"), shown
	assert posting.describe(None) == "another document"


def _count_and_hold(site, sites_path, run, started, seconds):
	"""Another session: post a count of the run's place (a Stock Reconciliation) and keep it
	uncommitted ``seconds``: its stock ledger entries stay locked meanwhile."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		f.reconciliation([(ITEM, 1, [f"TN{run}-0"], WAREHOUSE)])
		started.set()
		time.sleep(seconds)
		frappe.db.rollback()
	finally:
		frappe.destroy()


@pytest.mark.commits
def test_a_plan_reads_without_waiting_for_a_document_being_posted(run):
	"""``cancel_plan`` is a read: it takes no lock, so a count being posted at the same moment at
	the document's place neither holds it up nor meets it in a deadlock."""
	receipt = _receipt(run, 2)
	receipt.submit()
	frappe.db.commit()
	context = racing.processes()
	started = context.Event()
	other = context.Process(
		target=_count_and_hold, args=(frappe.local.site, frappe.local.sites_path, run, started, 8)
	)
	other.start()
	try:
		assert started.wait(90), "the count was not posted"
		start = time.time()
		plan = cancel_plan("Purchase Receipt", receipt.name)
		took = time.time() - start
		frappe.db.rollback()
	finally:
		other.join(60)
	assert other.exitcode == 0
	assert took < 3, took
	# The count is not committed: nothing is in the way yet.
	assert not plan["blocked"], plan


def test_the_bins_of_a_document_are_read_and_written_along_their_index(issued):
	"""The first receipt of an item at a warehouse looks for its Bin and updates it: both along Bin's
	unique index, never a scan that would lock every Bin of the site while the turn is held."""
	item = f.make_item("QBIN-1")
	reads = issued(
		lambda: f.receive(["QBIN-A1", "QBIN-A2"], item=item.name),
		keep=lambda query: "from `tabBin` where" in query or query.startswith("update `tabBin`"),
	)
	assert any(read.query.startswith("update") for read in reads), reads
	for read in reads:
		assert plan_of(read) in (
			[("range", "unique_item_warehouse")],
			[("const", "unique_item_warehouse")],
			[(None, None)],  # nothing to read: MariaDB saw at once that no Bin matches
		), (read.query, plan_of(read))
