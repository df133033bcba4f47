// Point of Sale: SN codes for SN-tracked items (docs/pos.md). Adding such an item asks for its
// codes (scan, type or pick from stock); an SN code scanned into the search adds its item with
// that code; the cart line's quantity is the count of its codes (minus the count on a return).
// A return made from a past order starts its SN-tracked lines without codes: the cashier scans
// or picks the units that come back, among those the order sold.
// Extends ERPNext's own classes: erpnext.PointOfSale.Controller, ItemSelector, ItemCart, ItemDetails.
frappe.provide("serial_tracking.pos");

(() => {
	const pos = serial_tracking.pos;
	const esc = (text) => frappe.utils.escape_html(text || "");
	const tracked = {};

	pos.codes_of = (row) => serial_tracking.split_codes(row && row.sn_codes);

	pos.is_tracked = (item_code) => {
		if (!(item_code in tracked)) {
			tracked[item_code] = frappe.xcall("serial_tracking.api.is_tracked", { item_code });
			tracked[item_code].catch(() => delete tracked[item_code]);
		}
		return tracked[item_code];
	};

	// The cart's quantity for ``count`` codes: negative on a return.
	pos.qty_of = (controller, count) => (controller.frm.doc.is_return && count ? -count : count);

	// The return in the cart, when it is made from a past order: {against, sold: {original row: codes}},
	// the codes each original row sold (ERPNext's make_sales_return copies them onto the return's row,
	// which names its original row in ``pos_invoice_item``).
	pos.return_of = (controller) => {
		const doc = controller.frm.doc;
		const found = controller.sn_return;
		return doc.is_return && found && found.against === doc.return_against ? found : null;
	};

	// The codes the original row of a return line sold, or null for a line of no original row.
	pos.sold_on = (back, row) =>
		(back && row && row.pos_invoice_item && back.sold[row.pos_invoice_item]) || null;

	pos.refused = (message) => {
		frappe.show_alert({ message, indicator: "red" }, 8);
		serial_tracking.beep();
	};

	// The invoice as it would be with ``codes`` on the item's row (added, when the cart has none).
	function with_codes(controller, item, row, codes) {
		const doc = controller.frm.doc;
		const name = (row && row.name) || "new-pos-invoice-item-sn";
		const factor = flt((row && row.conversion_factor) || item.conversion_factor) || 1;
		const line = {
			...(row || {}),
			doctype: "POS Invoice Item",
			name,
			idx: (row && row.idx) || (doc.items || []).length + 1,
			item_code: item.item_code,
			uom: (row && row.uom) || item.uom,
			stock_uom: (row && row.stock_uom) || item.stock_uom || item.uom,
			conversion_factor: factor,
			warehouse: (row && row.warehouse) || controller.settings.warehouse,
			qty: pos.qty_of(controller, codes.length),
			stock_qty: pos.qty_of(controller, codes.length) * factor,
			sn_codes: codes.join("\n"),
		};
		const items = (doc.items || []).filter((r) => r.name !== name).concat([line]);
		return { doc: { ...doc, items }, row: name };
	}

	// What submit would say of each code on the row: {code, ok, reason} (serial_tracking.api.check_row).
	pos.check = async (controller, item, row, codes) => {
		const { doc, row: name } = with_codes(controller, item, row, codes);
		const answer = await frappe.xcall("serial_tracking.api.check_row", {
			doc,
			row: name,
			text: codes.join("\n"),
		});
		return answer.codes;
	};

	// One scan or typed entry read for the row (a GS1 string, a carton, a code):
	// {codes, message, problems: [{message}]} (serial_tracking.api.read_scan).
	pos.read = (controller, item, row, codes, scan) => {
		const { doc, row: name } = with_codes(controller, item, row, codes);
		return frappe.xcall("serial_tracking.api.read_scan", { doc, row: name, scan });
	};

	// Ask for the codes of the item's row; resolves to the codes chosen, or null when dismissed.
	// The scan box is the one of the SN dialog (serial_tracking.ScanEntry): each scan is read for the
	// row (a GS1 symbol, a carton, a code) and checked with the codes taken so far, as submit would.
	// On a return from a past order the codes offered are those the order sold that may still come
	// back; elsewhere those In Stock at the profile's warehouse.
	pos.prompt = (controller, item, row) =>
		new Promise((resolve) => {
			let codes = pos.codes_of(row);
			let done = false;
			const warehouse = (row && row.warehouse) || controller.settings.warehouse;
			const back = pos.return_of(controller);
			const dialog = new frappe.ui.Dialog({
				title: __("SN codes of {0}", [esc(item.item_code)]),
				fields: [
					...(back
						? [
								{
									fieldname: "return_note",
									fieldtype: "HTML",
									options: `<p class="text-muted st-pos-return-note">${__(
										"Return of {0}: scan each unit the customer brings back, or pick it below.",
										[esc(back.against)]
									)}</p>`,
								},
						  ]
						: []),
					...serial_tracking.scan_fields(),
					{ fieldname: "codes_html", fieldtype: "HTML" },
					{
						fieldname: "pick_section",
						fieldtype: "Section Break",
						label: back ? __("Sold on {0}", [esc(back.against)]) : __("In stock at {0}", [esc(warehouse)]),
					},
					{ fieldname: "pick", fieldtype: "HTML" },
				],
				primary_action_label: __("Done"),
				primary_action: () => {
					done = true;
					dialog.hide();
					resolve(codes);
				},
				on_hide: () => !done && resolve(null),
			});
			const $codes = dialog.fields_dict.codes_html.$wrapper;
			const $pick = dialog.fields_dict.pick.$wrapper;
			let in_stock = [];

			const render = () => {
				const chips = codes
					.map(
						(code) => `<span class="st-pos-code indicator-pill green" data-code="${esc(code)}">
							${esc(code)} <a class="st-pos-remove" title="${__("Remove")}">&times;</a></span>`
					)
					.join(" ");
				$codes.html(
					`<div class="st-pos-count text-muted">${__("{0} SN codes", [codes.length])}</div>
					<div class="st-pos-codes" style="display:flex;flex-wrap:wrap;gap:4px;margin:6px 0">${chips}</div>`
				);
				const free = in_stock.filter((code) => !codes.includes(code));
				$pick.html(
					free.length
						? free
								.map(
									(code) =>
										`<button class="btn btn-xs btn-default st-pos-pick" data-code="${esc(code)}">${esc(
											code
										)}</button>`
								)
								.join(" ")
						: `<span class="text-muted">${__("None")}</span>`
				);
			};

			const entry = new serial_tracking.ScanEntry({
				field: dialog.fields_dict.scan,
				state: dialog.fields_dict.scan_state.$wrapper,
				read: (scan) => pos.read(controller, item, row, codes, scan),
				accept: serial_tracking.ScanEntry.accept_by_check(
					() => codes,
					(all) => pos.check(controller, item, row, all),
					(taken) => {
						codes = codes.concat(taken);
						render();
					}
				),
			});
			$codes.on("click", ".st-pos-remove", (e) => {
				const code = $(e.currentTarget).closest(".st-pos-code").attr("data-code");
				codes = codes.filter((c) => c !== code);
				entry.forget_unless(codes);
				render();
			});
			$pick.on("click", ".st-pos-pick", (e) => entry.scan($(e.currentTarget).attr("data-code")));

			render();
			dialog.show();
			dialog.$wrapper.on("shown.bs.modal", () => dialog.fields_dict.scan.set_focus());
			const offered = back
				? pos.returnable(controller, item, row, back)
				: frappe.xcall("serial_tracking.api.in_stock", {
						item_code: item.item_code,
						warehouse,
						limit: 200,
				  });
			offered.then((found) => {
				// Codes another line of the cart carries are not offered.
				const taken = new Set(
					(controller.frm.doc.items || []).filter((r) => r !== row).flatMap(pos.codes_of)
				);
				in_stock = found.filter((code) => !taken.has(code));
				render();
			});
		});

	// The codes the original row of a return line sold that may still come back (the return's own
	// check of them all: a unit returned already is left out).
	pos.returnable = async (controller, item, row, back) => {
		const sold = pos.sold_on(back, row) || [];
		if (!sold.length) return [];
		const answers = await pos.check(controller, item, row, sold);
		const good = new Set(answers.filter((a) => a.ok).map((a) => a.code));
		return sold.filter((code) => good.has(code));
	};

	// Set the row's codes, its quantity their count; a row left without codes leaves the cart.
	// On a return, a line of the original's left without codes stays in the cart at quantity 0 (a unit
	// scanned later finds it); checkout leaves such lines out.
	pos.apply = async (controller, item, row, codes, add_row) => {
		if (row && row.name) {
			const back = pos.return_of(controller);
			if (!codes.length && !pos.sold_on(back, row)) return pos.remove(controller, row);
			await frappe.model.set_value(row.doctype, row.name, "sn_codes", codes.join("\n"));
			await frappe.model.set_value(row.doctype, row.name, "qty", pos.qty_of(controller, codes.length));
			controller.update_cart_html(row);
			return row;
		}
		if (!codes.length) return;
		const qty = pos.qty_of(controller, codes.length);
		const added = await add_row({ field: "qty", value: qty, item });
		if (added && added.name) {
			// ERPNext fills the new row from the item (its quantity included): the codes decide.
			await frappe.model.set_value(added.doctype, added.name, "sn_codes", codes.join("\n"));
			if (added.qty !== qty) {
				await frappe.model.set_value(added.doctype, added.name, "qty", qty);
			}
			controller.update_cart_html(added);
		}
		return added;
	};

	pos.remove = async (controller, row) => {
		if (controller.item_details.current_item.name === row.name) return controller.remove_item_from_cart();
		await frappe.model.set_value(row.doctype, row.name, "qty", 0);
		frappe.model.clear_doc(row.doctype, row.name);
		controller.update_cart_html(row, true);
	};

	// An SN code scanned or typed into the search: its item, with that code, into the cart.
	pos.add_scanned = async (controller, found) => {
		const { message } = await controller.item_selector.get_items({ search_term: found.item_code });
		const entry = (message.items || []).find((i) => i.item_code === found.item_code);
		if (!entry) {
			return pos.refused(
				__("Item {0} of SN code {1} is not sold at this Point of Sale", [
					esc(found.item_code),
					esc(found.code),
				])
			);
		}
		const item = {
			item_code: entry.item_code,
			batch_no: entry.batch_no,
			uom: entry.uom,
			rate: entry.price_list_rate,
			stock_uom: entry.stock_uom,
		};
		if (!controller.frm.doc.customer) return controller.raise_customer_selection_alert();
		const row = controller.get_item_from_frm(item);
		await pos.add_code(controller, item, $.isEmptyObject(row) ? null : row, found.code);
	};

	// ``code`` onto the item's line (a new line when ``row`` is null), when submit would take it.
	pos.add_code = async (controller, item, row, code) => {
		const codes = pos.codes_of(row);
		if (codes.includes(code)) return pos.refused(__("SN code {0} is in the cart already", [esc(code)]));
		const answers = await pos.check(controller, item, row, codes.concat([code]));
		const refusal = answers.find((a) => !a.ok && a.code === code);
		if (refusal) return pos.refused(esc(refusal.reason));
		await pos.apply(controller, item, row, codes.concat([code]), (args) =>
			pos.add_row.call(controller, args)
		);
		frappe.utils.play_sound("submit");
	};

	// An SN code scanned into the search of a return's cart: onto the line of the original's row
	// that sold it (or its item's), with the return's own check; a unit the order did not sell is
	// refused with the ledger's reason.
	pos.add_returned = async (controller, back, found) => {
		const lines = (controller.frm.doc.items || []).filter((r) => pos.sold_on(back, r));
		const row =
			lines.find((r) => pos.sold_on(back, r).includes(found.code)) ||
			lines.find((r) => r.item_code === found.item_code);
		if (!row) {
			// Its line was left out at checkout (nothing came back on it then), or the order never sold it.
			const left_out = Object.values(back.sold).some((codes) => codes.includes(found.code));
			return pos.refused(
				left_out
					? __("The line of {0} left the cart at checkout: make the return of {1} again to take it back", [
							esc(found.code),
							esc(back.against),
					  ])
					: __("{0} was not sold on {1}", [esc(found.code), esc(back.against)])
			);
		}
		await pos.add_code(controller, row, row, found.code);
	};

	pos.patch = () => {
		const P = erpnext.PointOfSale;
		if (P.Controller.prototype.sn_patched) return;
		P.Controller.prototype.sn_patched = true;

		// Adding an SN-tracked item, or changing its quantity, asks for its codes instead.
		const on_cart_update = P.Controller.prototype.on_cart_update;
		pos.add_row = on_cart_update;
		P.Controller.prototype.on_cart_update = async function (args) {
			const { field, item } = args || {};
			if (field !== "qty" || !item || !item.item_code || !(await pos.is_tracked(item.item_code))) {
				return on_cart_update.call(this, args);
			}
			const found = this.get_item_from_frm(item);
			const row = $.isEmptyObject(found) ? null : found;
			if (!row && !this.frm.doc.customer) return this.raise_customer_selection_alert();
			const codes = await pos.prompt(this, item, row);
			if (codes === null) {
				// Dismissed: the quantity stays the count of the codes.
				const control = this.item_details.qty_control;
				if (row && control && this.item_details.current_item.name === row.name) control.set_value(row.qty);
				return row || undefined;
			}
			return pos.apply(this, item, row, codes, (a) => on_cart_update.call(this, a));
		};

		// A return from a past order: its SN-tracked lines start without codes, at quantity 0; the
		// codes each sold are kept to offer.
		// ERPNext's make_return_invoice does not wait for the profile's data (set_pos_data calls the
		// server with the invoice and puts its answer back): the codes are cleared after it.
		const set_pos_profile_data = P.Controller.prototype.set_pos_profile_data;
		P.Controller.prototype.set_pos_profile_data = function (...args) {
			this.sn_profile_data = Promise.resolve(set_pos_profile_data.apply(this, args));
			return this.sn_profile_data;
		};
		const make_return_invoice = P.Controller.prototype.make_return_invoice;
		P.Controller.prototype.make_return_invoice = async function (doc) {
			this.sn_return = null;
			this.sn_profile_data = null;
			await make_return_invoice.call(this, doc);
			await this.sn_profile_data;
			const back = { against: this.frm.doc.return_against, sold: {} };
			const lines = [];
			for (const row of this.frm.doc.items || []) {
				const sold = pos.codes_of(row);
				if (sold.length && row.pos_invoice_item && (await pos.is_tracked(row.item_code))) {
					back.sold[row.pos_invoice_item] = sold;
					lines.push(row);
				}
			}
			this.sn_return = back;
			for (const row of lines) {
				await frappe.model.set_value(row.doctype, row.name, "sn_codes", "");
				await frappe.model.set_value(row.doctype, row.name, "qty", 0);
			}
			if (lines.length) {
				frappe.show_alert(
					{
						message: __("Return of {0}: scan each unit that comes back", [esc(back.against)]),
						indicator: "blue",
					},
					8
				);
			}
		};

		// Checkout of a return leaves out the lines no unit comes back on.
		const save_and_checkout = P.Controller.prototype.save_and_checkout;
		P.Controller.prototype.save_and_checkout = async function () {
			const back = pos.return_of(this);
			if (back) {
				const empty = (this.frm.doc.items || []).filter(
					(r) => pos.sold_on(back, r) && !pos.codes_of(r).length
				);
				if (empty.length === (this.frm.doc.items || []).length) {
					pos.refused(__("Scan the units that come back first"));
					setTimeout(() => this.cart.toggle_checkout_btn(true), 300);
					return;
				}
				for (const row of empty) {
					frappe.model.clear_doc(row.doctype, row.name);
					this.update_cart_html(row, true);
				}
			}
			return save_and_checkout.call(this);
		};

		// Enter in the search: an SN code In Stock at the profile's warehouse adds its item with that
		// code; anything else goes on to ERPNext's own handling of Enter.
		const bind_events = P.ItemSelector.prototype.bind_events;
		P.ItemSelector.prototype.bind_events = function () {
			bind_events.call(this);
			this.search_field.$input.on("keydown", (e) => {
				const text = this.search_field.$input.val() || "";
				if (e.key !== "Enter" || !text.trim() || !window.cur_pos) return;
				e.preventDefault();
				e.stopPropagation();
				// ERPNext's onScan reads the same keys as a scan a moment later: that one is this one.
				this.sn_entered = { text, at: Date.now() };
				pos.search(this, text, e);
			});
		};
		// A scanner that types while the search is not focused (ERPNext's onScan fills the search).
		const filter_items = P.ItemSelector.prototype.filter_items;
		P.ItemSelector.prototype.filter_items = function (args) {
			const text = (args && args.search_term) || "";
			if (!this.barcode_scanned || !text.trim() || !window.cur_pos) return filter_items.call(this, args);
			this.barcode_scanned = false;
			const entered = this.sn_entered;
			// onScan reads the keys typed into a dialog too (the SN codes dialog): those are not a search.
			const in_dialog = window.cur_dialog && cur_dialog.display;
			if (in_dialog || (entered && entered.text === text && Date.now() - entered.at < 2000)) {
				this.sn_entered = null;
				return this.set_search_value("");
			}
			pos.search(this, text, null, () => filter_items.call(this, args));
		};

		// The cart line shows its codes.
		const render_cart_item = P.ItemCart.prototype.render_cart_item;
		P.ItemCart.prototype.render_cart_item = function (item_data, $item) {
			const out = render_cart_item.call(this, item_data, $item);
			const codes = pos.codes_of(item_data);
			const $line = this.get_cart_item(item_data).find(".item-name-desc");
			$line.find(".st-pos-line-codes, .st-pos-return-hint").remove();
			if (codes.length) {
				$line.append(`<div class="st-pos-line-codes text-muted small">${codes.map(esc).join(", ")}</div>`);
			}
			const back = window.cur_pos && pos.return_of(cur_pos);
			const sold = pos.sold_on(back, item_data);
			if (sold && !codes.length) {
				$line.append(
					`<div class="st-pos-return-hint text-muted small"><div>${__(
						"Scan the units that come back"
					)}</div><div>${__("Sold: {0}", [sold.map(esc).join(", ")])}</div></div>`
				);
			}
			return out;
		};

		// Item details of an SN-tracked line: a button to see, add or remove its codes.
		const render_form = P.ItemDetails.prototype.render_form;
		P.ItemDetails.prototype.render_form = function (item) {
			render_form.call(this, item);
			const details = this;
			pos.is_tracked(item.item_code).then((yes) => {
				if (!yes || details.current_item.name !== item.name) return;
				details.$form_container.find(".st-pos-codes-btn").remove();
				$(`<div class="btn btn-sm btn-secondary st-pos-codes-btn">${__("SN codes")}</div>`)
					.appendTo(details.$form_container)
					.on("click", async () => {
						const row = locals[item.doctype][item.name];
						const codes = await pos.prompt(cur_pos, row, row);
						if (codes !== null) await pos.apply(cur_pos, row, row, codes);
					});
			});
		};
	};

	pos.search = async (selector, text, e, otherwise) => {
		const controller = window.cur_pos;
		const back = pos.return_of(controller);
		const found = await frappe.xcall("serial_tracking.api.find_serial", {
			code: text,
			warehouse: controller.settings.warehouse,
			return_against: back ? back.against : null,
		});
		if (!found) {
			if (otherwise) return otherwise();
			// ERPNext's own Enter: add the one item the search shows.
			return (frappe.ui.keys.handlers.enter || []).forEach((handler) => {
				try {
					handler(e);
				} catch (error) {
					console.error(error); // eslint-disable-line no-console
				}
			});
		}
		selector.set_search_value("");
		if (back) return pos.add_returned(controller, back, found);
		await pos.add_scanned(controller, found);
	};

	// ERPNext loads its POS classes when the page loads: extend them before the page starts.
	const page = frappe.pages["point-of-sale"];
	const on_page_load = page.on_page_load;
	page.on_page_load = function (wrapper) {
		frappe.require("point-of-sale.bundle.js", () => {
			pos.patch();
			on_page_load.call(this, wrapper);
		});
	};
})();
