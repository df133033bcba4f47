"""Correcting a serial's code: who may, what a new code must be, the log, and documents around it."""

import time

import pytest

import frappe

from serial_tracking import api
from serial_tracking.messages import SerialTrackingError
from serial_tracking.stock import code_correction, consistency_check
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, SHOP, TRANSIT, codes, user_with
from tests.integration.issued import plan_of
from tests.integration.racing import (
	BUSY,
	DONE,
	REFUSED,
	Session,
	active_log,
	clean_up,
	delayed_cancel,
	in_stock_count,
	keep,
	ledger_quantity,
	loaded_document,
	make_place,
	new_run,
	no_raw_errors,
	race,
	summary,
)
from tests.integration.racing import WAREHOUSE as RACE_WAREHOUSE

LOG = "Serial Circulation Log"


def status(code):
	row = f.serial(code)
	return (row.status, row.warehouse) if row else None


def correct(old, new):
	return api.correct_code(serial_no=old, new_code=new)["serial_no"]


def corrections(code):
	return frappe.get_all(
		LOG,
		filters={"serial_no": code, "operation": "Code Correction"},
		fields=["previous_code", "is_cancelled", "status_before", "status_after", "from_warehouse"],
	)


# Who may


def test_guest_gets_nothing():
	f.receive(["FIXG-1"])
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		correct("FIXG-1", "FIXG-2")
	frappe.set_user("Administrator")
	assert status("FIXG-1") == ("In Stock", MAIN) and status("FIXG-2") is None


def test_a_stock_user_is_refused_and_a_stock_manager_renames():
	f.receive(["FIXR-1"])
	clerk, manager = user_with(["Stock User"]), user_with(["Stock User", "Stock Manager"])
	frappe.set_user(clerk)
	with pytest.raises(frappe.PermissionError, match="Only Stock Manager, System Manager may do this"):
		correct("FIXR-1", "FIXR-2")
	frappe.set_user(manager)
	assert correct("FIXR-1", "FIXR-2") == "FIXR-2"
	frappe.set_user("Administrator")
	assert status("FIXR-1") is None and status("FIXR-2") == ("In Stock", MAIN)


def test_a_manager_of_one_warehouse_renames_only_serials_there(restricted):
	f.receive(["FIXW-1"], warehouse=MAIN)
	f.receive(["FIXW-2"], warehouse=SHOP)
	frappe.set_user(restricted("fix-main", "Warehouse", MAIN, roles=("Stock User", "Stock Manager")))
	with pytest.raises(frappe.PermissionError, match="not permitted to read Serial Number FIXW-2"):
		correct("FIXW-2", "FIXW-3")
	assert correct("FIXW-1", "FIXW-4") == "FIXW-4"
	frappe.set_user("Administrator")
	assert status("FIXW-2") == ("In Stock", SHOP) and status("FIXW-3") is None


def test_an_unknown_serial_is_named():
	with pytest.raises(frappe.DoesNotExistError, match="Serial Number FIX-NOPE does not exist"):
		correct("FIX-NOPE", "FIX-YES")
	with pytest.raises(frappe.MandatoryError):
		correct("", "FIX-YES")
	# an argument left out is named, not a raw TypeError (HTTP 500)
	with pytest.raises(frappe.MandatoryError, match="Serial Number is required"):
		api.correct_code(new_code="FIX-YES")
	f.receive(["FIXU-1"])
	with pytest.raises(SerialTrackingError, match="FIXU-1 cannot be renamed to '': No SN code entered"):
		api.correct_code(serial_no="FIXU-1")


# What a new code must be


@pytest.mark.parametrize(
	("new", "reason"),
	[
		("", "No SN code entered"),
		("FIX B", "contains a control or space character"),
		("FIX<b>", "contains &lt;, which an SN code may not contain"),
		("FIXÇ", "contains the non-ASCII character"),
		("F" * 101, "is 101 characters long; an SN code has at most 100"),
	],
)
def test_a_new_code_passes_every_code_rule(new, reason):
	f.receive(["FIXC-1"])
	with pytest.raises(SerialTrackingError, match=f"FIXC-1 cannot be renamed to .*{reason}"):
		correct("FIXC-1", new)
	assert status("FIXC-1") == ("In Stock", MAIN)
	assert corrections("FIXC-1") == []


