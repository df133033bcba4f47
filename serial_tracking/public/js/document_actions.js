// Actions on submitted stock documents that moved SN codes: "Trace SN codes" opens the Serial
// Traceability report for the document; "Print SN labels" prints a label for each of its codes
// (when the label printing of serial_tracking.labels is there).
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
};

// Desk runs this file once for each document it loads: each doctype gets its handler once.
serial_tracking.document_actions_bound = serial_tracking.document_actions_bound || {};
// The stock documents that carry SN codes, as the server describes them at login.
Object.keys((frappe.boot.serial_tracking || {}).rows || {}).forEach((doctype) => {
	if (serial_tracking.document_actions_bound[doctype]) return;
	serial_tracking.document_actions_bound[doctype] = true;
	frappe.ui.form.on(doctype, { refresh: (frm) => serial_tracking.document_actions(frm) });
});
