// Serial Number: its whole circulation history, newest first.
frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		const wrapper = frm.get_field("history_html").$wrapper;
		if (frm.is_new()) {
			wrapper.empty();
			return;
		}
		frappe.call("serial_tracking.api.history", { serial_no: frm.doc.name }).then((r) => {
			const esc = frappe.utils.escape_html;
			const rows = (r.message || []).map(
				(h) => `<tr class="${h.is_cancelled ? "text-muted" : ""}">
					<td>${esc(frappe.datetime.str_to_user(h.posting_date) || "")}
						${esc((h.posting_time || "").slice(0, 5))}</td>
					<td>${esc(__(h.operation))}${h.is_cancelled ? ` (${__("cancelled")})` : ""}</td>
					<td><a href="/app/${frappe.router.slug(h.voucher_type)}/${encodeURIComponent(h.voucher_no)}">
						${esc(__(h.voucher_type))} ${esc(h.voucher_no)}</a></td>
					<td>${esc(__(h.status_before || ""))} → ${esc(__(h.status_after || ""))}</td>
					<td>${esc(h.from_warehouse || "")} → ${esc(h.to_warehouse || "")}</td>
					<td>${esc(h.party || "")}</td>
				</tr>`
			);
			wrapper.html(`<table class="table table-bordered small">
				<thead><tr><th>${__("Posted")}</th><th>${__("Operation")}</th><th>${__("Document")}</th>
				<th>${__("Status")}</th><th>${__("Warehouse")}</th><th>${__("Party")}</th></tr></thead>
				<tbody>${rows.join("")}</tbody></table>`);
		});
	},
});
