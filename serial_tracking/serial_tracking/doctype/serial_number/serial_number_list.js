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
	},
};
