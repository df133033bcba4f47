// Serial Number Search: filters, status colours, Export and Print labels.

(() => {
	// the statuses with their colours, and the documents a serial's last movement can name
	const boot = frappe.boot.serial_tracking || {};
	const COLOURS = boot.statuses || {};
	const STATUSES = Object.keys(COLOURS);
	const VOUCHER_TYPES = boot.documents || [];

	function current_filters(report) {
		const values = report.get_filter_values(false) || {};
		const filters = {};
		for (const [key, value] of Object.entries(values)) {
			if (value === undefined || value === null || value === "") continue;
			if (Array.isArray(value) && !value.length) continue;
			filters[key] = value;
		}
		return filters;
	}

	function export_dialog(report) {
		const dialog = new frappe.ui.Dialog({
			title: __("Export SN codes"),
			fields: [
				{
					fieldname: "format",
					label: __("Format"),
					fieldtype: "Select",
					options: [
						{ value: "xlsx", label: __("Excel (xlsx)") },
						{ value: "csv", label: __("CSV (for programs: values exactly as stored)") },
					],
					default: "xlsx",
					reqd: 1,
				},
			],
			primary_action_label: __("Export"),
			primary_action(values) {
				dialog.hide();
				frappe.call({
					method: "serial_tracking.api.export_serials",
					args: { filters: current_filters(report), format: values.format },
					freeze: true,
					freeze_message: __("Exporting..."),
					callback(r) {
						const result = r.message || {};
						if (result.file_url) {
							window.open(result.file_url, "_blank");
						} else if (result.job) {
							frappe.msgprint({
								title: __("Export queued"),
								indicator: "blue",
								message: __(
									"{0} serials are being exported in the background. A notification with the file will follow.",
									[format_number(result.count || 0, null, 0)]
								),
							});
						}
					},
				});
			},
		});
		dialog.show();
	}

	frappe.query_reports["Serial Number Search"] = {
		filters: [
			{
				fieldname: "serial_no",
				label: __("SN Code"),
				fieldtype: "Data",
				description: __("Exact code, or the start of codes followed by *"),
			},
			{
				fieldname: "status",
				label: __("Status"),
				fieldtype: "MultiSelectList",
				get_data(txt) {
					const typed = (txt || "").toLowerCase();
					return STATUSES.filter((s) => __(s).toLowerCase().includes(typed)).map((s) => ({
						value: s,
						label: __(s),
						description: "",
					}));
				},
			},
			{ fieldname: "item_code", label: __("Item"), fieldtype: "Link", options: "Item" },
			{ fieldname: "item_group", label: __("Item Group"), fieldtype: "Link", options: "Item Group" },
			{ fieldname: "warehouse", label: __("Warehouse"), fieldtype: "Link", options: "Warehouse" },
			{ fieldname: "supplier", label: __("Supplier"), fieldtype: "Link", options: "Supplier" },
			{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
			{
				fieldname: "voucher_type",
				label: __("Last Document Type"),
				fieldtype: "Link",
				options: "DocType",
				get_query() {
					return { filters: { name: ["in", VOUCHER_TYPES] } };
				},
				on_change(report) {
					report.set_filter_value("voucher_no", "");
				},
			},
			{
				fieldname: "voucher_no",
				label: __("Last Document"),
				fieldtype: "Dynamic Link",
				options: "voucher_type",
			},
			{ fieldname: "carton", label: __("Carton"), fieldtype: "Link", options: "Serial Carton" },
			{ fieldname: "from_date", label: __("Last Movement From"), fieldtype: "Date" },
			{ fieldname: "to_date", label: __("Last Movement To"), fieldtype: "Date" },
			{ fieldname: "under_warranty", label: __("Under Warranty"), fieldtype: "Check" },
			{
				fieldname: "warranty_within",
				label: __("Warranty Ends in Days"),
				fieldtype: "Int",
				description: __("Units whose warranty ends between today and this many days on"),
			},
		],

		formatter(value, row, column, data, default_formatter) {
			if (column.fieldname === "status" && data && data.status) {
				const colour = COLOURS[data.status] || "gray";
				const label = frappe.utils.escape_html(__(data.status));
				return `<span class="indicator-pill ${colour}">${label}</span>`;
			}
			if (column.fieldname === "voucher_type" && value) {
				return frappe.utils.escape_html(__(value)); // a doctype, in the user's language
			}
			if (column.fieldname === "item_code" && data) {
				// the item's name has its own column: ERPNext's Item links would add it to the code
				data = Object.assign({}, data, { item_name: null });
			}
			if (typeof value === "string" && column.fieldtype === "Data") {
				return default_formatter(frappe.utils.escape_html(value), row, column, data);
			}
			const html = default_formatter(value, row, column, data);
			// a link Desk cannot make (a doctype the user may not read) comes back as bare text
			if (typeof html === "string" && typeof value === "string" && !html.startsWith("<a")) {
				return frappe.utils.escape_html(html);
			}
			return html;
		},

		onload(report) {
			report.page.add_inner_button(__("Export"), () => export_dialog(report));
			report.page.add_inner_button(__("Print labels"), () => {
				if (serial_tracking_labels()) {
					serial_tracking_labels().print({ filters: current_filters(report) });
				} else {
					frappe.msgprint(__("Printing labels is not available on this site."));
				}
			});
		},
	};

	function serial_tracking_labels() {
		return window.serial_tracking && window.serial_tracking.labels && window.serial_tracking.labels.print
			? window.serial_tracking.labels
			: null;
	}
})();
