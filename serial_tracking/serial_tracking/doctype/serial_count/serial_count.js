// Serial Count: a scan box (Enter or a scanner's Enter) that stores each scan into the count and
// shows what every code is, the count's scans by kind (any of them taken out again), and the live
// per-item table. A new count is saved as soon as its warehouse is chosen, so that it can be scanned
// at once. Post first states what posting will do; posting and cancelling are Submit and Cancel (the
// documents they make are listed under "Documents Made").

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
//: Scans of each kind the list shows, latest first.
const LISTED = 20;

frappe.ui.form.on("Serial Count", {
	refresh(frm) {
		if (frm.is_new()) {
			// The scan box is below once the count is saved: said where the person looks first.
			frm.set_intro(
				__("Choose the warehouse to count: the count is saved at once and the scan box appears."),
				"blue"
			);
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
			frm.page.set_primary_action(__("Post", null, "Serial Count"), () => serial_count.post(frm));
			frm.dashboard.set_headline_alert(__("Scan the units below, then Post."), "blue");
		}
	},

	warehouse(frm) {
		// A new count is saved as soon as its warehouse is chosen: scans are stored into a saved count.
		if (frm.is_new() && frm.doc.warehouse && !serial_count.saving) {
			serial_count.saving = true;
			frm.save().finally(() => (serial_count.saving = false));
		}
	},
});

