"""What one save, submit or cancel of a document hands from one of its doc_events to the next.

Frappe calls the events of one action on the same document object, in order: ``before_validate``,
``validate``, ``before_submit``, ``on_submit`` (or ``before_cancel``, ``on_cancel``). The app keeps
what one event found for the next in one :class:`Handover` on the document's flags; each event
takes its part out, so that nothing outlives the action that made it.
"""

from dataclasses import dataclass

from serial_tracking.core.plan import Plan
from serial_tracking.stock import documents
from serial_tracking.stock.ledger import Voiding
from serial_tracking.stock.pipeline import Context

#: The key of the handover in ``doc.flags``.
KEY = "serial_tracking"


@dataclass
class Handover:
	#: before_validate to validate: the codes of packed rows, which ERPNext rebuilds in validate.
	packed: dict | None = None
	#: before_validate to validate: the submit is handed to a background job, so this save already
	#: requires every code a submit requires (refused here, not by the job).
	submits_later: bool = False
	#: validate to before_submit: the context read on submit, and the digest of the document it
	#: was read from (:func:`~serial_tracking.stock.documents.digest`).
	read: tuple[str, Context] | None = None
	#: before_submit to on_submit: the context and its plan, checked under lock (None: the document
	#: moves no serial); ``submit_checked``: whether before_submit ran.
	planned: tuple[Context, Plan] | None = None
	submit_checked: bool = False
	#: before_cancel to on_cancel: the log rows the cancel voids, checked under lock;
	#: ``cancel_checked``: whether before_cancel ran.
	voided: Voiding | None = None
	cancel_checked: bool = False


def start(doc) -> Handover:
	"""A new handover for an action that begins (what an earlier action left is dropped)."""
	found = doc.flags[KEY] = Handover()
	return found


def of(doc) -> Handover:
	"""The document's handover, new when no event of this action has made one."""
	found = doc.flags.get(KEY)
	return found if isinstance(found, Handover) else start(doc)


def read_context(doc) -> Context | None:
	"""The context validate read on submit, when the document has not changed since (another app's
	hook may change it between validate and before_submit); None otherwise."""
	handover = of(doc)
	read, handover.read = handover.read, None
	if read and read[0] == documents.digest(doc):
		return read[1]
	return None
