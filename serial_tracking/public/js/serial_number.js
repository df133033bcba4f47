// The Serial Number form. Its state (status, warehouse, last document, parties) is the ledger's: the
// stock documents set it, so a saved serial is shown read-only and without Save, except the one edit a
// manager may make by hand, moving a serial in stock to another warehouse (stock/in_stock_registration.py).
// Its buttons: "Traceability" (the Serial Traceability report of the serial), "Print label"
// (serial_tracking.labels, labels.js) and, for a manager, "Correct Code" (serial_tracking.api.correct_code).
// Below: the unit's figures, then its lives newest first (each receipt from a supplier opens one),
// each told in one line newest first: its story from serial_tracking.api.trace, written by the server
// in the user's language and date format and shown escaped, its documents linked when the user may
// open them. A click on a life's line opens its movements, newest first, cancelled ones struck through.
frappe.provide("serial_tracking.serial_number");

serial_tracking.serial_number.MANAGERS = ["Stock Manager", "System Manager"];

// A Datetime field's description has the time zone appended ("<description><br><zone>") before
// Desk translates it, so Desk looks up and misses the whole: its own words are translated here.
serial_tracking.serial_number.translate_posted_at = (frm) => {
	const field = frm.get_field("posted_at");
	if (!field || !field.df.description) return;
	const [text, ...zone] = field.df.description.split("<br>");
	const translated = [__(text), ...zone].join("<br>");
	if (translated !== field.df.description) {
		field.df.description = translated;
		field.set_description();
	}
};

serial_tracking.serial_number.is_manager = () =>
	serial_tracking.serial_number.MANAGERS.some((role) => frappe.user.has_role(role));

frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		serial_tracking.serial_number.translate_posted_at(frm);
		const sn = serial_tracking.serial_number;
		const wrapper = frm.get_field("history_html").$wrapper;
		if (frm.is_new()) {
			wrapper.empty();
			return;
		}
		sn.lock(frm);
		frm.add_custom_button(__("Traceability"), () =>
			frappe.set_route("query-report", "Serial Traceability", { serial_no: frm.doc.name })
		);
		if (serial_tracking.labels && serial_tracking.labels.print) {
			frm.add_custom_button(__("Print label"), () =>
				serial_tracking.labels.print({ codes: [frm.doc.name] })
			);
		}
		if (sn.is_manager()) {
			frm.add_custom_button(__("Correct Code"), () => sn.correct_code(frm));
		}
		wrapper
			.off("click.sn_story keydown.sn_story")
			.on("click.sn_story", ".sn-story", function (e) {
				if (!$(e.target).closest("a").length) sn.toggle($(this));
			})
			.on("keydown.sn_story", ".sn-story", function (e) {
				if (e.key === "Enter" || e.key === " ") {
					e.preventDefault();
					sn.toggle($(this));
				}
			});
		frappe
			.call({ method: "serial_tracking.api.trace", args: { serial_no: frm.doc.name } })
			.then((r) => wrapper.html(sn.story(r.message || {})));
	},
});

// A saved serial: its code and item never change here (Correct Code renames it); its warehouse is the
// one state field a manager may change, and only while the serial is in stock. Besides, a user who may
// write Serial Number sets its AMC end (a service contract, not the ledger's). Nothing else: no Save.
serial_tracking.serial_number.lock = function (frm) {
	const movable = serial_tracking.serial_number.is_manager() && frm.doc.status === "In Stock";
	const writable = Boolean(frm.perm && frm.perm[0] && frm.perm[0].write);
	["serial_no", "item_code"].forEach((field) => frm.set_df_property(field, "read_only", 1));
	frm.set_df_property("warehouse", "read_only", movable ? 0 : 1);
	frm.set_df_property("amc_expiry_date", "read_only", writable ? 0 : 1);
	if (movable) {
		frm.set_df_property(
			"warehouse",
			"description",
			__("A manager may move this serial to another warehouse in stock by hand.")
		);
	} else if (!writable) {
		frm.disable_save();
	}
};

serial_tracking.serial_number.correct_code = function (frm) {
	const esc = frappe.utils.escape_html;
	const old = frm.doc.name;
	const dialog = new frappe.ui.Dialog({
		title: __("Correct SN code {0}", [esc(old)]),
		fields: [
			{
				fieldname: "new_code",
				fieldtype: "Data",
				label: __("New Code"),
				reqd: 1,
				default: old,
				description: __(
					"The serial keeps its status, warehouse and history. Documents already submitted keep the code as printed."
				),
			},
		],
		primary_action_label: __("Correct"),
		primary_action({ new_code }) {
			frappe
				.call({
					method: "serial_tracking.api.correct_code",
					args: { serial_no: old, new_code },
					freeze: true,
				})
				.then((r) => {
					const renamed = r.message.serial_no;
					dialog.hide();
					frappe.show_alert({
						message: __("{0} is now {1}", [esc(old), esc(renamed)]),
						indicator: "green",
					});
					frappe.model.remove_from_locals("Serial Number", old);
					frappe.set_route("Form", "Serial Number", renamed);
				});
		},
	});
	dialog.show();
};

serial_tracking.serial_number.toggle = function ($line) {
	const open = $line.attr("aria-expanded") !== "true";
	$line.attr("aria-expanded", open ? "true" : "false");
	$line.find(".sn-caret").text(open ? "▾" : "▸");
	$line.siblings(".sn-movements").toggle(open);
};

