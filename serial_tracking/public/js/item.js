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
				{ fieldname: "codes", fieldtype: "Code", label: __("SN codes"), reqd: 1 },
			],
			primary_action_label: __("Register"),
			primary_action(values) {
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
			},
		});
		dialog.show();
	});
}
