"""What one event of a submit or cancel hands the next: never a plan of a document that changed
since, and never nothing when an event did not run."""

from serial_tracking.stock import events
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, codes, serial


def test_a_document_changed_after_validate_is_planned_as_it_is_submitted(monkeypatch):
	"""Another app's validate hook, after the app's, changes the row's codes: the submit moves the
	codes the document holds, not those validate read."""
	sn = codes("HOV", 2)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, [sn[0]], MAIN)], submit=False)
	checked = events.validate

	def validate_then_change(doc, method=None):
		checked(doc, method)
		if doc.get("_action") == "submit":
			doc.items[0].sn_codes = sn[1]

	# Frappe looks each hook up by its dotted path at every call.
	monkeypatch.setattr(events, "validate", validate_then_change)
	note.submit()
	assert serial(sn[1]).status == "Sold" and serial(sn[1]).voucher_no == note.name
	assert serial(sn[0]).status == "In Stock"


def test_a_document_unchanged_after_validate_is_read_once(monkeypatch):
	"""The context validate read is the one before_submit plans: the document is not read again."""
	sn = codes("HOR", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)], submit=False)
	reads = []
	from serial_tracking.stock import pipeline

	read = pipeline.context_of

	def counted(doc):
		reads.append(doc.name)
		return read(doc)

	monkeypatch.setattr(pipeline, "context_of", counted)
	note.submit()
	assert reads == [note.name]
	assert serial(sn[0]).status == "Sold"


def test_a_submit_that_skips_validate_still_moves_its_serials():
	"""``ignore_validate`` skips validate and before_submit; on_submit plans under lock itself."""
	sn = codes("HOI", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)], submit=False)
	note.flags.ignore_validate = True
	note.submit()
	assert serial(sn[0]).status == "Sold" and serial(sn[0]).voucher_no == note.name


def test_a_cancel_that_skips_before_cancel_still_puts_its_serials_back():
	sn = codes("HOC", 1)
	f.receive(sn)
	note = f.delivery_note([(PHONE, 1, sn, MAIN)])
	note.reload()
	note.flags.ignore_validate = True
	note.cancel()
	assert serial(sn[0]).status == "In Stock"
