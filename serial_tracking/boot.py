"""What Desk learns of the app at login."""

from serial_tracking.stock.documents import for_desk


def boot_session(bootinfo):
	bootinfo.serial_tracking = {"rows": for_desk()}
