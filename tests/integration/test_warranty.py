"""Warranty per unit: a sale to a customer starts it from the item's period, a sales return ends it,
a resale starts a new one (or keeps the first, by the settings), and a cancellation puts it back."""

import pytest

import frappe
from frappe.utils import add_days, getdate, nowdate

from serial_tracking.messages import SerialGuardError
from tests.integration import factory as f
from tests.integration.factory import MAIN, codes, user_with

#: Items of this test's own: a year's warranty, a month's, and none.
YEAR, MONTH, NONE = "ST-WARRANTY-YEAR", "ST-WARRANTY-MONTH", "ST-WARRANTY-NONE"


@pytest.fixture
def items():
	for code, period in ((YEAR, "365"), (MONTH, "30"), (NONE, None)):
		if not frappe.db.exists("Item", code):
			f.make_item(code, warranty_period=period)


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


def warranty(code):
	found = frappe.db.get_value("Serial Number", code, "warranty_expiry_date")
	return str(found) if found else None


def receive(sn, item=YEAR, on=-40):
	return f.purchase_receipt([(item, len(sn), sn, MAIN)], posting_date=day(on))


def sell(sn, item=YEAR, on=-30, **values):
	return f.delivery_note([(item, len(sn), sn, MAIN)], posting_date=day(on), **values)


def give_back(sn, sale, item=YEAR, on=-20):
	return f.delivery_note(
		[(item, -len(sn), sn, MAIN)], is_return=True, return_against=sale.name, posting_date=day(on)
	)


def test_a_sale_gives_the_unit_the_items_warranty_from_its_posting_date(items):
	sn = codes("WSALE", 2)
	receive(sn)
	sell(sn)
	assert [warranty(code) for code in sn] == [str(getdate(day(-30 + 365)))] * 2
	logged = frappe.get_all(
		"Serial Circulation Log",
		filters={"serial_no": ("in", sn), "operation": "Sell"},
		pluck="warranty_expiry_date",
	)
	assert [str(d) for d in logged] == [day(335)] * 2


def test_an_item_without_a_warranty_period_gives_none(items):
	sn = codes("WNONE", 1)
	receive(sn, item=NONE)
	sell(sn, item=NONE)
	assert frappe.db.get_value("Serial Number", sn[0], "status") == "Sold"
	assert warranty(sn[0]) is None


def test_a_purchase_or_a_transfer_gives_no_warranty(items):
	sn = codes("WBUY", 1)
	receive(sn)
	assert warranty(sn[0]) is None


def test_a_sales_return_ends_the_warranty_and_a_resale_starts_a_new_one(items):
	sn = codes("WRESALE", 1)
	receive(sn)
	sale = sell(sn)
	returned = give_back(sn, sale)
	assert warranty(sn[0]) is None
	resale = sell(sn, on=-10)
	assert warranty(sn[0]) == day(-10 + 365)
	# Cancelling puts back each earlier warranty in turn.
	resale.reload().cancel()
	assert warranty(sn[0]) is None
	returned.reload().cancel()
	assert warranty(sn[0]) == day(-30 + 365)
	sale.reload().cancel()
	assert frappe.db.get_value("Serial Number", sn[0], "status") == "In Stock"
	assert warranty(sn[0]) is None


def test_a_resale_keeps_the_first_warranty_when_the_settings_say_so(items, settings):
	settings(keep_first_warranty=1)
	sn = codes("WKEEP", 1)
	receive(sn)
	sale = sell(sn)
	returned = give_back(sn, sale)
	resale = sell(sn, on=-10)
	assert warranty(sn[0]) == day(-30 + 365)
	returned_again = give_back(sn, resale, on=-5)
	assert warranty(sn[0]) is None
	# Cancelled in turn, each earlier value comes back.
	returned_again.reload().cancel()
	assert warranty(sn[0]) == day(-30 + 365)
	resale.reload().cancel()
	assert warranty(sn[0]) is None
	returned.reload().cancel()
	assert warranty(sn[0]) == day(-30 + 365)


