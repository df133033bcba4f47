// One scan box for every place SN codes are scanned: the SN dialog, the POS prompt, the item's
// registration dialog and the Serial Count (ERPNext's own Scan Barcode field keeps its control and
// shares the server's reading, the splitting and the tone: scan_barcode.js). Loaded on every Desk page (app_include_js).
//
//   const entry = new serial_tracking.ScanEntry({
//       field,      // a Data control (e.g. dialog.fields_dict.scan); Enter in it ends one scan
//       state,      // optional: a jQuery element where the answer is said (default: below the field)
//       read,       // (scan) => Promise<{codes, problems, message}>: the scan read by the server
//                   //   (serial_tracking.api.read_scan: GS1, cartons); serial_tracking.ScanEntry.read_row
//                   //   makes one for a row of a document
//       accept,     // (codes) => Promise<{taken: [code], refused: [{code, reason}], answer}>: checks the
//                   //   codes read with those entered so far and adds the good ones (the caller keeps
//                   //   the codes; serial_tracking.ScanEntry.accept_by_check makes one from a check)
//       on_answer,  // optional: ({scan, taken, refused, message, answer, read}) after each scan
//       on_failure, // optional: (scan) after a scan whose call the server refused (its message is shown)
//   });
//   entry.say(message, refused)   say something next to the box (refused: red, with a tone)
//   entry.forget_unless(codes)     clear a refusal once none of the codes it refused is in ``codes``
//   entry.scan(value)              the same as typing ``value`` and Enter
//
// The component keeps nothing global: each box has its own answer. Scans are handled one after
// another, in the order they were made, so a fast scanner's codes are checked with each other.
// How a text of codes is split comes from the server (frappe.boot.serial_tracking.split).
frappe.provide("serial_tracking");

// The entries of a text of codes, split as the server splits them (core/codes.py split); for
// seeing which codes a text holds, not for judging them (the server reads and checks them).
serial_tracking.split_codes = function (text) {
	const pattern = (frappe.boot.serial_tracking || {}).split || "\\s+";
	return String(text || "")
		.split(new RegExp(pattern))
		.filter(Boolean);
};

// A dialog's scan box and the place of its answer, for a ScanEntry on fields "scan" and "scan_state".
serial_tracking.scan_fields = function () {
	return [
		{
			fieldname: "scan",
			fieldtype: "Data",
			label: __("Scan"),
			options: "Barcode",
			description: __("Scan one code after another; each is checked and added below."),
		},
		{ fieldname: "scan_state", fieldtype: "HTML" },
	];
};

// At most this many refused entries are listed in the dialog; the rest are counted.
serial_tracking.MAX_SHOWN = 200;
// Milliseconds of quiet after typing before the codes are checked.
serial_tracking.CHECK_DELAY = 400;

// What the counter of a check's answer ``m`` says: {ok, note, lines, more, good, changes_qty}.
// ``follows``: the row's quantity follows its codes (a receipt in stock units).
serial_tracking.counter_of = function (m, { follows, sets_qty_elsewhere, uom, current_qty }) {
	const esc = frappe.utils.escape_html;
	const required = m.required;
	const bad = m.codes.filter((c) => !c.ok);
	const good = m.codes.length - bad.length;
	// The counter tells the count; a row whose quantity follows its codes has no count to meet.
	const problems = m.problems.filter((p) => p !== m.count_problem);
	let note = "";
	let changes_qty = false;
	if (sets_qty_elsewhere) {
		note = __("The row's unit {0} is not its stock unit: Set leaves its quantity as it is", [esc(uom || "")]);
	} else if (follows) {
		if (good && good !== required) {
			changes_qty = true;
			note = __("Set will make the row's quantity {0} (it is {1})", [good, current_qty]);
		}
	} else if (good < required) {
		note = __("{0} missing", [required - good]);
	} else if (good > required) {
		note = __("{0} too many", [good - required]);
	}
	// A count that changes the row's quantity is orange until Set: the quantity is not met yet.
	const ok = !bad.length && !problems.length && (good === required || (follows && good > 0 && !changes_qty));
	const lines = problems.map((p) => `<li>${esc(p)}</li>`);
	bad.slice(0, serial_tracking.MAX_SHOWN).forEach((c) => {
		const reason = esc(c.reason || "");
		lines.push(`<li>${c.entry ? __("Entry {0}: {1}", [c.entry, reason]) : reason}</li>`);
	});
	const more = bad.length > serial_tracking.MAX_SHOWN ? bad.length - serial_tracking.MAX_SHOWN : 0;
	return { ok, note, lines, more, good, bad, problems, changes_qty };
};

// The counter's HTML: "N entered / M required", a note and the refused entries.
serial_tracking.counter_html = function (counter, required) {
	const esc = frappe.utils.escape_html;
	const more = counter.more
		? `<div class="text-danger small sn-more">${esc(__("and {0} more", [format_number(counter.more, null, 0)]))}</div>`
		: "";
	return `
		<div class="indicator-pill ${counter.ok ? "green" : "orange"}">
			${esc(
				__("{0} entered / {1} required", [
					format_number(counter.good, null, 0),
					format_number(required, null, 0),
				])
			)}
		</div>
		<span class="small text-muted ml-2 sn-note">${counter.note}</span>
		${counter.lines.length ? `<ul class="text-danger small mt-2">${counter.lines.join("")}</ul>` : ""}
		${more}`;
};

