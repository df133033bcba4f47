"""Serial Number's carton, a text until now, links to a Serial Carton: one is made for each carton
a serial names (its item the serials' item, its count theirs), so every link stays valid."""

import frappe
from frappe.utils import now_datetime

from serial_tracking.constants import CARTON, SERIAL


def execute():
	if not frappe.db.table_exists(CARTON) or not frappe.db.has_column(SERIAL, "carton"):
		return
	frappe.db.sql(
		f"""
		insert into `tab{CARTON}`
			(name, carton_code, item_code, serial_count, creation, modified, owner, modified_by, docstatus)
		select serial.carton, serial.carton, min(serial.item_code), count(*), %(now)s, %(now)s,
			'Administrator', 'Administrator', 0
		from `tab{SERIAL}` serial
		left join `tab{CARTON}` carton on carton.name = serial.carton
		where serial.carton is not null and serial.carton != '' and carton.name is null
		group by serial.carton
		""",
		{"now": now_datetime()},
	)
