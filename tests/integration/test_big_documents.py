"""Documents of thousands of serials: the ledger locks only their serials and restores them exactly."""

import pymysql
import pytest

import frappe

from serial_tracking.devtools.bench_find import insert_serials
from serial_tracking.stock import ledger
from tests.integration import factory as f
from tests.integration.factory import MAIN, PHONE, codes


def _other_connection():
	conf = frappe.conf
	return pymysql.connect(
		host=conf.db_host or "127.0.0.1",
		port=int(conf.db_port or 3306),
		user=conf.db_user or conf.db_name,
		password=conf.db_password,
		database=conf.db_name,
		autocommit=True,
	)


@pytest.fixture
def bystander():
	"""A committed serial no document of the test moves; removed afterwards."""
	(code,) = insert_serials(1, "ST-BYSTANDER-" + frappe.generate_hash(length=6).upper())
	frappe.db.commit()
	yield code
	frappe.db.rollback()
	frappe.db.delete("Serial Number", {"name": code})
	frappe.db.commit()


def _locked_elsewhere(code: str) -> bool:
	connection = _other_connection()
	try:
		with connection.cursor() as cursor:
			cursor.execute("set session innodb_lock_wait_timeout = 1")
			try:
				cursor.execute(
					"select `name` from `tabSerial Number` where `name` = %s for update nowait", (code,)
				)
			except pymysql.err.OperationalError as e:
				if e.args[0] in (1205, 3572):  # lock wait timeout; NOWAIT refused
					return True
				raise
			return False
	finally:
		connection.close()


@pytest.mark.commits
@pytest.mark.parametrize("read", ["states", "identities"])
def test_locking_thousands_of_serials_leaves_every_other_serial_free(bystander, read):
	"""MariaDB turns a long ``in`` list into a table it may join by scanning the whole serial table; a
	locking read that scans locks every row it reads, and would hold up every other document."""
	mine = insert_serials(1500, "ST-LOCKMANY-" + frappe.generate_hash(length=6).upper())
	if read == "states":
		found = ledger.read_states(mine, lock=True)
	else:
		found = ledger.lock_serials(mine)
	assert len(found) == 1500
	assert _locked_elsewhere(mine[0]), "the serials read are not locked"
	assert not _locked_elsewhere(bystander), "a serial no document named was locked"


_FIELDS = (
	"status",
	"warehouse",
	"voucher_type",
	"voucher_no",
	"supplier",
	"customer",
	"purchase_date",
	"delivery_date",
	"posted_at",
	"company",
)


def _states(codes_):
	rows = frappe.get_all("Serial Number", filters={"name": ("in", codes_)}, fields=["name", *_FIELDS])
	return {row.name: row for row in rows}


def test_a_delivery_of_two_thousand_serials_from_three_receipts_is_cancelled_back_exactly(settings):
	"""Cancelling reads each serial's earlier state from its few decisive log rows, not its history."""
	settings(max_per_operation=2000)
	first, second, third = codes("ST-BIG-A", 700), codes("ST-BIG-B", 700), codes("ST-BIG-C", 600)
	f.supplier("ST Big Supplier 1")
	f.supplier("ST Big Supplier 2")
	f.purchase_receipt([(PHONE, 700, first, MAIN)], supplier="ST Big Supplier 1")
	f.purchase_receipt([(PHONE, 700, second, MAIN)], supplier="ST Big Supplier 2")
	f.purchase_receipt([(PHONE, 600, third, MAIN)], supplier="ST Big Supplier 1")
	# An older life of the third batch: sold and returned before.
	sold = f.delivery_note([(PHONE, 600, third, MAIN)])
	returned = f.delivery_note([(PHONE, -600, third, MAIN)], is_return=True, return_against=sold.name)
	everything = first + second + third
	before = _states(everything)
	delivery = f.delivery_note([(PHONE, 2000, everything, MAIN)])
	assert {row.status for row in _states(everything).values()} == {"Sold"}
	delivery.cancel()
	after = _states(everything)
	changed = [code for code in everything if before[code] != after[code]]
	assert not changed, f"{len(changed)} serials not put back, first {changed[:3]}"
	# The returned batch keeps the customer of its earlier sale and the return as its latest document.
	assert (after[third[0]].supplier, after[third[0]].voucher_no) == ("ST Big Supplier 1", returned.name)
	assert after[third[0]].customer and after[second[0]].supplier == "ST Big Supplier 2"