// A short tone (440 Hz, 150 ms): a person at a scanner looks at the goods, not at the screen.
serial_tracking.beep = function () {
	serial_tracking.beeps = (serial_tracking.beeps || 0) + 1;
	try {
		const Context = window.AudioContext || window.webkitAudioContext;
		if (!Context) return;
		serial_tracking.audio = serial_tracking.audio || new Context();
		const audio = serial_tracking.audio;
		if (audio.state === "suspended") audio.resume();
		const tone = audio.createOscillator();
		const volume = audio.createGain();
		tone.type = "square";
		tone.frequency.value = 440;
		volume.gain.value = 0.2;
		tone.connect(volume);
		volume.connect(audio.destination);
		tone.start();
		tone.stop(audio.currentTime + 0.15);
	} catch (e) {
		// No sound on this device: the reason is shown all the same.
	}
};

serial_tracking.ScanEntry = class ScanEntry {
	constructor({ field, state, read, accept, on_answer, on_failure }) {
		this.field = field;
		this.read = read;
		this.accept = accept;
		this.on_answer = on_answer || (() => {});
		this.on_failure = on_failure || (() => {});
		this.refused_codes = [];
		this.queue = Promise.resolve();
		this.$state = state || $('<div class="sn-scan-state"></div>').appendTo(field.$wrapper);
		// A Data field made hidden has no input yet: listened to through its wrapper.
		field.$wrapper.on("keydown", "input", (e) => {
			if (e.key !== "Enter") return;
			// Not the dialog's primary action: Enter ends one scan.
			e.preventDefault();
			e.stopPropagation();
			const value = String($(e.target).val() || "").trim();
			$(e.target).val("");
			if (field.set_value) field.set_value("");
			if (value) this.scan(value);
		});
	}

	say(message, refused) {
		this.$state.html(
			message
				? `<div class="small sn-scan ${refused ? "text-danger" : "text-muted"}">${frappe.utils.escape_html(
						message
				  )}</div>`
				: ""
		);
		if (!refused) this.refused_codes = [];
		if (refused) serial_tracking.beep();
	}

	// After the codes were edited: a refusal of codes no longer entered has nothing more to say.
	forget_unless(codes) {
		if (!this.refused_codes.length) return;
		const present = new Set((codes || []).map((c) => String(c).toUpperCase()));
		if (this.refused_codes.some((c) => present.has(c))) return;
		this.refused_codes = [];
		this.$state.html("");
	}

	scan(value) {
		// A call the server refused has shown its message already (frappe.xcall): the tone says so.
		this.queue = this.queue
			.then(() => this.handle(value))
			.catch(() => {
				serial_tracking.beep();
				this.on_failure(value);
			});
		return this.queue;
	}

	async handle(value) {
		const read = (await this.read(value)) || {};
		const problems = read.problems || [];
		if (problems.length) {
			this.say(problems.map((p) => p.message || p).join("; "), true);
			this.refused_codes = [value.toUpperCase()];
			return this.on_answer({ scan: value, taken: [], refused: problems, message: read.message, read });
		}
		const codes = read.codes || [];
		if (!codes.length) {
			this.say(read.message || __("{0}: no SN code to add", [value]), true);
			return this.on_answer({ scan: value, taken: [], refused: [], message: read.message, read });
		}
		const { taken = [], refused = [], answer } = (await this.accept(codes)) || {};
		if (refused.length) {
			const first = refused[0].reason || "";
			this.say(
				refused.length > 1
					? __("{0} (and {1} more codes of this scan refused)", [first, refused.length - 1])
					: first,
				true
			);
			this.refused_codes = refused.map((r) => String(r.code || "").toUpperCase());
		} else {
			this.say(read.message || "", false);
		}
		return this.on_answer({ scan: value, taken, refused, message: read.message, answer, read });
	}
};

// A reader of scans for row ``row`` of a document as Desk holds it; ``doc`` is the document or a
// function giving it at the time of the scan.
serial_tracking.ScanEntry.read_row = (doc, row) => (scan) =>
	frappe.xcall(
		"serial_tracking.api.read_scan",
		{ doc: typeof doc === "function" ? doc() : doc, row: typeof row === "function" ? row() : row, scan },
		"POST"
	);

// An ``accept`` from a check: ``current()`` gives the codes entered so far, ``check(codes)`` resolves
// to [{code, ok, reason}] for all of them in order (serial_tracking.api.check_row answers ``codes``),
// or to {codes: [...]} with more of the answer; ``add(taken, answer)`` keeps the good new ones.
serial_tracking.ScanEntry.accept_by_check = (current, check, add) => async (codes) => {
	const answer = await check(current().concat(codes));
	const entries = Array.isArray(answer) ? answer : answer.codes;
	const added = entries.slice(-codes.length);
	const taken = added.filter((c) => c.ok).map((c) => c.code);
	const refused = added.filter((c) => !c.ok);
	if (taken.length) await add(taken, answer);
	return { taken, refused, answer };
};
