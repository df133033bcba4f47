// Serial Carton: its packed SN codes (as the user may read them) under the form, and a link to
// the search of the carton's serials.
frappe.ui.form.on("Serial Carton", {
	refresh(frm) {
		const wrapper = frm.get_field("serials_html").$wrapper;
		if (frm.is_new()) {
			wrapper.empty();
			return;
		}
		frm.add_custom_button(__("Search its serials"), () =>
			frappe.set_route("query-report", "Serial Number Search", { carton: frm.doc.name })
		);
		frappe
			.call({
				method: "frappe.client.get_list",
				args: {
					doctype: "Serial Number",
					filters: { carton: frm.doc.name },
					fields: ["name", "status", "warehouse"],
					order_by: "name asc",
					limit_page_length: 500,
				},
			})
			.then((r) => wrapper.html(serial_carton_table(r.message || [], frm.doc.serial_count)));
	},
});

function serial_carton_table(serials, count) {
	const esc = frappe.utils.escape_html;
	if (!serials.length) {
		return `<p class="text-muted">${__("No SN codes packed")}</p>`;
	}
	const rows = serials
		.map(
			(s) => `<tr><td><a href="/app/serial-number/${encodeURIComponent(s.name)}">${esc(s.name)}</a></td>
			<td>${esc(__(s.status || ""))}</td><td>${esc(s.warehouse || "")}</td></tr>`
		)
		.join("");
	const more =
		count > serials.length
			? `<p class="text-muted">${__("First {0} of {1}; search shows them all.", [serials.length, count])}</p>`
			: "";
	return `<table class="table table-bordered small sn-carton-serials">
		<thead><tr><th>${__("SN Code")}</th><th>${__("Status")}</th><th>${__("Warehouse")}</th></tr></thead>
		<tbody>${rows}</tbody></table>${more}`;
}
