"""A Link field to Serial Number: Desk's search (frappe.desk.search.search_link) finds serials by the
start of their code, in code order, as a list shows them to the user; LIKE's wildcards are taken as
typed, and one call reads a bounded window of codes whatever the table holds."""

import pytest

import frappe
from frappe.desk.search import search_link, search_widget

from serial_tracking.api.linking import MOST_START, WINDOW, search_serial_link
from serial_tracking.constants import SERIAL
from serial_tracking.devtools.bench_find import insert_serials
from tests.integration.factory import COMPANY, MAIN, SHOP


def values(txt, **kwargs):
	return [r["value"] for r in search_link(SERIAL, txt, **kwargs)]


def test_finds_codes_by_their_start_in_code_order_with_item_status_and_warehouse():
	insert_serials(3, "LKA", company=COMPANY, warehouses=(MAIN,))
	insert_serials(2, "XLKA", company=COMPANY, warehouses=(MAIN,))
	found = search_link(SERIAL, "lka000000")
	assert [r["value"] for r in found] == ["LKA0000000", "LKA0000001", "LKA0000002"]
	assert "BENCH-FIND" in found[0]["description"] and "In Stock" in found[0]["description"]
	# not by a part in the middle of the code, as Frappe's own search would
	assert "XLKA0000000" not in values("LKA")


def test_like_wildcards_in_the_text_are_taken_literally_and_pages_fill():
	insert_serials(1, "LK_B", company=COMPANY)
	insert_serials(30, "LKXB", company=COMPANY)
	assert values("LK_") == ["LK_B0000000"]
	assert values("LKXB", page_length=25) == [f"LKXB{n:07d}" for n in range(25)]


def test_a_user_finds_only_serials_of_warehouses_they_may_read(restricted):
	insert_serials(1, "LKM", company=COMPANY, warehouses=(MAIN,))
	insert_serials(1, "LKS", company=COMPANY, warehouses=(SHOP,))
	user = restricted("link-shop", "Warehouse", SHOP)
	frappe.set_user(user)
	assert values("LK") == ["LKS0000000"]


def test_guest_finds_nothing():
	insert_serials(1, "LKG", company=COMPANY)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		search_link(SERIAL, "LKG")


# LIKE's wildcards, pages, sparse matches, and a cost that does not grow with the table


def test_wildcards_and_the_escape_character_are_taken_as_typed():
	insert_serials(2, "_LKW", company=COMPANY, warehouses=(MAIN,))
	insert_serials(3, "LKW", company=COMPANY, warehouses=(MAIN,))
	# codes may not hold % or \ (the code rules refuse them); made in bulk here, they show the text
	# is taken as typed
	insert_serials(1, "%LKW", company=COMPANY, warehouses=(MAIN,))
	insert_serials(1, "\\LKW", company=COMPANY, warehouses=(MAIN,))
	underscore = values("_", page_length=100)
	assert {"_LKW0000000", "_LKW0000001"} <= set(underscore)
	assert all(v.startswith("_") for v in underscore)
	assert values("_LKW0000001") == ["_LKW0000001"]
	assert values("%") == ["%LKW0000000"] and values("%LKW") == ["%LKW0000000"]
	assert values("\\") == ["\\LKW0000000"] and values("\\LKW") == ["\\LKW0000000"]
	# `\_` is a backslash then an underscore, not an escaped underscore
	assert values("\\_") == [] and values("L_W") == [] and values("LKW%") == []


def test_pages_follow_each_other_up_to_the_furthest_start():
	made = insert_serials(30, "LKO", company=COMPANY, warehouses=(MAIN,))
	pages = [search_serial_link(txt="lko", start=start, page_len=10) for start in (0, 10, 20, 30)]
	assert [row[0] for page in pages for row in page] == made
	assert pages[0][0] == [made[0], "BENCH-FIND", "In Stock", MAIN]
	assert search_serial_link(txt="LKO", start=MOST_START, page_len=100) == []
	# Desk's search box pages through the same function
	widget = search_widget(SERIAL, "LKO", start=25, page_length=10, as_dict=True)
	assert [r.name for r in widget] == made[25:]
	with pytest.raises(frappe.ValidationError, match=f"start may be at most {MOST_START} \\(it was 501\\)"):
		search_serial_link(txt="LKO", start=MOST_START + 1)


def test_a_user_who_may_see_few_of_the_codes_sees_those_read_and_finds_more_by_typing_more(
	restricted,
):
	elsewhere = insert_serials(WINDOW + 100, "LKS", company=COMPANY, warehouses=(MAIN,))
	near = insert_serials(1, "LKS0000005A", company=COMPANY, warehouses=(SHOP,))  # among the first
	far = insert_serials(1, "LKSZ", company=COMPANY, warehouses=(SHOP,))  # after every LKS0…
	assert values("LKS", page_length=5) == elsewhere[:5]
	assert values("LKS", filters={"warehouse": SHOP}) == near
	assert values("LKSZ", filters={"warehouse": SHOP}) == far
	user = restricted("link-sparse", "Warehouse", SHOP)
	frappe.set_user(user)
	# the first WINDOW codes starting with LKS hold one of the shop's: a short page
	assert values("LKS", page_length=100) == near
	assert values("LKSZ") == far
	# a client asking to ignore User Permissions gets what the user may see, no more
	assert values("LKS", page_length=100, ignore_user_permissions=1) == near
	assert search_serial_link(txt="LKS", page_len=100, ignore_user_permissions=True)[0][0] == near[0]
	assert len(search_serial_link(txt="LKS", page_len=100, ignore_user_permissions=True)) == 1


