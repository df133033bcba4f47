"""Replace unit and Fit SN parts over real HTTP: a service desk user (Maintenance User and Stock User)
replaces a unit and fits a part; a refusal is a 4xx of the app's own naming the unit, leaving no
Stock Entry; a Stock User who may not write the claim gets a 403. Everything made is cancelled."""

import secrets

import pytest

from tests.integration import factory
from tests.rest.conftest import _token_user, message, refusal


@pytest.fixture(scope="module")
def desk(site):
	frappe = site
	client = _token_user(frappe, "st-rest-desk@example.com", ["Maintenance User", "Stock User"], [])
	yield client
	frappe.delete_doc("User", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.fixture(scope="module")
def world(site):
	"""A unit sold to the customer, two in stock, a spare part in stock, a claim and a visit."""
	frappe = site
	uid = secrets.token_hex(3).upper()
	sold, new, other, part = (f"RSTRP{uid}-{tag}" for tag in ("OLD", "NEW", "OTH", "PRT"))
	made = [factory.purchase_receipt([(factory.PHONE, 4, [sold, new, other, part], factory.MAIN)])]
	made.append(factory.delivery_note([(factory.PHONE, 1, [sold], factory.MAIN)]))
	claim = frappe.get_doc(
		{
			"doctype": "Warranty Claim",
			"status": "Open",
			"complaint_date": frappe.utils.nowdate(),
			"customer": factory.CUSTOMER,
			"complaint": "Broken screen",
			"item_code": factory.PHONE,
			"company": factory.COMPANY,
		}
	).insert()
	if not frappe.db.exists("Sales Person", "ST Technician"):
		frappe.get_doc(
			{
				"doctype": "Sales Person",
				"sales_person_name": "ST Technician",
				"parent_sales_person": "Sales Team",
			}
		).insert()
	visit = frappe.get_doc(
		{
			"doctype": "Maintenance Visit",
			"customer": factory.CUSTOMER,
			"mntc_date": frappe.utils.nowdate(),
			"completion_status": "Fully Completed",
			"maintenance_type": "Breakdown",
			"company": factory.COMPANY,
			"purposes": [
				{"item_code": factory.PHONE, "service_person": "ST Technician", "work_done": "Fixed"}
			],
		}
	).insert()
	frappe.db.commit()
	w = {"sold": sold, "new": new, "other": other, "part": part, "claim": claim.name, "visit": visit.name}
	w["entries"] = []
	yield w
	for name in reversed(w["entries"]):
		frappe.get_doc("Stock Entry", name).cancel()
	for doc in reversed(made):
		doc.reload()
		doc.cancel()
	frappe.delete_doc("Maintenance Visit", visit.name, force=True)
	frappe.delete_doc("Warranty Claim", claim.name, force=True)
	frappe.db.commit()


def _entries(frappe) -> int:
	frappe.db.rollback()
	return frappe.db.count("Stock Entry")


def test_a_stock_user_who_may_not_write_claims_gets_a_403(users, world):
	response = users["manager"].post(
		"serial_tracking.api.replace_unit",
		claim=world["claim"],
		faulty_code=world["sold"],
		new_code=world["new"],
		warehouse=factory.SHOP,
	)
	assert response.status_code == 403, response.text[:500]


def test_a_refusal_names_the_unit_and_leaves_no_entry(site, desk, world):
	count = _entries(site)
	response = desk.post(
		"serial_tracking.api.replace_unit",
		claim=world["claim"],
		faulty_code=world["other"],
		new_code=world["new"],
		warehouse=factory.SHOP,
	)
	assert f"Faulty unit: {world['other']} was not sold" in refusal(response)
	assert _entries(site) == count


def test_the_desk_replaces_the_unit_and_fits_a_part(site, desk, world):
	made = message(
		desk.post(
			"serial_tracking.api.replace_unit",
			claim=world["claim"],
			faulty_code=world["sold"],
			new_code=world["new"],
			warehouse=factory.SHOP,
		)
	)
	world["entries"] += [made["receipt"], made["issue"]]
	site.db.rollback()
	assert site.db.get_value("Serial Number", world["new"], ["status", "customer"]) == (
		"Sold",
		factory.CUSTOMER,
	)
	fitted = message(
		desk.post(
			"serial_tracking.api.fit_parts",
			visit=world["visit"],
			unit_code=world["new"],
			part_codes=world["part"],
			warehouse=factory.MAIN,
		)
	)
	world["entries"].append(fitted["issue"])
	site.db.rollback()
	assert site.db.get_value("Serial Number", world["part"], "status") == "Issued"
