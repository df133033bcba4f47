"""Serials and log rows written before they carried a company and a last posting time get them:
the company of the warehouse a log row moved to or from, and each serial's latest active row's."""

import frappe


def execute():
	frappe.db.sql(
		"""
		update `tabSerial Circulation Log` log
		join `tabWarehouse` warehouse on warehouse.name = coalesce(log.to_warehouse, log.from_warehouse)
		set log.company = warehouse.company
		where log.company is null
		"""
	)
	frappe.db.sql(
		"""
		update `tabSerial Number` serial
		join `tabSerial Circulation Log` log
			on log.serial_no = serial.name and log.is_cancelled = 0 and log.sequence = (
				select max(latest.sequence) from `tabSerial Circulation Log` latest
				where latest.serial_no = serial.name and latest.is_cancelled = 0
			)
		set
			serial.posted_at = coalesce(serial.posted_at, timestamp(log.posting_date, log.posting_time)),
			serial.company = coalesce(serial.company, log.company)
		where serial.posted_at is null or serial.company is null
		"""
	)
