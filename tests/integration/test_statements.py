"""The app issues a fixed number of SQL statements per document, whatever the number of serials."""

from collections import Counter

import pytest

import frappe

from tests.integration import factory as f
from tests.integration.factory import MAIN, codes

APP = "serial_tracking"
#: The stock hooks that read or write the serials of a document: each must be seen issuing statements.
EVENTS = "serial_tracking.stock.events."
ON_SAVE = {EVENTS + "validate"}
ON_SUBMIT = {EVENTS + name for name in ("validate", "before_submit", "on_submit")}
ON_CANCEL = {EVENTS + name for name in ("before_cancel", "on_cancel")}
#: An item of this test's own, whose stock no other test moves.
ITEM = "ST-QCOUNT"
#: At most this many statements of the app's hooks per save, submit or cancel of one document.
MOST = 10


class Counted:
	"""Calls of and statements issued by each of the app's document hooks, by dotted path."""

	def __init__(self):
		self.calls = Counter()
		self.statements = Counter()
		self.running = []

	def measure(self, action):
		self.calls.clear()
		self.statements.clear()
		action()
		return Counter(self.calls), Counter(self.statements)


@pytest.fixture
def counted(monkeypatch):
	"""Wrap every handler this app hooks to a document event, where frappe looks it up.

	``frappe.get_doc_hooks()`` is the table ``Document.run_method`` reads, and it
	resolves each dotted path with ``frappe.get_attr`` at every call, so replacing
	the module attribute intercepts the call. A statement counts for the innermost
	hook running when it is issued.
	"""
	counted = Counted()
	paths = {
		path
		for events in frappe.get_doc_hooks().values()
		for handlers in events.values()
		for path in handlers
		if path.startswith(APP + ".")
	}
	assert ON_SUBMIT | ON_CANCEL <= paths, "the stock hooks are not in the doc_events frappe dispatches"

	def wrap(path, original):
		def hook(*args, **kwargs):
			counted.calls[path] += 1
			counted.running.append(path)
			try:
				return original(*args, **kwargs)
			finally:
				counted.running.pop()

		return hook

	for path in paths:
		module, name = path.rsplit(".", 1)
		monkeypatch.setattr(frappe.get_module(module), name, wrap(path, frappe.get_attr(path)))

	real_sql = frappe.db.sql

	def sql(*args, **kwargs):
		if counted.running:
			counted.statements[counted.running[-1]] += 1
		return real_sql(*args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", sql)
	return counted


def purchase_receipt(sn):
	return f.purchase_receipt([(ITEM, len(sn), sn, MAIN)], submit=False)


def delivery_note(sn):
	return f.delivery_note([(ITEM, len(sn), sn, MAIN)], submit=False)


def save_and_submit(counted, make, sn):
	"""The document made, and (calls, statements) of the app's hooks for its save and its submit."""
	docs = []
	measured = {"save": counted.measure(lambda: docs.append(make(sn)))}
	measured["submit"] = counted.measure(docs[0].submit)
	return docs[0], measured


def check(measured, expected):
	for step, (calls, statements) in measured.items():
		missing = {path for path in expected[step] if not calls[path] or not statements[path]}
		assert not missing, f"{step}: these hooks were not seen issuing statements: {sorted(missing)}"
		total = sum(statements.values())
		assert 0 < total <= MOST, f"{step}: {total} statements of the app's hooks: {dict(statements)}"


EXPECTED = {"save": ON_SAVE, "submit": ON_SUBMIT, "cancel": ON_CANCEL}


def test_statements_do_not_grow_with_serials(counted):
	f.make_item(ITEM, sn_tracking=1)
	# fills the caches (settings, metadata) a live site has filled long ago
	warm = purchase_receipt(codes("QCWARM", 1))
	warm.submit()
	note = delivery_note(codes("QCWARM", 1))
	note.submit()
	note.cancel()
	warm.cancel()

	small, large = codes("QC", 1), codes("QC", 200, start=10)
	measured = {}
	for label, sn in (("1", small), ("200", large)):
		receipt, measured[("receipt", label)] = save_and_submit(counted, purchase_receipt, sn)
		note, measured[("delivery", label)] = save_and_submit(counted, delivery_note, sn)
		measured[("delivery", label)]["cancel"] = counted.measure(note.cancel)
		measured[("receipt", label)]["cancel"] = counted.measure(receipt.cancel)

	for doc in ("receipt", "delivery"):
		few, many = measured[(doc, "1")], measured[(doc, "200")]
		check(few, EXPECTED)
		check(many, EXPECTED)
		for step in EXPECTED:
			assert few[step][1] == many[step][1], (
				f"{doc} {step}: statements by hook with 1 serial {dict(few[step][1])}, "
				f"with 200 serials {dict(many[step][1])}"
			)


def test_a_cancel_reads_the_log_only_in_the_apps_own_statements(issued):
	"""Frappe's check of links after ``on_cancel`` would read every log row naming the document (a
	tenth of a 10,000-serial cancel) though it refuses only a submitted row, which the log never
	holds: the app leaves its rows out of that check."""
	f.make_item(ITEM, sn_tracking=1)
	sn = codes("QCL", 20)
	receipt = purchase_receipt(sn)
	receipt.submit()
	note = delivery_note(sn)
	note.submit()

	def cancel_both():
		note.cancel()
		receipt.cancel()

	reads = issued(cancel_both, keep=lambda query: "`tabSerial Circulation Log`" in query)
	app_frames = ("/serial_tracking/stock/", "/serial_tracking/core/")
	outside = [
		read.query[:120]
		for read in reads
		if not any(part in frame.filename for frame in read.stack for part in app_frames)
	]
	assert frappe.db.count("Serial Circulation Log", {"voucher_no": note.name, "is_cancelled": 1}) == 20
	assert not outside, f"statements outside the app read the log during a cancel: {outside}"
