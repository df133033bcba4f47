"""The app's pages on the website: only the public check's, /sn-check (``www/sn-check.html``)."""

from frappe.website.page_renderers.not_found_page import NotFoundPage

from serial_tracking.finding import authenticity

#: The public check's page, as Frappe names its path.
CHECK_PAGE = "sn-check"


class SwitchedOffPage(NotFoundPage):
	"""/sn-check while the public check is off: answered as a page that does not exist, with
	status 404. Chosen before the page itself is rendered: a page refusing from its context would be
	answered with status 200 wherever Frappe keeps its 404 page in the page cache."""

	def __init__(self, path, http_status_code=None):
		# Frappe passes every renderer the status asked of the page (200).
		super().__init__(path, 404)

	def can_render(self):
		return self.request_path.strip("/") == CHECK_PAGE and not authenticity.is_on()
