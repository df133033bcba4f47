"""A carton made by hand on its form: its serials under it, and the carton on a serial's form."""

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.steps import PHONE, receive

SERIALS = '.form-layout .frappe-control[data-fieldname="serials_html"]'


def test_a_carton_made_on_its_form_lists_its_serials_and_a_serial_links_to_it(desk, api, cleanup, uid):
	codes = [f"BCT-{uid}-{n}" for n in (1, 2)]
	receive(api, cleanup, [(PHONE, codes)])
	carton = f"CT-{uid}"

	desk.new_form("Serial Carton")
	desk.form_input("carton_code").send_keys(carton)
	desk.pick_link(desk.form_input("item_code"), PHONE)
	desk.find('.form-layout .frappe-control[data-fieldname="add_codes"] textarea').send_keys("\n".join(codes))
	desk.wait(lambda d: desk.js("return cur_frm.doc.add_codes") == "\n".join(codes), "codes not taken")
	desk.save()
	cleanup.append(("Serial Carton", carton))
	assert desk.js("return cur_frm.docname") == carton
	desk.wait(
		lambda d: all(code in desk.text_of(SERIALS) for code in codes), "the carton's serials not listed"
	)
	assert desk.js("return cur_frm.doc.serial_count") == 2
	assert not desk.js("return cur_frm.doc.add_codes")

	desk.open_form("Serial Number", codes[0])
	link = desk.wait(
		lambda d: next(
			(
				a
				for a in d.find_elements(By.CSS_SELECTOR, '.frappe-control[data-fieldname="carton"] a')
				if a.is_displayed() and a.text.strip() == carton
			),
			None,
		),
		"the serial does not show its carton as a link",
	)
	assert "/app/serial-carton/" in link.get_attribute("href")
