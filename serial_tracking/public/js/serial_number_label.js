// Serial Number form: print this serial's barcode label (serial_tracking.labels.print, labels.js).
frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		if (frm.is_new()) {
			return;
		}
		frm.add_custom_button(__("Print label"), () => serial_tracking.labels.print({ codes: [frm.doc.name] }));
	},
});
