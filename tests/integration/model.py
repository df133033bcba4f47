"""A pure reference model of the serial ledger and of ERPNext's quantities, for the model-checked test.

Written from the rules in README and docs/decisions.md, not from the app's code: it imports
nothing of ``serial_tracking``. Each serial keeps the stack of its active movements (what a
cancellation undoes); each place (item, warehouse) keeps the stock entries of the documents
that moved it, as ERPNext adds them up (a count sets the quantity, every other entry adds to it).
"""

from dataclasses import dataclass, field

IN_STOCK = "In Stock"
IN_TRANSIT = "In Transit"
SOLD = "Sold"
RETURNED = "Returned"
ISSUED = "Issued"
MISSING = "Missing"
#: Statuses from which a unit may be received (or registered) again.
INBOUND = (None, SOLD, RETURNED, ISSUED, MISSING)
#: Registration is logged against the Item: a statement, not a document.
STATEMENT = "Item"


@dataclass(frozen=True)
class Entry:
	"""One active movement of one serial: the state it left the serial in."""

	voucher: tuple[str, str]
	status: str
	warehouse: str | None
	statement: bool = False


@dataclass
class Serial:
	item: str
	entries: list[Entry] = field(default_factory=list)

	@property
	def last(self) -> Entry | None:
		return self.entries[-1] if self.entries else None

	@property
	def status(self) -> str | None:
		return self.last.status if self.last else None

	@property
	def warehouse(self) -> str | None:
		return self.last.warehouse if self.last else None


@dataclass
class Document:
	voucher: tuple[str, str]
	kind: str
	item: str
	qty: int = 0
	codes: list[str] = field(default_factory=list)
	against: str | None = None
	active: bool = True
	#: (item, warehouse) the document moved SN codes into or out of.
	places: set = field(default_factory=set)
	#: For a count: the (item, warehouse) it counted.
	counted: tuple | None = None


class Refused(Exception):
	"""The model says the step must be refused; ``reason`` says why (for the test's report)."""

	def __init__(self, reason: str):
		super().__init__(reason)
		self.reason = reason


