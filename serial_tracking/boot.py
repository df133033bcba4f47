"""What Desk learns of the app at login."""

from serial_tracking.constants import STATUS_COLOURS
from serial_tracking.core.codes import split_pattern
from serial_tracking.finding.trace import TRACEABLE
from serial_tracking.stock.documents import for_desk


def boot_session(bootinfo):
	bootinfo.serial_tracking = {
		# per stock doctype, its tables that carry SN codes
		"rows": for_desk(),
		# statuses in order, with their colours
		"statuses": STATUS_COLOURS,
		# the documents a serial's log can name: the stock documents and the item (statements)
		"documents": list(TRACEABLE),
		# how a text of codes is split (core.codes.split), as a JavaScript regular expression
		"split": split_pattern(),
	}
