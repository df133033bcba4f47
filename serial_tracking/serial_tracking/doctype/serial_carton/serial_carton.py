import frappe
from frappe import _
from frappe.model.document import Document

from serial_tracking import messages
from serial_tracking.constants import ITEM_FLAG, SERIAL
from serial_tracking.core.codes import fold, key, parse
from serial_tracking.core.problems import Problem, Reason
from serial_tracking.permissions import readable
from serial_tracking.settings import get_settings
from serial_tracking.stock import cartons

_TITLE = "Carton not saved"


class SerialCarton(Document):
	"""A carton: its code stands for the serials packed in it (Serial Numbers whose ``carton`` is
	its name). Made by a receipt, by the import, or here by hand: an item and the codes of its
	registered units (``add_codes``, emptied once they are packed)."""

	def before_naming(self):
		if not isinstance(self.carton_code or "", str):
			frappe.throw(
				_("A carton code is text, not a {0}").format(type(self.carton_code).__name__),
				messages.SerialGuardError,
				title=_(_TITLE),
			)
		self.carton_code = fold((self.carton_code or "").strip())

	def validate(self):
		problems = []
		tracked = isinstance(self.item_code, str) and frappe.db.get_value("Item", self.item_code, ITEM_FLAG)
		if not self.item_code or not tracked:
			frappe.throw(
				_("Item {0} does not track SN codes").format(frappe.utils.escape_html(self.item_code or "")),
				messages.SerialGuardError,
				title=_(_TITLE),
			)
		limits = get_settings().limits
		parsed = parse(self.add_codes, max_length=limits.max_length, max_count=limits.max_per_operation)
		problems += parsed.problems
		problems += _not_units_of(self.item_code, parsed.codes)
		packing = {self.carton_code: (self.item_code, parsed.codes)} if self.is_new() or parsed.codes else {}
		problems += cartons.check_packing(packing)
		messages.throw(problems, title=_(_TITLE))
		self.flags.codes_to_pack = parsed.codes
		self.add_codes = None

	def on_update(self):
		codes = self.flags.pop("codes_to_pack", None)
		if codes:
			cartons.pack({self.name: (self.item_code, codes)})
			self.serial_count = frappe.db.get_value(self.doctype, self.name, "serial_count")

	def on_trash(self):
		"""Its serials leave the carton with it."""
		serial = frappe.qb.DocType(SERIAL)
		frappe.qb.update(serial).set(serial.carton, None).where(serial.carton == self.name).run()


def _not_units_of(item_code: str, codes: list[str]) -> list[Problem]:
	"""Codes packed by hand must be registered serials of the carton's item, that the user may read
	(User Permissions: a serial of a warehouse the user may not read is not known to them)."""
	allowed = {key(name) for name in readable(SERIAL, codes)}
	found = {
		key(row.name): row
		for row in cartons.rows_named(SERIAL, codes, ("name", "item_code"))
		if key(row.name) in allowed
	}
	problems = []
	for code in codes:
		serial = found.get(key(code))
		if serial is None:
			problems.append(Problem(Reason.NOT_FOUND, code))
		elif serial.item_code != item_code:
			problems.append(
				Problem(
					Reason.WRONG_ITEM, code, params={"other_item": serial.item_code, "item_code": item_code}
				)
			)
	return problems
