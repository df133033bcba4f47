"""The Serial Number form: its state is the ledger's, so a unit's form lets a manager edit only its AMC
end and, in stock, its warehouse; its buttons all come from one script."""

import pytest

pytest.importorskip("selenium")

from tests.browser.desk import Desk
from tests.browser.steps import PHONE, deliver, receive

SAVE = ".page-actions .primary-action"


def _shown(desk: Desk, code: str, status: str):
	desk.open_form("Serial Number", code)
	desk.wait(lambda d: desk.text_of(".page-head .indicator-pill") == status, f"{code} is not {status}")
	desk.find('.page-actions button[data-label="Traceability"]', message="no Traceability button")
	desk.idle()


def _editable(desk: Desk) -> list[str]:
	"""The fields the form lets the user type into."""
	return desk.js(
		"""return cur_frm.fields.filter((f) => f.df.fieldtype !== "HTML" && f.disp_status === "Write")
			.map((f) => f.df.fieldname)"""
	)


def test_a_sold_unit_offers_its_amc_end_only(desk: Desk, api, cleanup, uid):
	code = f"STF-{uid}-S"
	receive(api, cleanup, [(PHONE, [code])])
	deliver(api, cleanup, [(PHONE, [code])])
	_shown(desk, code, "Sold")
	assert desk.visible(SAVE) is not None, "no Save for the AMC end"
	assert [f for f in _editable(desk) if not f.endswith("section") and "break" not in f] == [
		"amc_expiry_date"
	]
	# its buttons, from the one script of the form
	for label in ("Print%20label", "Correct%20Code"):
		desk.find(f'.page-actions button[data-label="{label}"]', message=f"no {label} button")
	desk.snap("f1-sold-unit-no-save")


def test_a_unit_in_stock_offers_a_manager_its_warehouse_only(desk: Desk, api, cleanup, uid):
	code = f"STF-{uid}-I"
	receive(api, cleanup, [(PHONE, [code])])
	_shown(desk, code, "In Stock")
	assert desk.visible(SAVE) is not None, "no Save where a manager may move the unit"
	assert [f for f in _editable(desk) if not f.endswith("section") and "break" not in f] == [
		"warehouse",
		"amc_expiry_date",
	]
