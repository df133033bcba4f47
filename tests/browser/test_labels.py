"""Barcode labels from Desk: select serials in the Serial Number list, Actions -> Print SN labels."""

import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By

from tests.browser.steps import PHONE, receive


def test_print_sn_labels_from_the_serial_number_list(desk, api, cleanup, uid):
	codes = [f"STL-{uid}-{n}" for n in range(1, 4)]
	receive(api, cleanup, [(PHONE, codes)])
	shown = desk.serial_list(f"STL-{uid}")
	assert set(shown) == set(codes)

	# select two of the three rows
	chosen = codes[:2]
	for row in desk.driver.find_elements(By.CSS_SELECTOR, ".frappe-list .list-row-container .list-row"):
		if not row.is_displayed():
			continue
		name = row.find_element(By.CSS_SELECTOR, ".list-subject a[data-name]").get_attribute("data-name")
		if name in chosen:
			desk.click(row.find_element(By.CSS_SELECTOR, ".list-row-checkbox"))
	desk.wait(
		lambda d: len(d.execute_script("return cur_list.get_checked_items(true)")) == 2, "rows not selected"
	)
	desk.click(desk.find(".actions-btn-group > button", message="no Actions menu"))
	desk.click(
		desk.find(
			'.actions-btn-group .dropdown-menu [data-label="Print%20SN%20labels"]',
			message="no Print SN labels",
		)
	)

	dialog = desk.find(".modal.show", message="no label dialog")
	assert "Print 2 SN labels" in dialog.find_element(By.CSS_SELECTOR, ".modal-title").text
	# the default layout is chosen already; take another one, as a person would
	layout = dialog.find_element(By.CSS_SELECTOR, '[data-fieldname="layout"] input')
	assert layout.get_attribute("value")
	desk.pick_link(layout, "A4 4 x 12")
	desk.snap("labels-dialog")
	# the PDF opens in a new tab: note where instead (the page left behind in a background tab
	# would stop its animations, and the next test's dialogs with them)
	desk.js("window.open = (url, target) => { window.st_opened = [url, target]; }")
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	url, target = desk.wait(lambda d: d.execute_script("return window.st_opened"), "the PDF was not opened")
	desk.idle()
	assert target == "_blank"
	assert url.startswith("/private/files/sn-labels-a4-4-x-12-2-") and url.endswith(".pdf")

	file = api.list("File", [["file_url", "=", url]], fields=("name", "is_private", "file_url"))
	assert len(file) == 1 and file[0]["is_private"] == 1
	cleanup.append(("File", file[0]["name"]))
	pdf = api.session.get(api.url + quote(url))
	assert pdf.ok and pdf.content.startswith(b"%PDF")
	with tempfile.TemporaryDirectory() as folder:
		path = Path(folder) / "labels.pdf"
		path.write_bytes(pdf.content)
		subprocess.run(["pdftoppm", "-r", "300", "-png", path, Path(folder) / "page"], check=True)
		found = subprocess.run(
			[
				"zbarimg",
				"--raw",
				"-q",
				"-Sdisable",
				"-Scode128.enable",
				*sorted(Path(folder).glob("page-*.png")),
			],
			capture_output=True,
			text=True,
		).stdout.split()
	assert sorted(found) == sorted(chosen)


def test_print_label_from_a_serial_numbers_form_as_zpl(desk, api, cleanup, uid):
	code = f"STL-{uid}-Z"
	receive(api, cleanup, [(PHONE, [code])])
	desk.open_form("Serial Number", code)
	desk.click(desk.find('.page-actions button[data-label="Print%20label"]', message="no Print label button"))
	dialog = desk.find(".modal.show", message="no label dialog")
	assert code in dialog.find_element(By.CSS_SELECTOR, ".modal-title").text
	desk.set_dialog_value("format", "zpl")
	desk.click(dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
	url = desk.wait(
		lambda d: d.execute_script("return serial_tracking.labels.last_file_url"), "no label file"
	)
	assert url.endswith(".zpl")
	file = api.list("File", [["file_url", "=", url]])
	cleanup.append(("File", file[0]["name"]))
	text = api.session.get(api.url + quote(url)).text
	assert text.count("^XA") == 1 and f"^FD{code}^FS" in text
	# downloaded, not opened in a tab of its own
	assert len(desk.driver.window_handles) == 1
