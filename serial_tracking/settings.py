"""Serial Tracking Settings as the rest of the app reads them."""

from dataclasses import dataclass

import frappe

from serial_tracking.constants import SETTINGS
from serial_tracking.core.codes import Parsed, parse
from serial_tracking.core.plan import Limits


@dataclass(frozen=True)
class Settings:
	enabled: bool
	limits: Limits
	required: frozenset[str]
	"""The policy fields set to Required."""
	#: A resale keeps the warranty end of the unit's first sale instead of starting a new one.
	keep_first_warranty: bool = False
	#: An item of IMEI format takes a 16-digit IMEISV too.
	allow_imeisv: bool = False
	#: A Warranty Claim or a Maintenance Visit naming a unit its customer does not hold is only warned
	#: of (else refused).
	warn_other_customer: bool = False

	@property
	def gs1_digits(self) -> bool:
		"""Read bare digit strings as GS1 (:mod:`serial_tracking.core.gs1`)."""
		return self.limits.gs1_digits


def get_settings() -> Settings:
	doc = frappe.get_cached_doc(SETTINGS)
	policies = [df.fieldname for df in doc.meta.fields if df.fieldname.endswith("_policy")]
	return Settings(
		enabled=bool(doc.enabled),
		limits=Limits(
			max_length=doc.max_length or 100,
			max_per_operation=doc.max_per_operation or 1000,
			gs1_digits=bool(doc.get("gs1_digits")),
		),
		required=frozenset(f for f in policies if doc.get(f) == "Required"),
		keep_first_warranty=bool(doc.get("keep_first_warranty")),
		allow_imeisv=bool(doc.get("allow_imeisv")),
		warn_other_customer=doc.get("claim_other_customer") == "Warn",
	)


#: Days the files the app makes are kept when the setting was never saved (a site made before it).
KEEP_FILES_DAYS = 7


def keep_files_days() -> int:
	"""Days the app's exports, label files and import problem lists are kept (0: for ever)."""
	days = frappe.get_cached_doc(SETTINGS).get("keep_files_days")
	return KEEP_FILES_DAYS if days is None or days == "" else max(int(days), 0)


def parse_codes(text, **kwargs) -> Parsed:
	"""Read codes as every entry of the app does: within the settings' longest code and most codes
	per operation, bare digits read as GS1 when the settings say so (``kwargs``: the rest of
	:func:`serial_tracking.core.codes.parse`'s, e.g. the item's GTINs)."""
	limits = get_settings().limits
	return parse(
		text,
		max_length=limits.max_length,
		max_count=limits.max_per_operation,
		gs1_digits=limits.gs1_digits,
		**kwargs,
	)
