// Barcode labels from anywhere in Desk: serial_tracking.labels.print(args) with one source,
// {codes: [...]}, {filters: {...}} (Serial Number Search) or {voucher_type, voucher_no}.
// A dialog chooses the layout and the format, then serial_tracking.api.print_labels makes
// a private file, opened (PDF) or downloaded (ZPL).
frappe.provide("serial_tracking.labels");

serial_tracking.labels.LAYOUT = "SN Label Layout";

serial_tracking.labels.print = function (args) {
	const source = serial_tracking.labels.source(args || {});
	if (!source) {
		frappe.msgprint({ title: __("Nothing to print"), message: __("Select at least one SN code"), indicator: "orange" });
		return Promise.resolve();
	}
	return frappe.db
		.get_value(serial_tracking.labels.LAYOUT, { is_default: 1, enabled: 1 }, "name")
		.then((r) => serial_tracking.labels.dialog(source, (r && r.message && r.message.name) || null));
};

serial_tracking.labels.source = function (args) {
	if (args.codes) {
		const codes = Array.isArray(args.codes) ? args.codes.filter(Boolean) : args.codes;
		return codes && codes.length ? { codes } : null;
	}
	if (args.filters) {
		return { filters: args.filters };
	}
	if (args.voucher_type && args.voucher_no) {
		return { voucher_type: args.voucher_type, voucher_no: args.voucher_no };
	}
	return null;
};

serial_tracking.labels.dialog = function (source, default_layout) {
	const count = source.codes && Array.isArray(source.codes) ? source.codes.length : null;
	const dialog = new frappe.ui.Dialog({
		title:
			count === 1
				? __("Print the SN label of {0}", [frappe.utils.escape_html(source.codes[0])])
				: count
				? __("Print {0} SN labels", [count])
				: __("Print SN labels"),
		fields: [
			{
				fieldname: "layout",
				fieldtype: "Link",
				options: serial_tracking.labels.LAYOUT,
				label: __("Layout"),
				reqd: 1,
				default: default_layout,
				get_query: () => ({ filters: { enabled: 1 } }),
				onchange: () => serial_tracking.labels.count(dialog, source),
			},
			{
				fieldname: "format",
				fieldtype: "Select",
				label: __("Format"),
				options: [
					{ value: "pdf", label: __("PDF") },
					{ value: "zpl", label: __("ZPL (Zebra printers)") },
				],
				default: "pdf",
				reqd: 1,
				onchange: () => serial_tracking.labels.count(dialog, source),
			},
			{ fieldname: "count", fieldtype: "HTML" },
		],
		primary_action_label: __("Print"),
		primary_action(values) {
			dialog.disable_primary_action();
			frappe
				.call({
					method: "serial_tracking.api.print_labels",
					args: Object.assign({}, source, { layout: values.layout, format: values.format }),
					freeze: true,
					freeze_message: __("Making labels…"),
				})
				.then((r) => {
					dialog.hide();
					serial_tracking.labels.open(r.message.file_url, values.format);
				})
				.always(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
	serial_tracking.labels.count(dialog, source);
	return dialog;
};

// Say before printing how many labels the print makes and on how many sheets of the layout.
serial_tracking.labels.count = function (dialog, source) {
	const values = dialog.get_values(true) || {};
	const field = dialog.get_field("count");
	if (!field || !values.layout) return Promise.resolve();
	const asked = (dialog._sn_counting = (dialog._sn_counting || 0) + 1);
	field.$wrapper.html(`<p class="text-muted sn-label-count">${__("Counting labels…")}</p>`);
	return frappe
		.call({
			method: "serial_tracking.api.count_labels",
			args: Object.assign({}, source, { layout: values.layout }),
		})
		.then((r) => {
			if (asked !== dialog._sn_counting) return; // a later layout or format was chosen meanwhile
			const c = r.message || {};
			let text;
			if (c.too_many) {
				text = __("More than {0} serials: one print makes at most {0} labels. Narrow the filters down.", [
					format_number(c.limit, null, 0),
				]);
				dialog.disable_primary_action();
			} else {
				const labels = format_number(c.labels, null, 0);
				text =
					values.format === "zpl"
						? c.labels === 1
							? __("1 label for the label printer.")
							: __("{0} labels for the label printer.", [labels])
						: c.labels === 1
						? __("1 label on 1 sheet.")
						: c.sheets === 1
						? __("{0} labels on 1 sheet ({1} a sheet).", [labels, format_number(c.per_sheet, null, 0)])
						: __("{0} labels on {1} sheets ({2} a sheet).", [
								labels,
								format_number(c.sheets, null, 0),
								format_number(c.per_sheet, null, 0),
						  ]);
				dialog.enable_primary_action();
			}
			field.$wrapper.html(
				`<p class="sn-label-count ${c.too_many ? "text-danger" : ""}"><b>${frappe.utils.escape_html(text)}</b></p>`
			);
		});
};

serial_tracking.labels.open = function (file_url, format) {
	serial_tracking.labels.last_file_url = file_url;
	if (format === "zpl") {
		const link = document.createElement("a");
		link.href = file_url;
		link.download = file_url.split("/").pop();
		document.body.appendChild(link);
		link.click();
		link.remove();
	} else {
		window.open(file_url, "_blank");
	}
	frappe.show_alert({
		message: __("Labels ready: {0}", [
			`<a href="${encodeURI(file_url)}" target="_blank" rel="noopener">${frappe.utils.escape_html(
				file_url.split("/").pop()
			)}</a>`,
		]),
		indicator: "green",
	}, 15);
};
