"""The app issues a fixed number of SQL statements per document, whatever the number of serials."""

import pytest

import frappe

from serial_tracking.stock import events
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, codes


@pytest.fixture
def counted(monkeypatch):
	"""Count the statements each of the app's document hooks issues."""
	counts = {}

	def wrap(name):
		original = getattr(events, name)

		def hook(doc, method=None):
			real_sql = frappe.db.sql
			seen = []

			def sql(*args, **kwargs):
				seen.append(args[0])
				return real_sql(*args, **kwargs)

			frappe.db.sql = sql
			try:
				return original(doc, method)
			finally:
				frappe.db.sql = real_sql
				counts.setdefault(name, []).append(len(seen))

		monkeypatch.setattr(events, name, hook)

	for name in ("validate", "on_submit", "before_cancel", "on_cancel"):
		wrap(name)
	return counts


def statements(counted, run):
	counted.clear()
	run()
	return {name: sum(values) for name, values in counted.items()}


def test_statements_do_not_grow_with_serials(counted):
	f.receive(codes("QCWARM", 1))  # fills the caches (settings, metadata) a live site has filled long ago
	small, large = codes("QC", 1), codes("QC", 200, start=10)
	few = statements(counted, lambda: f.receive(small))
	many = statements(counted, lambda: f.receive(large))
	assert few == many and few["on_submit"] <= 6
	notes = {}
	sell_few = statements(counted, lambda: notes.update(few=f.delivery_note([(PHONE, 1, small, MAIN)])))
	sell_many = statements(counted, lambda: notes.update(many=f.delivery_note([(PHONE, 200, large, MAIN)])))
	assert sell_few == sell_many and sell_few["on_submit"] <= 6
	cancel_few = statements(counted, notes["few"].cancel)
	cancel_many = statements(counted, notes["many"].cancel)
	assert cancel_few == cancel_many and cancel_few["on_cancel"] <= 6
