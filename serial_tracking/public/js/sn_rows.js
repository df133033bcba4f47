// The SN dialog on the item rows of stock documents: scan (GS1 and cartons read by the server),
// type or paste, generate by rule, pick from stock, import an xlsx; every code is checked live as
// submit would check it (serial_tracking.api.check_row): entered / required and each refused code
// with its reason. ERPNext's own serial and batch controls are hidden on rows of SN-tracked items.
frappe.provide("serial_tracking");

// Each document's row tables as the server describes them at login
// (serial_tracking/stock/documents.py): per parent doctype a list of
// {table, doctype, qty, source}: the table's fieldname, its row doctype, the field with the
// quantity in stock units and the field with the warehouse units leave from. A single object per
// parent (the item rows only, without "table") is read as that one table.
serial_tracking.tables = function (parent) {
	const described = ((frappe.boot.serial_tracking || {}).rows || {})[parent];
	if (!described) return [];
	return Array.isArray(described) ? described : [{ table: "items", ...described }];
};

// The table of the form's document that rows of doctype ``cdt`` belong to.
serial_tracking.table_of = function (frm, cdt) {
	return serial_tracking.tables(frm.doctype).find((t) => t.doctype === cdt);
};

serial_tracking.row_qty = function (frm, row) {
	const table = serial_tracking.table_of(frm, row.doctype);
	return Math.abs((table && row[table.qty]) || 0);
};

serial_tracking.row_source = function (frm, row) {
	const table = serial_tracking.table_of(frm, row.doctype);
	return table && row[table.source];
};

serial_tracking.dialog_title = function (frm, row) {
	const table = serial_tracking.table_of(frm, row.doctype);
	const item = frappe.utils.escape_html(row.item_code || "");
	if (!table || table.table === "items") {
		return __("SN codes of row {0}: {1}", [row.idx, item]);
	}
	const df = frappe.meta.get_docfield(frm.doctype, table.table);
	const label = frappe.utils.escape_html(__((df && df.label) || table.table));
	return __("SN codes of {0} row {1}: {2}", [label, row.idx, item]);
};

// At most this many refused entries are listed in the dialog; the rest are counted.
serial_tracking.MAX_SHOWN = 200;
// Milliseconds of quiet after typing before the codes are checked.
serial_tracking.CHECK_DELAY = 400;

// ERPNext's own serial and batch controls on item rows (v15): hidden on rows of SN-tracked items,
// so nobody enters serials in the wrong place.
serial_tracking.ERPNEXT_SERIAL_FIELDS = [
	"serial_and_batch_bundle",
	"use_serial_batch_fields",
	"serial_no",
	"batch_no",
	"pick_serial_and_batch",
	"add_serial_batch_bundle",
	"rejected_serial_no",
	"rejected_serial_and_batch_bundle",
	"add_serial_batch_for_rejected_qty",
	"current_serial_no",
	"current_serial_and_batch_bundle",
	"reconcile_all_serial_batch",
	"actual_batch_qty",
];

// Hide ERPNext's serial and batch controls on one row of an SN-tracked item (in its row form and
// its grid row), and give them back their own setting when the row's item is not SN-tracked.
serial_tracking.toggle_erpnext_serials = function (frm, cdt, cdn) {
	const row = locals[cdt] && locals[cdt][cdn];
	const table = row && serial_tracking.table_of(frm, cdt);
	const grid = table && frm.fields_dict[table.table] && frm.fields_dict[table.table].grid;
	const grid_row = grid && grid.grid_rows_by_docname && grid.grid_rows_by_docname[cdn];
	if (!grid_row) return;
	const tracked = !!row.sn_tracking;
	serial_tracking.ERPNEXT_SERIAL_FIELDS.forEach((fieldname) => {
		const df = frappe.meta.get_docfield(cdt, fieldname);
		if (!df) return;
		const hidden = tracked ? 1 : df.hidden || 0;
		const own = (grid_row.docfields || []).find((d) => d.fieldname === fieldname);
		if (own && own.hidden === hidden && !grid_row.grid_form) return;
		grid_row.set_field_property(fieldname, "hidden", hidden);
		if (own) own.hidden = hidden;
		const cell = grid_row.columns && grid_row.columns[fieldname];
		if (cell) cell.find(".static-area").toggle(!tracked);
	});
};

