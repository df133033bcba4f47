// The SN column of the item grids: a row of an SN-tracked item shows its codes entered / required
// (red while short, green when complete), drawn from the row's codes and its quantity in stock
// units as they are in the form, saved or not; one click opens the row's SN dialog, without the row
// form. The column's field (sn_count) holds nothing: its formatter draws it.
frappe.provide("serial_tracking");

serial_tracking.COUNT_FIELD = "sn_count";

// The table of the row's document the row belongs to, by its parent doctype (the formatter has
// the row only).
serial_tracking.row_table = function (row) {
	return serial_tracking.tables(row.parenttype).find((t) => t.doctype === row.doctype);
};

// The column's cell: "entered / required" for a row of an SN-tracked item, nothing for other rows.
serial_tracking.count_cell = function (value, df, options, row) {
	const table = row && row.sn_tracking && serial_tracking.row_table(row);
	if (!table) return "";
	const entered = serial_tracking.split_codes(row.sn_codes).length;
	const required = Math.abs(row[table.qty] || 0);
	const short = entered < required;
	// A submitted document's row without codes (an optional operation): nothing can be added now.
	const colour = entered !== required && row.docstatus !== 0 ? "gray" : short ? "red" : "green";
	const title =
		row.docstatus === 0 ? __("Enter the SN codes of row {0}", [row.idx]) : __("SN codes of row {0}", [row.idx]);
	return `<span class="st-sn-count indicator-pill no-indicator-dot ${colour}"
		data-doctype="${frappe.utils.escape_html(row.doctype)}" data-name="${frappe.utils.escape_html(row.name)}"
		title="${frappe.utils.escape_html(title)}" style="cursor: pointer">${entered} / ${required}</span>`;
};

// Give the column's field its formatter: in the doctype's meta, and in the copies of it forms
// already made (Desk copies each field once per document it shows).
// Answers whether a field was without it.
serial_tracking.draw_count_column = function (row_doctype) {
	let drawn = false;
	const give = (df) => {
		if (!df || df.formatter === serial_tracking.count_cell) return;
		df.formatter = serial_tracking.count_cell;
		drawn = true;
	};
	give((frappe.meta.docfield_map[row_doctype] || {})[serial_tracking.COUNT_FIELD]);
	Object.values(frappe.meta.docfield_copy[row_doctype] || {}).forEach((fields) =>
		give(fields[serial_tracking.COUNT_FIELD])
	);
	return drawn;
};

// Desk loads a row doctype's meta again with each document type that has it (a Sales Order, then
// the Delivery Note made from it), and the fields it makes then have no formatter: each refresh of a
// form gives them one, and draws a grid again whose cells were drawn without it.
serial_tracking.draw_count_columns = function (frm) {
	serial_tracking.tables(frm.doctype).forEach(({ doctype: row_doctype, table }) => {
		const grid = frm.fields_dict[table] && frm.fields_dict[table].grid;
		if (serial_tracking.draw_count_column(row_doctype) && grid) grid.refresh();
	});
};

// Draw one row's cell again (its codes or quantity changed in the form).
serial_tracking.refresh_count = function (frm, cdt, cdn) {
	const table = serial_tracking.table_of(frm, cdt);
	const grid = table && frm.fields_dict[table.table] && frm.fields_dict[table.table].grid;
	const grid_row = grid && grid.grid_rows_by_docname && grid.grid_rows_by_docname[cdn];
	if (grid_row) grid_row.refresh_field(serial_tracking.COUNT_FIELD);
};

// The row ERPNext's grid makes editable shows its inputs instead of its cells: this column keeps its
// cell (its field holds nothing to edit).
if (!document.getElementById("st-sn-column-style")) {
	const style = document.createElement("style");
	style.id = "st-sn-column-style";
	style.textContent = `
		.grid-static-col[data-fieldname="sn_count"] > .static-area { display: block !important; }
		.grid-static-col[data-fieldname="sn_count"] > .field-area { display: none !important; }
		.editable-row .grid-static-col[data-fieldname="sn_count"] { display: flex; align-items: center; }`;
	document.head.appendChild(style);
}

// One click on a cell opens the row's dialog. Listened to before the grid hears the click (the
// capture phase), so the grid neither opens the row form nor makes the row editable.
if (!serial_tracking.count_clicks) {
	serial_tracking.count_clicks = true;
	document.addEventListener(
		"click",
		(e) => {
			const cell = e.target.closest && e.target.closest(".st-sn-count");
			if (!cell) return;
			const { doctype, name } = cell.dataset;
			const row = locals[doctype] && locals[doctype][name];
			const frm = window.cur_frm;
			if (!row || !frm || frm.doc.name !== row.parent || frm.doctype !== row.parenttype) return;
			e.preventDefault();
			e.stopPropagation();
			serial_tracking.open_dialog(frm, doctype, name);
		},
		true
	);
}

// Desk runs this file once for each document it loads: each row doctype gets its handlers once.
serial_tracking.count_handled = serial_tracking.count_handled || {};
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((parent) => {
	if (!serial_tracking.count_handled[parent]) {
		serial_tracking.count_handled[parent] = true;
		frappe.ui.form.on(parent, { refresh: (frm) => serial_tracking.draw_count_columns(frm) });
	}
	serial_tracking.tables(parent).forEach(({ doctype: row_doctype, qty }) => {
		serial_tracking.draw_count_column(row_doctype);
		if (serial_tracking.count_handled[row_doctype]) return;
		serial_tracking.count_handled[row_doctype] = true;
		const refresh = (frm, cdt, cdn) => serial_tracking.refresh_count(frm, cdt, cdn);
		const handlers = { sn_codes: refresh, sn_tracking: refresh, qty: refresh, conversion_factor: refresh };
		handlers[qty] = refresh;
		frappe.ui.form.on(row_doctype, handlers);
	});
});
