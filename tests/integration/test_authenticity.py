"""The public authenticity check: a unit sold here is known with its item's name and warranty; any
other code, whatever it is, gets the one same answer; with the setting off the check is refused."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.api import check_authenticity
from serial_tracking.finding import authenticity
from tests.integration import factory as f
from tests.integration.factory import MAIN, codes

#: Items of this test's own: a year's warranty, and a week's.
ITEM, WEEK = "ST-AUTHENTIC", "ST-AUTHENTIC-WEEK"
NOT_KNOWN = {"known": False, "item_name": None, "warranty_until": None}


@pytest.fixture
def on(settings):
	for code, name, period in ((ITEM, "Authentic Phone", "365"), (WEEK, "Authentic Cable", "7")):
		if not frappe.db.exists("Item", code):
			f.make_item(code, item_name=name, warranty_period=period)
	settings(public_check=1)


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


def receive(sn, on=-40, item=ITEM):
	return f.purchase_receipt([(item, len(sn), sn, MAIN)], posting_date=day(on))


def sell(sn, on=-30, item=ITEM):
	return f.delivery_note([(item, len(sn), sn, MAIN)], posting_date=day(on))


def test_a_sold_unit_is_known_with_its_items_name_and_warranty(on):
	sn = codes("AUTHSOLD", 1)
	receive(sn)
	sell(sn)
	assert check_authenticity(sn[0]) == {
		"known": True,
		"item_name": "Authentic Phone",
		"warranty_until": day(335),
	}
	# as scanned: other case, spaces around
	assert check_authenticity(f"  {sn[0].lower()}\n") == check_authenticity(sn[0])


def test_a_warranty_ended_is_not_shown(on):
	sn = codes("AUTHOLD", 1)
	receive(sn, item=WEEK)
	sell(sn, item=WEEK)
	assert frappe.db.get_value("Serial Number", sn[0], "warranty_expiry_date")
	assert check_authenticity(sn[0]) == {
		"known": True,
		"item_name": "Authentic Cable",
		"warranty_until": None,
	}


def test_a_warranty_ending_today_is_shown(on):
	sn = codes("AUTHTODAY", 1)
	receive(sn, item=WEEK)
	sell(sn, on=-7, item=WEEK)
	assert check_authenticity(sn[0]) == {
		"known": True,
		"item_name": "Authentic Cable",
		"warranty_until": nowdate(),
	}


def test_a_unit_sold_and_returned_is_still_known_without_a_warranty(on):
	sn = codes("AUTHBACK", 1)
	receive(sn)
	sale = sell(sn)
	f.delivery_note([(ITEM, -1, sn, MAIN)], is_return=True, return_against=sale.name, posting_date=day(-20))
	assert check_authenticity(sn[0]) == {
		"known": True,
		"item_name": "Authentic Phone",
		"warranty_until": None,
	}


def test_a_cancelled_sale_does_not_count(on):
	sn = codes("AUTHCANC", 1)
	receive(sn)
	sell(sn).cancel()
	assert check_authenticity(sn[0]) == NOT_KNOWN


def test_unsold_unknown_empty_malformed_and_over_long_codes_answer_the_same(on):
	unsold = codes("AUTHSTOCK", 1)
	receive(unsold)
	too_long = "A" * (frappe.db.get_single_value("Serial Tracking Settings", "max_length") + 1)
	for code in (unsold[0], "AUTHNEVER0001", "", "   ", None, too_long, "<script>", 12, ["x"]):
		answer = check_authenticity(code)
		assert answer == NOT_KNOWN, code
		assert list(answer) == ["known", "item_name", "warranty_until"]


def test_the_answer_takes_one_statement_whatever_it_is_and_none_for_an_over_long_code(on, monkeypatch):
	sold, unsold = codes("AUTHQS", 1), codes("AUTHQU", 1)
	receive(sold + unsold)
	sell(sold)
	authenticity.check("warm the settings' cache")
	issued = []
	real = frappe.db.sql

	def sql(*args, **kwargs):
		issued.append(args[0])
		return real(*args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", sql)
	counts = {}
	for code in (sold[0], unsold[0], "AUTHQNEVER", "A" * 10_000, ""):
		issued.clear()
		authenticity.check(code)
		counts[code[:20]] = len(issued)
	assert counts == {sold[0]: 1, unsold[0]: 1, "AUTHQNEVER": 1, "A" * 20: 0, "": 0}


def test_with_the_setting_off_the_check_is_refused(on, settings):
	sn = codes("AUTHOFF", 1)
	receive(sn)
	sell(sn)
	settings(public_check=0)
	with pytest.raises(frappe.PermissionError, match="switched off"):
		check_authenticity(sn[0])


@pytest.mark.parametrize("query", ["", "?code=AUTHPAGE"])
def test_the_page_comes_and_goes_with_the_setting_and_is_never_kept(on, settings, monkeypatch, query):
	"""Where Frappe keeps pages and remembers 404s (not in developer mode), the page is rendered
	afresh each time; switched off it answers as a page that does not exist, switched on it is back
	at once."""
	from frappe.utils import set_request
	from frappe.website.serve import get_response

	monkeypatch.setitem(frappe.local.conf, "developer_mode", 0)
	monkeypatch.setitem(frappe.local.conf, "disable_website_cache", 0)
	# as at the start of a request
	monkeypatch.setattr(frappe.local, "no_cache", 0, raising=False)
	# The request made here goes with the test: a request left behind would make later tests act
	# as in one (Frappe's access log commits inside a request, say).
	for name in ("request", "form_dict", "response", "path", "cookie_manager"):
		monkeypatch.setattr(frappe.local, name, getattr(frappe.local, name, None), raising=False)

	def get(path):
		frappe.set_user("Guest")
		set_request(method="GET", path=f"{path}{query}")
		response = get_response()
		frappe.set_user("Administrator")
		return response.status_code, b"sn-check-form" in response.data

	answers, kept = [], []
	for on in (1, 0, 0, 1, 1, 0, 0):
		settings(public_check=on)
		answers.append((on, get("/sn-check"), get(f"/sn-nothing-{frappe.generate_hash(length=8)}")))
		kept.append(bool(frappe.cache.hget("website_page", "sn-check")))
	assert [page for _on, page, _nothing in answers] == [
		(200, True) if on else nothing for on, _page, nothing in answers
	]
	assert not any(kept)
