"""A Warranty Claim filled from the SN code typed into it: the item, the customer holding the unit and
its Warranty / AMC Status, saved as the server checks it again."""

from datetime import date, timedelta

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.desk import Desk
from tests.browser.steps import COMPANY, CUSTOMER, MAIN, PHONE, deliver, receive


def test_a_warranty_claim_is_filled_from_its_sn_code(desk: Desk, api, cleanup, uid):
	code = f"STWC-{uid}"
	receive(api, cleanup, [(PHONE, [code])])
	deliver(api, cleanup, [(PHONE, [code])])
	amc = (date.today() + timedelta(days=100)).isoformat()
	api.call(
		"frappe.client.set_value",
		doctype="Serial Number",
		name=code,
		fieldname="amc_expiry_date",
		value=amc,
	)
	desk.new_form("Warranty Claim")
	desk.js("cur_frm.set_value('complaint', 'Screen flickers')")
	assert desk.js("return cur_frm.doc.customer || null") is None
	# the service desk scans the unit first, before knowing its item or its customer
	desk.pick_link(desk.form_input("sn_code"), code)
	desk.wait(
		lambda d: desk.js("return cur_frm.doc.item_code === arguments[0] && cur_frm.doc.customer", PHONE),
		"the claim was not filled from its SN code",
	)
	desk.idle()
	filled = desk.doc()
	assert (filled["item_code"], filled["customer"]) == (PHONE, CUSTOMER)
	assert (filled["amc_expiry_date"], filled["warranty_amc_status"]) == (amc, "Under AMC")
	assert desk.form_input("item_code").get_attribute("value") == PHONE
	desk.snap("wc1-filled-from-sn-code")
	desk.save()
	saved = desk.doc()
	assert desk.message_dialog() is None, desk.message_text()
	cleanup.append(("Warranty Claim", saved["name"]))
	stored = api.get("Warranty Claim", saved["name"])
	assert (stored["sn_code"], stored["item_code"], stored["customer"]) == (code, PHONE, CUSTOMER)
	assert stored["warranty_amc_status"] == "Under AMC"


def test_a_maintenance_visit_purpose_takes_its_item_and_the_customer_from_its_sn_code(
	desk: Desk, api, cleanup, uid
):
	code = f"STMV-{uid}"
	receive(api, cleanup, [(PHONE, [code])])
	deliver(api, cleanup, [(PHONE, [code])])
	desk.new_form("Maintenance Visit")
	grid = '.form-layout .frappe-control[data-fieldname="purposes"]'
	if not desk.doc().get("purposes"):
		desk.click(desk.find(f"{grid} .grid-add-row"))
	row = desk.open_row(1, "purposes")
	# the row form opens with the Item Code's drop-down over the SN Code: the unit is scanned first
	desk.js("document.activeElement && document.activeElement.blur()")
	desk.wait(
		lambda d: not desk.js("return $('.awesomplete ul[role=listbox]:visible').length"), "drop-down stayed"
	)
	desk.pick_link(desk.find('[data-fieldname="sn_code"] input', within=row), code)
	desk.wait(
		lambda d: desk.js(
			"return cur_frm.doc.purposes[0].item_code === arguments[0] && cur_frm.doc.customer", PHONE
		),
		"the purpose was not filled from its SN code",
	)
	desk.idle()
	filled = desk.doc()
	assert (filled["purposes"][0]["item_code"], filled["customer"]) == (PHONE, CUSTOMER)
	desk.snap("mv1-purpose-filled-from-sn-code")


def test_a_service_desk_replaces_a_claimed_unit_from_the_claim(desk: Desk, api, cleanup, uid):
	"""From a saved claim: Actions > Replace unit, the faulty unit's code already there, the warehouse
	it comes back to picked and the new unit scanned; both Stock Entries linked, the units where they
	belong and the new one keeping the faulty one's warranty end."""
	faulty, new = f"STRU-{uid}-F", f"STRU-{uid}-N"
	receive(api, cleanup, [(PHONE, [faulty, new])])
	deliver(api, cleanup, [(PHONE, [faulty])])
	claim = api.insert(
		{
			"doctype": "Warranty Claim",
			"status": "Open",
			"complaint_date": date.today().isoformat(),
			"complaint": "Does not charge",
			"sn_code": faulty,
			"company": COMPANY,
		}
	)
	desk.open_form("Warranty Claim", claim["name"])
	desk.click(desk.find('.page-actions .inner-group-button[data-label="Actions"] button'))
	desk.click(desk.find('.page-actions [data-label="Replace%20unit"]'))
	dialog = desk.dialog("Replace unit")
	desk.current_dialog()
	assert desk.dialog_value("faulty_code") == faulty
	desk.pick_link(dialog.find_element(By.CSS_SELECTOR, '[data-fieldname="warehouse"] input'), MAIN)
	desk.set_dialog_value("new_code", new)
	desk.snap("replace-unit-dialog")
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	said = desk.wait(
		lambda d: "came back by" in desk.message_text() and desk.message_text(), "no answer to Replace"
	)
	desk.snap("replace-unit-done")
	entries = api.list(
		"Stock Entry", [["warranty_claim", "=", claim["name"]], ["docstatus", "=", 1]], ("name", "purpose")
	)
	by_purpose = {e["purpose"]: e["name"] for e in entries}
	assert set(by_purpose) == {"Material Receipt", "Material Issue"}, entries
	# undone newest first: the issue, then the receipt
	cleanup += [
		("Stock Entry", by_purpose["Material Receipt"]),
		("Stock Entry", by_purpose["Material Issue"]),
	]
	assert by_purpose["Material Receipt"] in said and by_purpose["Material Issue"] in said, said
	back, out = api.get("Serial Number", faulty), api.get("Serial Number", new)
	assert (back["status"], back["warehouse"], back.get("warranty_expiry_date")) == ("In Stock", MAIN, None)
	assert (out["status"], out["customer"]) == ("Sold", CUSTOMER)
