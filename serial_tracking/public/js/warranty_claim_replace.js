// Warranty Claim: Replace unit. The faulty unit comes back into a chosen warehouse and a new unit goes
// to the claim's customer, by two Stock Entries linked to the claim (serial_tracking.api.replace_unit).
frappe.ui.form.on("Warranty Claim", {
	refresh(frm) {
		if (frm.is_new() || ["Closed", "Cancelled"].includes(frm.doc.status) || frm.doc.docstatus === 2)
			return;
		if (!frappe.model.can_create("Stock Entry")) return;
		frm.add_custom_button(__("Replace unit"), () => serial_tracking_replace_unit(frm), __("Actions"));
	},
});

function serial_tracking_replace_unit(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Replace unit"),
		fields: [
			{
				fieldname: "faulty_code",
				fieldtype: "Link",
				options: "Serial Number",
				label: __("Faulty unit's SN code"),
				reqd: 1,
				default: frm.doc.sn_code || "",
				description: __("The unit the customer gives back."),
			},
			{
				fieldname: "warehouse",
				fieldtype: "Link",
				options: "Warehouse",
				label: __("Warehouse it comes back to"),
				reqd: 1,
				get_query: () => ({ filters: { company: frm.doc.company, is_group: 0 } }),
			},
			{
				fieldname: "new_code",
				fieldtype: "Data",
				options: "Barcode",
				label: __("New unit's SN code"),
				reqd: 1,
				description: __("Scan or type the unit handed to the customer; it keeps the faulty unit's warranty end."),
			},
		],
		primary_action_label: __("Replace"),
		primary_action(values) {
			dialog.disable_primary_action();
			frappe
				.call({
					method: "serial_tracking.api.replace_unit",
					args: {
						claim: frm.doc.name,
						faulty_code: (values.faulty_code || "").trim(),
						new_code: (values.new_code || "").trim(),
						warehouse: values.warehouse,
					},
					freeze: true,
					freeze_message: __("Replacing the unit …"),
				})
				.then((r) => {
					dialog.hide();
					serial_tracking_show_replacement(r.message);
					frm.reload_doc();
				})
				.finally(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
}

function serial_tracking_show_replacement(made) {
	// Links built by Frappe from the names the server returned (escaped).
	const link = (name) =>
		frappe.utils.get_form_link("Stock Entry", name, true, frappe.utils.escape_html(name));
	frappe.msgprint({
		title: __("Unit replaced"),
		indicator: "green",
		message: __("The faulty unit came back by {0}; the new unit went to the customer by {1}.", [
			link(made.receipt),
			link(made.issue),
		]),
	});
}
