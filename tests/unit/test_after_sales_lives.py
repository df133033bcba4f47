"""How a replacement under a warranty claim and a repair with spare parts are told in lives: pure
core logic."""

from datetime import date
from types import SimpleNamespace

from serial_tracking.core.lives import (
	FITTED,
	ISSUED,
	RETURNED,
	SOLD,
	Step,
	group,
	phrase,
	story,
	tally,
	with_parts,
)


def _swap(kind, claim="SER-WRN-1", unit="SN-2", until=None):
	row = SimpleNamespace(
		operation="Sell" if kind == SOLD else "Sales Return",
		party="Harbour Street",
		under_claim=True,
		claim=claim,
		swapped_with=unit,
		warranty_expiry_date=until,
	)
	status = "Sold" if kind == SOLD else "In Stock"
	return Step(kind=kind, date=date(2026, 12, 4), days=0, status=status, warehouse=None, row=row)


def test_a_replacement_in_the_story_names_the_claim_and_the_other_unit_when_shown():
	assert phrase(_swap(RETURNED)) == "returned under claim SER-WRN-1 on 2026-12-04, replaced by SN-2"
	assert phrase(_swap(SOLD, until="2027-11-30")) == (
		"given to Harbour Street under claim SER-WRN-1 on 2026-12-04 in place of SN-2, "
		"warranty until 2027-11-30"
	)
	assert phrase(_swap(RETURNED, claim=None, unit=None)) == "returned under a warranty claim on 2026-12-04"


def test_a_part_fitted_is_told_on_the_part_and_on_the_unit():
	part_row = SimpleNamespace(operation="Issue", party=None, fitted=True, fitted_into="SN-1", visit="MV-1")
	on_part = Step(kind=ISSUED, date=date(2026, 12, 4), days=0, status="Issued", warehouse=None, row=part_row)
	assert phrase(on_part) == "fitted into SN-1 on 2026-12-04 (visit MV-1)"
	unit_row = SimpleNamespace(operation="Fitted", part="BT-0042", part_item_name="battery")
	on_unit = Step(kind=FITTED, date=date(2026, 12, 4), days=0, status=None, warehouse=None, row=unit_row)
	assert phrase(on_unit) == "battery BT-0042 fitted on 2026-12-04"


def test_parts_join_the_life_they_were_fitted_in_and_count_no_day():
	def row(operation, posted, party_type=None):
		return SimpleNamespace(
			operation=operation, party_type=party_type, party=None, is_cancelled=0, posting_date=posted
		)

	rows = [
		row("Receive", "2026-01-01", "Supplier"),
		row("Sell", "2026-01-10", "Customer"),
		row("Receive", "2026-06-01", "Supplier"),
	]
	lives = group(rows)
	stories = [story(life, date(2026, 12, 31)) for life in lives]
	part = SimpleNamespace(
		operation="Fitted", posting_date="2026-02-01", part="BT-1", part_item_name="battery"
	)
	told = with_parts(lives, stories, [part])
	assert [s.kind for s in told[0]] == ["bought", "sold", FITTED] and len(told[1]) == 1
	assert told[0][-1].days == 0 and tally(told[0]) == tally(stories[0])
