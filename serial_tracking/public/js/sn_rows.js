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

// The tools of the SN dialog each operation takes (the check's answer names the operation):
// codes are generated or imported only where new codes come in, picked only where units leave.
serial_tracking.TOOLS = {
	generate: ["Receive", "Registration"],
	import: ["Receive", "Registration", "Count"],
	pick: ["Sell", "Issue", "Transfer", "Transfer Out", "Purchase Return"],
};

serial_tracking.offers = function (tool, operation) {
	return serial_tracking.TOOLS[tool].includes(operation);
};

// The fields of the SN dialog of ``row`` (``required`` codes).
serial_tracking.sn_dialog_fields = function (row, required) {
	return [
		...serial_tracking.scan_fields(),
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
		{ fieldname: "import_links", fieldtype: "HTML", hidden: 1 },
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
		{ fieldname: "generate", fieldtype: "Button", label: __("Generate") },
	];
};

// Codes made by the rule in the dialog's fields, or the rule's problems said.
serial_tracking.generate_by_rule = function (values) {
	return frappe
		.call("serial_tracking.api.generate_codes", {
			prefix: values.prefix || "",
			start: values.start || 0,
			increment: values.increment || 0,
			count: values.count || 0,
			width: values.width || 0,
		})
		.then((r) => {
			if (r.message.problems.length) {
				frappe.msgprint(r.message.problems.map((p) => frappe.utils.escape_html(p.message)).join("<br>"));
				return [];
			}
			return r.message.codes;
		});
};

