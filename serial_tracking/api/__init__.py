"""Whitelisted methods under ``serial_tracking.api``: each checks permissions first.

Each answers only about what the user may read: User Permissions on Item, Warehouse and
Company (through the warehouse) apply as in a list. Arguments are read by
``serial_tracking.arguments``, so a bad one gets a message naming it, never a raw ``ValueError``.

This module only re-exports: clients call ``serial_tracking.api.<name>``; each method lives in
the module of its job.
"""

from serial_tracking.api.after_sales import sn_code_details  # noqa: F401
from serial_tracking.api.after_sales_stock import fit_parts, replace_unit  # noqa: F401
from serial_tracking.api.authenticity import check_authenticity  # noqa: F401
from serial_tracking.api.cancelling import cancel_blocked, cancel_chain, cancel_chain_status, cancel_plan  # noqa: F401
from serial_tracking.api.checking import check_row  # noqa: F401
from serial_tracking.api.codes import generate_codes, parse_codes  # noqa: F401
from serial_tracking.api.consistency import check_consistency  # noqa: F401
from serial_tracking.api.converting import convert_from_erpnext_serials  # noqa: F401
from serial_tracking.api.correction import correct_code  # noqa: F401
from serial_tracking.api.counting import (  # noqa: F401
	cancel_count,
	count_preview,
	count_remove_scans,
	count_scan,
	count_scans,
	count_summary,
	count_unscan,
	post_count,
)
from serial_tracking.api.finding import export_serials, search_serials  # noqa: F401
from serial_tracking.api.importing import import_serials, import_template, read_import  # noqa: F401
from serial_tracking.api.labels import count_labels, print_labels  # noqa: F401
from serial_tracking.api.linking import search_serial_link, search_walled  # noqa: F401
from serial_tracking.api.movements import history  # noqa: F401
from serial_tracking.api.picking import in_stock, stock_units  # noqa: F401
from serial_tracking.api.pos import find_serial, is_tracked  # noqa: F401
from serial_tracking.api.registration import check_registration, item_stock, register_serials  # noqa: F401
from serial_tracking.api.scan_barcode import scan_into_document  # noqa: F401
from serial_tracking.api.scanning import read_scan  # noqa: F401
from serial_tracking.api.switching import set_tracking  # noqa: F401
from serial_tracking.api.tracing import trace  # noqa: F401
