// The SN dialog on the item rows of stock documents: scan, type or paste, generate by rule,
// pick from stock; shows entered / required and every bad entry with its reason.
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
	const required = serial_tracking.row_qty(frm, row);
	let timer = null;

	const dialog = new frappe.ui.Dialog({
		title: title,
		size: "large",
		fields: [
			{
				fieldname: "scan",
				fieldtype: "Data",
				label: __("Scan"),
				options: "Barcode",
				description: __("Scan one code after another; each is added below."),
			},
			{
				fieldname: "codes",
				fieldtype: "Code",
				label: __("SN codes"),
				default: row.sn_codes || "",
				description: __("One a line, or separated by spaces, tabs, commas or semicolons."),
			},
			{ fieldname: "state", fieldtype: "HTML" },
			{ fieldname: "rule_section", fieldtype: "Section Break", label: __("Generate by rule"), collapsible: 1 },
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
								frappe.msgprint(
									r.message.problems
										.map((p) => frappe.utils.escape_html(p.message))
										.join("<br>")
								);
								return;
							}
							append(r.message.codes);
						});
				},
			},
		],
		primary_action_label: __("Set"),
		primary_action: () => {
			// The row gets the codes as read (folded, one a line), and only when every entry is valid.
			clearTimeout(timer);
			check().then((m) => {
				if (m.problems.length) {
					frappe.show_alert({
						message: __("Correct or remove the entries listed first"),
						indicator: "orange",
					});
					return;
				}
				frappe.model.set_value(cdt, cdn, "sn_codes", m.codes.join("\n"));
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
				.then((r) => append(r.message || []));
		});
	}

	function append(codes) {
		const current = (dialog.get_value("codes") || "").trim();
		dialog.set_value("codes", [current, ...codes].filter(Boolean).join("\n"));
	}

	function check(text) {
		return frappe
			.call({
				method: "serial_tracking.api.parse_codes",
				args: { text: text ?? (dialog.get_value("codes") || "") },
				type: "POST",
			})
			.then((r) => {
				const m = r.message;
				const ok = m.codes.length === required && !m.problems.length;
				const lines = m.problems.map((p) => `<li>${frappe.utils.escape_html(p.message)}</li>`);
				dialog.fields_dict.state.$wrapper.html(`
					<div class="indicator-pill ${ok ? "green" : "orange"}">
						${__("{0} entered / {1} required", [m.codes.length, required])}
					</div>
					${lines.length ? `<ul class="text-danger small mt-2">${lines.join("")}</ul>` : ""}`);
				return m;
			});
	}

	dialog.fields_dict.codes.df.onchange = () => {
		clearTimeout(timer);
		timer = setTimeout(check, 300);
	};
	dialog.fields_dict.scan.$input.on("keydown", (e) => {
		if (e.key !== "Enter") return;
		e.preventDefault();
		const code = (dialog.get_value("scan") || "").trim();
		if (code) append([code]);
		dialog.set_value("scan", "");
		check();
	});
	dialog.show();
	// The code editor takes its value only once shown: check what the row carries.
	check(row.sn_codes || "");
};

// Desk runs this file once for each document it loads, and every run would add its handler
// again (one dialog per handler): the SN button of each row doctype gets its handler once.
serial_tracking.sn_button_handled = serial_tracking.sn_button_handled || {};
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((parent) => {
	serial_tracking.tables(parent).forEach(({ doctype: row_doctype }) => {
		if (serial_tracking.sn_button_handled[row_doctype]) return;
		serial_tracking.sn_button_handled[row_doctype] = true;
		frappe.ui.form.on(row_doctype, {
			sn_button(frm, cdt, cdn) {
				serial_tracking.open_dialog(frm, cdt, cdn);
			},
		});
	});
});
