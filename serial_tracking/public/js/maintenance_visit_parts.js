// Maintenance Visit: Fit SN parts. Spare parts with SN codes are issued from a warehouse as fitted
// into the customer's unit, by one Material Issue linked to the visit (serial_tracking.api.fit_parts).
frappe.ui.form.on("Maintenance Visit", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.docstatus === 2) return;
		if (!frappe.model.can_create("Stock Entry")) return;
		frm.add_custom_button(__("Fit SN parts"), () => serial_tracking_fit_parts(frm), __("Actions"));
	},
});

function serial_tracking_fit_parts(frm) {
	const units = (frm.doc.purposes || []).map((row) => row.sn_code).filter(Boolean);
	const dialog = new frappe.ui.Dialog({
		title: __("Fit SN parts"),
		fields: [
			{
				fieldname: "unit_code",
				fieldtype: "Link",
				options: "Serial Number",
				label: __("Unit's SN code"),
				reqd: 1,
				default: units.length === 1 ? units[0] : "",
				description: __("The customer's unit the parts are fitted into."),
			},
			{
				fieldname: "warehouse",
				fieldtype: "Link",
				options: "Warehouse",
				label: __("Parts taken from"),
				reqd: 1,
				get_query: () => ({ filters: { company: frm.doc.company, is_group: 0 } }),
			},
			{
				fieldname: "part_codes",
				fieldtype: "Small Text",
				label: __("Parts' SN codes"),
				reqd: 1,
				description: __("Scan or type one SN code a line."),
			},
		],
		primary_action_label: __("Fit"),
		primary_action(values) {
			dialog.disable_primary_action();
			frappe
				.call({
					method: "serial_tracking.api.fit_parts",
					args: {
						visit: frm.doc.name,
						unit_code: (values.unit_code || "").trim(),
						part_codes: values.part_codes || "",
						warehouse: values.warehouse,
					},
					freeze: true,
					freeze_message: __("Fitting the parts …"),
				})
				.then((r) => {
					dialog.hide();
					const name = r.message.issue;
					const link = frappe.utils.get_form_link(
						"Stock Entry",
						name,
						true,
						frappe.utils.escape_html(name)
					);
					frappe.msgprint({
						title: __("Parts fitted"),
						indicator: "green",
						message: __("The parts were issued by {0}.", [link]),
					});
				})
				.finally(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
}
