// Item: register the serials of units already in stock after switching SN tracking on.
frappe.ui.form.on("Item", {
	before_save(frm) {
		frm._sn_switched_on = frm.doc.sn_tracking && !frm.doc.__islocal && !frm._sn_was_on;
	},
	after_save(frm) {
		if (!frm._sn_switched_on) return;
		frm._sn_switched_on = false;
		// Switched on while the item has stock: ask for the serials of the units already there.
		frappe.call("serial_tracking.api.item_stock", { item_code: frm.doc.name }).then((r) => {
			if ((r.message || []).some((p) => p.missing > 0 || p.surplus > 0)) serial_tracking_register(frm);
		});
	},
	refresh(frm) {
		frm._sn_was_on = frm.doc.sn_tracking;
		if (!frm.is_new() && frm.doc.has_serial_no && !frm.doc.sn_tracking) {
			// An item on ERPNext's serial numbers: its dry run, then its conversion to SN codes.
			frm.add_custom_button(
				__("Convert from ERPNext serials"),
				() => serial_tracking.conversion.start([frm.doc.name], () => frm.reload_doc()),
				__("Actions")
			);
		}
		if (frm.is_new() || !frm.doc.sn_tracking) return;
		frm.add_custom_button(
			__("Adjust In-stock Serial Numbers"),
			() => serial_tracking_register(frm),
			__("Actions")
		);
		// Opened from the Item list's switch report to register the units in stock.
		const opening = window.serial_tracking || {};
		if (opening.register_on_open === frm.doc.name) {
			opening.register_on_open = null;
			serial_tracking_register(frm);
		}
	},
});

function serial_tracking_register(frm) {
	frappe.call("serial_tracking.api.item_stock", { item_code: frm.doc.name }).then((r) => {
		const places = r.message || [];
		// Everything from the server is escaped before it becomes HTML.
		const cell = (value) => `<td>${frappe.utils.escape_html(String(value ?? ""))}</td>`;
		const rows = places
			.map(
				(p) =>
					`<tr>${cell(p.warehouse)}${cell(p.qty)}${cell(p.registered)}${cell(p.missing)}${cell(
						p.surplus
					)}</tr>`
			)
			.join("");
		const dialog = new frappe.ui.Dialog({
			title: __("Register SN codes of {0}", [frappe.utils.escape_html(frm.doc.name)]),
			fields: [
				{
					fieldtype: "HTML",
					options: `<table class="table table-bordered small"><tr><th>${__("Warehouse")}</th>
						<th>${__("Quantity")}</th><th>${__("SN codes in stock")}</th><th>${__("To register")}</th>
						<th>${__("Too many")}</th></tr>
						${rows}</table>${
							places.some((p) => p.surplus > 0)
								? `<p class="text-muted small">${__(
										"Too many: more SN codes are in stock there than the warehouse holds. Count the warehouse with a Stock Reconciliation that lists the SN codes really there."
								  )}</p>`
								: ""
						}`,
				},
				{
					fieldname: "warehouse",
					fieldtype: "Link",
					options: "Warehouse",
					label: __("Warehouse"),
					reqd: 1,
					default: (places.find((p) => p.missing > 0) || {}).warehouse,
				},
				...serial_tracking.scan_fields(),
				{
					fieldname: "codes",
					fieldtype: "Code",
					label: __("SN codes"),
					reqd: 1,
					description: __("One a line, or separated by spaces, tabs, commas or semicolons."),
				},
				{ fieldname: "state", fieldtype: "HTML" },
			],
			primary_action_label: __("Register"),
			primary_action(values) {
				check_now().then((answer) => {
					if (!answer || answer.codes.some((c) => !c.ok) || answer.problems.length) {
						frappe.show_alert({
							message: __("Correct or remove the entries listed first"),
							indicator: "orange",
						});
						return;
					}
					register(values);
				});
			},
		});
		const register = (values) =>
			frappe
					.call("serial_tracking.api.register_serials", {
						item_code: frm.doc.name,
						warehouse: values.warehouse,
						codes: values.codes,
					})
					.then((res) => {
						dialog.hide();
						frappe.show_alert({
							message: __("{0} SN codes registered", [
								frappe.utils.escape_html(String(res.message.count)),
							]),
							indicator: "green",
						});
					});
		// The same scan box, counter and live check as the SN dialog (serial_tracking.ScanEntry).
		let asked = 0;
		let timer = null;
		const text = () => dialog.get_value("codes") || "";
		const ask = (value) =>
			dialog.get_value("warehouse")
				? frappe.xcall("serial_tracking.api.check_registration", {
						item_code: frm.doc.name,
						warehouse: dialog.get_value("warehouse"),
						text: value,
				  })
				: Promise.resolve(null);
		const render = (m) => {
			if (!m) return dialog.fields_dict.state.$wrapper.html("");
			const counter = serial_tracking.counter_of(m, {});
			dialog.fields_dict.state.$wrapper.html(serial_tracking.counter_html(counter, m.required));
		};
		const check_now = () => {
			clearTimeout(timer);
			const mine = ++asked;
			return ask(text()).then((m) => {
				if (mine === asked) render(m);
				return m;
			});
		};
		let scanned_text = null;
		const entry = new serial_tracking.ScanEntry({
			field: dialog.fields_dict.scan,
			state: dialog.fields_dict.scan_state.$wrapper,
			read: (scan) =>
				!dialog.get_value("warehouse")
					? Promise.resolve({ problems: [{ message: __("Choose the warehouse first") }] })
					: frappe
					.xcall("serial_tracking.api.parse_codes", { text: scan, item_code: frm.doc.name })
					.then((r) => ({
						codes: r.codes,
						problems: r.problems.concat(
							(r.cartons || []).map((c) => ({
								message: __("{0} is a carton: scan the units themselves", [c]),
							}))
						),
					})),
			accept: serial_tracking.ScanEntry.accept_by_check(
				() => serial_tracking.split_codes(text()),
				(codes) => {
					++asked;
					return ask(codes.join("\n"));
				},
				(taken) => {
					scanned_text = [text().trim(), ...taken].filter(Boolean).join("\n");
					dialog.set_value("codes", scanned_text);
				}
			),
			on_answer: () => check_now(),
		});
		dialog.fields_dict.codes.df.onchange = () => {
			// The editor reports a change a moment late, after the dialog may have closed.
			if (!dialog.display) return;
			if (text() !== scanned_text) entry.forget_unless(serial_tracking.split_codes(text()));
			clearTimeout(timer);
			timer = setTimeout(check_now, serial_tracking.CHECK_DELAY);
		};
		dialog.fields_dict.warehouse.df.onchange = () => dialog.display && check_now();
		// Closed (registered or not): no check is left to run, and a late answer is not drawn.
		dialog.on_hide = () => {
			clearTimeout(timer);
			++asked;
		};
		dialog.show();
		check_now();
		serial_tracking.last_registration = dialog;
	});
}