// A short tone (440 Hz, 150 ms): a person at a scanner looks at the goods, not at the screen.
serial_tracking.beep = function () {
	serial_tracking.beeps = (serial_tracking.beeps || 0) + 1;
	try {
		const Context = window.AudioContext || window.webkitAudioContext;
		if (!Context) return;
		serial_tracking.audio = serial_tracking.audio || new Context();
		const audio = serial_tracking.audio;
		if (audio.state === "suspended") audio.resume();
		const tone = audio.createOscillator();
		const volume = audio.createGain();
		tone.type = "square";
		tone.frequency.value = 440;
		volume.gain.value = 0.2;
		tone.connect(volume);
		volume.connect(audio.destination);
		tone.start();
		tone.stop(audio.currentTime + 0.15);
	} catch (e) {
		// No sound on this device: the reason is shown all the same.
	}
};

// The cartons of a row as stored (JSON {carton: [codes]}), or none.
serial_tracking.read_cartons = function (text) {
	if (!text) return {};
	try {
		const value = JSON.parse(text);
		return value && typeof value === "object" && !Array.isArray(value) ? value : {};
	} catch (e) {
		return {};
	}
};

// Whether the row's quantity can follow its count of codes: its quantity field is in stock units,
// or its unit is the stock unit (conversion factor 1).
serial_tracking.qty_follows = function (frm, row) {
	const table = serial_tracking.table_of(frm, row.doctype);
	return !!table && (table.qty === "qty" || Number(row.conversion_factor || 1) === 1);
};

