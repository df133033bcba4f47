// Scan Barcode of stock documents: ERPNext's own field at the top of the form takes SN codes, carton
// codes and GS1 symbols of SN-tracked items. Each scan is asked of serial_tracking.api.scan_into_document
// with the form's document: the row it goes to (at the warehouse the unit is held at for a sale, or a new
// row), the codes it adds (checked as the SN dialog checks them) and the refused ones with their reasons.
// What is not ours (an ordinary item barcode, a batch, an ERPNext serial) goes to ERPNext's scanner as
// before. On a receipt the item's own barcode selects the row the new codes scanned next go to.
frappe.provide("serial_tracking.scan_barcode");

// Wrap ERPNext's BarcodeScanner once: transaction.js, stock_entry.js and stock_reconciliation.js all
// build one per scan and call process_scan, so wrapping it takes precedence over each of them.
serial_tracking.scan_barcode.install = function () {
	const Scanner = window.erpnext && erpnext.utils && erpnext.utils.BarcodeScanner;
	if (!Scanner || Scanner.prototype.serial_tracking_scan) return;
	const erpnext_scan = Scanner.prototype.process_scan;
	Scanner.prototype.serial_tracking_scan = erpnext_scan;
	Scanner.prototype.process_scan = function () {
		const frm = this.frm;
		const field = this.scan_barcode_field;
		const input = field && field.value;
		if (
			!input ||
			this.scan_field_name !== "scan_barcode" ||
			this.items_table_name !== "items" ||
			!serial_tracking.tables(frm.doctype).length
		) {
			return erpnext_scan.call(this);
		}
		field.set_value("");
		const scanner = this;
		// Scans come faster than answers: each waits for the one before, so two never add one row twice.
		const turn = (frm.serial_tracking_scans || Promise.resolve()).then(() =>
			serial_tracking.scan_barcode
				.ask(frm, input)
				.then((answer) => {
					if (answer && answer.ours) return serial_tracking.scan_barcode.apply(frm, answer);
					// ERPNext's scanner, reading the scan as it was entered.
					const erpnext_scanner = Object.create(scanner);
					erpnext_scanner.scan_barcode_field = { value: input, set_value: () => Promise.resolve() };
					return erpnext_scan.call(erpnext_scanner);
				})
				.catch(() => serial_tracking.beep())
				.finally(() => {
					// How many scans were answered: a test waits for the next.
					serial_tracking.scan_barcode.answers = (serial_tracking.scan_barcode.answers || 0) + 1;
				})
		);
		frm.serial_tracking_scans = turn;
		return turn;
	};
};

serial_tracking.scan_barcode.ask = function (frm, input) {
	// frappe.call answers with a jQuery promise: made a Promise, so that it has finally.
	return Promise.resolve(
		frappe.call({
			method: "serial_tracking.api.scan_into_document",
			args: { doc: frm.doc, scan: input, row: frm.serial_tracking_selected || null },
			type: "POST",
		})
	).then((r) => (r && r.message) || {});
};

serial_tracking.scan_barcode.apply = async function (frm, answer) {
	const refused = Object.keys(answer.refused || {});
	const codes = answer.codes || [];
	if (refused.length && !codes.length) {
		serial_tracking.scan_barcode.say(answer.message, "red");
		serial_tracking.beep();
		return;
	}
	const table = serial_tracking.tables(frm.doctype).find((t) => t.table === "items");
	let row = answer.row && locals[table.doctype] && locals[table.doctype][answer.row];
	if (!row) {
		// An empty row (a new document starts with one) is used, as ERPNext's scanner uses it.
		row = (frm.doc.items || []).find((r) => !r.item_code);
	}
	if (!row || !row.item_code) {
		if (!row) {
			row = frappe.model.add_child(frm.doc, table.doctype, "items");
			frm.script_manager.trigger("items_add", row.doctype, row.name);
		}
		frappe.flags.hide_serial_batch_dialog = true;
		const values = answer.new_row || { item_code: answer.item_code };
		try {
			await frappe.model.set_value(row.doctype, row.name, "item_code", values.item_code);
			// The item is SN-tracked (a scan is ours only then): the row says so at once, so that its
			// SN cell is drawn without waiting for Desk to fetch the item's flag.
			const places = { sn_tracking: 1 };
			["warehouse", "s_warehouse", "t_warehouse"].forEach((field) => {
				if (values[field]) places[field] = values[field];
			});
			await frappe.model.set_value(row.doctype, row.name, places);
		} finally {
			frappe.flags.hide_serial_batch_dialog = false;
		}
	}
	if (answer.selected || (answer.sets_qty && codes.length)) frm.serial_tracking_selected = row.name;
	if (codes.length) {
		const present = serial_tracking.split_codes(row.sn_codes);
		const all = present.concat(codes);
		await frappe.model.set_value(row.doctype, row.name, "sn_codes", all.join("\n"));
		// The quantity follows the codes: a receipt's as the SN dialog's Set makes it, any other row's
		// grows to hold them (a scan is a unit more, as ERPNext's scanner adds one).
		const qty = serial_tracking.row_qty(frm, row);
		const follows = serial_tracking.qty_follows(frm, row);
		if (follows && (answer.sets_qty ? qty !== all.length : qty < all.length)) {
			await frappe.model.set_value(row.doctype, row.name, "qty", all.length);
		}
	}
	frm.refresh_field("items");
	serial_tracking.scan_barcode.say(answer.message, refused.length ? "orange" : "green");
	if (refused.length) serial_tracking.beep();
};

// An answer as ERPNext's scanner announces its own: an alert; a refusal stays longer.
serial_tracking.scan_barcode.say = function (message, indicator) {
	if (!message) return;
	serial_tracking.scan_barcode.last = { message, indicator };
	frappe.show_alert(
		{ message: frappe.utils.escape_html(message), indicator },
		indicator === "green" ? 3 : 8
	);
};

serial_tracking.scan_barcode.install();