def handler_reads() -> int:
	"""Rows (index entries) MariaDB's handlers have read in this session."""
	return sum(int(n) for _name, n in frappe.db.sql("show session status like 'Handler_read%'"))


def cost(call) -> tuple[int, int]:
	"""(rows read, statements run) by ``call``: the handler counters before and after (less what
	reading them costs), and the calls of ``frappe.db.sql``."""
	first, second = handler_reads(), handler_reads()
	reading = second - first
	statements = []
	sql = frappe.db.sql

	def counted(*args, **kwargs):
		statements.append(args[0])
		return sql(*args, **kwargs)

	before = handler_reads()
	frappe.db.sql = counted
	try:
		call()
	finally:
		frappe.db.sql = sql
	return handler_reads() - before - reading, len(statements)


def test_what_one_call_reads_does_not_grow_with_the_table(restricted):
	"""20,000 and then 40,000 serials starting with LKC: ``_`` (which LIKE would read as any
	character) reads nothing, a prefix a window of codes, a user of another warehouse and a filter
	keeping none of them the same window; as many statements at every size."""
	insert_serials(50, "LKC", company=COMPANY, warehouses=(MAIN,))
	user = restricted("link-cost", "Warehouse", SHOP)

	def as_user(call):
		def run():
			frappe.set_user(user)
			try:
				call()
			finally:
				frappe.set_user("Administrator")

		return run

	calls = {
		"_": lambda: search_link(SERIAL, "_"),
		"%": lambda: search_link(SERIAL, "%"),
		"\\": lambda: search_link(SERIAL, "\\"),
		"prefix": lambda: search_link(SERIAL, "LKC", page_length=100),
		"far page": lambda: search_serial_link(txt="LKC", start=MOST_START, page_len=100),
		"filtered": lambda: search_link(SERIAL, "LKC", filters={"warehouse": SHOP}),
		"other warehouse": as_user(lambda: search_link(SERIAL, "LKC", page_length=100)),
	}
	for call in calls.values():
		call()  # Frappe's caches warm
	sizes = {}
	for size, prefix in ((50, None), (20_050, "LKCA"), (40_050, "LKCB")):
		if prefix:
			insert_serials(20_000, prefix, company=COMPANY, warehouses=(MAIN,))
		sizes[size] = {name: cost(call) for name, call in calls.items()}
	for name in calls:
		small, big, bigger = (sizes[n][name] for n in sizes)
		assert big == bigger, f"{name}: {big} rows read and statements at 20,050 serials, {bigger} at 40,050"
		assert big[0] <= 2 * WINDOW + 200, f"{name}: {big[0]} rows read"
		assert small[1] == big[1], f"{name}: {small[1]} statements at 50 serials, {big[1]} at 20,050"
	for name in ("_", "%", "\\"):
		assert sizes[40_050][name][0] < 20, f"{name}: {sizes[40_050][name][0]} rows read"


@pytest.mark.parametrize(
	"filters, shown",
	[
		("H' OR '1'='1", "H&apos; OR &apos;1&apos;=&apos;1"),
		({"no_such_field": 1}, "no_such_field"),
		([["status", "between", ["a", "b"]]], "between"),
		([["Item", "item_group", "=", "X"]], "item_group"),
		([["status", "=", {"a": 1}]], "status"),
		("12345", "12345"),
		([[1, 2]], "[1, 2]"),
		# deeper than Python's JSON reader goes (a RecursionError, not a ValueError)
		("[" * 100_000 + "]" * 100_000, "[" * 60),
	],
)
def test_filters_are_conditions_on_serial_number_s_fields_or_refused_naming_them(filters, shown):
	made = insert_serials(2, "LKF", company=COMPANY, warehouses=(MAIN, SHOP))
	assert values("LKF", filters={"warehouse": SHOP}) == made[1:]
	assert (
		values("LKF", filters=[["status", "in", ["In Stock", "Sold"]], ["warehouse", "=", MAIN]]) == made[:1]
	)
	with pytest.raises(
		frappe.ValidationError, match="is not a condition on a field of Serial Number"
	) as caught:
		search_serial_link(txt="LKF", filters=filters)
	assert shown in str(caught.value)


def test_a_text_longer_than_any_code_answers_nothing_without_reading():
	made = insert_serials(1, "LKL" + "X" * 130, company=COMPANY, warehouses=(MAIN,))
	assert values(made[0]) == made
	assert cost(lambda: search_serial_link(txt=made[0] + "X")) == (0, 0)
	assert cost(lambda: search_serial_link(txt="H" * 10_000_000)) == (0, 0)