def test_a_unit_first_sold_without_a_warranty_gets_one_on_resale_with_the_first_kept(items, settings):
	settings(keep_first_warranty=1)
	sn = codes("WKEEPNONE", 1)
	receive(sn)
	sale = sell(sn)
	frappe.db.set_value("Item", YEAR, "warranty_period", "")
	give_back(sn, sale)
	frappe.db.set_value("Item", YEAR, "warranty_period", "365")
	sell(sn, on=-10)
	# The first sale gave one: it is kept, not the resale's.
	assert warranty(sn[0]) == day(-30 + 365)


def test_a_cancelled_resale_restores_the_ended_warranty_past_a_later_transfer(items):
	sn = codes("WMOVED", 1)
	receive(sn)
	sale = sell(sn)
	give_back(sn, sale)
	f.stock_entry("Material Transfer", [(YEAR, 1, sn, MAIN, f.SHOP)], posting_date=day(-15))
	resale = f.delivery_note([(YEAR, 1, sn, f.SHOP)], posting_date=day(-10))
	assert warranty(sn[0]) == day(-10 + 365)
	# The unit's latest movement before the resale is the transfer, after the return had ended it.
	resale.reload().cancel()
	assert warranty(sn[0]) is None


def test_a_cancelled_sale_restores_the_warranty_a_unit_kept_after_a_purchase(items):
	sn = codes("WBACK", 1)
	receive(sn)
	sell(sn)
	# Bought back from the market: the unit keeps the warranty its sale gave.
	f.purchase_receipt([(YEAR, 1, sn, MAIN)], posting_date=day(-25))
	assert warranty(sn[0]) == day(-30 + 365)
	resale = sell(sn, on=-10)
	assert warranty(sn[0]) == day(-10 + 365)
	resale.reload().cancel()
	assert warranty(sn[0]) == day(-30 + 365)


def test_a_sales_invoice_with_several_rows_and_items(items):
	year, month, plain = codes("WSIY", 3), codes("WSIM", 2), codes("WSIN", 1)
	f.purchase_receipt(
		[(YEAR, 3, year, MAIN), (MONTH, 2, month, MAIN), (NONE, 1, plain, MAIN)], posting_date=day(-40)
	)
	invoice = f.sales_invoice(
		[
			(YEAR, 2, year[:2], MAIN),
			(MONTH, 2, month, MAIN),
			(YEAR, 1, year[2:], MAIN),
			(NONE, 1, plain, MAIN),
		],
		posting_date=day(-15),
	)
	assert {code: warranty(code) for code in year + month + plain} == {
		**{code: day(-15 + 365) for code in year},
		**{code: day(-15 + 30) for code in month},
		plain[0]: None,
	}
	f.sales_invoice(
		[(MONTH, -1, month[:1], MAIN)], is_return=1, return_against=invoice.name, posting_date=day(-5)
	)
	assert (warranty(month[0]), warranty(month[1])) == (None, day(15))


def test_a_pos_invoice_gives_the_warranty(items):
	sn = codes("WPOS", 1)
	f.purchase_receipt([(YEAR, 1, sn, MAIN)])
	f.pos_invoice([(YEAR, 1, sn, MAIN)])
	assert warranty(sn[0]) == add_days(nowdate(), 365)


def test_the_amc_date_is_written_by_a_stock_manager_not_by_a_stock_user(items):
	sn = codes("WAMC", 1)
	receive(sn)
	manager, user = user_with(["Stock User", "Stock Manager"]), user_with(["Stock User"])
	frappe.set_user(manager)
	frappe.client.set_value("Serial Number", sn[0], "amc_expiry_date", day(200))
	assert str(frappe.db.get_value("Serial Number", sn[0], "amc_expiry_date")) == day(200)
	frappe.set_user(user)
	with pytest.raises(frappe.PermissionError):
		frappe.client.set_value("Serial Number", sn[0], "amc_expiry_date", day(300))
	assert str(frappe.db.get_value("Serial Number", sn[0], "amc_expiry_date")) == day(200)


