"""SQL statements a test saw issued (the ``issued`` fixture), and how MariaDB plans them."""

import traceback
from dataclasses import dataclass

import frappe


@dataclass(frozen=True)
class Issued:
	"""One SQL statement as it was sent, and where from."""

	query: str
	values: object
	stack: traceback.StackSummary


def plan_of(statement: Issued, table: str | None = None) -> list[tuple[str | None, str | None]]:
	"""How MariaDB reads each table of ``statement`` (``EXPLAIN``): its access type and index, for
	the rows of ``table`` (an alias) or all."""
	rows = frappe.db.sql(f"explain {statement.query}", statement.values, as_dict=True)
	return [(row.type, row.key) for row in rows if table is None or row.table == table]
