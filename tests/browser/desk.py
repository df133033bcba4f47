"""What a person does in Desk, as Selenium steps with explicit waits; and a small REST client."""

import json
import os
import time
from urllib.parse import quote, urlparse

import requests
from selenium.common.exceptions import (
	ElementClickInterceptedException,
	ElementNotInteractableException,
	StaleElementReferenceException,
	TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

#: The README's pictures.
SCREENSHOTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "screenshots")

TIMEOUT = 20
MODAL = ".modal.show"
COLOURS = {"green", "blue", "gray", "grey", "purple", "orange", "red", "yellow", "pink", "cyan", "darkgrey"}


class Desk:
	def __init__(self, driver: WebDriver, url: str, timeout: float = TIMEOUT):
		self.driver = driver
		self.url = url
		self.timeout = timeout

	# Waiting

	def wait(self, condition, message: str = "", timeout: float | None = None):
		"""Wait until ``condition(driver)`` is truthy; stale elements count as not yet."""

		def check(driver):
			try:
				return condition(driver)
			except StaleElementReferenceException:
				return False

		return WebDriverWait(self.driver, timeout or self.timeout).until(check, message)

	def js(self, script: str, *args):
		return self.driver.execute_script(script, *args)

	def idle(self):
		"""No request under way and the screen not frozen (an open row form keeps one freeze as its backdrop)."""
		self.wait(
			lambda d: d.execute_script(
				"return !!window.frappe && frappe.request.ajax_count === 0"
				" && frappe.dom.freeze_count <= ($('.grid-row-open').length ? 1 : 0)"
			),
			"Desk still busy",
		)

	def visible(self, css: str, within: WebElement | None = None) -> WebElement | None:
		"""The first displayed element matching ``css`` (Desk keeps earlier pages hidden in the DOM)."""
		for element in (within or self.driver).find_elements(By.CSS_SELECTOR, css):
			if element.is_displayed():
				return element
		return None

	def find(self, css: str, within: WebElement | None = None, message: str = "") -> WebElement:
		return self.wait(lambda d: self.visible(css, within), message or f"nothing visible at {css}")

	def text_of(self, css: str, within: WebElement | None = None) -> str:
		element = self.visible(css, within)
		return element.text if element is not None else ""

	def click(self, element: WebElement):
		"""Scroll to the element and click it once nothing covers it (a form may still be sliding open)."""

		def clicked(_):
			try:
				self.js("arguments[0].scrollIntoView({block: 'center'})", element)
				element.click()
			except (ElementClickInterceptedException, ElementNotInteractableException):
				return False
			return True

		self.wait(clicked, "element not clickable")

	def snap(self, name: str):
		"""A screenshot of this step under ``ST_BROWSER_STEPS`` (a folder), when that is set."""
		folder = os.environ.get("ST_BROWSER_STEPS")
		if folder:
			os.makedirs(folder, exist_ok=True)
			self.driver.save_screenshot(os.path.join(folder, f"{name}.png"))

	def readme_shot(self, name: str):
		"""The README's picture ``docs/screenshots/<name>``, written only when ``ST_README_SHOTS`` is
		set: a test run leaves the checkout as it found it."""
		if os.environ.get("ST_README_SHOTS"):
			os.makedirs(SCREENSHOTS, exist_ok=True)
			self.driver.save_screenshot(os.path.join(SCREENSHOTS, name))

	# Pages

	def login(self, user: str, password: str):
		self.driver.get(self.url + "/login")
		self.find("#login_email").send_keys(user)
		self.find("#login_password").send_keys(password)
		self.click(self.find(".btn-login"))
		self.wait(lambda d: "/app" in d.current_url, "login did not reach /app")
		# With more than one app on Frappe's apps screen, login lands there (/apps), outside Desk.
		if urlparse(self.driver.current_url).path.rstrip("/") == "/apps":
			self.open("/app")
		self.idle()

	def open(self, path: str):
		self.driver.get(self.url + path)
		self.wait(lambda d: d.execute_script("return !!(window.frappe && frappe.boot)"), "Desk did not load")
		self.idle()

	def new_form(self, doctype: str, reload: bool = True):
		"""A new form of ``doctype``: on a freshly loaded page, or (``reload=False``) routed to within
		the page already open, as a person going from one document to another in Desk."""
		if reload:
			self.open(f"/app/{slug(doctype)}/new")
		else:
			self.js("frappe.new_doc(arguments[0])", doctype)
		self.wait(
			lambda d: d.execute_script(
				"return window.cur_frm && cur_frm.doctype === arguments[0] && cur_frm.is_new()", doctype
			),
			f"new {doctype} form did not open",
		)
		self.idle()

	def open_form(self, doctype: str, name: str):
		self.open(f"/app/{slug(doctype)}/{quote(name, safe='')}")
		self.wait(
			lambda d: d.execute_script(
				"return window.cur_frm && cur_frm.doctype === arguments[0] && cur_frm.docname === arguments[1]",
				doctype,
				name,
			),
			f"{doctype} {name} did not open",
		)
		self.idle()

	def serial_list(self, text: str) -> dict[str, tuple[str, str]]:
		"""The Serial Number list filtered to codes containing ``text``: code -> (status shown, colour)."""
		filters = quote(json.dumps(["like", f"%{text}%"]))
		self.open(f"/app/serial-number?name={filters}")
		self.wait(
			lambda d: d.execute_script(
				"return window.cur_list && cur_list.doctype === 'Serial Number' && !cur_list.page_length_loading"
				" && cur_list.$result && cur_list.$result.is(':visible')"
			),
			"the Serial Number list did not show",
		)
		self.idle()
		shown = {}
		for row in self.driver.find_elements(By.CSS_SELECTOR, ".frappe-list .list-row-container .list-row"):
			if not row.is_displayed():
				continue
			name = row.find_element(By.CSS_SELECTOR, ".list-subject a[data-name]").get_attribute("data-name")
			pill = row.find_element(By.CSS_SELECTOR, ".indicator-pill")
			colours = set(pill.get_attribute("class").split()) & COLOURS
			shown[name] = (pill.text.strip(), ",".join(sorted(colours)))
		return shown

	def doc(self) -> dict:
		"""The open form's document as Desk holds it."""
		return self.js("return JSON.parse(JSON.stringify(cur_frm.doc))")

	# Fields

	def form_input(self, fieldname: str) -> WebElement:
		return self.find(f'.form-layout .frappe-control[data-fieldname="{fieldname}"] input')

	def pick_link(self, field: WebElement, value: str):
		"""Type into a Link field and choose the matching entry of its drop-down (unless it holds it already).

		Desk may still be filling the form (one request after another) and redraw the field under the
		typing; then the drop-down goes, and the value is typed again.
		"""

		def offered(d):
			return next(
				(
					p
					for p in d.find_elements(By.CSS_SELECTOR, ".awesomplete ul[role=listbox] [role=option] p")
					if p.is_displayed() and p.get_attribute("title") == value
				),
				None,
			)

		def picked(_):
			if field.get_attribute("value") == value:
				return True
			self.click(field)
			field.send_keys(Keys.CONTROL, "a")
			field.send_keys(Keys.BACKSPACE)
			field.send_keys(value)
			try:
				option = self.wait(offered, timeout=5)
			except TimeoutException:
				return False
			option.click()
			self.idle()
			return field.get_attribute("value") == value

		self.wait(picked, f"could not pick {value}")
		self.idle()

	def type_number(self, field: WebElement, value):
		self.click(field)
		field.send_keys(Keys.CONTROL, "a")
		field.send_keys(str(value), Keys.TAB)
		self.idle()

	# Item table

	def grid_row(self, idx: int, table: str = "items") -> WebElement:
		return self.find(
			f'.form-layout .frappe-control[data-fieldname="{table}"] .grid-row[data-idx="{idx}"]'
		)

	def set_row_item(self, idx: int, item_code: str, table: str = "items"):
		"""Click the row's Item Code cell, type and pick the item, as in the grid."""
		row = self.grid_row(idx, table)
		self.click(row.find_element(By.CSS_SELECTOR, '.data-row [data-fieldname="item_code"]'))
		self.pick_link(self.find('[data-fieldname="item_code"] input', within=row), item_code)
		# ERPNext fills the row from the item in several requests, one after another.
		self.wait(
			lambda d: d.execute_script(
				"const r = cur_frm.doc[arguments[0]][arguments[1] - 1];"
				" return r.item_code === arguments[2] && !!r.item_name && !!r.uom && r.conversion_factor > 0",
				table,
				idx,
				item_code,
			),
			f"row {idx} was not filled from {item_code}",
		)
		self.idle()

	def open_row(self, idx: int, table: str = "items") -> WebElement:
		"""Open the row's full form (the pencil at the row's end). Clicked again when the form has not
		opened a moment later: a click while the grid is still redrawn (a dialog just gave the row its
		codes) is lost."""
		clicked = [0.0]

		def opened(_):
			form = self.visible(".grid-row-open .form-in-grid")
			if form is None and time.monotonic() - clicked[0] > 2:
				self.click(self.grid_row(idx, table).find_element(By.CSS_SELECTOR, ".btn-open-row"))
				clicked[0] = time.monotonic()
			return form

		form = self.wait(opened, "row form did not open")
		self.wait(lambda d: not d.execute_script("return $('html, body').is(':animated')"), "still scrolling")
		return form

	def close_row(self):
		form = self.visible(".grid-row-open .form-in-grid")
		if form is not None:
			self.click(form.find_element(By.CSS_SELECTOR, ".grid-collapse-row"))
			self.wait(lambda d: self.visible(".grid-row-open .form-in-grid") is None, "row form stayed open")

	# Form actions

	def save(self):
		self.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "s")
		self.wait(
			lambda d: (
				d.execute_script("return !cur_frm.is_dirty() && !cur_frm.is_new()") or self.message_dialog()
			),
			"save did not finish",
		)
		self.idle()

	def primary_action(self, label: str):
		button = self.find(".page-head .primary-action")
		self.wait(
			lambda d: button.text.strip() == label, f"the primary action is {button.text!r}, not {label}"
		)
		self.click(button)

	def submit(self) -> bool:
		"""Submit and confirm; returns whether the document is submitted, once it is or a message shows."""
		self.primary_action("Submit")
		self.click(self.find(f"{MODAL} .modal-footer .btn-primary", message="no confirmation asked"))
		self.wait(
			lambda d: d.execute_script("return cur_frm.doc.docstatus === 1") or self.message_dialog(),
			"submit did not finish",
		)
		self.idle()
		return self.js("return cur_frm.doc.docstatus === 1")

	# Dialogs

	def dialog(self, title: str) -> WebElement:
		return self.wait(
			lambda d: next(
				(
					m
					for m in d.find_elements(By.CSS_SELECTOR, MODAL)
					if m.is_displayed()
					and m.find_element(By.CSS_SELECTOR, ".modal-title").text.strip() == title
				),
				None,
			),
			f"no dialog titled {title!r}",
		)

	def message_dialog(self) -> WebElement | None:
		"""Desk's message dialog (msgprint, or frappe.throw's error), when one shows."""
		return next(
			(
				m
				for m in self.driver.find_elements(By.CSS_SELECTOR, MODAL)
				if m.is_displayed() and self.visible(".msgprint", m)
			),
			None,
		)

	def message_text(self) -> str:
		dialog = self.message_dialog()
		return dialog.text if dialog is not None else ""

	def open_dialogs(self) -> list[WebElement]:
		"""Every dialog on the screen."""
		return [m for m in self.driver.find_elements(By.CSS_SELECTOR, MODAL) if m.is_displayed()]

	def close_dialogs(self):
		"""Leave no dialog open, nor the row form an SN dialog opens again once it is gone."""
		self.opened_from_row_form = False

		def gone(driver):
			# Asked again at each look: Bootstrap ignores a hide while a dialog is still opening.
			# A dialog is gone with its backdrop, as Desk's handlers of that moment (opening the row
			# form again) run.
			return driver.execute_script(
				"if (!window.frappe || !frappe.ui) return true;"
				" (frappe.ui.open_dialogs || []).slice().forEach((dialog) => dialog.hide());"
				" $('.modal.show').modal('hide');"
				" return !$('.modal.show').length && !$('.modal-backdrop').length;"
			)

		try:
			self.wait(gone, "a dialog stayed open", timeout=5)
		except TimeoutException:
			pass  # a backdrop Desk keeps: the row form is closed all the same
		self.js("window.frappe && frappe.ui && frappe.ui.form && frappe.ui.form.close_grid_form()")

	def type_code(self, dialog: WebElement, fieldname: str, *keys):
		"""Click into a Code field (an Ace editor) of a dialog, go to its end and type."""
		# The editor itself: scrolling to an element inside it would scroll Ace's own text layer.
		editor = self.find(f'.frappe-control[data-fieldname="{fieldname}"] .ace_editor', within=dialog)

		# A dialog still opening puts the focus on its first field once shown: clicked after that.
		def focused(_):
			shown = "return frappe.ui.open_dialogs.some((d) => d.display && d.$wrapper[0] === arguments[0])"
			if not self.js(shown, dialog):
				return None
			self.click(editor)
			active = self.driver.switch_to.active_element
			return active if "ace_text-input" in (active.get_attribute("class") or "") else None

		typing = self.wait(focused, "the editor did not take the focus")
		typing.send_keys(Keys.CONTROL, Keys.END, Keys.NULL)
		typing.send_keys(*keys)

	def current_dialog(self) -> None:
		"""Wait until Desk's current dialog (``cur_dialog``) is the one shown: Desk sets it once the
		dialog's opening ends, after its element is already on the page."""
		self.wait(
			lambda d: self.js("return !!(window.cur_dialog && cur_dialog.$wrapper.hasClass('show'))"),
			"no dialog is Desk's current one",
		)

	def set_dialog_value(self, fieldname: str, value) -> None:
		self.current_dialog()
		self.js("return cur_dialog.set_value(arguments[0], arguments[1])", fieldname, value)

	def dialog_value(self, fieldname: str):
		return self.js("return cur_dialog.get_value(arguments[0])", fieldname)


