// Serial Number: a manager corrects a code that was entered wrong (serial_tracking.api.correct_code).
frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		const manager = ["Stock Manager", "System Manager"].some((role) => frappe.user.has_role(role));
		if (frm.is_new() || !manager) {
			return;
		}
		frm.add_custom_button(__("Correct Code"), () => serial_tracking_correct_code(frm));
	},
});

function serial_tracking_correct_code(frm) {
	const esc = frappe.utils.escape_html;
	const old = frm.doc.name;
	const dialog = new frappe.ui.Dialog({
		title: __("Correct SN code {0}", [esc(old)]),
		fields: [
			{
				fieldname: "new_code",
				fieldtype: "Data",
				label: __("New Code"),
				reqd: 1,
				default: old,
				description: __(
					"The serial keeps its status, warehouse and history. Documents already submitted keep the code as printed."
				),
			},
		],
		primary_action_label: __("Correct"),
		primary_action({ new_code }) {
			frappe
				.call({
					method: "serial_tracking.api.correct_code",
					args: { serial_no: old, new_code },
					freeze: true,
				})
				.then((r) => {
					const renamed = r.message.serial_no;
					dialog.hide();
					frappe.show_alert({
						message: __("{0} is now {1}", [esc(old), esc(renamed)]),
						indicator: "green",
					});
					frappe.model.remove_from_locals("Serial Number", old);
					frappe.set_route("Form", "Serial Number", renamed);
				});
		},
	});
	dialog.show();
}
