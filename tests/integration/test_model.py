"""The serial ledger, model-checked: random sequences of real ERPNext documents against a pure model.

A hypothesis state machine submits receipts, sales, sales and purchase returns, direct and
two-step transfers, issues, counts and registrations of two items over three warehouses and a
transit warehouse, cancels documents (the latest of their serials, and earlier ones, which must
be refused) and sells units twice. After every step each serial it ever touched must be what
``tests/integration/model.py`` says (status, warehouse, last document, the stack of its active
log rows) and the consistency check must find nothing the model does not expect. A step the
model refuses must be refused with a message and change no serial and no log row.

CI runs 25 sequences of up to 30 steps (about 500), derandomised, in which every kind of step is
taken; ``ST_MODEL_EXAMPLES=100`` runs more of them, and ``ST_MODEL_STEPS=10000`` runs random
sequences until about that many steps. Each prints "N steps, 0 divergences".
"""

import os
import sys
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
	RuleBasedStateMachine,
	invariant,
	precondition,
	rule,
	run_state_machine_as_test,
)

import frappe

from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

from serial_tracking.stock import consistency_check, in_stock_registration
from tests.integration import factory as f
from tests.integration.factory import MAIN, SHOP, TRANSIT
from tests.integration.model import (
	IN_STOCK,
	IN_TRANSIT,
	INBOUND,
	SOLD,
	STATEMENT,
	Model,
	Refused,
)
from tests.integration.model_site import BACK, ITEMS, count_of, master_data

STORES = (MAIN, SHOP, BACK)
#: The codes the machine plays with: few, so that units come back, clash and are sold twice.
POOL = tuple(f"HMX-{n:02d}" for n in range(1, 11))
EXAMPLE = "st_model_example"
STEP = "st_model_step"

#: Steps run and refusals seen across every example of a run.
counted = {"steps": 0, "refused": 0, "examples": 0}


#: Doctypes whose documents the machine makes: names come back after a rollback, so what a cache
#: holds under a name is dropped with it.
DOCTYPES = (
	"Purchase Receipt",
	"Delivery Note",
	"Stock Entry",
	"Stock Reconciliation",
	"Repost Item Valuation",
)


def new_request(*, rolled_back=False):
	"""What a new request starts without: ERPNext's per-request memory of later stock entries
	(kept by document name) and Frappe's request caches, among them the new-document templates
	that hold "Today" as it was when first made; after a rollback, cached documents."""
	frappe.local.future_sle = {}
	frappe.local.new_doc_templates = {}
	if hasattr(frappe.local, "request_cache"):
		frappe.local.request_cache.clear()
	frappe.db.value_cache = {}
	frappe.clear_messages()
	if rolled_back:
		for doctype in DOCTYPES:
			frappe.clear_document_cache(doctype)


def snapshot():
	"""Every serial and log row of the model's items, as stored."""
	serials = frappe.db.sql(
		"""select name, status, warehouse, voucher_type, voucher_no, movement_seq
		from `tabSerial Number` where item_code in %(items)s order by name""",
		{"items": ITEMS},
	)
	logs = frappe.db.sql(
		"""select name, is_cancelled from `tabSerial Circulation Log`
		where item_code in %(items)s order by name""",
		{"items": ITEMS},
	)
	return serials, logs


