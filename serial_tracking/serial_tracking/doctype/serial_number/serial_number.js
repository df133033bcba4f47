// Serial Number: its lives (each receipt from a supplier opens one), newest first, each with its
// movements newest first as the history always showed them; cancelled movements struck through.
// "Traceability" opens the Serial Traceability report for the serial.
frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		const wrapper = frm.get_field("history_html").$wrapper;
		if (frm.is_new()) {
			wrapper.empty();
			return;
		}
		frm.add_custom_button(__("Traceability"), () =>
			frappe.set_route("query-report", "Serial Traceability", { serial_no: frm.doc.name })
		);
		frappe
			.call({ method: "serial_tracking.api.trace", args: { serial_no: frm.doc.name } })
			.then((r) => wrapper.html(serial_number_lives((r.message || {}).lives || [])));
	},
});

function serial_number_lives(lives) {
	const esc = frappe.utils.escape_html;
	const link = (doctype, name) =>
		doctype && name
			? `<a href="/app/${encodeURIComponent(frappe.router.slug(doctype))}/${encodeURIComponent(
					name
			  )}">
				${esc(__(doctype))} ${esc(name)}</a>`
			: "";
	const arrow = (a, b) => `${esc(a || "")} → ${esc(b || "")}`;
	if (!lives.length) {
		return `<p class="text-muted">${__("No movements")}</p>`;
	}
	return lives
		.slice()
		.reverse()
		.map((life) => {
			const opening = life.opened_by;
			const heading = opening
				? __("Life {0}: {1}, {2}", [
						life.life,
						link(opening.voucher_type, opening.voucher_no),
						esc(frappe.datetime.str_to_user(opening.posting_date) || ""),
				  ]) + (opening.party ? ` · ${esc(opening.party)}` : "")
				: __("Life {0}", [life.life]);
			const rows = life.movements
				.slice()
				.reverse()
				.map((m) => {
					const strike = (html) => (m.is_cancelled ? `<s>${html}</s>` : html);
					const operation = m.previous_code
						? __("Code corrected from {0}", [esc(m.previous_code)])
						: esc(__(m.operation));
					const posted = `${esc(frappe.datetime.str_to_user(m.posting_date) || "")}
					${esc(String(m.posting_time || "").slice(0, 8))}`;
					const cells = [
						posted,
						operation + (m.is_cancelled ? ` (${esc(__("cancelled"))})` : ""),
						link(m.voucher_type, m.voucher_no),
						arrow(__(m.status_before || ""), __(m.status_after || "")),
						arrow(m.from_warehouse, m.to_warehouse),
						esc(m.party || ""),
					];
					return `<tr class="${m.is_cancelled ? "text-muted sn-cancelled" : ""}">
					${cells.map((c) => `<td>${strike(c)}</td>`).join("")}</tr>`;
				});
			return `<div class="sn-life" data-life="${esc(String(life.life))}">
				<h6 class="mt-3">${heading}</h6>
				<table class="table table-bordered small">
				<thead><tr><th>${__("Posted")}</th><th>${__("Operation")}</th><th>${__("Document")}</th>
				<th>${__("Status")}</th><th>${__("Warehouse")}</th><th>${__("Party")}</th></tr></thead>
				<tbody>${rows.join("")}</tbody></table></div>`;
		})
		.join("");
}
