// Serial Count: a scan box (Enter or a scanner's Enter) that stores each scan into the count and
// shows what every code is, and the live per-item table. Posting and cancelling are Submit and
// Cancel (the documents they make are listed under "Documents Made").

const KIND_LABELS = {
	counted: __("Counted"),
	misplaced: __("Misplaced"),
	sold: __("Sold"),
	returned: __("Returned"),
	issued: __("Issued"),
	missing: __("Missing"),
	in_transit: __("In Transit"),
	wrong_item: __("Wrong item"),
	unknown: __("Unknown"),
};
const KIND_COLOURS = { counted: "green", misplaced: "orange", unknown: "red", wrong_item: "red" };

frappe.ui.form.on("Serial Count", {
	refresh(frm) {
		if (frm.is_new()) {
			frm.fields_dict.scan_html.$wrapper.empty();
			frm.fields_dict.summary_html.$wrapper.empty();
			return;
		}
		serial_count.scan_box(frm);
		serial_count.refresh_summary(frm);
		// The count's own words in place of Desk's "Submit this document to confirm": it is posted.
		frm.dashboard.clear_headline();
		if (frm.doc.docstatus === 0 && frm.doc.status === "Posting") {
			// Posted by a background job (too big for one request): nothing to press meanwhile (Desk's
			// Submit would meet the job's lock), and the form reloads when the job is done.
			frm.disable_save();
			frm.dashboard.set_headline_alert(
				__("Being posted in the background; this form updates when it is done."),
				"blue"
			);
			serial_tracking.follow_job(frm, (doc) => doc.docstatus === 0 && doc.status === "Posting");
		} else if (frm.doc.docstatus === 0) {
			frm.page.set_primary_action(__("Post"), () => serial_count.post(frm));
			frm.dashboard.set_headline_alert(__("Scan the units below, then Post."), "blue");
		}
	},
});

const serial_count = {
	scan_box(frm) {
		const $wrapper = frm.fields_dict.scan_html.$wrapper.empty();
		if (frm.doc.docstatus !== 0 || frm.doc.status === "Posting") return;
		const $box = $(`
			<div class="serial-count-scan">
				<input type="text" class="form-control sn-count-input" autocomplete="off"
					placeholder="${__("Scan an SN code, a carton or a GS1 symbol, then Enter")}">
				<div class="sn-count-answer small" style="margin-top: 8px"></div>
			</div>`).appendTo($wrapper);
		const $input = $box.find("input");
		$input.on("keydown", (e) => {
			if (e.key !== "Enter") return;
			e.preventDefault();
			const text = $input.val();
			$input.val("");
			if (!text.trim()) return;
			frappe
				.xcall("serial_tracking.api.count_scan", { count: frm.doc.name, text })
				.then((answer) => {
					serial_count.show_answer($box.find(".sn-count-answer"), answer);
					serial_count.show_summary(frm, answer.summary);
				})
				.finally(() => $input.trigger("focus"));
		});
		setTimeout(() => $input.trigger("focus"), 300);
	},

	show_answer($answer, answer) {
		const esc = frappe.utils.escape_html;
		const lines = answer.results.map((r) => {
			const colour = r.new ? KIND_COLOURS[r.kind] || "gray" : "gray";
			return `<div class="sn-count-result" data-kind="${esc(r.kind)}">
				<span class="indicator-pill ${colour}">${esc(KIND_LABELS[r.kind] || r.kind)}</span>
				${esc(r.message)}</div>`;
		});
		if (answer.message) lines.unshift(`<div>${esc(answer.message)}</div>`);
		for (const p of answer.problems || []) {
			lines.push(`<div class="text-danger">${esc(p.message)}</div>`);
		}
		$answer.html(lines.join(""));
	},

	refresh_summary(frm) {
		frappe.xcall("serial_tracking.api.count_summary", { count: frm.doc.name }).then((data) => {
			serial_count.show_summary(frm, data.summary, data.codes);
		});
	},

	show_summary(frm, summary, codes) {
		const esc = frappe.utils.escape_html;
		const kinds = Object.keys(KIND_LABELS).filter((k) => k !== "counted");
		const rows = summary.items.map((line) => {
			const unexpected = kinds
				.filter((k) => line.unexpected[k])
				.map((k) => `${esc(KIND_LABELS[k])}: ${line.unexpected[k]}`)
				.join(", ");
			return `<tr data-item="${esc(line.item_code)}">
				<td>${esc(line.item_code || __("(no such SN code)"))}</td>
				<td class="text-right sn-expected">${line.expected}</td>
				<td class="text-right sn-counted">${line.counted}</td>
				<td class="text-right sn-missing">${line.missing}</td>
				<td class="sn-unexpected">${unexpected}</td></tr>`;
		});
		const t = summary.totals;
		let html = `<table class="table table-bordered table-condensed sn-count-summary">
			<thead><tr><th>${__("Item")}</th><th class="text-right">${__("Expected")}</th>
			<th class="text-right">${__("Counted")}</th><th class="text-right">${__("Missing")}</th>
			<th>${__("Unexpected")}</th></tr></thead><tbody>${rows.join("")}</tbody>
			<tfoot><tr><th>${__("Total ({0} scanned)", [t.scanned])}</th>
			<th class="text-right">${t.expected}</th><th class="text-right">${t.counted}</th>
			<th class="text-right">${t.missing}</th><th>${t.unexpected_total}</th></tr></tfoot></table>`;
		if (codes) {
			const listed = { ...KIND_LABELS, not_scanned: __("Not scanned") };
			for (const [kind, found] of Object.entries(codes)) {
				if (!found.length) continue;
				html += `<div class="small"><b>${esc(listed[kind] || kind)}</b>:
					${found.map(esc).join(", ")}</div>`;
			}
		}
		html += `<button class="btn btn-xs btn-default sn-count-refresh" style="margin-top: 6px">
			${__("Refresh")}</button>`;
		const $summary = frm.fields_dict.summary_html.$wrapper.html(html);
		$summary.find(".sn-count-refresh").on("click", () => serial_count.refresh_summary(frm));
	},

	post(frm) {
		frappe.confirm(
			__(
				"Post this count? Misplaced units are transferred here (when so set), a Stock Reconciliation sets the quantities, and units not scanned become Missing."
			),
			() => {
				frappe
					.xcall("serial_tracking.api.post_count", { count: frm.doc.name })
					.then((made) => {
						if (made.status === "Posting") {
							frm.reload_doc();
							return;
						}
						const names = made.documents
							.map((d) => `${__(d.document_type)} ${frappe.utils.escape_html(d.document_name)}`)
							.join(", ");
						frappe.show_alert({
							message: names ? __("Posted: {0}", [names]) : __("Posted: nothing to change"),
							indicator: "green",
						});
						frm.reload_doc();
					});
			}
		);
	},
};
