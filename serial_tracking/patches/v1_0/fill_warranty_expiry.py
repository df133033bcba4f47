"""Units sold before the ledger carried warranties get them: each active sale to a customer of an item
with a warranty period ends it that many days after its posting date, and each serial still Sold takes
the end of the sale that is its latest active movement. Two statements, whatever the number of units."""

import frappe

from serial_tracking.constants import LOG, SERIAL
from serial_tracking.core.states import NOT_MOVEMENTS, TO_CUSTOMER, Operation, Status

#: A warranty period ERPNext's Item holds as text: whole days only.
_DAYS = "trim(i.`warranty_period`) regexp '^[0-9]+$' and cast(trim(i.`warranty_period`) as unsigned) > 0"


def execute():
	sales = [o.value for o in TO_CUSTOMER]
	skipped = [o.value for o in NOT_MOVEMENTS]
	marks = lambda values: ", ".join(["%s"] * len(values))  # noqa: E731
	frappe.db.sql(
		f"update `tab{LOG}` l join `tabItem` i on i.`name` = l.`item_code`"
		" set l.`warranty_expiry_date` = date_add(l.`posting_date`,"
		" interval cast(trim(i.`warranty_period`) as unsigned) day)"
		f" where l.`is_cancelled` = 0 and l.`operation` in ({marks(sales)}) and l.`party_type` = %s"
		f" and l.`warranty_expiry_date` is null and l.`posting_date` is not null and {_DAYS}",
		(*sales, "Customer"),
	)
	frappe.db.sql(
		f"update `tab{SERIAL}` s join (select p.`serial_no`, max(p.`sequence`) latest from `tab{LOG}` p"
		f" where p.`is_cancelled` = 0 and p.`operation` not in ({marks(skipped)}) group by p.`serial_no`) d"
		" on d.`serial_no` = s.`name`"
		f" join `tab{LOG}` l on l.`serial_no` = d.`serial_no` and l.`is_cancelled` = 0 and l.`sequence` = d.latest"
		" set s.`warranty_expiry_date` = l.`warranty_expiry_date`"
		f" where s.`status` = %s and s.`warranty_expiry_date` is null and l.`operation` = %s",
		(*skipped, Status.SOLD.value, Operation.SELL.value),
	)