class Api:
	"""Frappe's REST API with a session of its own."""

	def __init__(self, url: str):
		self.url = url
		self.session = requests.Session()
		self.session.headers["Accept"] = "application/json"

	def _check(self, response: requests.Response) -> dict:
		if not response.ok:
			raise AssertionError(
				f"{response.request.method} {response.url}: {response.status_code} {response.text[:2000]}"
			)
		return response.json()

	def login(self, user: str, password: str):
		self._check(self.session.post(f"{self.url}/api/method/login", data={"usr": user, "pwd": password}))

	def call(self, method: str, **args):
		return self._check(self.session.post(f"{self.url}/api/method/{method}", json=args)).get("message")

	def get(self, doctype: str, name: str) -> dict | None:
		response = self.session.get(f"{self.url}/api/resource/{quote(doctype)}/{quote(name, safe='')}")
		if response.status_code == 404:
			return None
		return self._check(response)["data"]

	def list(self, doctype: str, filters, fields=("name",)) -> list[dict]:
		params = {"filters": json.dumps(filters), "fields": json.dumps(list(fields)), "limit_page_length": 0}
		return self._check(self.session.get(f"{self.url}/api/resource/{quote(doctype)}", params=params))[
			"data"
		]

	def insert(self, doc: dict) -> dict:
		return self._check(self.session.post(f"{self.url}/api/resource/{quote(doc['doctype'])}", json=doc))[
			"data"
		]

	def submit(self, doctype: str, name: str) -> dict:
		return self.call("frappe.client.submit", doc=self.get(doctype, name))

	def cancel(self, doctype: str, name: str):
		self.call("frappe.client.cancel", doctype=doctype, name=name)

	def delete(self, doctype: str, name: str) -> requests.Response:
		return self.session.delete(f"{self.url}/api/resource/{quote(doctype)}/{quote(name, safe='')}")

	def discard(self, doctype: str, name: str) -> str:
		"""Cancel when submitted, then delete; nothing when it is gone already.

		ERPNext keeps a cancelled stock document that its cancelled stock or general ledger entries
		refer to (it refuses the deletion): such a document stays, cancelled, and "cancelled" is returned.
		"""
		doc = self.get(doctype, name)
		if doc is None:
			return "gone"
		submitted = doc["docstatus"] == 1
		if submitted:
			self.cancel(doctype, name)
		response = self.delete(doctype, name)
		if response.ok:
			return "deleted"
		if doc["docstatus"] != 0 and "LinkExistsError" in response.text:
			return "cancelled"
		self._check(response)
		return "deleted"


def slug(doctype: str) -> str:
	return doctype.lower().replace(" ", "-")