def test_the_length_limit_comes_from_the_settings(settings):
	f.receive(["FIXL-1"])
	settings(max_length=8)
	with pytest.raises(SerialTrackingError, match="an SN code has at most 8"):
		correct("FIXL-1", "FIXL-1234")
	assert correct("FIXL-1", "FIXL-123") == "FIXL-123"


def test_full_width_input_is_folded():
	f.receive(["FIXF-1"])
	assert correct("FIXF-1", "ＦＩＸＦ－２") == "FIXF-2"


def test_a_code_another_serial_has_is_refused_in_any_case():
	f.receive(["FIXT-1", "FIXT-2"])
	for taken in ("FIXT-2", "fixt-2"):
		with pytest.raises(frappe.DuplicateEntryError, match="another serial, FIXT-2, has that code"):
			correct("FIXT-1", taken)
	assert status("FIXT-1") == ("In Stock", MAIN) and corrections("FIXT-1") == []


def test_a_carton_code_is_refused():
	f.received_in_cartons({"FIXBOX-1": ["FIXC-1"]})
	with pytest.raises(SerialTrackingError, match="fixbox-1 is the code of a carton"):
		correct("FIXC-1", "fixbox-1")
	assert status("FIXC-1") == ("In Stock", MAIN) and corrections("FIXC-1") == []


def test_the_same_code_is_refused_and_a_change_of_letter_case_is_allowed():
	f.receive(["fixcase-1"])
	with pytest.raises(SerialTrackingError, match="it is its code already"):
		correct("fixcase-1", "fixcase-1")
	assert correct("fixcase-1", "FIXCASE-1") == "FIXCASE-1"
	assert frappe.db.get_value("Serial Number", "FIXCASE-1", ["name", "serial_no"]) == ("FIXCASE-1",) * 2
	assert frappe.get_all(LOG, filters={"serial_no": "FIXCASE-1"}, pluck="serial_no") == ["FIXCASE-1"] * 2


# The log


def test_the_correction_is_one_log_row_and_the_history_moves_with_the_serial():
	pr = f.receive(["FIXLOG-1"])
	frappe.db.set_value("Serial Number", "FIXLOG-1", "modified", "2020-01-01")
	assert correct("FIXLOG-1", "FIXLOG-9") == "FIXLOG-9"
	rows = frappe.get_all(
		LOG,
		filters={"serial_no": "FIXLOG-9"},
		fields=[
			"operation",
			"sequence",
			"previous_code",
			"voucher_type",
			"voucher_no",
			"status_before",
			"status_after",
			"from_warehouse",
			"to_warehouse",
			"is_cancelled",
		],
		order_by="sequence",
	)
	assert [(r.operation, r.sequence) for r in rows] == [("Receive", 1), ("Code Correction", 2)]
	fix = rows[1]
	assert (fix.previous_code, fix.voucher_type, fix.voucher_no) == ("FIXLOG-1", "Item", PHONE)
	assert (fix.status_before, fix.status_after) == ("In Stock", "In Stock")
	assert (fix.from_warehouse, fix.to_warehouse, fix.is_cancelled) == (MAIN, MAIN, 0)
	assert frappe.get_all(LOG, filters={"serial_no": "FIXLOG-1"}) == []
	serial = f.serial("FIXLOG-9")
	# no movement: the last document stays the receipt
	assert (serial.voucher_type, serial.voucher_no, serial.supplier) == (
		"Purchase Receipt",
		pr.name,
		f.SUPPLIER,
	)
	assert frappe.db.get_value("Serial Number", "FIXLOG-9", "movement_seq") == 2


def test_history_finds_the_serial_by_either_code():
	f.receive(["FIXH-1"])
	f.delivery_note([(PHONE, 1, ["FIXH-1"], MAIN)])
	correct("FIXH-1", "FIXH-2")
	correct("FIXH-2", "FIXH-3")
	for code in ("FIXH-1", "FIXH-2", "FIXH-3", "fixh-1"):
		rows = api.history(code)
		assert [r["operation"] for r in rows] == ["Code Correction", "Code Correction", "Sell", "Receive"]