def compare(model: Model) -> None:
	"""Every serial the model touched, its active log, and the consistency check, against the model."""
	stored = {
		row.name: row
		for row in frappe.get_all(
			"Serial Number",
			filters={"item_code": ["in", ITEMS]},
			fields=["name", "item_code", "status", "warehouse", "voucher_type", "voucher_no"],
		)
	}
	active: dict[str, list] = {}
	for row in frappe.db.sql(
		"""select serial_no, voucher_type, voucher_no from `tabSerial Circulation Log`
		where item_code in %(items)s and is_cancelled = 0 order by serial_no, sequence""",
		{"items": ITEMS},
		as_dict=True,
	):
		active.setdefault(row.serial_no, []).append((row.voucher_type, row.voucher_no))
	for code in sorted(model.touched | set(stored)):
		expected = model.state(code)
		row = stored.get(code)
		if expected is None:
			assert row is None, f"{code}: the model says unknown, stored {row}"
			assert not active.get(code), f"{code}: unknown, yet active log rows {active.get(code)}"
			continue
		assert row is not None, (
			f"{code}: the model says {expected.status} at {expected.warehouse}, not stored"
		)
		found = (row.item_code, row.status, row.warehouse, (row.voucher_type, row.voucher_no))
		want = (expected.item, expected.status, expected.warehouse, expected.last.voucher)
		assert found == want, f"{code}: stored {found}, the model says {want}"
		assert active.get(code) == [e.voucher for e in expected.entries], (
			f"{code}: active log {active.get(code)}, the model says {[e.voucher for e in expected.entries]}"
		)
	differences = [d for item in ITEMS for d in consistency_check.check(item)]
	assert [d for d in differences if d.kind != "stock"] == [], differences
	found = {(d.item_code, d.warehouse, int(d.found), int(d.expected)) for d in differences}
	expected = model.stock_differences(ITEMS)
	assert found == expected, f"consistency check found {found}, the model expects {expected}"
	unexplained = {d for d in expected if (d[0], d[1]) not in model.excused}
	assert not unexplained, f"the ledger and the stock disagree at {unexplained}"