serial_tracking.open_dialog = function (frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	const title = serial_tracking.dialog_title(frm, row);
	if (!serial_tracking.table_of(frm, cdt)) {
		frappe.msgprint(
			__("Row {0} of {1} carries no SN codes: {2} does not move serials.", [
				row.idx,
				frappe.utils.escape_html(__(cdt)),
				frappe.utils.escape_html(__(frm.doctype)),
			])
		);
		return;
	}
	if (frm.doc.docstatus !== 0) {
		// A submitted or cancelled document: its codes, to read.
		frappe.msgprint({
			title: title,
			message: `<pre>${frappe.utils.escape_html(row.sn_codes || "")}</pre>`,
		});
		return;
	}
	const esc = frappe.utils.escape_html;
	let required = serial_tracking.row_qty(frm, row);
	let timer = null;
	// The latest check asked: older answers that arrive late are not shown.
	let asked = 0;
	// The latest answer shown, and the cartons built in this dialog (receipts).
	let last = null;
	const cartons = serial_tracking.read_cartons(row.sn_cartons);
	let carton = null;

	const dialog = new frappe.ui.Dialog({
		title: title,
		size: "large",
		fields: [
			{
				fieldname: "scan",
				fieldtype: "Data",
				label: __("Scan"),
				options: "Barcode",
				description: __("Scan one code after another; each is checked and added below."),
			},
			{ fieldname: "scan_state", fieldtype: "HTML" },
			{ fieldname: "scan_column", fieldtype: "Column Break" },
			{
				fieldname: "carton",
				fieldtype: "Data",
				label: __("Carton"),
				options: "Barcode",
				hidden: 1,
				description: __(
					"Scan a carton's code, then its units: they are packed in it. Empty it to scan loose units."
				),
			},
			{ fieldname: "carton_state", fieldtype: "HTML" },
			{ fieldname: "codes_section", fieldtype: "Section Break" },
			{
				fieldname: "codes",
				fieldtype: "Code",
				label: __("SN codes"),
				default: row.sn_codes || "",
				description: __("One a line, or separated by spaces, tabs, commas or semicolons."),
			},
			{ fieldname: "state", fieldtype: "HTML" },
			{ fieldname: "import_links", fieldtype: "HTML" },
			{
				fieldname: "rule_section",
				fieldtype: "Section Break",
				label: __("Generate by rule"),
				collapsible: 1,
			},
			{ fieldname: "prefix", fieldtype: "Data", label: __("Prefix") },
			{ fieldname: "start", fieldtype: "Int", label: __("Start"), default: 1 },
			{ fieldname: "cb1", fieldtype: "Column Break" },
			{ fieldname: "increment", fieldtype: "Int", label: __("Increment"), default: 1 },
			{ fieldname: "count", fieldtype: "Int", label: __("Count"), default: required || 1 },
			{ fieldname: "cb2", fieldtype: "Column Break" },
			{ fieldname: "width", fieldtype: "Int", label: __("Width (zero-padded)"), default: 0 },
			{
				fieldname: "generate",
				fieldtype: "Button",
				label: __("Generate"),
				click: () => {
					const v = dialog.get_values(true);
					frappe
						.call("serial_tracking.api.generate_codes", {
							prefix: v.prefix || "",
							start: v.start || 0,
							increment: v.increment || 0,
							count: v.count || 0,
							width: v.width || 0,
						})
						.then((r) => {
							if (r.message.problems.length) {
								frappe.msgprint(r.message.problems.map((p) => esc(p.message)).join("<br>"));
								return;
							}
							append(r.message.codes);
							check_now();
						});
				},
			},
		],
		primary_action_label: __("Set"),
		primary_action: () => {
			// The row gets the codes as read (folded, one a line), and only when every entry is good.
			clearTimeout(timer);
			check_now().then((m) => {
				if (m.codes.some((c) => !c.ok) || shown_problems(m).length) {
					frappe.show_alert({
						message: __("Correct or remove the entries listed first"),
						indicator: "orange",
					});
					return;
				}
				set_row(m);
				dialog.hide();
			});
		},
	});

	const source = serial_tracking.row_source(frm, row);
	if (source) {
		dialog.add_custom_action(__("Pick from stock"), () => {
			frappe
				.call("serial_tracking.api.in_stock", {
					item_code: row.item_code,
					warehouse: source,
					limit: required || 1000,
				})
				.then((r) => {
					append(r.message || []);
					check_now();
				});
		});
	}
	dialog.add_custom_action(__("Import SN codes"), () => {
		new frappe.ui.FileUploader({
			dialog_title: __("Import SN codes"),
			allow_multiple: false,
			restrictions: { allowed_file_types: [".xlsx"] },
			on_success: (file) => import_file(file.file_url),
		});
	});
	dialog.fields_dict.import_links.$wrapper.html(
		`<a class="small sn-template" href="/api/method/serial_tracking.api.import_template">${esc(
			__("Download the import template (xlsx)")
		)}</a>`
	);

	function text() {
		return dialog.get_value("codes") || "";
	}

	function append(codes) {
		const current = text().trim();
		dialog.set_value("codes", [current, ...codes].filter(Boolean).join("\n"));
	}

	// The document as Desk holds it, with this dialog's cartons on the row.
	function doc_to_send() {
		if (!frappe.meta.has_field(cdt, "sn_cartons")) return frm.doc;
		const table = serial_tracking.table_of(frm, cdt).table;
		const packed = JSON.stringify(kept_cartons());
		return {
			...frm.doc,
			[table]: (frm.doc[table] || []).map((r) =>
				r.name === cdn ? { ...r, sn_cartons: packed === "{}" ? "" : packed } : r
			),
		};
	}

	// The cartons with the codes the text still holds; empty ones left out.
	function kept_cartons(codes) {
		const present = new Set((codes || text().split(/[\s,;\u3001\uff0c\uff1b]+/)).map((c) => c.toUpperCase()));
		const kept = {};
		Object.entries(cartons).forEach(([name, list]) => {
			const inside = (list || []).filter((c) => present.has(String(c).toUpperCase()));
			if (inside.length) kept[name] = inside;
		});
		return kept;
	}

	function ask(value) {
		return frappe
			.call({
				method: "serial_tracking.api.check_row",
				args: { doc: doc_to_send(), row: cdn, text: value },
				type: "POST",
			})
			.then((r) => r.message);
	}

	function check_now() {
		clearTimeout(timer);
		const mine = ++asked;
		return ask(text()).then((m) => {
			if (mine === asked) render(m);
			return m;
		});
	}

	function check_later() {
		clearTimeout(timer);
		timer = setTimeout(check_now, serial_tracking.CHECK_DELAY);
	}

	function shown_problems(m) {
		// The counter tells the count; a row whose quantity follows its codes has no count to meet.
		return m.problems.filter((p) => p !== m.count_problem);
	}

	function follows(m) {
		return m.sets_qty && serial_tracking.qty_follows(frm, row);
	}

	function render(m) {
		last = m;
		required = m.required;
		toggle_carton(m.operation === "Receive" && frappe.meta.has_field(cdt, "sn_cartons"));
		const bad = m.codes.filter((c) => !c.ok);
		const good = m.codes.length - bad.length;
		const problems = shown_problems(m);
		let note = "";
		if (m.sets_qty && !serial_tracking.qty_follows(frm, row)) {
			note = __("The row's unit {0} is not its stock unit: Set leaves its quantity as it is", [
				esc(row.uom || ""),
			]);
		} else if (follows(m)) {
			if (good && good !== required) note = __("Set makes the row's quantity {0}", [good]);
		} else if (good < required) {
			note = __("{0} missing", [required - good]);
		} else if (good > required) {
			note = __("{0} too many", [good - required]);
		}
		const counted = good === required || (follows(m) && good > 0);
		const ok = !bad.length && !problems.length && counted;
		const lines = problems.map((p) => `<li>${esc(p)}</li>`);
		bad.slice(0, serial_tracking.MAX_SHOWN).forEach((c) => {
			const reason = esc(c.reason || "");
			lines.push(`<li>${c.entry ? __("Entry {0}: {1}", [c.entry, reason]) : reason}</li>`);
		});
		const more =
			bad.length > serial_tracking.MAX_SHOWN
				? `<div class="text-danger small sn-more">${esc(
						__("and {0} more", [format_number(bad.length - serial_tracking.MAX_SHOWN, null, 0)])
				  )}</div>`
				: "";
		dialog.fields_dict.state.$wrapper.html(`
			<div class="indicator-pill ${ok ? "green" : "orange"}">
				${esc(__("{0} entered / {1} required", [format_number(good, null, 0), format_number(required, null, 0)]))}
			</div>
			<span class="small text-muted ml-2 sn-note">${note}</span>
			${lines.length ? `<ul class="text-danger small mt-2">${lines.join("")}</ul>` : ""}
			${more}`);
	}

	function toggle_carton(show) {
		const field = dialog.fields_dict.carton;
		if (!!field.df.hidden === !show) return;
		field.df.hidden = show ? 0 : 1;
		field.refresh();
		show_carton();
	}

	function show_carton() {
		const state = dialog.fields_dict.carton_state.$wrapper;
		if (!carton) {
			state.html("");
			return;
		}
		const count = (cartons[carton] || []).length;
		state.html(`<div class="small sn-carton">${esc(__("Carton {0}: {1} codes", [carton, count]))}</div>`);
	}

	function scan_says(message, refused) {
		dialog.fields_dict.scan_state.$wrapper.html(
			message
				? `<div class="small sn-scan ${refused ? "text-danger" : "text-muted"}">${esc(message)}</div>`
				: ""
		);
		if (refused) serial_tracking.beep();
	}

	// One scan: read by the server (GS1, cartons), checked with the codes entered so far, and
	// added only when good; a refused scan sounds and says why next to the scan field.
	function scan(value) {
		return frappe
			.call({
				method: "serial_tracking.api.read_scan",
				args: { doc: doc_to_send(), row: cdn, scan: value },
				type: "POST",
			})
			.then((r) => {
				const read = r.message || {};
				const problems = read.problems || [];
				if (problems.length) {
					scan_says(problems.map((p) => p.message).join("; "), true);
					return;
				}
				const codes = read.codes || [];
				if (!codes.length) {
					scan_says(read.message || __("{0}: no SN code to add", [value]), true);
					return;
				}
				const before = text().trim();
				const candidate = [before, ...codes].filter(Boolean).join("\n");
				const mine = ++asked;
				return ask(candidate).then((m) => {
					const added = m.codes.slice(-codes.length);
					const refused = added.filter((c) => !c.ok);
					const taken = added.filter((c) => c.ok).map((c) => c.code);
					if (taken.length) {
						append(taken);
						if (carton) {
							cartons[carton] = [...(cartons[carton] || []), ...taken];
							show_carton();
						}
					}
					if (refused.length) {
						const first = refused[0].reason || "";
						scan_says(
							refused.length > 1
								? __("{0} (and {1} more codes of this scan refused)", [first, refused.length - 1])
								: first,
							true
						);
						check_now();
						return;
					}
					scan_says(read.message || "", false);
					if (mine === asked) render(m);
				});
			});
	}

	function import_file(file_url) {
		return frappe
			.call({
				method: "serial_tracking.api.read_import",
				args: { file_url: file_url, doc: doc_to_send(), row: cdn },
				type: "POST",
			})
			.then((r) => {
				const read = r.message || {};
				const problems = read.problems || [];
				if (read.codes && read.codes.length) append(read.codes);
				Object.entries(read.cartons || {}).forEach(([name, list]) => {
					cartons[name] = [...(cartons[name] || []), ...list];
				});
				if (problems.length) {
					const shown = problems.slice(0, serial_tracking.MAX_SHOWN);
					frappe.msgprint({
						title: __("SN codes not imported"),
						indicator: "orange",
						message:
							shown.map((p) => esc(p.message || p)).join("<br>") +
							(problems.length > shown.length
								? "<br>" + esc(__("and {0} more", [problems.length - shown.length]))
								: ""),
					});
				}
				return check_now();
			});
	}
	dialog.sn_import = import_file;

	function set_row(m) {
		const codes = m.codes.map((c) => c.code);
		const values = { sn_codes: codes.join("\n") };
		if (m.operation === "Receive" && frappe.meta.has_field(cdt, "sn_cartons")) {
			const packed = kept_cartons(codes);
			values.sn_cartons = Object.keys(packed).length ? JSON.stringify(packed) : "";
		}
		frappe.model.set_value(cdt, cdn, values);
		if (!m.sets_qty || !codes.length || codes.length === serial_tracking.row_qty(frm, row)) return;
		if (!serial_tracking.qty_follows(frm, row)) {
			frappe.show_alert({
				message: __("Row {0}: its unit is not the stock unit, so its quantity was left as it is", [row.idx]),
				indicator: "orange",
			});
			return;
		}
		frappe.model.set_value(cdt, cdn, "qty", codes.length);
	}

	dialog.fields_dict.codes.df.onchange = check_later;
	dialog.fields_dict.scan.$input.on("keydown", (e) => {
		if (e.key !== "Enter") return;
		e.preventDefault();
		const value = (dialog.get_value("scan") || "").trim();
		dialog.set_value("scan", "");
		if (value) scan(value);
	});
	// The carton field is made hidden, before it has its input: listened to through its wrapper.
	dialog.fields_dict.carton.$wrapper.on("keydown", "input", (e) => {
		if (e.key !== "Enter") return;
		e.preventDefault();
		const value = (dialog.get_value("carton") || "").trim();
		carton = value || null;
		if (carton) cartons[carton] = cartons[carton] || [];
		show_carton();
		dialog.fields_dict.scan.$input.focus();
		check_now();
	});
	dialog.show();
	// The code editor takes its value only once shown: check what the row carries.
	asked++;
	const opened = asked;
	ask(row.sn_codes || "").then((m) => {
		if (opened === asked) render(m);
	});
	serial_tracking.last_dialog = dialog;
	return dialog;
};

