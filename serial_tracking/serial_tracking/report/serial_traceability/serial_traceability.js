// Serial Traceability: a serial's lives, a document's serials and where each is now, or the
// customers who received the units of a receipt or a supplier (recall), a page of units at a time
// ("Next page" in the message above the rows). A tree: cancelled movements struck through, every
// value escaped.

// Another question starts again at the first page.
const sn_trace_from_start = () => {
	const report = frappe.query_report;
	if (report.get_filter_value("after")) report.set_filter_value("after", "");
	else report.refresh();
};

frappe.query_reports["Serial Traceability"] = {
	filters: [
		{
			fieldname: "serial_no",
			label: __("SN Code"),
			fieldtype: "Link",
			options: "Serial Number",
			on_change: sn_trace_from_start,
		},
		{
			fieldname: "voucher_type",
			label: __("Document Type"),
			fieldtype: "Select",
			options: ["", ...((frappe.boot.serial_tracking || {}).documents || [])],
			on_change: sn_trace_from_start,
		},
		{
			fieldname: "voucher_no",
			label: __("Document"),
			fieldtype: "Dynamic Link",
			options: "voucher_type",
			get_options: () => frappe.query_report.get_filter_value("voucher_type"),
			on_change: sn_trace_from_start,
		},
		{
			fieldname: "supplier",
			label: __("Supplier (recall)"),
			fieldtype: "Link",
			options: "Supplier",
			on_change: sn_trace_from_start,
		},
		{
			fieldname: "recall",
			label: __("Customers who received its units"),
			fieldtype: "Check",
			depends_on: "eval:['Purchase Receipt', 'Purchase Invoice'].includes(doc.voucher_type)",
			on_change: sn_trace_from_start,
		},
		{
			// Where a page of the recall starts: set by "Next page" / "First page".
			fieldname: "after",
			label: __("After"),
			fieldtype: "Data",
			hidden: 1,
		},
	],

	onload(report) {
		report.page.wrapper.off("click.sn_recall").on("click.sn_recall", ".sn-recall-page", (e) => {
			e.preventDefault();
			report.set_filter_value("after", $(e.currentTarget).attr("data-after") || "");
		});
	},

	formatter(value, row, column, data, default_formatter) {
		const esc = frappe.utils.escape_html;
		let shown;
		if (column.fieldtype === "Link" || column.fieldtype === "Dynamic Link") {
			shown = value ? default_formatter(value, row, column, data) : "";
			// a link to a document the user may not open comes back as bare text
			if (value && !String(shown).trim().startsWith("<a")) shown = esc(value);
		} else if (column.fieldtype === "Data" || column.fieldtype === "Select") {
			shown = esc(value == null ? "" : String(value));
		} else {
			shown = default_formatter(value, row, column, data);
		}
		if (data && data.is_cancelled && shown) {
			shown = `<s title="${esc(__("Cancelled"))}">${shown}</s>`;
		}
		const first = (frappe.query_report.columns || [])[0];
		if (data && !data.indent && first && column.fieldname === first.fieldname && shown) {
			shown = `<b>${shown}</b>`;
		}
		return shown;
	},
};
