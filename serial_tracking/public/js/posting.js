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

// A document handed to a background job as it was submitted or cancelled in this page
// (serial_tracking/stock/background.py): its form says so where Desk said "Submit this document to
// confirm" and offers no Submit or Cancel meanwhile (Frappe's lock would refuse it: "Document
// Queued"); it is followed until its job is done. Kept for this page only. A Serial Count says it
// from its own status (Posting).
serial_tracking.handed_over = serial_tracking.handed_over || {};
serial_tracking.HANDED_OVER_METHODS = {
	"frappe.desk.form.save.savedocs": "submit",
	"frappe.desk.form.save.cancel": "cancel",
};

serial_tracking.job_key = (doctype, name) => `${doctype}\n${name}`;

serial_tracking.note_hand_over = function (settings, xhr) {
	const method = (settings.url || "").split("/api/method/")[1];
	const action = serial_tracking.HANDED_OVER_METHODS[method];
	if (!action) return;
	const answer = xhr.responseJSON || {};
	let doctype, name;
	if (action === "submit") {
		// A submission answered with a draft: the server saved it and queued its job.
		const doc = (answer.docs || [])[0];
		const asked = new URLSearchParams(typeof settings.data === "string" ? settings.data : "");
		if (!doc || doc.docstatus !== 0 || asked.get("action") !== "Submit") return;
		if (doc.doctype === "Serial Count") return;
		[doctype, name] = [doc.doctype, doc.name];
	} else {
		// A cancellation refused because a job cancels the document.
		if (answer.exc_type !== "HandedOver" || !window.cur_frm || cur_frm.doc.docstatus !== 1) return;
		[doctype, name] = [cur_frm.doctype, cur_frm.docname];
	}
	serial_tracking.handed_over[serial_tracking.job_key(doctype, name)] = action;
	if (window.cur_frm && cur_frm.doctype === doctype && cur_frm.docname === name) {
		serial_tracking.show_hand_over(cur_frm);
	}
};

serial_tracking.show_hand_over = function (frm) {
	const key = serial_tracking.job_key(frm.doctype, frm.docname);
	const action = serial_tracking.handed_over[key];
	if (!action) return;
	if (frm.doc.docstatus !== (action === "submit" ? 0 : 1)) {
		delete serial_tracking.handed_over[key];
		return;
	}
	frm.dashboard.clear_headline();
	frm.dashboard.set_headline_alert(
		action === "submit"
			? __("Being submitted in the background; this form updates when it is done.")
			: __("Being cancelled in the background; this form updates when it is done."),
		"blue"
	);
	if (action === "submit") {
		frm.disable_save();
	} else {
		frm.page.clear_secondary_action();
	}
	serial_tracking.follow_job(frm, (doc) => doc.docstatus === (action === "submit" ? 0 : 1), () =>
		delete serial_tracking.handed_over[key]
	);
};

// Follow the background job of the document on ``frm`` while its form is shown: every 5 s, ask
// whether ``waiting(doc)`` still holds (docstatus, and status when it has one) and whether a new
// notification about it came (the job's last word, also when it was refused and left the document
// as it was). Then reload the form and tell that last word. Two reads a time: the document by its
// name, and its newest notification by the document's name (an index of Notification Log).
serial_tracking.follow_job = function (frm, waiting, on_done) {
	const doctype = frm.doctype;
	const name = frm.docname;
	const before = frm.doc.docstatus;
	const key = serial_tracking.job_key(doctype, name);
	serial_tracking.following_jobs = serial_tracking.following_jobs || {};
	if (serial_tracking.following_jobs[key]) return;
	const fields = ["docstatus"].concat(frappe.meta.has_field(doctype, "status") ? ["status"] : []);
	const shown = () => window.cur_frm && cur_frm.doctype === doctype && cur_frm.docname === name;
	const newest = () =>
		frappe.db
			.get_list("Notification Log", {
				filters: { document_type: doctype, document_name: name },
				fields: ["name", "subject"],
				order_by: "creation desc",
				limit: 1,
			})
			.then((found) => found[0] || { name: null });
	const job = { baseline: undefined };
	serial_tracking.following_jobs[key] = job;
	newest().then((found) => (job.baseline = found.name));
	const stop = () => {
		clearInterval(job.timer);
		delete serial_tracking.following_jobs[key];
	};
	job.timer = setInterval(() => {
		if (!shown()) return stop();
		if (job.baseline === undefined || job.asking) return;
		job.asking = true;
		Promise.all([frappe.db.get_value(doctype, name, fields), newest()])
			.then(([r, said]) => {
				const doc = (r && r.message) || {};
				const told = said.name !== job.baseline;
				if (waiting(doc) && !told) return;
				stop();
				on_done && on_done();
				if (!shown()) return;
				cur_frm.reload_doc().then(() => serial_tracking.tell_job_end(before, told && said));
			})
			.finally(() => (job.asking = false));
	}, 5000);
};

// The job's notification, as text: green when it did the work, orange (to be closed) when it was
// refused and left the document as it was (``before``: its docstatus then).
serial_tracking.tell_job_end = function (before, said) {
	if (!said || !said.subject) return;
	const text = new DOMParser().parseFromString(said.subject, "text/html").body.textContent || "";
	const message = frappe.utils.escape_html(text);
	if (window.cur_frm && cur_frm.doc.docstatus === before) {
		frappe.msgprint({ title: __("Not done"), message, indicator: "orange" });
	} else {
		frappe.show_alert({ message, indicator: "green" }, 10);
	}
};

if (!serial_tracking.hand_over_bound) {
	serial_tracking.hand_over_bound = true;
	$(document).ajaxComplete((event, xhr, settings) => serial_tracking.note_hand_over(settings, xhr));
	$(document).on("form-refresh", (event, frm) => {
		// After the form's own refresh, which sets its buttons.
		setTimeout(() => serial_tracking.show_hand_over(frm), 0);
	});
}

// "Show what blocks" in the message of a cancel refused because later documents moved the document's
// SN codes (serial_tracking/stock/events.py): the cancellation planner of document_actions.js on the
// document's form, opened there first when the message came elsewhere.
serial_tracking.show_what_blocks = function (args) {
	const { voucher_type, voucher_no } = args || {};
	if (!voucher_type || !voucher_no) return;
	frappe.hide_msgprint();
	const frm = window.cur_frm;
	if (frm && frm.doctype === voucher_type && frm.docname === voucher_no && serial_tracking.show_cancel_plan) {
		serial_tracking.show_cancel_plan(frm);
		return;
	}
	serial_tracking.plan_asked = `serial_tracking:cancel_chain:${voucher_type}:${voucher_no}`;
	frappe.set_route("Form", voucher_type, voucher_no);
};