def test_a_serial_only_registered_can_still_be_deleted_after_a_correction():
	from erpnext.stock.utils import get_or_make_bin

	frappe.db.set_value("Bin", get_or_make_bin(PHONE, MAIN), "actual_qty", 10**6)
	api.register_serials(PHONE, MAIN, "FIXD-1")
	correct("FIXD-1", "FIXD-2")
	frappe.delete_doc("Serial Number", "FIXD-2")
	assert status("FIXD-2") is None and frappe.get_all(LOG, filters={"serial_no": "FIXD-2"}) == []


# Documents around a correction


def test_a_return_against_the_note_names_the_new_code_or_the_old_one():
	sn = codes("FIXRET", 2)
	f.receive(sn)
	dn = f.delivery_note([(PHONE, 2, sn, MAIN)])
	correct(sn[0], "FIXRET-NEW")
	correct(sn[1], "FIXRET-NEW2")
	# the note keeps its text as printed
	assert frappe.db.get_value("Delivery Note Item", {"parent": dn.name}, "sn_codes").split() == sn
	f.delivery_note([(PHONE, -1, ["FIXRET-NEW"], MAIN)], is_return=True, return_against=dn.name)
	assert status("FIXRET-NEW") == ("In Stock", MAIN)
	# the old code, as a return made from the note copies it: read as the serial's current code
	ret = f.delivery_note([(PHONE, -1, [sn[1]], MAIN)], is_return=True, return_against=dn.name)
	assert status("FIXRET-NEW2") == ("In Stock", MAIN) and status(sn[1]) is None
	assert ret.items[0].sn_codes == "FIXRET-NEW2"


def test_a_return_made_by_erpnext_from_the_note_after_a_correction():
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

	f.receive(["FIXMR-1"])
	dn = f.delivery_note([(PHONE, 1, ["FIXMR-1"], MAIN)])
	correct("FIXMR-1", "FIXMR-2")
	ret = frappe.get_doc(make_sales_return(dn.name))
	assert ret.items[0].sn_codes == "FIXMR-1"
	ret.insert()
	ret.submit()
	assert status("FIXMR-2") == ("In Stock", MAIN)
	assert frappe.db.get_value("Delivery Note Item", {"parent": ret.name}, "sn_codes") == "FIXMR-2"


def test_a_purchase_return_against_the_receipt_names_the_old_code():
	pr = f.receive(["FIXPR-1"])
	correct("FIXPR-1", "FIXPR-2")
	f.purchase_receipt([(PHONE, -1, ["FIXPR-1"], MAIN)], is_return=True, return_against=pr.name)
	assert status("FIXPR-2") == ("Returned", None)


def test_an_old_code_that_names_a_serial_again_is_that_serial():
	f.receive(["FIXAGAIN-1"])
	correct("FIXAGAIN-1", "FIXAGAIN-2")
	# a receipt of a new unit under the corrected-away code makes a new serial
	f.receive(["FIXAGAIN-1"], warehouse=SHOP)
	assert status("FIXAGAIN-1") == ("In Stock", SHOP) and status("FIXAGAIN-2") == ("In Stock", MAIN)
	f.delivery_note([(PHONE, 1, ["FIXAGAIN-1"], SHOP)])
	assert status("FIXAGAIN-1") == ("Sold", None) and status("FIXAGAIN-2") == ("In Stock", MAIN)


def test_an_arrival_after_a_correction_of_a_serial_in_transit():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	sn = codes("FIXARV", 2)
	f.receive(sn)
	out = f.stock_entry("Material Transfer", [(PHONE, 2, sn, MAIN, TRANSIT)], add_to_transit=1)
	correct(sn[0], "FIXARV-NEW")
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	# ERPNext copies the outgoing entry's text: the old code
	assert arrive.items[0].sn_codes.split() == sn
	arrive.insert()
	assert sorted(arrive.items[0].sn_codes.split()) == sorted(["FIXARV-NEW", sn[1]])
	arrive.submit()
	assert status("FIXARV-NEW") == ("In Stock", SHOP) and status(sn[1]) == ("In Stock", SHOP)


def test_an_arrival_made_without_codes_gets_the_current_ones():
	from erpnext.stock.doctype.stock_entry.stock_entry import make_stock_in_entry

	f.receive(["FIXARB-1"])
	out = f.stock_entry("Material Transfer", [(PHONE, 1, ["FIXARB-1"], MAIN, TRANSIT)], add_to_transit=1)
	correct("FIXARB-1", "FIXARB-2")
	arrive = frappe.get_doc(make_stock_in_entry(out.name))
	arrive.items[0].t_warehouse = SHOP
	arrive.items[0].sn_codes = ""
	arrive.insert()
	assert arrive.items[0].sn_codes == "FIXARB-2"
	arrive.submit()
	assert status("FIXARB-2") == ("In Stock", SHOP)