class Ledger(RuleBasedStateMachine):
	def __init__(self):
		super().__init__()
		frappe.db.savepoint(EXAMPLE)
		new_request()
		self.model = Model(TRANSIT)
		self.counts = 0
		counted["examples"] += 1

	def teardown(self):
		frappe.db.rollback(save_point=EXAMPLE)
		new_request(rolled_back=True)

	# -- the steps ----------------------------------------------------------------------------

	def attempt(self, refusal: Refused | None, action):
		"""Run ``action`` (a step); when the model refuses it, it must be refused and change nothing."""
		counted["steps"] += 1
		counted["all_by_step"][sys._getframe(1).f_code.co_name] += 1
		new_request()
		frappe.db.savepoint(STEP)
		if refusal is None:
			try:
				return action()
			except frappe.ValidationError as e:
				raise AssertionError(f"refused, but the model accepts it: {e}") from e
		before = snapshot()
		with pytest.raises(frappe.ValidationError) as refused:
			action()
			raise AssertionError(f"accepted, but the model refuses it: {refusal.reason}")
		assert str(refused.value).strip(), "refused without a message"
		assert snapshot() == before, f"refused ({refused.value}) but serials or log rows changed"
		frappe.db.rollback(save_point=STEP)
		new_request(rolled_back=True)
		counted["refused"] += 1
		counted["by_step"][sys._getframe(1).f_code.co_name] += 1
		if os.environ.get("ST_MODEL_VERBOSE") == "2":
			print(sys._getframe(1).f_code.co_name, refusal.reason)
		return None

	def expect(self, kind, item, codes, **places) -> Refused | None:
		try:
			self.model.check(kind, item, codes, **places)
		except Refused as refusal:
			return refusal
		return None

	def pick(self, data, candidates, *, at_least=1, label="codes"):
		"""Mostly codes that fit (``candidates``), sometimes any code of the pool."""
		fitting = data.draw(st.integers(0, 5), label=f"{label} fit") > 0 and candidates
		source = sorted(candidates) if fitting else POOL
		return data.draw(
			st.lists(st.sampled_from(source), min_size=at_least, max_size=min(3, len(source)), unique=True),
			label=label,
		)

	def holding(self, data, item, label="warehouse"):
		"""Mostly a warehouse holding units of ``item``, sometimes any."""
		held = sorted({self.model.state(c).warehouse for c in self.model.codes_where(item, IN_STOCK)})
		fitting = held and data.draw(st.integers(0, 3), label=f"{label} fit") > 0
		return data.draw(st.sampled_from(held if fitting else STORES), label=label)

	def done(self, doc, kind, item, codes, **places):
		self.model.apply((doc.doctype, doc.name), kind, item, codes, **places)

	def inbound(self, item):
		return [
			c for c in POOL if (s := self.model.state(c)) is None or (s.item == item and s.status in INBOUND)
		]

	@rule(data=st.data(), item=st.sampled_from(ITEMS), warehouse=st.sampled_from(STORES), by=st.booleans())
	def receive(self, data, item, warehouse, by):
		codes = self.pick(data, self.inbound(item))
		if by:
			make = lambda: f.purchase_receipt([(item, len(codes), codes, warehouse)])  # noqa: E731
		else:
			make = lambda: f.stock_entry("Material Receipt", [(item, len(codes), codes, None, warehouse)])  # noqa: E731
		doc = self.attempt(self.expect("receive", item, codes, target=warehouse), make)
		if doc:
			self.done(doc, "receive", item, codes, target=warehouse)

	@precondition(lambda self: self.model.codes_where(status=IN_STOCK))
	@rule(data=st.data(), item=st.sampled_from(ITEMS))
	def sell(self, data, item):
		warehouse = self.holding(data, item)
		codes = self.pick(data, self.model.codes_where(item, IN_STOCK, warehouse))
		self._sell(item, warehouse, codes)

	@precondition(lambda self: self.model.codes_where(status=SOLD))
	@rule(data=st.data())
	def sell_again(self, data):
		"""A unit sold already, sold again: always refused."""
		code = data.draw(st.sampled_from(self.model.codes_where(status=SOLD)))
		item = self.model.state(code).item
		# From a warehouse holding units of the item, or ERPNext alone would refuse it (no stock).
		self._sell(item, self.holding(data, item), [code])

	def _sell(self, item, warehouse, codes):
		make = lambda: f.delivery_note([(item, len(codes), codes, warehouse)])  # noqa: E731
		doc = self.attempt(self.expect("sell", item, codes, source=warehouse), make)
		if doc:
			self.done(doc, "sell", item, codes, source=warehouse)

	def _active(self, kind, doctype=None):
		return [
			d
			for d in self.model.documents.values()
			if d.active and d.kind == kind and (doctype is None or d.voucher[0] == doctype)
		]

	@precondition(lambda self: self._active("sell"))
	@rule(data=st.data(), warehouse=st.sampled_from(STORES))
	def sales_return(self, data, warehouse):
		notes = self._active("sell")
		selling = [d for d in notes if self.model.codes_where(status=SOLD, voucher=d.voucher)]
		note = data.draw(st.sampled_from(selling if selling and data.draw(st.booleans()) else notes))
		dn = note.voucher[1]
		codes = self.pick(data, self.model.codes_where(note.item, SOLD, voucher=note.voucher))
		make = lambda: f.delivery_note(  # noqa: E731
			[(note.item, -len(codes), codes, warehouse)], is_return=True, return_against=dn
		)
		doc = self.attempt(self.expect("sales_return", note.item, codes, against=dn), make)
		if doc:
			self.done(doc, "sales_return", note.item, codes, target=warehouse, against=dn)

	@precondition(lambda self: self._active("receive", "Purchase Receipt"))
	@rule(data=st.data())
	def purchase_return(self, data):
		receipt = data.draw(st.sampled_from(self._active("receive", "Purchase Receipt")))
		pr = receipt.voucher[1]
		held = [c for c in receipt.codes if (s := self.model.state(c)) and s.status == IN_STOCK]
		codes = self.pick(data, held)
		first = self.model.state(codes[0])
		warehouse = first.warehouse if first and first.warehouse in STORES else MAIN
		make = lambda: f.purchase_receipt(  # noqa: E731
			[(receipt.item, -len(codes), codes, warehouse)], is_return=True, return_against=pr
		)
		doc = self.attempt(
			self.expect("purchase_return", receipt.item, codes, source=warehouse, against=pr), make
		)
		if doc:
			self.done(doc, "purchase_return", receipt.item, codes, source=warehouse, against=pr)

	@precondition(lambda self: self.model.codes_where(status=IN_STOCK))
	@rule(data=st.data(), item=st.sampled_from(ITEMS))
	def transfer(self, data, item):
		source = self.holding(data, item)
		target = data.draw(st.sampled_from([w for w in STORES if w != source]), label="target")
		codes = self.pick(data, self.model.codes_where(item, IN_STOCK, source))
		make = lambda: f.stock_entry(  # noqa: E731
			"Material Transfer", [(item, len(codes), codes, source, target)]
		)
		doc = self.attempt(self.expect("transfer", item, codes, source=source), make)
		if doc:
			self.done(doc, "transfer", item, codes, source=source, target=target)

	@precondition(lambda self: self.model.codes_where(status=IN_STOCK))
	@rule(data=st.data(), item=st.sampled_from(ITEMS))
	def send(self, data, item):
		"""The first step of a two-step transfer: into the transit warehouse."""
		source = self.holding(data, item)
		codes = self.pick(data, self.model.codes_where(item, IN_STOCK, source))
		make = lambda: f.stock_entry(  # noqa: E731
			"Material Transfer", [(item, len(codes), codes, source, TRANSIT)], add_to_transit=1
		)
		doc = self.attempt(self.expect("transfer_out", item, codes, source=source), make)
		if doc:
			self.done(doc, "transfer_out", item, codes, source=source)

	def _sent(self):
		return [
			d
			for d in self._active("transfer_out")
			if self.model.codes_where(status=IN_TRANSIT, voucher=d.voucher)
		]

	@precondition(lambda self: self._sent())
	@rule(data=st.data(), to=st.sampled_from(STORES))
	def arrive(self, data, to):
		"""The second step: the arrival made from the outgoing entry, of some or all of its units."""
		out = data.draw(st.sampled_from(self._sent()))
		codes = self.pick(data, self.model.codes_where(status=IN_TRANSIT, voucher=out.voucher))

		def make():
			doc = frappe.get_doc(make_stock_in_entry(out.voucher[1]))
			doc.items[0].qty = len(codes)
			doc.items[0].t_warehouse = to
			doc.items[0].sn_codes = "\n".join(codes)
			doc.insert()
			doc.submit()
			return doc

		refusal = self.expect("transfer_in", out.item, codes, against=out.voucher[1])
		doc = self.attempt(refusal, make)
		if doc:
			self.done(doc, "transfer_in", out.item, codes, source=TRANSIT, target=to)

	@precondition(lambda self: self.model.codes_where(status=IN_STOCK))
	@rule(data=st.data(), item=st.sampled_from(ITEMS))
	def issue(self, data, item):
		warehouse = self.holding(data, item)
		codes = self.pick(data, self.model.codes_where(item, IN_STOCK, warehouse))
		make = lambda: f.stock_entry("Material Issue", [(item, len(codes), codes, warehouse, None)])  # noqa: E731
		doc = self.attempt(self.expect("issue", item, codes, source=warehouse), make)
		if doc:
			self.done(doc, "issue", item, codes, source=warehouse)

	@rule(data=st.data(), item=st.sampled_from(ITEMS), warehouse=st.sampled_from(STORES))
	def count(self, data, item, warehouse):
		"""A Stock Reconciliation row listing the units found (none: the place is empty)."""
		here = self.model.codes_where(item, IN_STOCK, warehouse)
		codes = self.pick(data, here + self.inbound(item), at_least=0)
		if not codes and not self.model.qty((item, warehouse)):
			return  # ERPNext drops a row that changes nothing, and refuses a count of no row
		self.counts += 1
		# A rate of its own, so that ERPNext never drops the row as changing nothing.
		rate = 200 + self.counts

		def make():
			return count_of(item, warehouse, codes, rate)

		doc = self.attempt(self.expect("count", item, codes), make)
		if doc:
			self.model.count((doc.doctype, doc.name), item, warehouse, codes)

	@rule(data=st.data(), item=st.sampled_from(ITEMS), warehouse=st.sampled_from(STORES))
	def register(self, data, item, warehouse):
		"""Units received without codes, then registered from the item (a manager's statement)."""
		codes = self.pick(data, self.inbound(item))
		frappe.db.savepoint("st_model_plain")
		plain = f.purchase_receipt([(item, len(codes), None, warehouse)])
		self.model.receive_plain((plain.doctype, plain.name), item, warehouse, len(codes))
		refusal = self.expect("register", item, codes, target=warehouse)
		done = self.attempt(
			refusal, lambda: in_stock_registration.register(item, warehouse, "\n".join(codes))
		)
		if refusal:
			frappe.db.rollback(save_point="st_model_plain")
			new_request(rolled_back=True)
			self.model.forget((plain.doctype, plain.name))
			return
		assert sorted(done) == sorted(codes)
		self.model.apply((STATEMENT, item), "register", item, codes, target=warehouse)

	@precondition(lambda self: any(d.active for d in self.model.documents.values()))
	@rule(data=st.data())
	def cancel(self, data):
		"""Cancel a document: the latest of its serials is cancelled, an earlier one is refused."""
		documents = [d for d in self.model.documents.values() if d.active]
		blocked = []
		for d in documents:
			try:
				self.model.check_cancel(d.voucher)
			except Refused:
				blocked.append(d)
		latest = [d for d in documents if d not in blocked]
		choose = blocked if blocked and (not latest or data.draw(st.booleans(), label="earlier")) else latest
		document = data.draw(st.sampled_from(choose[::-1]), label="document")
		refusal = None
		try:
			self.model.check_cancel(document.voucher)
		except Refused as e:
			refusal = e

		def make():
			doc = frappe.get_doc(*document.voucher)
			doc.cancel()
			return doc

		if self.attempt(refusal, make):
			self.model.cancel(document.voucher)

	@invariant()
	def agrees(self):
		compare(self.model)


