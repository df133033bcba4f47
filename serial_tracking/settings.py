"""Serial Tracking Settings as the rest of the app reads them."""

from dataclasses import dataclass

import frappe

from serial_tracking.constants import SETTINGS
from serial_tracking.core.plan import Limits


@dataclass(frozen=True)
class Settings:
	enabled: bool
	limits: Limits
	required: frozenset[str]
	"""The policy fields set to Required."""

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
	)