def test_cancelling_the_note_after_a_correction_puts_the_serial_back_under_its_new_code():
	f.receive(["FIXCAN-1"])
	dn = f.delivery_note([(PHONE, 1, ["FIXCAN-1"], MAIN)])
	correct("FIXCAN-1", "FIXCAN-2")
	frappe.get_doc("Delivery Note", dn.name).cancel()
	assert status("FIXCAN-2") == ("In Stock", MAIN) and status("FIXCAN-1") is None
	serial = f.serial("FIXCAN-2")
	assert serial.voucher_type == "Purchase Receipt" and not serial.customer
	assert [c.is_cancelled for c in corrections("FIXCAN-2")] == [0]
	# and it moves on under its new code
	f.delivery_note([(PHONE, 1, ["FIXCAN-2"], MAIN)])
	assert status("FIXCAN-2") == ("Sold", None)


def test_a_correction_does_not_hold_back_cancelling_the_latest_document():
	pr = f.receive(["FIXBLK-1"])
	correct("FIXBLK-1", "FIXBLK-2")
	frappe.get_doc("Purchase Receipt", pr.name).cancel()
	# the serial came only with the receipt: it is unknown again
	assert status("FIXBLK-2") is None


def test_the_consistency_check_finds_no_difference_after_corrections():
	item = "ST-FIXCON"
	f.make_item(item)
	sn = codes("FIXCON", 3)
	f.receive(sn, item=item)
	dn = f.delivery_note([(item, 1, sn[:1], MAIN)])
	f.stock_entry("Material Transfer", [(item, 1, sn[1:2], MAIN, SHOP)])
	for code in sn:
		correct(code, code + "-X")
	assert api.check_consistency(item) == []
	frappe.get_doc("Delivery Note", dn.name).cancel()
	assert api.check_consistency(item) == []
	assert status(sn[0] + "-X") == ("In Stock", MAIN)


# A rename racing a sale of the same serial, in real separate sessions


def _draft_sale(job):
	item, code, _new, delay = job
	doc = f.delivery_note([(item, 1, [code], RACE_WAREHOUSE)], submit=False)
	doc.flags.delay = delay
	return doc


def _submit_sale(doc):
	time.sleep(doc.flags.delay)
	doc.submit()


def _rename(job):
	_item, code, new, delay = job
	time.sleep(delay)
	code_correction.correct(code, new)


@pytest.mark.commits
def test_a_rename_racing_a_sale_of_the_same_serial_ends_consistent():
	item = "ST-RACE-FIX"
	make_place(item)
	run = new_run()
	# rename first, sale first, both at once, and renames arriving while the sale holds the serial
	delays = [(0.0, 0.6), (0.6, 0.0), (0.0, 0.0), (0.0, 0.2), (0.0, 0.3), (0.0, 0.4)]
	olds = [f"FIX{run}-{n}" for n in range(len(delays))]
	news = [f"{old}-NEW" for old in olds]
	drift = _drift(item)
	try:
		f.purchase_receipt([(item, len(olds) + 2, [*olds, f"FIX{run}-S1", f"FIX{run}-S2"], RACE_WAREHOUSE)])
		frappe.db.commit()
		outcomes = race(
			[
				Session(
					_draft_sale,
					_submit_sale,
					[(item, old, new, sale) for old, new, (sale, _r) in zip(olds, news, delays, strict=True)],
				),
				Session(
					keep,
					_rename,
					[
						(item, old, new, rename)
						for old, new, (_s, rename) in zip(olds, news, delays, strict=True)
					],
				),
			]
		)
		no_raw_errors(outcomes)
		print(summary(outcomes))
		for n, (sale, rename) in outcomes.items():
			old, new = olds[n], news[n]
			assert rename.kind == DONE, rename.detail
			assert status(old) is None
			log = active_log(new)
			ops = [op for op, *_rest in log]
			# the correction row says the status the serial had when it was renamed
			fix = ops.index("Code Correction")
			assert log[fix][3] == log[fix - 1][3], log
			sequences = frappe.get_all(LOG, filters={"serial_no": new}, pluck="sequence")
			assert len(set(sequences)) == len(sequences) == 3 - (sale.kind != DONE)
			if sale.kind == DONE:
				assert status(new) == ("Sold", None)
				assert f.serial(new).voucher_no == sale.name
				assert sorted(ops) == ["Code Correction", "Receive", "Sell"]
			else:
				assert sale.kind == REFUSED and old in sale.detail, sale.detail
				assert status(new) == ("In Stock", RACE_WAREHOUSE)
				assert ops == ["Receive", "Code Correction"]
		_assert_consistent(item, run, drift)
	finally:
		clean_up(run)


