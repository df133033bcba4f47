// ERPNext's after-sales documents with SN codes: a Warranty Claim's SN Code and each Maintenance Visit
// purpose's. A code typed or scanned fills what ERPNext fetches from its own Serial No (the item, the
// warranty and AMC ends, the Warranty / AMC Status on the claim's date) and the customer holding the
// unit, when the document has none yet (serial_tracking.api.sn_code_details, read as the user may
// read the unit). Saving checks it all again on the server, which refuses a unit of another item or
// one the customer does not hold (stock/after_sales.py).
frappe.provide("serial_tracking.after_sales");

serial_tracking.after_sales.details = function (sn_code, on) {
	return frappe
		.call({
			method: "serial_tracking.api.sn_code_details",
			args: { sn_code: sn_code, on: on || undefined },
			type: "GET",
		})
		.then((r) => r.message);
};

frappe.ui.form.on("Warranty Claim", {
	sn_code(frm) {
		serial_tracking.after_sales.fill_claim(frm);
	},
	complaint_date(frm) {
		if (frm.doc.sn_code) serial_tracking.after_sales.fill_claim(frm);
	},
});

serial_tracking.after_sales.fill_claim = function (frm) {
	const code = frm.doc.sn_code;
	if (!code) return;
	return serial_tracking.after_sales.details(code, frm.doc.complaint_date).then((unit) => {
		if (!unit || frm.doc.sn_code !== code) return;
		const values = {
			item_code: unit.item_code,
			warranty_expiry_date: unit.warranty_expiry_date || "",
			amc_expiry_date: unit.amc_expiry_date || "",
			warranty_amc_status: unit.warranty_amc_status || "",
		};
		if (!frm.doc.customer && unit.customer) values.customer = unit.customer;
		return frm.set_value(values);
	});
};

frappe.ui.form.on("Maintenance Visit Purpose", {
	sn_code(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		const code = row.sn_code;
		if (!code) return;
		serial_tracking.after_sales.details(code, frm.doc.mntc_date).then((unit) => {
			if (!unit || row.sn_code !== code) return;
			frappe.model.set_value(cdt, cdn, "item_code", unit.item_code);
			if (!frm.doc.customer && unit.customer) frm.set_value("customer", unit.customer);
		});
	},
});
