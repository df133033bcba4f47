// What a document being submitted or cancelled waits for: another one holding the posting turn
// (serial_tracking/stock/posting.py). Shown over the "Submitting ..." screen and as an alert.
frappe.provide("serial_tracking");

if (!serial_tracking.posting_bound) {
	serial_tracking.posting_bound = true;
	frappe.realtime.on("serial_tracking_waiting", (data) => {
		const message = (data && data.message) || "";
		const $freeze = $("#freeze .freeze-message");
		if ($freeze.length) $freeze.text(message);
		frappe.show_alert({ message: frappe.utils.escape_html(message), indicator: "orange" }, 10);
	});
}
