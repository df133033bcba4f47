"""After-sales documents naming a unit: its Warranty / AMC status on a date, whether a customer holds it,
and its claims and visits told in its lives."""

from datetime import date
from types import SimpleNamespace

from serial_tracking.core.after_sales import (
	NEVER_SOLD,
	NO_CUSTOMER,
	NO_LONGER,
	OTHER_CUSTOMER,
	OUT_OF_AMC,
	OUT_OF_WARRANTY,
	UNDER_AMC,
	UNDER_WARRANTY,
	Unit,
	not_held,
	warranty_amc_status,
)
from serial_tracking.core.lives import (
	CLAIM,
	INSTALLATION,
	VISIT,
	Service,
	group,
	newest_first,
	note,
	place,
	stories,
	summary,
)

ON = "2026-12-02"


def test_the_status_follows_erpnexts_order_on_the_documents_date():
	assert warranty_amc_status(None, None, ON) is None
	assert warranty_amc_status("2026-12-02", None, ON) == UNDER_WARRANTY
	assert warranty_amc_status("2026-12-01", None, ON) == OUT_OF_WARRANTY
	assert warranty_amc_status("2026-12-01", "2027-01-01", ON) == UNDER_AMC
	assert warranty_amc_status("2026-12-01", "2026-11-01", ON) == OUT_OF_AMC
	# under warranty wins over every AMC, as ERPNext's Serial No says it
	assert warranty_amc_status("2027-01-01", "2026-11-01", ON) == UNDER_WARRANTY
	assert warranty_amc_status("2027-01-01", "2027-06-01", ON) == UNDER_WARRANTY
	# dated by the document, not today
	assert warranty_amc_status("2026-12-01", None, "2026-11-30") == UNDER_WARRANTY
	assert warranty_amc_status(date(2026, 12, 1), None, date(2026, 12, 2)) == OUT_OF_WARRANTY


def test_a_customer_holds_only_a_unit_sold_to_them_and_not_returned():
	assert not_held(Unit("A", "I", "Sold", "C1"), "C1") is None
	assert not_held(Unit("A", "I", "Sold", "C2"), "C1") == OTHER_CUSTOMER
	assert not_held(Unit("A", "I", "In Stock", None), "C1") == NEVER_SOLD
	assert not_held(Unit("A", "I", "In Stock", "C1"), "C1") == NO_LONGER
	assert not_held(Unit("A", "I", "Returned", "C1"), "C1") == NO_LONGER
	# returned by one, now in stock: another's claim is refused as another's unit
	assert not_held(Unit("A", "I", "In Stock", "C2"), "C1") == OTHER_CUSTOMER
	# a document with no customer yet: the unit is no customer's now, or never was
	assert not_held(Unit("A", "I", "In Stock", "C1"), "") == NO_CUSTOMER
	assert not_held(Unit("A", "I", "In Stock", None), "") == NEVER_SOLD


def row(operation, voucher, on, party_type=None, party=None):
	return SimpleNamespace(
		operation=operation,
		voucher_type="Doc",
		voucher_no=voucher,
		party_type=party_type,
		party=party,
		is_cancelled=0,
		previous_code=None,
		posting_date=on,
		to_warehouse="Main" if operation == "Receive" else None,
		status_after=None,
	)


ROWS = [
	row("Receive", "PR-1", "2026-11-01", "Supplier", "North"),
	row("Sell", "DN-1", "2026-11-10", "Customer", "Harbour"),
	row("Sales Return", "DN-2", "2026-11-20", "Customer", "Harbour"),
	row("Receive", "PR-2", "2026-11-25", "Supplier", "North"),
	row("Sell", "DN-3", "2026-12-01", "Customer", "Quay"),
]


def claim(name, on, text="screen flicker"):
	return Service(CLAIM, date.fromisoformat(on), "Warranty Claim", name, text)


def visit(name, on, text="replaced"):
	return Service(VISIT, date.fromisoformat(on), "Maintenance Visit", name, text)


def test_services_are_placed_in_the_life_they_fall_in():
	lives = group(ROWS)
	services = [claim("C-2", "2026-12-02"), claim("C-1", "2026-11-12"), visit("V-0", "2026-10-01")]
	placed = place(services, lives)
	assert [s.voucher_no for s in placed[1]] == ["V-0", "C-1"]
	assert [s.voucher_no for s in placed[2]] == ["C-2"]
	assert place([], lives) == {}


def test_a_life_tells_its_claims_and_visits_among_its_movements_newest_first():
	lives = group(ROWS)
	steps = stories(lives, date(2026, 12, 6))[1]
	told = newest_first(steps, [claim("SER-WRN-3", "2026-12-02"), visit("MV-1", "2026-12-04")])
	line = summary(told, when=lambda d: d.strftime("%-d %b"))
	assert line.startswith(
		"Visit on 4 Dec: replaced (MV-1) · claim on 2 Dec: screen flicker (SER-WRN-3) · "
		"sold to Quay on 1 Dec (DN-3)"
	)
	# a claim on the day of the sale comes after it; one before every movement, first
	same_day = newest_first(steps, [claim("C-0", "2026-11-20"), claim("C-9", "2026-12-01")])
	assert [getattr(e, "voucher_no", None) for e in same_day[:2]] == ["C-9", None]
	assert getattr(same_day[-1], "voucher_no", None) == "C-0"


def test_a_note_is_one_short_line():
	assert note("  screen\n flicker  ") == "screen flicker"
	assert note(None) == ""
	long = note("x" * 200)
	assert len(long) == 80 and long.endswith("…")
	assert summary([Service(VISIT, date(2026, 12, 4), "Maintenance Visit", "MV-2")]) == (
		"Visit on 2026-12-04 (MV-2)"
	)


def test_an_installation_is_told_by_its_date():
	installed = Service(INSTALLATION, date(2026, 12, 3), "Installation Note", "INS-1")
	assert summary([installed], when=lambda d: d.strftime("%-d %b")) == "Installed on 3 Dec (INS-1)"