class Model:
	def __init__(self, transit: str):
		self.transit = transit
		self.serials: dict[str, Serial] = {}
		self.documents: dict[tuple[str, str], Document] = {}
		#: (item, warehouse) -> [(voucher, "add" | "set", qty)] in posting order, active only.
		self.stock: dict[tuple[str, str], list[tuple[tuple[str, str], str, int]]] = {}
		#: Places where a voided registration left stock without its serial (documented).
		self.excused: set[tuple[str, str]] = set()
		#: Every code the model ever saw, to compare after each step.
		self.touched: set[str] = set()

	# -- reading -------------------------------------------------------------------------------

	def state(self, code: str) -> Serial | None:
		serial = self.serials.get(code)
		return serial if serial and serial.entries else None

	def codes_where(self, item: str | None = None, status=None, warehouse=None, voucher=None) -> list[str]:
		return sorted(
			code
			for code, s in self.serials.items()
			if s.entries
			and (item is None or s.item == item)
			and (status is None or s.status == status)
			and (warehouse is None or s.warehouse == warehouse)
			and (voucher is None or s.last.voucher == voucher)
		)

	def qty(self, place: tuple[str, str]) -> int:
		total = 0
		for _voucher, kind, qty in self.stock.get(place, []):
			total = qty if kind == "set" else total + qty
		return total

	def held(self, item: str, warehouse: str) -> int:
		return sum(
			1 for s in self.serials.values() if s.entries and s.item == item and s.warehouse == warehouse
		)

	def stock_differences(self, items) -> set[tuple[str, str, int, int]]:
		"""(item, warehouse, serials held, quantity) where they differ, as the check should find."""
		places = {p for p in self.stock if p[0] in items}
		places |= {(s.item, s.warehouse) for s in self.serials.values() if s.entries and s.warehouse}
		return {
			(item, wh, self.held(item, wh), self.qty((item, wh)))
			for item, wh in places
			if item in items and self.held(item, wh) != self.qty((item, wh))
		}

	# -- the rules -------------------------------------------------------------------------------

	def _known_of(self, code: str, item: str) -> Serial | None:
		serial = self.state(code)
		if serial and serial.item != item:
			raise Refused(f"{code} is of item {serial.item}, not {item}")
		return serial

	def _need(self, code: str, item: str, status: str, warehouse: str) -> None:
		serial = self._known_of(code, item)
		if serial is None:
			raise Refused(f"{code} is not known")
		if serial.status != status or serial.warehouse != warehouse:
			raise Refused(f"{code} is {serial.status} at {serial.warehouse}, not {status} at {warehouse}")

	def _inbound(self, code: str, item: str) -> None:
		serial = self._known_of(code, item)
		if serial and serial.status not in INBOUND:
			raise Refused(f"{code} is already {serial.status} at {serial.warehouse}")

	def check(self, kind: str, item: str, codes: list[str], source=None, target=None, against=None) -> None:
		"""Raise :class:`Refused` when the movement of ``codes`` may not happen."""
		for code in codes:
			if kind in ("receive", "register"):
				self._inbound(code, item)
			elif kind in ("sell", "issue", "transfer", "transfer_out", "purchase_return"):
				self._need(code, item, IN_STOCK, source)
			elif kind == "transfer_in":
				self._need(code, item, IN_TRANSIT, self.transit)
				if self.state(code).last.voucher != ("Stock Entry", against):
					raise Refused(f"{code} was not sent by {against}")
			elif kind == "sales_return":
				serial = self._known_of(code, item)
				if serial is None or serial.status != SOLD:
					raise Refused(f"{code} is not sold")
				if serial.last.voucher != ("Delivery Note", against):
					raise Refused(f"{code} was not sold on {against}")
			elif kind == "count":
				serial = self._known_of(code, item)
				if serial and serial.status == IN_TRANSIT:
					raise Refused(f"{code} is in transit")
		if kind == "register":
			room = self.qty((item, target)) - self.held(item, target)
			if len(codes) > room:
				raise Refused(f"{target} has room for {room}")

	def after(self, kind: str, target=None) -> tuple[str, str | None]:
		return {
			"receive": (IN_STOCK, target),
			"register": (IN_STOCK, target),
			"sell": (SOLD, None),
			"issue": (ISSUED, None),
			"purchase_return": (RETURNED, None),
			"sales_return": (IN_STOCK, target),
			"transfer": (IN_STOCK, target),
			"transfer_out": (IN_TRANSIT, self.transit),
			"transfer_in": (IN_STOCK, target),
		}[kind]

	def _move(self, code: str, item: str, voucher, status, warehouse, statement=False) -> None:
		serial = self.serials.get(code)
		if serial is None or not serial.entries:
			serial = self.serials[code] = Serial(item)
		serial.entries.append(Entry(voucher, status, warehouse, statement))
		self.touched.add(code)

	def _add_stock(self, voucher, item, warehouse, kind, qty) -> None:
		if warehouse:
			self.stock.setdefault((item, warehouse), []).append((voucher, kind, qty))

	def apply(self, voucher, kind, item, codes, source=None, target=None, against=None) -> None:
		"""A document's movement of ``codes`` (checked already) and its stock entries."""
		self.touched.update(codes)
		status, warehouse = self.after(kind, target)
		for code in codes:
			self._move(code, item, voucher, status, warehouse, statement=kind == "register")
		if kind == "register":
			return
		n = len(codes)
		self._add_stock(voucher, item, source, "add", -n)
		self._add_stock(voucher, item, warehouse or target, "add", n)
		places = {(item, w) for w in (source, warehouse or target) if w}
		self.documents[voucher] = Document(voucher, kind, item, n, list(codes), against, places=places)

	def receive_plain(self, voucher, item, warehouse, qty) -> None:
		"""A receipt of units without codes (stock a registration then names)."""
		self._add_stock(voucher, item, warehouse, "add", qty)

	def forget(self, voucher) -> None:
		"""Drop the stock entries of a document rolled back."""
		for place, entries in self.stock.items():
			self.stock[place] = [e for e in entries if e[0] != voucher]

	def count(self, voucher, item, warehouse, codes) -> None:
		"""A count (checked already): counted units are In Stock here, the uncounted ones Missing."""
		self.touched.update(codes)
		moved, places = [], {(item, warehouse)}
		for code in codes:
			serial = self.state(code)
			if serial and serial.status == IN_STOCK and serial.warehouse == warehouse:
				continue  # already here: not moved, not logged
			if serial and serial.status == IN_STOCK:
				# Counted here while held at a place this count does not count: the unit moves, and
				# that place's quantity (ERPNext's) still counts it (documented: a count is the
				# keeper's word for where a unit is).
				self.excused.add((item, serial.warehouse))
				places.add((item, serial.warehouse))
			self._move(code, item, voucher, IN_STOCK, warehouse)
			moved.append(code)
		for code in self.codes_where(item=item, status=IN_STOCK, warehouse=warehouse):
			if code not in codes:
				self._move(code, item, voucher, MISSING, None)
				moved.append(code)
		self._add_stock(voucher, item, warehouse, "set", len(codes))
		self.documents[voucher] = Document(
			voucher, "count", item, len(codes), moved, places=places, counted=(item, warehouse)
		)

	def check_cancel(self, voucher) -> None:
		document = self.documents[voucher]
		if not document.codes:
			return  # it moved no serial: plain ERPNext
		# ERPNext keeps a count's quantity when an earlier document is cancelled: a document waits
		# for every count of a place it moved units into or out of, posted after it.
		order = list(self.documents)
		for later in order[order.index(voucher) + 1 :]:
			other = self.documents[later]
			if other.active and other.kind == "count" and other.counted in document.places:
				raise Refused(f"{later} counted {other.counted} after {voucher}")
		for code in self.documents[voucher].codes:
			entries = self.serials[code].entries
			own = [i for i, e in enumerate(entries) if e.voucher == voucher]
			if not own:
				continue
			later = [e for e in entries[own[0] :] if e.voucher != voucher and not e.statement]
			if later:
				raise Refused(f"{code} was moved later by {later[-1].voucher}")

	def cancel(self, voucher) -> None:
		"""Cancel a document (checked already): its movements and the statements after them go."""
		document = self.documents[voucher]
		for code in document.codes:
			serial = self.serials[code]
			own = [i for i, e in enumerate(serial.entries) if e.voucher == voucher]
			if not own:
				continue
			for e in serial.entries[own[0] :]:
				if e.statement:
					self.excused.add((serial.item, e.warehouse))
			serial.entries = serial.entries[: own[0]]
		for place, entries in self.stock.items():
			self.stock[place] = [e for e in entries if e[0] != voucher]
		document.active = False
