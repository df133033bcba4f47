frappe.listview_settings["Serial Number"] = {
	add_fields: ["status", "warehouse"],
	get_indicator(doc) {
		const colours = (frappe.boot.serial_tracking || {}).statuses || {};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		// Barcode labels for the selected rows (serial_tracking.labels, public/js/labels.js).
		listview.page.add_actions_menu_item(__("Print SN labels"), () => {
			const codes = listview.get_checked_items(true);
			serial_tracking.labels.print({ codes });
		});
		// Registering units in stock from a filled xlsx template (serial_tracking.api.import_serials).
		if (frappe.model.can_create("Serial Number")) {
			listview.page.add_inner_button(
				__("Download import template"),
				() => window.open("/api/method/serial_tracking.api.import_template"),
				__("Import")
			);
			listview.page.add_inner_button(
				__("Import SN codes"),
				() => serial_tracking_import_serials(listview),
				__("Import")
			);
		}
	},
};

function serial_tracking_import_serials(listview) {
	new frappe.ui.FileUploader({
		dialog_title: __("Import SN codes"),
		restrictions: { allowed_file_types: [".xlsx"] },
		allow_multiple: false,
		make_attachments_public: false,
		allow_toggle_private: false,
		on_success(file) {
			frappe
				.call({
					method: "serial_tracking.api.import_serials",
					args: { file_url: file.file_url },
					freeze: true,
					freeze_message: __("Checking every row of {0}", [frappe.utils.escape_html(file.file_name)]),
				})
				.then((r) => {
					const answer = r.message || {};
					if (answer.job) {
						frappe.msgprint({
							title: __("Import started"),
							indicator: "blue",
							// rows: what the sheet states it holds; a sheet that does not say is "more than 1,000"
							message: answer.rows
								? __(
										"{0} rows are being checked and imported in the background. A progress bar shows how far it is; a notification tells you the result. Nothing is stored unless every row is good.",
										[answer.rows]
								  )
								: __(
										"More than {0} rows are being checked and imported in the background. A progress bar shows how far it is; a notification tells you the result. Nothing is stored unless every row is good.",
										[format_number(1000, null, 0)]
								  ),
						});
						return;
					}
					frappe.show_alert({
						message: __("{0} SN codes registered", [answer.registered]),
						indicator: "green",
					});
					listview.refresh();
				});
			// A refusal lists every problem (row, column, value, reason) as a table in Frappe's
			// message dialog.
		},
	});
}
