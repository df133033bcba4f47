// Converting items from ERPNext's serial numbers to SN codes (Item form and Item list): the dry run's
// report first, then, confirmed, the conversion of the items that can be converted in a background job.
frappe.provide("serial_tracking.conversion");

serial_tracking.conversion.start = function (items, done) {
	if (!items.length) return;
	frappe
		.call({
			method: "serial_tracking.api.convert_from_erpnext_serials",
			args: { items, dry_run: 1 },
			type: "POST",
			freeze: true,
			freeze_message: __("Reading ERPNext's serial numbers..."),
		})
		.then((r) => serial_tracking.conversion.show(r.message || {}, done));
};

serial_tracking.conversion.report_html = function (reports) {
	// Everything from the server is escaped before it becomes HTML.
	const esc = (value) => frappe.utils.escape_html(String(value ?? ""));
	return reports
		.map((r) => {
			const arrivals = (r.arrivals || [])
				.map(
					(a) =>
						`<tr><td>${esc(__(a.status))}</td><td>${esc(a.warehouse || "")}</td><td>${esc(
							a.count
						)}</td></tr>`
				)
				.join("");
			const refusals = (r.refusals || []).map((line) => `<li>${esc(line)}</li>`).join("");
			const off = (r.off_format || []).map(esc).join(", ");
			return `<div class="sn-conversion-item" data-item="${esc(r.item_code)}">
				<h5>${esc(r.item_code)}: ${
					r.convertible
						? `<span class="indicator-pill green">${__("Can be converted")}</span>`
						: `<span class="indicator-pill red">${__("Cannot be converted")}</span>`
				}</h5>
				${
					arrivals
						? `<table class="table table-bordered small"><tr><th>${__("Status")}</th><th>${__(
								"Warehouse"
						  )}</th><th>${__("SN codes")}</th></tr>${arrivals}</table>
						<p class="small text-muted">${__("{0} movements of their history become the circulation log.", [
							r.movements || 0,
						])}</p>`
						: ""
				}
				${refusals ? `<p>${__("Cannot be carried over:")}</p><ul class="small">${refusals}</ul>` : ""}
				${
					r.left
						? `<p class="small text-muted">${__(
								"{0} serial numbers ERPNext made but never moved stay as ERPNext's history only.",
								[r.left]
						  )}</p>`
						: ""
				}
				${
					off
						? `<p class="small">${__("{0} codes do not match the item's SN code format: {1}", [
								r.off_format_count,
								off,
						  ])}</p>`
						: ""
				}
			</div>`;
		})
		.join("<hr>");
};

serial_tracking.conversion.show = function (answer, done) {
	const reports = answer.items || [];
	// A dry run reads a bounded number of serials a request: the items past them are checked next.
	const unchecked = answer.unchecked || [];
	const convertible = reports.filter((r) => r.convertible).map((r) => r.item_code);
	const dialog = new frappe.ui.Dialog({
		title: __("Convert from ERPNext serials"),
		size: "large",
		fields: [
			{ fieldtype: "HTML", fieldname: "report" },
			{
				fieldtype: "HTML",
				fieldname: "note",
				options: `<p class="small text-muted">${__(
					"Converting switches Has Serial No off and Track SN Codes on. Documents that moved these items with ERPNext's serial numbers can no longer be cancelled (make a return instead), and nothing can be posted before the conversion."
				)}</p>`,
			},
		],
		primary_action_label:
			convertible.length > 1
				? __("Convert {0} items", [convertible.length])
				: convertible.length
				? __("Convert")
				: __("Close"),
		primary_action() {
			dialog.hide();
			if (!convertible.length) return;
			frappe
				.call({
					method: "serial_tracking.api.convert_from_erpnext_serials",
					args: { items: convertible, dry_run: 0 },
					type: "POST",
				})
				.then(() => {
					frappe.show_alert({
						message: __("Converting {0} item(s) in the background", [convertible.length]),
						indicator: "blue",
					});
					// One message per job: the listener goes once it has its answer.
					const on_done = (results) => {
						frappe.realtime.off("sn_conversion_done", on_done);
						serial_tracking.conversion.results(results || []);
						if (done) done();
					};
					frappe.realtime.on("sn_conversion_done", on_done);
				});
		},
	});
	dialog.fields_dict.report.$wrapper.html(
		serial_tracking.conversion.report_html(reports) +
			(unchecked.length
				? `<hr><p class="sn-conversion-unchecked">${__(
						"{0} more items were not checked yet: check them once these are done.",
						[unchecked.length]
				  )}</p>`
				: "")
	);
	if (unchecked.length) {
		dialog.set_secondary_action_label(__("Check the next items"));
		dialog.set_secondary_action(() => {
			dialog.hide();
			serial_tracking.conversion.start(unchecked, done);
		});
	}
	dialog.show();
};

serial_tracking.conversion.results = function (results) {
	const esc = (value) => frappe.utils.escape_html(String(value ?? ""));
	const rows = results
		.map(
			(r) =>
				`<tr><td><b>${esc(r.item_code)}</b></td><td>${
					r.converted
						? esc(__("Converted: {0} SN codes", [r.serials]))
						: esc(__("Not converted: {0}", [r.reason]))
				}</td></tr>`
		)
		.join("");
	frappe.msgprint({
		title: __("Convert from ERPNext serials"),
		message: `<table class="table table-bordered small">${rows}</table>`,
		wide: true,
	});
};