#: Every kind of step (the method that attempts it).
STEPS = {
	"receive",
	"_sell",
	"sales_return",
	"purchase_return",
	"transfer",
	"send",
	"arrive",
	"issue",
	"count",
	"register",
	"cancel",
}


def _settings(examples: int, derandomize: bool):
	return settings(
		max_examples=examples,
		stateful_step_count=30,
		deadline=None,
		derandomize=derandomize,
		database=None,
		print_blob=False,
		report_multiple_bugs=False,
		suppress_health_check=list(HealthCheck),
		phases=[Phase.generate] if os.environ.get("ST_MODEL_NO_SHRINK") else list(Phase),
	)


def test_the_ledger_follows_the_model():
	master_data()
	counted.update(steps=0, refused=0, examples=0, by_step=Counter(), all_by_step=Counter())
	wanted = int(os.environ.get("ST_MODEL_STEPS") or 0)
	started = time.monotonic()
	if not wanted:
		examples = int(os.environ.get("ST_MODEL_EXAMPLES") or 25)
		run_state_machine_as_test(Ledger, settings=_settings(examples, derandomize=True))
		# the sequences run in CI take every kind of step
		assert set(counted["all_by_step"]) == STEPS, STEPS - set(counted["all_by_step"])
	else:
		while counted["steps"] < wanted:
			run_state_machine_as_test(Ledger, settings=_settings(100, derandomize=False))
	print(
		f"\n{counted['steps']} steps, 0 divergences "
		f"({counted['examples']} sequences, {counted['refused']} refusals, {time.monotonic() - started:.0f} s)"
	)
	if os.environ.get("ST_MODEL_VERBOSE"):
		print({k: (n, counted["by_step"][k]) for k, n in counted["all_by_step"].items()})
	assert counted["steps"] >= 100
