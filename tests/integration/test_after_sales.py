"""ERPNext's after-sales documents with SN codes: a Warranty Claim and a Maintenance Visit naming units
by their codes, filled from them, refused for a unit the customer does not hold, and told in the lives."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from serial_tracking.messages import AfterSalesError
from tests.integration import factory as f
from tests.integration.factory import CUSTOMER, CUSTOMER2, MAIN, PHONE, codes

#: An item of this test's own with a year's warranty.
WARRANTED = "ST-CLAIM-YEAR"
ENGINEER = "ST Engineer"


@pytest.fixture
def items():
	if not frappe.db.exists("Item", WARRANTED):
		f.make_item(WARRANTED, warranty_period="365")
	if not frappe.db.exists("Sales Person", ENGINEER):
		frappe.get_doc(
			{"doctype": "Sales Person", "sales_person_name": ENGINEER, "parent_sales_person": "Sales Team"}
		).insert()


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


def sold(prefix, count=1, item=WARRANTED, customer=CUSTOMER, on=-30):
	sn = codes(prefix, count)
	f.purchase_receipt([(item, count, sn, MAIN)], posting_date=day(on - 10))
	sale = f.delivery_note([(item, count, sn, MAIN)], customer=customer, posting_date=day(on))
	return sn, sale


def claim(code, customer=CUSTOMER, on=None, complaint="screen flicker", **values):
	return frappe.get_doc(
		{
			"doctype": "Warranty Claim",
			"status": "Open",
			"complaint_date": on or nowdate(),
			"customer": customer,
			"sn_code": code,
			"complaint": complaint,
			"company": f.COMPANY,
			**values,
		}
	)


def visit(rows, customer=CUSTOMER, on=None, **values):
	return frappe.get_doc(
		{
			"doctype": "Maintenance Visit",
			"customer": customer,
			"mntc_date": on or nowdate(),
			"completion_status": "Fully Completed",
			"maintenance_type": "Breakdown",
			"company": f.COMPANY,
			"purposes": [
				{"sn_code": code, "service_person": ENGINEER, "work_done": done, **extra}
				for code, done, *more in rows
				for extra in [more[0] if more else {}]
			],
			**values,
		}
	)


def test_a_claim_by_sn_code_is_filled_from_the_unit(items):
	sn, _sale = sold("CLFILL")
	doc = claim(sn[0], customer=None).insert()
	assert (doc.item_code, doc.item_name, doc.customer) == (WARRANTED, WARRANTED, CUSTOMER)
	assert doc.customer_name == CUSTOMER
	assert str(doc.warranty_expiry_date) == day(-30 + 365)
	assert doc.amc_expiry_date is None
	assert doc.warranty_amc_status == "Under Warranty"


def test_the_status_is_dated_by_the_complaint_and_says_the_amc(items):
	sn, _sale = sold("CLSTATUS", 3)
	ends = day(-30 + 365)
	assert claim(sn[0], on=add_days(ends, 1)).insert().warranty_amc_status == "Out of Warranty"
	frappe.db.set_value("Serial Number", sn[1], "amc_expiry_date", day(400))
	assert claim(sn[1], on=add_days(ends, 1)).insert().warranty_amc_status == "Under AMC"
	frappe.db.set_value("Serial Number", sn[2], "amc_expiry_date", day(340))
	late = claim(sn[2], on=add_days(ends, 10)).insert()
	assert (late.warranty_amc_status, str(late.amc_expiry_date)) == ("Out of AMC", day(340))


def test_a_claim_by_another_customer_is_refused_naming_only_its_own(items):
	sn, _sale = sold("CLOTHER")
	with pytest.raises(AfterSalesError) as refused:
		claim(sn[0], customer=CUSTOMER2).insert()
	assert str(refused.value) == f"SN code {sn[0]} was not sold to customer {CUSTOMER2}"
	assert not frappe.db.exists("Warranty Claim", {"sn_code": sn[0]})


def test_the_settings_turn_the_refusal_into_a_warning(items, settings):
	settings(claim_other_customer="Warn")
	sn, _sale = sold("CLWARN")
	doc = claim(sn[0], customer=CUSTOMER2).insert()
	assert doc.name and doc.item_code == WARRANTED
	warned = frappe.get_message_log()[-1]
	assert warned["indicator"] == "orange"
	assert warned["message"] == f"SN code {sn[0]} was not sold to customer {CUSTOMER2}"


def test_a_unit_returned_or_never_sold_is_not_the_customers(items):
	sn, sale = sold("CLBACK")
	f.delivery_note([(WARRANTED, -1, sn, MAIN)], is_return=True, return_against=sale.name)
	with pytest.raises(AfterSalesError, match="no longer customer ST Customer's: it was returned"):
		claim(sn[0]).insert()
	fresh = codes("CLNEVER", 1)
	f.purchase_receipt([(WARRANTED, 1, fresh, MAIN)], posting_date=day(-5))
	with pytest.raises(AfterSalesError, match=f"SN code {fresh[0]} was never sold to a customer"):
		claim(fresh[0]).insert()


def test_a_claim_with_no_customer_for_a_returned_unit_says_no_customer_holds_it(items):
	sn, sale = sold("CLNOBODY")
	f.delivery_note([(WARRANTED, -1, sn, MAIN)], is_return=True, return_against=sale.name)
	with pytest.raises(AfterSalesError) as refused:
		claim(sn[0], customer=None).insert()
	assert str(refused.value) == f"SN code {sn[0]} is not with a customer now (it is In Stock)"


def test_a_visit_made_from_a_claim_carries_its_sn_code(items):
	from erpnext.support.doctype.warranty_claim.warranty_claim import make_maintenance_visit

	sn, _sale = sold("CLTOVISIT")
	made = claim(sn[0]).insert()
	doc = make_maintenance_visit(made.name)
	assert [(r.sn_code, r.item_code) for r in doc.purposes] == [(sn[0], WARRANTED)]
	doc.purposes[0].service_person = ENGINEER
	doc.purposes[0].work_done = "replaced"
	doc.mntc_date = nowdate()
	doc.completion_status = "Fully Completed"
	doc.maintenance_type = "Breakdown"
	doc.insert().submit()
	assert frappe.db.get_value("Warranty Claim", made.name, "status") == "Closed"


def test_a_claim_naming_another_item_is_refused_whatever_the_settings(items, settings):
	settings(claim_other_customer="Warn")
	sn, _sale = sold("CLITEM")
	with pytest.raises(AfterSalesError) as refused:
		claim(sn[0], item_code=PHONE).insert()
	assert str(refused.value) == f"SN code {sn[0]} is a unit of item {WARRANTED}, not of item {PHONE}"


def test_an_unknown_code_is_refused_by_the_link_check(items):
	with pytest.raises(frappe.LinkValidationError):
		claim("CL-NO-SUCH-CODE").insert()


def test_a_saved_claim_is_read_again_only_when_its_unit_item_customer_or_date_change(items):
	sn, sale = sold("CLAGAIN")
	doc = claim(sn[0]).insert()
	f.delivery_note([(WARRANTED, -1, sn, MAIN)], is_return=True, return_against=sale.name)
	doc.status = "Work In Progress"
	doc.save()  # the unit is no longer theirs, but the claim was made while it was
	doc.complaint_date = add_days(doc.complaint_date, 1)
	with pytest.raises(AfterSalesError):
		doc.save()


def test_a_visit_with_two_purposes_of_two_units(items):
	first, _ = sold("MVONE")
	second, _ = sold("MVTWO", item=PHONE)
	doc = visit([(first[0], "replaced the screen"), (second[0], "cleaned")], customer=None).insert()
	assert doc.customer == CUSTOMER
	assert [(r.item_code, r.item_name) for r in doc.purposes] == [(WARRANTED, WARRANTED), (PHONE, PHONE)]
	doc.submit()
	assert doc.docstatus == 1


def test_a_visit_names_every_unit_its_customer_does_not_hold(items):
	mine, _ = sold("MVMINE")
	theirs, _ = sold("MVTHEIRS", customer=CUSTOMER2)
	other_item, _ = sold("MVITEM")
	with pytest.raises(AfterSalesError) as refused:
		visit([(mine[0], "ok"), (theirs[0], "no")]).insert()
	assert str(refused.value) == f"Row 2: SN code {theirs[0]} was not sold to customer {CUSTOMER}"
	with pytest.raises(AfterSalesError, match=f"Row 1: SN code {other_item[0]} is a unit of item"):
		visit([(other_item[0], "x", {"item_code": PHONE})]).insert()


def test_a_visit_is_judged_again_at_submit(items):
	sn, sale = sold("MVSUBMIT")
	doc = visit([(sn[0], "replaced")]).insert()
	f.delivery_note([(WARRANTED, -1, sn, MAIN)], is_return=True, return_against=sale.name)
	with pytest.raises(AfterSalesError, match="no longer"):
		doc.submit()


def test_the_lives_tell_the_claims_and_the_submitted_visits(items):
	from serial_tracking.finding.trace import of_serial

	sn, sale = sold("CLLIVES", on=-10)
	made = claim(sn[0], on=day(-4), complaint="<p>Screen <b>flicker</b> &amp; noise</p>").insert()
	done = visit([(sn[0], "replaced")], on=day(-2)).insert()
	draft = visit([(sn[0], "not yet")], on=day(-1)).insert()
	done.submit()
	cancelled = claim(sn[0], on=day(-3), complaint="twice").insert()
	cancelled.db_set("status", "Cancelled")
	story = of_serial(sn[0])["lives"][-1]["story"]
	told = [(s["kind"], s["voucher_no"], s["text"]) for s in story]
	assert told[:3] == [
		("visit", done.name, f"Visit on {frappe.utils.formatdate(day(-2))}: replaced"),
		("claim", made.name, f"claim on {frappe.utils.formatdate(day(-4))}: Screen flicker & noise"),
		("sold", sale.name, told[2][2]),
	]
	assert draft.name not in {s["voucher_no"] for s in story}
	summary = of_serial(sn[0])["lives"][-1]["summary"]
	assert f"claim on {frappe.utils.formatdate(day(-4))}: Screen flicker & noise ({made.name})" in summary


def test_the_lives_name_only_claims_the_user_may_read(items, restricted):
	from serial_tracking.finding.trace import of_serial

	sn, _sale = sold("CLHIDDEN", on=-10)
	made = claim(sn[0], on=day(-4)).insert()
	# a Stock User who reads the unit but no Warranty Claim
	frappe.set_user(restricted("claims", "Company", f.COMPANY))
	story = of_serial(sn[0])["lives"][-1]["story"]
	assert made.name not in {s["voucher_no"] for s in story}


def test_a_user_who_may_not_read_the_unit_learns_nothing_of_it(items, restricted):
	from serial_tracking.api import sn_code_details

	sn, _sale = sold("CLWALL")
	mine, _ = sold("CLWALLMINE", item=PHONE)
	user = restricted("phones", "Item", PHONE, roles=("Stock User", "Maintenance User"))
	frappe.set_user(user)
	assert sn_code_details(mine[0])["item_code"] == PHONE
	answers = []
	for code in (sn[0], "CL-NO-SUCH-CODE"):
		with pytest.raises(frappe.PermissionError) as refused:
			sn_code_details(code)
		answers.append(str(refused.value).replace(code, "CODE"))
	# the same answer whether the unit exists or not
	assert answers == ["You are not permitted to read Serial Number CODE"] * 2
	with pytest.raises(frappe.PermissionError, match=f"Serial Number {sn[0]}"):
		claim(sn[0], customer=CUSTOMER).insert()


def test_a_service_desk_user_without_stock_roles_cannot_name_units(items):
	sn, _sale = sold("CLDESK")
	frappe.set_user(f.user_with(["Maintenance User"]))
	with pytest.raises(frappe.PermissionError, match=f"Serial Number {sn[0]}"):
		claim(sn[0]).insert()


def test_the_fill_method_refuses_a_bad_date_or_code(items):
	from serial_tracking.api import sn_code_details

	sn, _sale = sold("CLARGS")
	assert sn_code_details(sn[0], day(400))["warranty_amc_status"] == "Out of Warranty"
	with pytest.raises(frappe.ValidationError, match="Date must be a date"):
		sn_code_details(sn[0], "<b>soon</b>")
	with pytest.raises(frappe.ValidationError, match="SN Code must be an SN code"):
		sn_code_details(["x"])


def installation(sale, codes_=None, on=None):
	"""An Installation Note made from a delivery by ERPNext, its row's codes those delivered unless
	given."""
	from erpnext.stock.doctype.delivery_note.delivery_note import make_installation_note

	doc = make_installation_note(sale.name)
	doc.inst_date = on or nowdate()
	if codes_ is not None:
		doc.items[0].sn_codes = "\n".join(codes_)
		doc.items[0].qty = len(codes_)
	return doc


def test_an_installation_note_carries_the_delivered_codes_and_the_lives_tell_it(items):
	from serial_tracking.finding.trace import of_serial

	sn, sale = sold("INSTALL", 2, on=-5)
	doc = installation(sale, on=day(-3))
	assert doc.items[0].sn_codes.split() == sn
	doc.insert()
	doc.submit()
	story = of_serial(sn[1])["lives"][-1]["story"]
	assert (story[0]["kind"], story[0]["voucher_no"]) == ("installed", doc.name)
	assert story[0]["text"] == f"Installed on {frappe.utils.formatdate(day(-3))}"


def test_an_installation_note_installs_only_units_its_delivery_delivered(items):
	sn, sale = sold("INSTONE", 1, on=-5)
	other, _ = sold("INSTTWO", 1, on=-5)
	with pytest.raises(AfterSalesError) as refused:
		installation(sale, other).insert()
	assert str(refused.value) == (f"Row 1: SN code {other[0]} was not delivered by Delivery Note {sale.name}")
	with pytest.raises(AfterSalesError, match="Row 1: 2 SN codes entered for a quantity of 1"):
		doc = installation(sale, [sn[0], other[0]])
		doc.items[0].qty = 1
		doc.insert()
	with pytest.raises(AfterSalesError, match="Row 1: bad&lt;code contains &lt;, which an SN code may not"):
		installation(sale, [sn[0], "bad<code"]).insert()


def test_an_installation_note_of_another_customers_unit_is_refused(items):
	sn, sale = sold("INSTOTHER", 1, on=-5, customer=CUSTOMER2)
	doc = installation(sale)
	doc.customer = CUSTOMER
	with pytest.raises(AfterSalesError, match=f"SN code {sn[0]} was not sold to customer {CUSTOMER}"):
		doc.insert()