const serial_count = {
	// The scan box of the SN dialog (serial_tracking.ScanEntry): scans are stored one after another,
	// in the order made; each answer lists what every code of the scan is.
	scan_box(frm) {
		const $wrapper = frm.fields_dict.scan_html.$wrapper.empty();
		if (frm.doc.docstatus !== 0 || frm.doc.status === "Posting") return;
		const $box = $(`
			<div class="serial-count-scan">
				<div class="sn-count-field"></div>
				<div class="sn-count-answer small"></div>
				<div class="sn-count-scans" style="margin-top: 12px"></div>
			</div>`).appendTo($wrapper);
		const field = frappe.ui.form.make_control({
			df: {
				fieldname: "scan",
				fieldtype: "Data",
				options: "Barcode",
				placeholder: __("Scan an SN code, a carton or a GS1 symbol, then Enter"),
			},
			parent: $box.find(".sn-count-field"),
			render_input: true,
		});
		field.$input.addClass("sn-count-input").attr("autocomplete", "off");
		const $answer = $box.find(".sn-count-answer");
		new serial_tracking.ScanEntry({
			field,
			state: $answer,
			// Read and stored in one call: the count keeps every scan, whatever it is.
			read: (text) =>
				frappe.xcall("serial_tracking.api.count_scan", { count: frm.doc.name, text }).then((answer) => ({
					codes: answer.results.map((r) => r.code),
					problems: answer.problems || [],
					message: answer.message,
					answer,
				})),
			accept: async (codes) => ({ taken: codes, refused: [] }),
			on_answer: ({ read }) => {
				const answer = read.answer;
				if (answer) {
					serial_count.show_answer($answer, answer);
					serial_count.show_summary(frm, answer.summary);
					// A sound for what the person at the scanner must look at: an unexpected scan (the
					// scan box sounds for a refused one itself).
					const unexpected = answer.results.some((r) => r.new && r.kind !== "counted");
					if (unexpected && !(answer.problems || []).length) serial_tracking.beep();
				}
				serial_count.list_scans(frm);
				field.$input.trigger("focus");
			},
			on_failure: () => field.$input.trigger("focus"),
		});
		serial_count.list_scans(frm);
		setTimeout(() => field.$input.trigger("focus"), 300);
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

	// The count's scans: how many of each kind, and the latest of each (of one kind when filtered),
	// each with a button that takes it out; a kind with none is not shown.
	list_scans(frm) {
		const $list = frm.fields_dict.scan_html.$wrapper.find(".sn-count-scans");
		if (!$list.length) return;
		const kind = $list.attr("data-filter") || null;
		frappe
			.xcall("serial_tracking.api.count_scans", { count: frm.doc.name, kind, limit: LISTED })
			.then((data) => serial_count.show_scans(frm, $list, data, kind));
	},

	show_scans(frm, $list, data, kind) {
		const esc = frappe.utils.escape_html;
		const shown = Object.keys(KIND_LABELS).filter((k) => data.totals[k]);
		if (!shown.length) {
			$list.html(`<div class="text-muted small">${__("No scans yet.")}</div>`);
			return;
		}
		const pills = [["", __("All")], ...shown.map((k) => [k, `${KIND_LABELS[k]}: ${data.totals[k]}`])]
			.map(
				([k, label]) => `<button class="btn btn-xs ${
					(kind || "") === k ? "btn-primary" : "btn-default"
				}
					sn-count-filter" data-kind="${esc(k)}" style="margin: 0 4px 4px 0">${esc(label)}</button>`
			)
			.join("");
		const sections = Object.entries(data.scans)
			.filter(([, found]) => found.length)
			.map(([k, found]) => {
				const colour = KIND_COLOURS[k] || "gray";
				const rows = found.map(
					(s) => `<tr class="sn-count-scan-row" data-kind="${esc(k)}" data-code="${esc(s.code)}">
						<td><span class="indicator-pill ${colour}">${esc(KIND_LABELS[k] || k)}</span></td>
						<td class="sn-code">${esc(s.code)}</td>
						<td>${esc(s.item_code || "")}${s.warehouse ? " · " + esc(__("at {0}", [s.warehouse])) : ""}</td>
						<td class="text-muted">${esc(s.scanned_by || "")}</td>
						<td class="text-right"><button class="btn btn-xs btn-default sn-count-remove"
							title="${esc(__("Take this scan out of the count"))}">${__("Take out")}</button></td></tr>`
				);
				const more =
					data.totals[k] > found.length
						? `<tr><td colspan="5" class="text-muted small">${__("and {0} more {1}", [
								data.totals[k] - found.length,
								esc(KIND_LABELS[k] || k),
						  ])}</td></tr>`
						: "";
				return rows.join("") + more;
			});
		const all = kind
			? `<button class="btn btn-xs btn-danger sn-count-remove-kind" data-kind="${esc(kind)}">${__(
					"Take out all {0} {1} scans",
					[data.totals[kind] || 0, esc(KIND_LABELS[kind] || kind)]
			  )}</button>`
			: `<div class="text-muted small">${__(
					"The latest {0} scans of each kind; choose a kind to see only its scans or take them all out.",
					[data.limit]
			  )}</div>`;
		$list.html(`<div class="sn-count-filters">${pills}</div>
			<table class="table table-condensed table-hover small sn-count-scan-list" style="margin-bottom: 6px">
			<tbody>${sections.join("")}</tbody></table>${all}`);
		$list.find(".sn-count-filter").on("click", (e) => {
			$list.attr("data-filter", $(e.currentTarget).attr("data-kind"));
			serial_count.list_scans(frm);
		});
		$list.find(".sn-count-remove").on("click", (e) => {
			const code = $(e.currentTarget).closest("tr").attr("data-code");
			serial_count.remove(frm, { codes: [code] });
		});
		$list.find(".sn-count-remove-kind").on("click", (e) => {
			const k = $(e.currentTarget).attr("data-kind");
			frappe.confirm(
				__("Take all {0} {1} scans out of this count?", [data.totals[k], esc(KIND_LABELS[k] || k)]),
				() => serial_count.remove(frm, { kind: k })
			);
		});
	},

	remove(frm, args) {
		frappe
			.xcall("serial_tracking.api.count_remove_scans", { count: frm.doc.name, ...args })
			.then((answer) => {
				const left = answer.left ? " " + __("{0} are left: take them out again.", [answer.left]) : "";
				frappe.show_alert({
					message: __("{0} scans taken out.", [answer.removed]) + left,
					indicator: "green",
				});
				serial_count.show_summary(frm, answer.summary);
				serial_count.list_scans(frm);
			});
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

	// What posting will do, from the server, stated before it is confirmed.
	preview_html(p) {
		const esc = frappe.utils.escape_html;
		const lines = [__("{0} units found in place at {1}.", [p.counted, esc(p.warehouse)])];
		if (p.misplaced) {
			const from = p.moved_from
				.map((m) =>
					__("{0} from {1}", [m.qty, m.warehouse ? esc(m.warehouse) : __("another warehouse")])
				)
				.join(", ");
			lines.push(__("{0} misplaced units will be moved here ({1}).", [p.misplaced, from]));
		}
		if (p.left_elsewhere) {
			lines.push(__("{0} misplaced units stay where the ledger has them.", [p.left_elsewhere]));
		}
		if (p.found_again) {
			lines.push(
				__("{0} units the ledger had sold, returned, issued or missing will be In Stock here.", [
					p.found_again,
				])
			);
		}
		lines.push(__("{0} units expected here and not scanned will become Missing.", [p.missing]));
		if (p.ignored)
			lines.push(__("{0} scans of other items or of units in transit are left alone.", [p.ignored]));
		if (p.unknown) {
			lines.push(
				`<b class="text-danger">${__(
					"{0} unknown SN codes are refused: take them out (Unknown, in the scan list) or register the units first.",
					[p.unknown]
				)}</b>`
			);
		}
		return `<ul class="sn-count-preview">${lines.map((l) => `<li>${l}</li>`).join("")}</ul>`;
	},

	post(frm) {
		frappe.xcall("serial_tracking.api.count_preview", { count: frm.doc.name }).then((p) => {
			const figures = serial_count.preview_html(p);
			if (p.unknown) {
				serial_tracking.beep();
				frappe.msgprint({
					title: __("Count cannot be posted yet"),
					message: figures,
					indicator: "red",
				});
				return;
			}
			serial_count.confirm_post(frm, figures);
		});
	},

	confirm_post(frm, figures) {
		frappe.confirm(__("Post this count?") + figures, () => {
			frappe.xcall("serial_tracking.api.post_count", { count: frm.doc.name }).then((made) => {
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
		});
	},
};
