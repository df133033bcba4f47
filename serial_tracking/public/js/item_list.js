// Item list: switch SN tracking on or off for the selected items, or convert them from ERPNext's serials.
frappe.listview_settings["Item"] = frappe.listview_settings["Item"] || {};
(function () {
	const settings = frappe.listview_settings["Item"];
	const previous = settings.onload;

	// What happened to each item: switched, already so (nothing done) or refused with the reason; switching
	// on, the units in stock no SN code stands for, with the way to register them.
	function report(result, enable) {
		const esc = (value) => frappe.utils.escape_html(String(value ?? ""));
		const missing = {};
		for (const m of result.without_codes || []) missing[m.item_code] = m.units;
		const rows = [
			...(result.switched || []).map((item) => [item, enable ? __("Switched on") : __("Switched off")]),
			...(result.already || []).map((item) => [item, enable ? __("Already on") : __("Already off")]),
			...(result.refused || []).map((r) => [r.item_code, __("Refused: {0}", [esc(r.reason)])]),
		]
			.map(([item, outcome]) => {
				const units = missing[item]
					? `${__("{0} units in stock without SN codes", [missing[item]])}
						<button class="btn btn-xs btn-default sn-register" data-item="${esc(item)}">${__(
							"Adjust In-stock Serial Numbers"
						)}</button>`
					: "";
				return `<tr><td><b>${esc(item)}</b></td><td>${outcome}</td><td>${units}</td></tr>`;
			})
			.join("");
		const count = (key) => (result[key] || []).length;
		const headline = enable
			? __("{0} switched on, {1} already on, {2} refused.", [
					count("switched"),
					count("already"),
					count("refused"),
			  ])
			: __("{0} switched off, {1} already off, {2} refused.", [
					count("switched"),
					count("already"),
					count("refused"),
			  ]);
		const dialog = frappe.msgprint({
			title: __("SN tracking"),
			message: `<p class="sn-switch-headline">${headline}</p>
				<table class="table table-bordered small sn-switch-report"><tr><th>${__("Item")}</th>
				<th>${__("Result")}</th><th>${__("Units in stock without SN codes")}</th></tr>${rows}</table>${
					Object.keys(missing).length
						? `<p class="text-muted small">${__(
								"Register the SN codes of the units already in stock, or their items cannot be sold or moved with SN codes."
						  )}</p>`
						: ""
				}`,
			wide: true,
		});
		// Registering opens the item, whose form offers the registration dialog.
		dialog.$wrapper.find(".sn-register").on("click", function () {
			const item = $(this).attr("data-item");
			dialog.hide();
			serial_tracking_open_registration(item);
		});
	}

	function switch_items(listview, enable) {
		const items = listview.get_checked_items(true);
		if (!items.length) return;
		frappe.call("serial_tracking.api.set_tracking", { items, enable: enable ? 1 : 0 }).then((r) => {
			if (r.message.queued) {
				frappe.show_alert(__("Switching {0} items in the background", [r.message.count]));
				// One message per job: the listener goes once it has its answer.
				const on_switched = (result) => {
					frappe.realtime.off("sn_tracking_switched", on_switched);
					report(result, enable);
					listview.refresh();
				};
				frappe.realtime.on("sn_tracking_switched", on_switched);
			} else {
				report(r.message, enable);
				listview.refresh();
			}
		});
	}

	function serial_tracking_open_registration(item) {
		window.serial_tracking = window.serial_tracking || {};
		window.serial_tracking.register_on_open = item;
		frappe.set_route("Form", "Item", item);
	}

	settings.onload = function (listview) {
		if (previous) previous(listview);
		listview.page.add_actions_menu_item(__("Enable SN Tracking"), () => switch_items(listview, true), false);
		listview.page.add_actions_menu_item(__("Disable SN Tracking"), () => switch_items(listview, false), false);
		listview.page.add_actions_menu_item(
			__("Convert from ERPNext serials"),
			() => serial_tracking.conversion.start(listview.get_checked_items(true), () => listview.refresh()),
			false
		);
	};
})();
