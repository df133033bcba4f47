"""After-sales documents (Warranty Claim, Maintenance Visit) naming a unit: its warranty / AMC status on
the document's date, and whether the document's customer holds the unit. No framework."""

from dataclasses import dataclass
from datetime import date

from serial_tracking.core.lives import day
from serial_tracking.core.states import Status

UNDER_WARRANTY = "Under Warranty"
OUT_OF_WARRANTY = "Out of Warranty"
UNDER_AMC = "Under AMC"
OUT_OF_AMC = "Out of AMC"


def warranty_amc_status(warranty_until, amc_until, on) -> str | None:
	"""ERPNext's *Warranty / AMC Status* of a unit on the date ``on`` (its ``Serial No`` computes it
	for today, ``set_maintenance_status``): under warranty first, then under AMC, then out of AMC,
	then out of warranty; None when the unit has neither date."""
	on = day(on)
	warranty = day(warranty_until) if warranty_until else None
	amc = day(amc_until) if amc_until else None
	if warranty and warranty >= on:
		return UNDER_WARRANTY
	if amc and amc >= on:
		return UNDER_AMC
	if amc:
		return OUT_OF_AMC
	if warranty:
		return OUT_OF_WARRANTY
	return None


#: Why a customer does not hold a unit.
NEVER_SOLD = "never_sold"
OTHER_CUSTOMER = "other_customer"
NO_LONGER = "no_longer"
NO_CUSTOMER = "no_customer"


@dataclass(frozen=True)
class Unit:
	"""What the check reads of a unit: its item, status and the customer it was last sold to."""

	code: str
	item_code: str
	status: str | None
	customer: str | None


def not_held(unit: Unit, customer: str | None) -> str | None:
	"""Why ``customer`` does not hold ``unit`` now (None: it does): the ledger says Sold, to them.

	A unit returned since, or sold again to another, is no longer theirs; a unit no sale ever handed to
	a customer was never anyone's; a document with no customer names a unit no customer holds now."""
	if unit.status == Status.SOLD.value and unit.customer and unit.customer == customer:
		return None
	if not unit.customer:
		return NEVER_SOLD
	if not customer:
		# a document with no customer yet takes the unit's holder: none holds it now
		return NO_CUSTOMER
	if unit.customer != customer:
		return OTHER_CUSTOMER
	return NO_LONGER


def claim_date(value) -> date:
	"""A document's date as a date."""
	return day(value)