// Desk runs this file once for each document it loads, and every run would add its handlers
// again (one dialog per handler): each row doctype and each document gets its handlers once.
serial_tracking.sn_button_handled = serial_tracking.sn_button_handled || {};
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((parent) => {
	if (!serial_tracking.sn_button_handled[parent]) {
		serial_tracking.sn_button_handled[parent] = true;
		frappe.ui.form.on(parent, {
			refresh(frm) {
				serial_tracking.tables(parent).forEach(({ table, doctype }) => {
					(frm.doc[table] || []).forEach((r) => {
						if (r.sn_tracking) serial_tracking.toggle_erpnext_serials(frm, doctype, r.name);
					});
				});
			},
		});
	}
	serial_tracking.tables(parent).forEach(({ doctype: row_doctype }) => {
		if (serial_tracking.sn_button_handled[row_doctype]) return;
		serial_tracking.sn_button_handled[row_doctype] = true;
		frappe.ui.form.on(row_doctype, {
			sn_button(frm, cdt, cdn) {
				serial_tracking.open_dialog(frm, cdt, cdn);
			},
			form_render(frm, cdt, cdn) {
				serial_tracking.toggle_erpnext_serials(frm, cdt, cdn);
			},
			sn_tracking(frm, cdt, cdn) {
				serial_tracking.toggle_erpnext_serials(frm, cdt, cdn);
			},
		});
	});
});