// Pick units In Stock at ``warehouse``: a list of them (code, carton, the date each came there,
// oldest first) filtered by the start of a code or carton, to tick, or the N oldest taken at once.
// ``entered``: the codes the caller holds already (never offered again); ``wanted``: how many are
// still missing. Resolves to the codes picked ([] when closed).
serial_tracking.pick_from_stock = function ({ item_code, warehouse, entered, wanted }) {
	const esc = frappe.utils.escape_html;
	const PAGE = 50;
	return new Promise((resolve) => {
		let done = false;
		let units = [];
		let more = false;
		let asked = 0;
		const ticked = new Set();
		const dialog = new frappe.ui.Dialog({
			title: __("Pick {0} from stock at {1}", [esc(item_code), esc(warehouse)]),
			size: "large",
			fields: [
				{
					fieldname: "search",
					fieldtype: "Data",
					label: __("Code or carton starts with"),
				},
				{ fieldname: "cb", fieldtype: "Column Break" },
				{
					fieldname: "how_many",
					fieldtype: "Int",
					label: __("How many of the oldest"),
					default: wanted || 1,
					onchange: () =>
						dialog.set_secondary_action_label(
							__("Take the {0} oldest", [cint(dialog.get_value("how_many")) || 0])
						),
				},
				{ fieldname: "list_section", fieldtype: "Section Break" },
				{ fieldname: "units", fieldtype: "HTML" },
			],
			primary_action_label: __("Add ticked"),
			primary_action: () => finish(units.filter((u) => ticked.has(u.code)).map((u) => u.code)),
			secondary_action_label: __("Take the {0} oldest", [wanted || 1]),
			secondary_action: () => take_oldest(),
			on_hide: () => !done && resolve([]),
		});
		const $units = dialog.fields_dict.units.$wrapper;

		function finish(codes) {
			if (!codes.length) {
				frappe.show_alert({ message: __("Tick the units to add first"), indicator: "orange" });
				return;
			}
			done = true;
			dialog.hide();
			resolve(codes);
		}

		function ask(args) {
			return frappe.xcall("serial_tracking.api.stock_units", {
				item_code,
				warehouse,
				exclude: entered || [],
				...args,
			});
		}

		function take_oldest() {
			const count = dialog.get_value("how_many") || 0;
			if (count < 1) return;
			ask({ page_length: Math.min(count, 500) }).then((r) => {
				if (!r.units.length) return say_none();
				if (r.units.length < count) {
					frappe.show_alert({
						message: __("Only {0} units in stock at {1} could be taken", [r.units.length, esc(warehouse)]),
						indicator: "orange",
					});
				}
				finish(r.units.map((u) => u.code));
			});
		}

		function say_none() {
			const search = (dialog.get_value("search") || "").trim();
			$units.html(
				`<p class="text-muted sn-pick-none">${
					search
						? esc(__("No unit of {0} in stock at {1} has a code or carton starting with {2}", [item_code, warehouse, search]))
						: esc(__("No unit of {0} is in stock at {1} (besides those entered)", [item_code, warehouse]))
				}</p>`
			);
		}

		function load(start) {
			const mine = ++asked;
			const search = (dialog.get_value("search") || "").trim();
			return ask({ search, start, page_length: PAGE }).then((r) => {
				if (mine !== asked) return;
				units = start ? units.concat(r.units) : r.units;
				more = r.more;
				render();
			});
		}

		function render() {
			if (!units.length) return say_none();
			const rows = units
				.map(
					(u) => `<tr class="sn-pick-unit" data-code="${esc(u.code)}">
						<td><input type="checkbox" class="sn-pick-tick" ${ticked.has(u.code) ? "checked" : ""}></td>
						<td class="sn-pick-code">${esc(u.code)}</td>
						<td class="sn-pick-carton">${esc(u.carton || "")}</td>
						<td class="sn-pick-received">${esc(u.received ? frappe.datetime.str_to_user(u.received) : "")}</td>
					</tr>`
				)
				.join("");
			$units.html(`
				<table class="table table-sm table-hover small sn-pick-list">
					<thead><tr><th></th><th>${esc(__("SN code"))}</th><th>${esc(__("Carton"))}</th>
					<th>${esc(__("Received"))}</th></tr></thead>
					<tbody>${rows}</tbody>
				</table>
				<div class="small text-muted sn-pick-count">${esc(
					__("{0} ticked of {1} shown, oldest first", [ticked.size, units.length])
				)}</div>
				${more ? `<button class="btn btn-xs btn-default sn-pick-more">${esc(__("Show more"))}</button>` : ""}`);
		}

		$units.on("change", ".sn-pick-tick", (e) => {
			const code = $(e.target).closest(".sn-pick-unit").attr("data-code");
			if (e.target.checked) ticked.add(code);
			else ticked.delete(code);
			$units.find(".sn-pick-count").text(__("{0} ticked of {1} shown, oldest first", [ticked.size, units.length]));
		});
		$units.on("click", ".sn-pick-more", () => load(units.length));
		let timer = null;
		dialog.fields_dict.search.$input.on("input", () => {
			clearTimeout(timer);
			timer = setTimeout(() => load(0), serial_tracking.CHECK_DELAY);
		});
		dialog.show();
		load(0);
		serial_tracking.last_pick = dialog;
	});
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
	// The text as the scan box last left it: an edit of the text after it is the user's.
	let scanned_text = null;
	const cartons = serial_tracking.read_cartons(row.sn_cartons);
	let carton = null;

	const dialog = new frappe.ui.Dialog({
		title: title,
		size: "large",
		fields: serial_tracking.sn_dialog_fields(row, required),
		primary_action_label: __("Set", null, "SN dialog"),
		primary_action: () => {
			// The row gets the codes as read (folded, one a line), and only when every entry is good.
			clearTimeout(timer);
			check_now().then((m) => {
				if (m.codes.some((c) => !c.ok) || counter_of(m).problems.length) {
					frappe.show_alert({
						message: __("Correct or remove the entries listed first"),
						indicator: "orange",
					});
					return;
				}
				const counter = counter_of(m);
				if (!counter.changes_qty) {
					set_row(m);
					dialog.hide();
					return;
				}
				frappe.confirm(
					__("Row {0} is for {1} units and {2} SN codes are entered: make its quantity {2}?", [
						row.idx,
						format_number(serial_tracking.row_qty(frm, row), null, 0),
						counter.good,
					]),
					() => {
						set_row(m);
						dialog.hide();
					}
				);
			});
		},
	});
	dialog.fields_dict.generate.df.click = () =>
		serial_tracking.generate_by_rule(dialog.get_values(true)).then((codes) => {
			if (!codes.length) return;
			append(codes);
			check_now();
		});

	const source = serial_tracking.row_source(frm, row);
	dialog.add_custom_action(
		__("Pick from stock"),
		() =>
			serial_tracking
				.pick_from_stock({
					item_code: row.item_code,
					warehouse: source,
					entered: serial_tracking.split_codes(text()),
					wanted: Math.max(required - ((last && counter_of(last).good) || 0), 0),
				})
				.then((codes) => {
					if (!codes.length) return;
					append(codes);
					check_now();
				}),
		"sn-pick hide"
	);
	dialog.add_custom_action(
		__("Import SN codes"),
		() => {
			new frappe.ui.FileUploader({
				dialog_title: __("Import SN codes"),
				allow_multiple: false,
				restrictions: { allowed_file_types: [".xlsx"] },
				on_success: (file) => import_file(file.file_url),
			});
		},
		"sn-import hide"
	);
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
		const value = [current, ...codes].filter(Boolean).join("\n");
		dialog.set_value("codes", value);
		return value;
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
		const present = new Set((codes || serial_tracking.split_codes(text())).map((c) => c.toUpperCase()));
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
		if (text() !== scanned_text) entry.forget_unless(serial_tracking.split_codes(text()));
		timer = setTimeout(check_now, serial_tracking.CHECK_DELAY);
	}

	function counter_of(m) {
		const follows = m.sets_qty && serial_tracking.qty_follows(frm, row);
		return serial_tracking.counter_of(m, {
			follows,
			sets_qty_elsewhere: m.sets_qty && !follows,
			uom: row.uom,
			current_qty: format_number(serial_tracking.row_qty(frm, row), null, 0),
		});
	}

	function render(m) {
		last = m;
		required = m.required;
		const receives = m.operation === "Receive" && frappe.meta.has_field(cdt, "sn_cartons");
		toggle_carton(receives);
		offer_tools(m.operation);
		const counter = counter_of(m);
		dialog.fields_dict.state.$wrapper.html(serial_tracking.counter_html(counter, required));
		dialog
			.get_primary_btn()
			.text(counter.changes_qty ? __("Set quantity to {0}", [counter.good]) : __("Set", null, "SN dialog"));
	}

	// Only the tools the row's operation takes.
	function offer_tools(operation) {
		const generate = serial_tracking.offers("generate", operation);
		const imports = serial_tracking.offers("import", operation);
		const pick = !!source && serial_tracking.offers("pick", operation);
		set_shown("rule_section", generate);
		set_shown("import_links", imports);
		dialog.$wrapper.find(".custom-actions .sn-import").toggleClass("hide", !imports);
		dialog.$wrapper.find(".custom-actions .sn-pick").toggleClass("hide", !pick);
	}

	// Shows or hides a field or a whole section (its wrapper), touching it only when it changes.
	function set_shown(fieldname, shown) {
		const field = dialog.fields_dict[fieldname];
		if (!field.df.hidden === shown) return;
		dialog.set_df_property(fieldname, "hidden", shown ? 0 : 1);
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

	// One scan: read by the server (GS1, cartons), checked with the codes entered so far, and
	// added only when good; a refused scan sounds and says why next to the scan field.
	let scan_asked = 0;
	const entry = new serial_tracking.ScanEntry({
		field: dialog.fields_dict.scan,
		state: dialog.fields_dict.scan_state.$wrapper,
		read: serial_tracking.ScanEntry.read_row(doc_to_send, cdn),
		accept: serial_tracking.ScanEntry.accept_by_check(
			() => serial_tracking.split_codes(text()),
			(codes) => {
				scan_asked = ++asked;
				return ask([text().trim(), ...codes].filter(Boolean).join("\n"));
			},
			(taken) => {
				scanned_text = append(taken);
				if (carton) {
					cartons[carton] = [...(cartons[carton] || []), ...taken];
					show_carton();
				}
			}
		),
		on_answer: ({ refused, answer }) => {
			if (!answer) return;
			if (refused.length) return check_now();
			if (scan_asked === asked) render(answer);
		},
	});
	dialog.sn_entry = entry;

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
	serial_tracking.keep_row_form(frm, dialog, cdn);
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

// Desk closes the open row form whenever a dialog closes (its own and any stacked on it, such as the
// pick dialog): the row form the SN dialog was opened from is open again once the dialog is gone.
serial_tracking.keep_row_form = function (frm, dialog, cdn) {
	const open = frappe.ui.form.get_open_grid_form();
	if (!open || !open.doc || open.doc.name !== cdn) return;
	const field = open.grid.df.fieldname;
	dialog.$wrapper.on("hidden.bs.modal", () => {
		if (window.cur_frm !== frm || (window.cur_dialog && cur_dialog.display)) return;
		const grid = frm.fields_dict[field] && frm.fields_dict[field].grid;
		const row = grid && grid.grid_rows_by_docname[cdn];
		if (row && !frappe.ui.form.get_open_grid_form()) row.toggle_view(true);
	});
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
