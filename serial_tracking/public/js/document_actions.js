// Actions on submitted stock documents that moved SN codes: "Trace SN codes" opens the Serial
// Traceability report for the document; "Print SN labels" prints a label for each of its codes
// (when the label printing of serial_tracking.labels is there); "Show what blocks" when later
// documents stand in the way of cancelling it.
frappe.provide("serial_tracking");

// Whether a row of the document is of an SN-tracked item (the rows' "SN Tracked" field, fetched
// from the item), in each table that carries SN codes (item rows, packed rows).
serial_tracking.has_sn_rows = function (frm) {
	const described = serial_tracking.tables ? serial_tracking.tables(frm.doctype) : [];
	const tables = described.length ? described.map((t) => t.table) : ["items", "packed_items"];
	return tables.some((table) =>
		(frm.doc[table] || []).some((row) => row.sn_tracking || row.sn_codes)
	);
};

serial_tracking.document_actions = function (frm) {
	if (frm.doc.docstatus !== 1 || !serial_tracking.has_sn_rows(frm)) return;
	frm.add_custom_button(__("Trace SN codes"), () =>
		frappe.set_route("query-report", "Serial Traceability", {
			voucher_type: frm.doctype,
			voucher_no: frm.doc.name,
		})
	);
	const labels = serial_tracking.labels;
	if (labels && labels.print) {
		frm.add_custom_button(__("Print SN labels"), () =>
			labels.print({ voucher_type: frm.doctype, voucher_no: frm.doc.name })
		);
	}
	serial_tracking.offer_cancel_plan(frm);
};

// "Show what blocks": when later documents moved this document's SN codes (or counted its places),
// the whole chain to cancel first, latest first, and "Cancel all, latest first".
serial_tracking.offer_cancel_plan = function (frm) {
	const asked = { voucher_type: frm.doctype, voucher_no: frm.doc.name };
	frappe
		.call({ method: "serial_tracking.api.cancel_plan", args: asked, type: "GET" })
		.then((r) => {
			const plan = r.message;
			const current = frm.doc.docstatus === 1 && frm.doc.name === asked.voucher_no;
			if (!plan || !plan.blocked || !current) return;
			frm.add_custom_button(__("Show what blocks"), () => serial_tracking.show_cancel_plan(frm));
		});
};

serial_tracking.show_cancel_plan = function (frm) {
	frappe
		.call({
			method: "serial_tracking.api.cancel_plan",
			args: { voucher_type: frm.doctype, voucher_no: frm.doc.name },
			type: "GET",
		})
		.then((r) => serial_tracking.cancel_plan_dialog(frm, r.message));
};

serial_tracking.cancel_plan_dialog = function (frm, plan) {
	const esc = frappe.utils.escape_html;
	const name = (d) =>
		d.hidden
			? esc(__("a {0} you may not see", [__(d.voucher_type)]))
			: `<a href="${esc(d.url)}">${esc(__(d.voucher_type))} ${esc(d.voucher_no)}</a>`;
	const holds = (d) =>
		d.blocks
			.map((b) => {
				const blocked = b.voucher_no
					? `${esc(__(b.voucher_type))} ${esc(b.voucher_no)}`
					: esc(__("a {0} you may not see", [__(b.voucher_type)]));
				const codes = b.serials.length
					? b.serials.map(esc).join(", ") +
					  (b.serial_count > b.serials.length
							? " " + esc(__("and {0} more", [b.serial_count - b.serials.length]))
							: "")
					: "";
				const places = (b.counted_places || [])
					.map((p) => esc(__("counted {0} at {1}", [p[0], p[1]])))
					.join(", ");
				return `<div>${blocked}${codes ? ": " + codes : ""}${places ? ": " + places : ""}</div>`;
			})
			.join("");
	const rows = plan.documents
		.map(
			(d) => `<tr class="sn-chain-row">
				<td>${d.order || ""}</td>
				<td>${name(d)}${d.is_document ? " <b>(" + esc(__("this document")) + ")</b>" : ""}</td>
				<td>${esc(d.posting_date ? frappe.datetime.str_to_user(d.posting_date) : "")}</td>
				<td>${holds(d)}</td>
				<td>${d.may_cancel ? esc(__("Yes")) : esc(__("No"))}</td>
			</tr>`
		)
		.join("");
	const count = plan.documents.length;
	const note = plan.stuck
		? __("Some of these documents hold each other back: they cannot be cancelled latest first.")
		: plan.may_cancel_all
		? __("Cancel all, latest first, cancels these {0} documents in this order.", [count])
		: __("You may not cancel every one of these documents.");
	const dialog = new frappe.ui.Dialog({
		title: __("What blocks cancelling {0}", [frm.doc.name]),
		size: "extra-large",
		fields: [{ fieldtype: "HTML", fieldname: "chain" }],
		primary_action_label: __("Cancel all, latest first"),
		primary_action: () => {
			frappe.confirm(
				__(
					"Cancel these {0} documents, latest first, through their own cancel? Each one cancelled stays cancelled if a later one is refused.",
					[count]
				),
				() => {
					dialog.hide();
					serial_tracking.cancel_chain(frm, plan);
				}
			);
		},
	});
	dialog.fields_dict.chain.$wrapper.html(`<p class="sn-chain-note">${esc(note)}</p>
		<table class="table table-bordered sn-chain">
			<thead><tr><th>#</th><th>${esc(__("Document"))}</th><th>${esc(__("Posting Date"))}</th>
			<th>${esc(__("Holds back, by SN codes"))}</th><th>${esc(__("You may cancel"))}</th></tr></thead>
			<tbody>${rows}</tbody>
		</table>`);
	if (!plan.may_cancel_all) dialog.get_primary_btn().prop("disabled", true);
	dialog.show();
	return dialog;
};

serial_tracking.cancel_chain = function (frm, plan) {
	frappe
		.call({
			method: "serial_tracking.api.cancel_chain",
			args: { voucher_type: frm.doctype, voucher_no: frm.doc.name, confirm: plan.confirm },
			freeze: true,
			freeze_message: __("Cancelling, latest first ..."),
		})
		.then((r) => {
			const result = r.message || {};
			const esc = frappe.utils.escape_html;
			const line = (d) => `${esc(__(d.voucher_type))} ${esc(d.voucher_no)}`;
			let html = (result.done || [])
				.map(
					(d) =>
						`<div>${line(d)}: ${esc(
							d.outcome === "cancelled" ? __("cancelled") : __("already cancelled")
						)}</div>`
				)
				.join("");
			if (result.stopped_at) {
				html += `<div class="sn-chain-stopped"><b>${esc(
					__("Stopped at {0}: {1}", [line(result.stopped_at), result.stopped_at.reason])
				)}</b></div>`;
				if ((result.untouched || []).length) {
					html += `<div>${esc(__("Left as they were:"))} ${result.untouched.map(line).join(", ")}</div>`;
				}
			}
			frappe.msgprint({
				title: result.status === "done" ? __("Cancelled") : __("Stopped"),
				message: html,
				indicator: result.status === "done" ? "green" : "orange",
			});
			frm.reload_doc();
		});
};

// Desk runs this file once for each document it loads: each doctype gets its handler once.
serial_tracking.document_actions_bound = serial_tracking.document_actions_bound || {};
// The stock documents that carry SN codes, as the server describes them at login.
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((doctype) => {
	if (serial_tracking.document_actions_bound[doctype]) return;
	serial_tracking.document_actions_bound[doctype] = true;
	frappe.ui.form.on(doctype, { refresh: (frm) => serial_tracking.document_actions(frm) });
});