def test_the_warranty_is_not_set_by_hand(items):
	sn = codes("WHAND", 1)
	receive(sn)
	frappe.set_user(user_with(["Stock User", "Stock Manager"]))
	with pytest.raises(SerialGuardError):
		frappe.client.set_value("Serial Number", sn[0], "warranty_expiry_date", day(900))
	assert warranty(sn[0]) is None


def test_units_sold_before_the_upgrade_get_their_warranty_from_their_sale(items):
	from serial_tracking.patches.v1_0 import fill_warranty_expiry

	sold, returned, plain = codes("WFILLS", 2), codes("WFILLR", 1), codes("WFILLN", 1)
	f.purchase_receipt([(YEAR, 3, sold + returned, MAIN), (NONE, 1, plain, MAIN)], posting_date=day(-40))
	sale = f.delivery_note([(YEAR, 3, sold + returned, MAIN), (NONE, 1, plain, MAIN)], posting_date=day(-30))
	give_back(returned, sale)
	every = sold + returned + plain
	frappe.db.sql(
		"update `tabSerial Number` set warranty_expiry_date = null where name in %s", (tuple(every),)
	)
	frappe.db.sql(
		"update `tabSerial Circulation Log` set warranty_expiry_date = null where serial_no in %s",
		(tuple(every),),
	)
	fill_warranty_expiry.execute()
	assert {code: warranty(code) for code in every} == {
		**{code: day(-30 + 365) for code in sold},
		returned[0]: None,
		plain[0]: None,
	}
	# The sale's rows carry it too: cancelling the return gives it back.
	frappe.get_last_doc("Delivery Note", {"return_against": sale.name}).cancel()
	assert warranty(returned[0]) == day(-30 + 365)


def test_the_search_shows_the_warranty_and_finds_units_under_it(items):
	from serial_tracking.finding import search

	running, ending, ended, none = codes("WSRA", 1), codes("WSRB", 1), codes("WSRC", 1), codes("WSRD", 1)
	f.purchase_receipt(
		[(YEAR, 2, running + none, MAIN), (MONTH, 2, ending + ended, MAIN)], posting_date=day(-60)
	)
	sell(running, on=-10)  # until day 355
	sell(ending, item=MONTH, on=-20)  # until day 10
	sell(ended, item=MONTH, on=-40)  # until day -10
	frappe.db.set_value("Serial Number", none[0], "amc_expiry_date", day(90))
	mine = {"serial_no": "WSR*"}

	def found(**filters):
		return sorted(r["serial_no"] for r in search.rows({**mine, **filters}))

	rows = {r["serial_no"]: r for r in search.rows(mine)}
	assert str(rows[running[0]]["warranty_expiry_date"]) == day(355)
	assert rows[none[0]]["warranty_expiry_date"] is None
	assert str(rows[none[0]]["amc_expiry_date"]) == day(90)
	assert found(under_warranty=1) == running + ending
	assert found(warranty_within=30) == ending
	assert found(warranty_within="400", under_warranty=0) == running + ending
	assert found(under_warranty=0) == sorted(running + ending + ended + none)
	for bad in ("-1", "ten", 1.5, 36_501):
		with pytest.raises(frappe.ValidationError, match="Warranty Ends in Days"):
			search.read_filters({"warranty_within": bad})


def test_the_export_has_the_warranty_columns(items):
	import csv
	import io

	from serial_tracking import api

	sn = codes("WEXP", 1)
	receive(sn)
	sell(sn)
	answer = api.export_serials(filters={"serial_no": "WEXP*"}, format="CSV")
	file = frappe.get_doc("File", {"file_url": answer["file_url"]})
	text = file.get_content()
	rows = list(csv.reader(io.StringIO(text.decode("utf-8") if isinstance(text, bytes) else text)))
	read = dict(zip(rows[0], rows[1], strict=True))
	assert (read["Warranty Until"], read["AMC Until"]) == (day(335), "")