serial_tracking.serial_number.days = function (days) {
	return days === 1 ? __("1 day") : __("{0} days", [days]);
};

serial_tracking.serial_number.figures = function (figures, with_lives) {
	if (!figures) return "";
	const esc = frappe.utils.escape_html;
	const shown = [
		["days_in_stock", __("In stock: {0}", [serial_tracking.serial_number.days(figures.days_in_stock)])],
		["days_with_customers", __("With customers: {0}", [serial_tracking.serial_number.days(figures.days_with_customers)])],
		[
			"returns",
			figures.returns_to_supplier
				? __("Returns: {0} (and {1} to the supplier)", [figures.returns, figures.returns_to_supplier])
				: __("Returns: {0}", [figures.returns]),
		],
	];
	if (with_lives) shown.push(["lives", __("Lives: {0}", [figures.lives])]);
	return shown
		.map(([key, text]) => `<span class="sn-figure" data-figure="${key}">${esc(text)}</span>`)
		.join(" · ");
};

serial_tracking.serial_number.story = function (traced) {
	const esc = frappe.utils.escape_html;
	const lives = traced.lives || [];
	if (!lives.length) {
		return `<p class="text-muted">${__("No movements")}</p>`;
	}
	const voucher = (step) => {
		const name = esc(step.voucher_no || "");
		return step.link
			? `<a href="/app/${encodeURIComponent(frappe.router.slug(step.voucher_type))}/${encodeURIComponent(
					step.voucher_no
			  )}">${name}</a>`
			: name;
	};
	const line = (life) =>
		(life.story || []).length
			? life.story
					.map(
						(step) =>
							`<span class="sn-step" data-kind="${esc(step.kind)}">${esc(step.text)} (${voucher(
								step
							)})</span>` + (step.stay ? ` · <span class="sn-stay">${esc(step.stay)}</span>` : "")
					)
					.join(" · ")
			: esc(life.summary || __("Cancelled movements only"));
	const movements = serial_tracking.serial_number.lives(lives);
	return (
		`<div class="sn-figures mb-2">${serial_tracking.serial_number.figures(traced.figures, true)}</div>` +
		lives
			.slice()
			.reverse()
			.map(
				(life) => `<div class="sn-life mb-2" data-life="${esc(String(life.life))}">
				<div class="sn-story" role="button" tabindex="0" aria-expanded="false" style="cursor: pointer">
					<span class="sn-caret text-muted">▸</span>
					<span class="text-muted">${esc(__("Life {0}", [life.life]))}</span> ·
					<span class="sn-summary">${line(life)}</span>
					${
						// a life's own figures, when they are not the unit's
						lives.length > 1
							? `<div class="sn-life-figures small text-muted">${serial_tracking.serial_number.figures(life.figures)}</div>`
							: ""
					}
				</div>
				<div class="sn-movements" style="display: none">${movements[life.life]}</div>
			</div>`
			)
			.join("")
	);
};

// Each life's movements, by the life's number: its heading and its table.
serial_tracking.serial_number.lives = function (lives) {
	const esc = frappe.utils.escape_html;
	const link = (doctype, name) =>
		doctype && name
			? `<a href="/app/${encodeURIComponent(frappe.router.slug(doctype))}/${encodeURIComponent(name)}">
				${esc(__(doctype))} ${esc(name)}</a>`
			: "";
	const arrow = (a, b) => `${esc(a || "")} → ${esc(b || "")}`;
	const shown = {};
	lives.forEach((life) => {
		const opening = life.opened_by;
		const heading = opening
			? __("Life {0}: {1}, {2}", [
					life.life,
					link(opening.voucher_type, opening.voucher_no),
					esc(frappe.datetime.str_to_user(opening.posting_date) || ""),
			  ]) + (opening.party ? ` · ${esc(opening.party)}` : "")
			: __("Life {0}", [life.life]);
		const rows = life.movements
			.slice()
			.reverse()
			.map((m) => {
				const strike = (html) => (m.is_cancelled ? `<s>${html}</s>` : html);
				const operation = m.previous_code
					? __("Code corrected from {0}", [esc(m.previous_code)])
					: esc(__(m.operation));
				const posted = `${esc(frappe.datetime.str_to_user(m.posting_date) || "")}
					${esc(String(m.posting_time || "").slice(0, 8))}`;
				const cells = [
					posted,
					operation + (m.is_cancelled ? ` (${esc(__("cancelled"))})` : ""),
					link(m.voucher_type, m.voucher_no),
					arrow(__(m.status_before || ""), __(m.status_after || "")),
					arrow(m.from_warehouse, m.to_warehouse),
					esc(m.party || ""),
				];
				return `<tr class="${m.is_cancelled ? "text-muted sn-cancelled" : ""}">
					${cells.map((c) => `<td>${strike(c)}</td>`).join("")}</tr>`;
			});
		shown[life.life] = `<h6 class="mt-2">${heading}</h6>
				<table class="table table-bordered small">
				<thead><tr><th>${__("Posted")}</th><th>${__("Operation")}</th><th>${__("Document")}</th>
				<th>${__("Status")}</th><th>${__("Warehouse")}</th><th>${__("Party")}</th></tr></thead>
				<tbody>${rows.join("")}</tbody></table>`;
	});
	return shown;
};