def _drift(item: str) -> float:
	"""The item's stock ledger quantity at the race warehouse less its serials In Stock there.

	The race item is kept between runs, and a site may keep what an interrupted run left: a race
	must leave this as it found it, whatever it was.
	"""
	return ledger_quantity(item) - in_stock_count(item)


def _assert_consistent(item: str, run: str, drift: float) -> None:
	"""Every serial of the run replays to its state, and the serials held still match the stock."""
	assert not [d for d in consistency_check.check(item) if d.kind == "replay" and run in (d.code or "")]
	assert _drift(item) == drift


# A rename racing the cancellation of the document that moved the serial


def _rename_and_hold(job):
	"""Rename, then keep the transaction open a while (a rename of a long history takes time)."""
	code, new, hold = job
	code_correction.correct(code, new)
	time.sleep(hold)


@pytest.mark.commits
def test_a_rename_racing_a_cancellation_of_the_receipt_ends_consistent():
	"""The canceller of a receipt read its serial's old code just before a rename committed: it must
	not cancel the receipt's log rows and leave the renamed serial In Stock. Either the cancellation
	is refused as busy (the receipt and the renamed serial stay), or it puts the serial back."""
	item = "ST-RACE-FIX"
	make_place(item)
	run = new_run()
	drift = _drift(item)
	try:
		# the rename holds the serial while the cancellation starts; then both at once
		for number, (cancel_delay, hold) in enumerate(((0.3, 2.0), (0.0, 0.0))):
			old = f"FIXC{run}-{number}"
			new = f"{old}-NEW"
			receipt = f.receive([old], item=item, warehouse=RACE_WAREHOUSE)
			outcomes = race(
				[
					Session(
						loaded_document, delayed_cancel, [("Purchase Receipt", receipt.name, cancel_delay)]
					),
					Session(keep, _rename_and_hold, [(old, new, hold)]),
				]
			)
			print(summary(outcomes))
			(canceller, renamer) = outcomes[0]
			assert canceller.kind in (DONE, REFUSED), canceller.detail
			assert renamer.kind == DONE or f"{old} does not exist" in renamer.detail, renamer.detail
			cancelled = frappe.db.get_value("Purchase Receipt", receipt.name, "docstatus") == 2
			assert cancelled == (canceller.kind == DONE)
			if cancelled:
				assert status(old) is None and status(new) is None, (status(old), status(new))
				assert not [op for op, *_rest in active_log(new) + active_log(old) if op != "Code Correction"]
			else:
				assert canceller.detail == BUSY, canceller.detail
				assert status(new) == ("In Stock", RACE_WAREHOUSE)
			_assert_consistent(item, run, drift)
	finally:
		clean_up(run)


def test_old_codes_are_looked_up_along_their_index_whatever_the_statistics(issued):
	"""Almost no log row has a previous code, so MariaDB's statistics of its index say any code
	matches the whole log: planned on those, the lookup every delivery makes scanned the log (25 s
	a document at 30 million rows). Fresh statistics (as ``ANALYZE`` or a big site leaves them) must
	not change the plan. Without the named index this fails only while no log row of the site has a
	previous code (a new site, as the filled one): MariaDB samples the index, and a few corrected
	codes that earlier tests committed make its estimate small enough for the index either way."""
	frappe.db.sql(f"analyze table `tab{LOG}`")
	found = []
	lookups = issued(
		lambda: found.append(code_correction.current_codes(["QOLD-1", "QOLD-2"])),
		keep=lambda query: "`previous_code` = e.`code`" in query,
	)
	assert found == [{}]
	assert len(lookups) == 1
	assert plan_of(lookups[0], "l") == [("ref", "previous_code")], plan_of(lookups[0])