def test_the_lives_story_tells_the_warranty_on_the_sale(items):
	from frappe.utils import formatdate

	from serial_tracking import api

	sn = codes("WLIFE", 1)
	receive(sn)
	sale = sell(sn)
	(life,) = api.trace(serial_no=sn[0])["lives"]
	told = f"Sold to {f.CUSTOMER} on {formatdate(day(-30))}, warranty until {formatdate(day(335))}"
	assert life["summary"].startswith(f"{told} ({sale.name}) · bought from")


@pytest.mark.parametrize("period", ["abc", "12.5", "-3", "0"])
def test_a_period_that_is_not_whole_days_gives_none(items, period):
	frappe.db.set_value("Item", MONTH, "warranty_period", period)
	sn = codes("WODD", 1)
	receive(sn, item=MONTH)
	sell(sn, item=MONTH)
	assert warranty(sn[0]) is None


def test_a_trace_and_its_report_say_the_warranty_and_amc_of_the_unit_now(items):
	from frappe.utils import formatdate

	from serial_tracking import api
	from serial_tracking.serial_tracking.report.serial_traceability.serial_traceability import execute

	sn = codes("WTRACE", 1)
	receive(sn)
	sale = sell(sn)
	frappe.db.set_value("Serial Number", sn[0], "amc_expiry_date", day(500))
	now = api.trace(serial_no=sn[0])["now"]
	assert (str(now["warranty_expiry_date"]), str(now["amc_expiry_date"])) == (day(335), day(500))
	message = execute({"serial_no": sn[0]})[2]
	assert message == (
		f"{sn[0]} ({YEAR}) is now Sold to {f.CUSTOMER} by Delivery Note {sale.name}"
		f"; warranty until {formatdate(day(335))}; AMC until {formatdate(day(500))}"
	)


def test_an_amended_sale_dated_otherwise_gives_the_warranty_from_its_own_date(items):
	sn = codes("WAMEND", 1)
	receive(sn)
	sale = sell(sn)
	assert warranty(sn[0]) == day(335)
	sale.cancel()
	assert warranty(sn[0]) is None
	# as Desk's Amend makes it: a draft copy naming the cancelled sale
	amended = frappe.copy_doc(sale)
	for doc in (amended, *amended.get_all_children()):
		doc.docstatus = 0
	amended.amended_from = sale.name
	amended.set_posting_time = 1
	amended.posting_date = day(-10)
	amended.insert()
	amended.submit()
	assert warranty(sn[0]) == day(355)


RACING = "ST-RACE-WARRANTY"


def _draft_sale(job):
	"""A draft Delivery Note of one serial of the racing item (module level: a process imports it)."""
	from tests.integration.racing import WAREHOUSE

	return f.delivery_note([(RACING, 1, [job], WAREHOUSE)], submit=False)


def _submit(doc):
	doc.submit()


@pytest.mark.commits
def test_sellers_racing_for_one_unit_leave_it_the_winners_warranty_alone():
	"""Three processes sell one unit at the same instant: the one that wins gives it its warranty,
	on the serial and on its log row; the refused ones write none."""
	from tests.integration.racing import DONE, WAREHOUSE, Session, clean_up, make_place, new_run, race

	run = new_run()
	code = f"WRACE{run}-1"
	try:
		make_place(RACING)
		frappe.db.set_value("Item", RACING, "warranty_period", "365")
		f.receive([code], item=RACING, warehouse=WAREHOUSE)
		frappe.db.commit()
		outcomes = race([Session(_draft_sale, _submit, [code])] * 3)
		winners = [o.name for o in outcomes[0] if o.kind == DONE]
		assert len(winners) == 1, outcomes
		until = str(getdate(day(365)))
		assert warranty(code) == until
		logged = frappe.get_all(
			"Serial Circulation Log",
			filters={"serial_no": code, "is_cancelled": 0, "operation": "Sell"},
			fields=["voucher_no", "warranty_expiry_date"],
		)
		assert [(r.voucher_no, str(r.warranty_expiry_date)) for r in logged] == [(winners[0], until)]
	finally:
		clean_up(run)
