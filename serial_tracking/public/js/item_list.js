// Item list: switch SN tracking on or off for the selected items.
frappe.listview_settings["Item"] = frappe.listview_settings["Item"] || {};
(function () {
	const settings = frappe.listview_settings["Item"];
	const previous = settings.onload;

	function report(result) {
		const refused = (result.refused || [])
			.map((r) => `<li><b>${frappe.utils.escape_html(r.item_code)}</b>: ${frappe.utils.escape_html(r.reason)}</li>`)
			.join("");
		frappe.msgprint({
			title: __("SN tracking"),
			message:
				__("{0} items switched.", [(result.done || []).length]) +
				(refused ? `<p>${__("Refused:")}</p><ul>${refused}</ul>` : ""),
		});
	}

	function switch_items(listview, enable) {
		const items = listview.get_checked_items(true);
		if (!items.length) return;
		frappe.call("serial_tracking.api.set_tracking", { items, enable: enable ? 1 : 0 }).then((r) => {
			if (r.message.queued) {
				frappe.show_alert(__("Switching {0} items in the background", [r.message.count]));
				frappe.realtime.on("sn_tracking_switched", (result) => {
					report(result);
					listview.refresh();
				});
			} else {
				report(r.message);
				listview.refresh();
			}
		});
	}

	settings.onload = function (listview) {
		if (previous) previous(listview);
		listview.page.add_actions_menu_item(__("Enable SN Tracking"), () => switch_items(listview, true), false);
		listview.page.add_actions_menu_item(__("Disable SN Tracking"), () => switch_items(listview, false), false);
	};
})();
