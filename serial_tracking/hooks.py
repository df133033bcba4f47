app_name = "serial_tracking"
app_title = "Serial Tracking"
app_publisher = "serial_tracking maintainers"
app_description = "One-item-one-code serial number tracking for ERPNext v15"
app_email = "maintainers@serial-tracking.invalid"
app_license = "mit"
# "org/repo" form: install-app resolves a bare name through the network.
required_apps = ["frappe/erpnext"]

# Frappe's apps screen (/apps): the app's entry opens its workspace, for users who may read SN codes.
# The screen keeps an "/app/<name>" route only when <name> is a workspace's name as written ("Serial
# Tracking", not its slug), and Desk routes only slugs: the name's address is redirected to the slug's.
# A route under /app also keeps login landing in Desk (Frappe sends users to /apps when an app on the
# screen opens elsewhere).
add_to_apps_screen = [
	{
		"name": "serial_tracking",
		"logo": "/assets/serial_tracking/images/serial-tracking-logo.svg",
		"title": "Serial Tracking",
		"route": "/app/Serial Tracking",
		"has_permission": "serial_tracking.permissions.may_open_app",
	}
]
website_redirects = [{"source": "/app/Serial Tracking", "target": "/app/serial-tracking"}]

# Installation
after_install = "serial_tracking.install.after_install"
after_migrate = "serial_tracking.install.after_migrate"
before_uninstall = "serial_tracking.install.before_uninstall"

# Desk
app_include_js = [
	"/assets/serial_tracking/js/labels.js",
	"/assets/serial_tracking/js/posting.js",
	# the scan box of the SN dialog, the POS prompt and the registration dialog (serial_tracking.ScanEntry)
	"/assets/serial_tracking/js/scan_entry.js",
]
boot_session = "serial_tracking.boot.boot_session"
#: The Desk scripts of every stock document that carries SN codes.
_STOCK_JS = [
	"public/js/sn_rows.js",
	"public/js/sn_column.js",
	"public/js/document_actions.js",
	"public/js/scan_barcode.js",
]
doctype_js = {
	# (the conversion from ERPNext's serials first: the form and the list both call it)
	"Item": ["public/js/conversion.js", "public/js/item.js"],
	"Purchase Receipt": _STOCK_JS,
	"Purchase Invoice": _STOCK_JS,
	"Delivery Note": _STOCK_JS,
	"Sales Invoice": _STOCK_JS,
	"POS Invoice": _STOCK_JS,
	"Stock Entry": _STOCK_JS,
	"Stock Reconciliation": _STOCK_JS,
	"Serial Number": "public/js/serial_number.js",
	# the SN Code of ERPNext's after-sales documents fills the item, customer, warranty and AMC; Replace
	# unit (the claim's faulty unit back into stock, a new unit to its customer); Fit SN parts (spare
	# parts issued into the customer's unit)
	"Warranty Claim": ["public/js/after_sales.js", "public/js/warranty_claim_replace.js"],
	"Maintenance Visit": ["public/js/after_sales.js", "public/js/maintenance_visit_parts.js"],
}
doctype_list_js = {"Item": ["public/js/conversion.js", "public/js/item_list.js"]}
page_js = {"point-of-sale": "public/js/pos.js"}
# A Link field to Serial Number finds serials by the start of their code (an index range); the app's
# other doctypes behind walls are searched the same way, never ignoring User Permissions (Frappe's own
# search asked to ignore them reads every row and column, past the walls of customers and suppliers)
standard_queries = {
	"Serial Number": "serial_tracking.api.search_serial_link",
	"Serial Circulation Log": "serial_tracking.api.search_walled",
	"Serial Carton": "serial_tracking.api.search_walled",
	"Serial Count": "serial_tracking.api.search_walled",
	"Serial Count Scan": "serial_tracking.api.search_walled",
}

# User Permissions on Customer and Supplier reach the parties of Dynamic Links (a log row's party, the
# supplier of the receipt that made a carton; a scan's unit's) in every list, report view, export and form
permission_query_conditions = {
	"Serial Circulation Log": "serial_tracking.permissions.query_conditions",
	"Serial Carton": "serial_tracking.permissions.query_conditions",
	"Serial Count Scan": "serial_tracking.permissions.query_conditions",
}
has_permission = {
	"Serial Circulation Log": "serial_tracking.permissions.has_permission",
	"Serial Carton": "serial_tracking.permissions.has_permission",
	"Serial Count Scan": "serial_tracking.permissions.has_permission",
}

# Document events
_serial_events = {
	"before_validate": "serial_tracking.stock.events.before_validate",
	"validate": "serial_tracking.stock.events.validate",
	"before_submit": "serial_tracking.stock.events.before_submit",
	"on_submit": "serial_tracking.stock.events.on_submit",
	"before_cancel": "serial_tracking.stock.events.before_cancel",
	"on_cancel": "serial_tracking.stock.events.on_cancel",
}

doc_events = {
	"Item": {
		"validate": "serial_tracking.stock.item.validate",
		"on_update": "serial_tracking.stock.item.on_update",
	},
	"Purchase Receipt": _serial_events,
	"Purchase Invoice": _serial_events,
	"Delivery Note": _serial_events,
	"Sales Invoice": _serial_events,
	"POS Invoice": _serial_events,
	"Stock Entry": _serial_events,
	"Stock Reconciliation": _serial_events,
	# After-sales documents naming units by SN code: filled from the unit, refused for another's unit
	# (and ERPNext's own Serial No of an item converted to SN codes is history, not the unit)
	"Warranty Claim": {
		"before_validate": [
			"serial_tracking.stock.after_sales.claim_before_validate",
			"serial_tracking.stock.conversion.refuse_old_serials",
		]
	},
	"Maintenance Visit": {
		"before_validate": [
			"serial_tracking.stock.after_sales.visit_before_validate",
			"serial_tracking.stock.conversion.refuse_old_serials",
		]
	},
	"Installation Note": {"validate": "serial_tracking.stock.installation.validate"},
	# Documents that write stock ledger entries but cannot carry serials refuse SN-tracked items.
	"Subcontracting Receipt": {"validate": "serial_tracking.stock.refusing.validate"},
	"Asset Capitalization": {"validate": "serial_tracking.stock.refusing.validate"},
	"Asset Repair": {"validate": "serial_tracking.stock.refusing.validate"},
	# ... and any other document, as a safety net.
	# (and counts the rows posted by the document holding the posting turn, for its progress)
	"Stock Ledger Entry": {
		"before_insert": [
			"serial_tracking.stock.refusing.stock_ledger_entry",
			"serial_tracking.stock.posting.ledger_entry",
			# an entry moving ERPNext's serials of an item converted to SN codes (meanwhile, or since)
			"serial_tracking.stock.conversion.refuse_converted",
		]
	},
}

# Print formats: a row's SN codes, compacted (docs/printing.md)
jinja = {
	"methods": [
		"serial_tracking.printing.jinja.sn_codes",
		"serial_tracking.printing.jinja.sn_code_list",
		"serial_tracking.printing.jinja.sn_packed_codes",
		"serial_tracking.printing.jinja.sn_ranges",
	]
}

# Scheduled: the app's old exports, label files and import problem lists are removed
scheduler_events = {"daily": ["serial_tracking.exchange.retention.remove_old_files"]}

# The public check's page (/sn-check) while switched off: a page that does not exist (404)
page_renderer = ["serial_tracking.website.SwitchedOffPage"]
