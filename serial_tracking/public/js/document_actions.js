// Actions on submitted stock documents that moved SN codes: "Trace SN codes" opens the Serial
// Traceability report for the document; "Print SN labels" prints a label for each of its codes
// (when the label printing of serial_tracking.labels is there); "Show what blocks" when later
// documents stand in the way of cancelling it, and the progress and report of a long chain
// cancelled in the background.
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
	serial_tracking.resume_cancel_chain(frm);
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

// "Show what blocks": when later documents moved this document's SN codes (or counted its places).
// Each refresh only asks whether anything blocks it (a few statements); the whole chain to cancel
// first, latest first, and "Cancel all, latest first" are planned on click. A document a Serial
// Count made says so: the count's cancel cancels it.
serial_tracking.offer_cancel_plan = function (frm) {
	const asked = { voucher_type: frm.doctype, voucher_no: frm.doc.name };
	frappe
		.call({ method: "serial_tracking.api.cancel_blocked", args: asked, type: "GET" })
		.then((r) => {
			const answer = r.message;
			const current = frm.doc.docstatus === 1 && frm.doc.name === asked.voucher_no;
			if (!answer || !current) return;
			if (answer.made_by) {
				const count = answer.made_by.voucher_no
					? `${__(answer.made_by.voucher_type)} ${answer.made_by.voucher_no}`
					: __("a {0} you may not see", [__(answer.made_by.voucher_type)]);
				const said = __("Made by {0}: cancelling the count cancels it.", [count]);
				frm.dashboard.add_comment(frappe.utils.escape_html(said), "blue", true);
			}
			if (!answer.blocked) return;
			frm.add_custom_button(__("Show what blocks"), () => serial_tracking.show_cancel_plan(frm));
			// asked from a refused cancel's message on another page (serial_tracking.show_what_blocks)
			const key = serial_tracking.chain_key(frm.doctype, frm.doc.name);
			if (serial_tracking.plan_asked === key) {
				serial_tracking.plan_asked = null;
				serial_tracking.show_cancel_plan(frm);
			}
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
			// Destructive: said in red, with the number of documents it cancels.
			const asked = frappe.confirm(
				__(
					"Cancel these {0} documents, latest first, through their own cancel? Each one cancelled stays cancelled if a later one is refused.",
					[count]
				),
				() => {
					dialog.hide();
					serial_tracking.cancel_chain(frm, plan);
				}
			);
			asked.set_title(__("Cancel {0} documents?", [count]));
			serial_tracking.as_danger(asked.get_primary_btn()).text(__("Cancel {0} documents", [count]));
		},
	});
	serial_tracking.as_danger(dialog.get_primary_btn());
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

// A button that destroys work: red, as Frappe's own warnings (frappe.warn).
serial_tracking.as_danger = ($button) => $button.removeClass("btn-primary").addClass("btn-danger");

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
			if (serial_tracking.CHAIN_RUNNING.includes(result.status)) {
				frappe.show_alert(
					__("Cancelling {0} documents in the background, latest first", [result.documents])
				);
				serial_tracking.follow_cancel_chain(frm, result);
				return;
			}
			serial_tracking.chain_report(result);
			frm.reload_doc();
		});
};

// The outcome of cancelling a chain, in the request or by a background job: what was cancelled,
// where it stopped and why, and what was left as it was.
serial_tracking.chain_report = function (result) {
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
	} else if (result.status !== "done" && result.message) {
		html += `<div class="sn-chain-stopped"><b>${esc(result.message)}</b></div>`;
	}
	if (result.status !== "done" && (result.untouched || []).length) {
		html += `<div>${esc(__("Left as they were:"))} ${result.untouched.map(line).join(", ")}</div>`;
	}
	frappe.msgprint({
		title: result.status === "done" ? __("Cancelled") : __("Stopped"),
		message: html,
		indicator: result.status === "done" ? "green" : "orange",
	});
};

// A chain cancelled in the background: its progress while the form is open (the job's realtime
// messages, and its report asked every few seconds where those do not come), then its report;
// remembered in this browser, so a reload of the document follows it again.
serial_tracking.CHAIN_RUNNING = ["queued", "running"];
serial_tracking.chain_key = (doctype, name) => `serial_tracking:cancel_chain:${doctype}:${name}`;

serial_tracking.follow_cancel_chain = function (frm, report) {
	const doctype = frm.doctype;
	const name = frm.doc.name;
	const key = serial_tracking.chain_key(doctype, name);
	localStorage.setItem(key, report.job || "1");
	serial_tracking.following = serial_tracking.following || {};
	if (serial_tracking.following[key]) return;
	let over = false;
	const show = (state) => {
		if (over || !state) return;
		if (serial_tracking.CHAIN_RUNNING.includes(state.status)) {
			const done = (state.done || []).length;
			const total = done + (state.untouched || []).length || state.documents || 1;
			frappe.show_progress(
				__("Cancelling, latest first"),
				done,
				total,
				__("{0} of {1} documents", [done, total])
			);
			return;
		}
		over = true;
		clearInterval(timer);
		frappe.realtime.off("serial_tracking_cancel_chain", on_message);
		delete serial_tracking.following[key];
		localStorage.removeItem(key);
		frappe.hide_progress();
		serial_tracking.chain_report(state);
		if (cur_frm && cur_frm.doctype === doctype && cur_frm.doc.name === name) cur_frm.reload_doc();
	};
	const on_message = (state) => {
		if (state && state.voucher_type === doctype && state.voucher_no === name) show(state);
	};
	const ask = () =>
		frappe
			.call({
				method: "serial_tracking.api.cancel_chain_status",
				args: { voucher_type: doctype, voucher_no: name },
				type: "GET",
			})
			.then((r) => {
				const gone = {
					status: "interrupted",
					message: __("No report of this cancellation is kept any more."),
				};
				show(r.message || gone);
			});
	serial_tracking.following[key] = true;
	frappe.realtime.on("serial_tracking_cancel_chain", on_message);
	const timer = setInterval(ask, 3000);
	if (report.documents) show(report);
	ask();
};

// After a reload: a chain this browser started to cancel in the background is followed again.
serial_tracking.resume_cancel_chain = function (frm) {
	if (frm.is_new()) return;
	const key = serial_tracking.chain_key(frm.doctype, frm.doc.name);
	if (!localStorage.getItem(key) || (serial_tracking.following || {})[key]) return;
	serial_tracking.follow_cancel_chain(frm, { status: "queued", job: localStorage.getItem(key) });
};

// Desk runs this file once for each document it loads: each doctype gets its handler once.
serial_tracking.document_actions_bound = serial_tracking.document_actions_bound || {};
// The stock documents that carry SN codes, as the server describes them at login.
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((doctype) => {
	if (serial_tracking.document_actions_bound[doctype]) return;
	serial_tracking.document_actions_bound[doctype] = true;
	frappe.ui.form.on(doctype, { refresh: (frm) => serial_tracking.document_actions(frm) });
});
