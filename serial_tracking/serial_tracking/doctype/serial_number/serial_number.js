// Serial Number: the unit's figures, then its lives newest first (each receipt from a supplier
// opens one), each told in one line: its story from serial_tracking.api.trace, written by the
// server in the user's language and shown escaped, its documents linked when the user may open
// them. A click on a life's line opens its movements, newest first as the history always showed
// them, cancelled movements struck through.
// "Traceability" opens the Serial Traceability report for the serial.
frappe.provide("serial_tracking.serial_number");

frappe.ui.form.on("Serial Number", {
	refresh(frm) {
		const wrapper = frm.get_field("history_html").$wrapper;
		if (frm.is_new()) {
			wrapper.empty();
			return;
		}
		frm.add_custom_button(__("Traceability"), () =>
			frappe.set_route("query-report", "Serial Traceability", { serial_no: frm.doc.name })
		);
		wrapper
			.off("click.sn_story keydown.sn_story")
			.on("click.sn_story", ".sn-story", function (e) {
				if (!$(e.target).closest("a").length) serial_number_toggle($(this));
			})
			.on("keydown.sn_story", ".sn-story", function (e) {
				if (e.key === "Enter" || e.key === " ") {
					e.preventDefault();
					serial_number_toggle($(this));
				}
			});
		frappe
			.call({ method: "serial_tracking.api.trace", args: { serial_no: frm.doc.name } })
			.then((r) => wrapper.html(serial_number_story(r.message || {})));
	},
});

function serial_number_toggle($line) {
	const open = $line.attr("aria-expanded") !== "true";
	$line.attr("aria-expanded", open ? "true" : "false");
	$line.find(".sn-caret").text(open ? "▾" : "▸");
	$line.siblings(".sn-movements").toggle(open);
}

function serial_number_days(days) {
	return days === 1 ? __("1 day") : __("{0} days", [days]);
}

function serial_number_figures(figures, with_lives) {
	if (!figures) return "";
	const esc = frappe.utils.escape_html;
	const shown = [
		["days_in_stock", __("In stock: {0}", [serial_number_days(figures.days_in_stock)])],
		["days_with_customers", __("With customers: {0}", [serial_number_days(figures.days_with_customers)])],
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
}

// The figures and the lives of a trace of a serial, as HTML (every name escaped).
serial_tracking.serial_number.story = serial_number_story;

function serial_number_story(traced) {
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
	const movements = serial_number_lives(lives);
	return (
		`<div class="sn-figures mb-2">${serial_number_figures(traced.figures, true)}</div>` +
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
							? `<div class="sn-life-figures small text-muted">${serial_number_figures(life.figures)}</div>`
							: ""
					}
				</div>
				<div class="sn-movements" style="display: none">${movements[life.life]}</div>
			</div>`
			)
			.join("")
	);
}

// Each life's movements, by the life's number: its heading and its table.
function serial_number_lives(lives) {
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
}
