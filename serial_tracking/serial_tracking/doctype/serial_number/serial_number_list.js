frappe.listview_settings["Serial Number"] = {
	add_fields: ["status", "warehouse"],
	get_indicator(doc) {
		const colours = {
			"In Stock": "green",
			"In Transit": "blue",
			Sold: "gray",
			Returned: "purple",
			Issued: "orange",
			Missing: "red",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
