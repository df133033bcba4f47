"""The cancellation planner: every document that must be cancelled before one, and cancelling them.

It follows the latest-first rules (:mod:`~serial_tracking.stock.latest_first`) across generations,
orders the chain so that each document comes after what holds it back
(:func:`serial_tracking.core.voiding.cancel_order`), and cancels it through ERPNext's own cancel,
stopping at the first refusal: up to :data:`IN_REQUEST` documents in the request, a longer chain
in a background job (:func:`queue`). A document of the chain is read in four statements.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field, replace

from rq.job import JobStatus

import frappe
from frappe import _
from frappe.translate import get_user_lang
from frappe.utils import escape_html, get_url_to_form, strip_html
from frappe.utils.background_jobs import create_job_id, get_job_status

from serial_tracking.constants import LOG
from serial_tracking.core.states import NOT_MOVEMENTS, STATEMENTS
from serial_tracking.core.voiding import blockers, cancel_order
from serial_tracking.stock import count_cancelling, latest_first, ledger
from serial_tracking.stock.count_basics import SERIAL_COUNT
from serial_tracking.stock.documents import SUPPORTED

#: The most documents a chain may hold: past it, the user cancels the latest ones first.
MOST = 500
#: The SN codes named per tie (the count says how many there are).
SHOWN = 20
#: Seconds a plan shown is remembered for its confirmation.
SHOWN_FOR = 3600
#: The most documents cancelled in the request: a document takes about 0.1 s to cancel, 0.3 s with
#: 1,000 codes and 2.4 s with 10,000, so 20 end well inside a web server's time-out (120 s); a
#: longer chain is cancelled by a background job (:func:`queue`).
IN_REQUEST = 20
#: Seconds a background cancellation may run (500 documents of 10,000 codes take about 1,200 s).
JOB_TIMEOUT = 3600
#: Seconds the report of a background cancellation is kept for the user who asked.
REPORT_FOR = 86400
#: The realtime event a background cancellation sends its user at each document and at its end.
EVENT = "serial_tracking_cancel_chain"
#: The states of a background cancellation that are not over yet.
RUNNING = ("queued", "running")
#: Seconds a claim on a document's background cancellation holds before its job is in the queue.
CLAIM_GRACE = 60
#: The states of its job while it is waiting for a worker or running.
WAITING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)

Voucher = tuple[str, str]

#: The documents that move SN codes and are cancelled through their own cancel: ERPNext's stock
#: documents, and the Serial Count (its own movements where it left a quantity as it was).
CANCELLABLE = (*SUPPORTED, SERIAL_COUNT)


@dataclass
class Tie:
	"""Why ``blocker`` must be cancelled before ``blocked``: the codes it moved later, or the places
	it counted later (a count)."""

	blocker: Voucher
	blocked: Voucher
	codes: list[str] = field(default_factory=list)
	places: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Chain:
	"""The document, every document in its way, the ties between them and the order to cancel in
	(the document last); ``stuck``: documents that hold each other back."""

	root: Voucher
	order: list[Voucher]
	stuck: list[Voucher]
	ties: list[Tie]
	#: The documents a Serial Count of the chain made, which its own cancel cancels.
	made: dict[Voucher, list[Voucher]] = field(default_factory=dict)
	#: Each document's posting date, as the plan read it.
	posted: dict[Voucher, object] = field(default_factory=dict)

	@property
	def confirm(self) -> str:
		"""What a preview of this chain showed: the documents, in their order."""
		shown = json.dumps([list(v) for v in self.order] + [["stuck", *v] for v in self.stuck])
		return hashlib.sha256(shown.encode()).hexdigest()[:16]


def chain_of(voucher_type: str, voucher_no: str) -> Chain:
	"""Follow a submitted document's blockers across every generation."""
	root = (voucher_type, voucher_no)
	count_cancelling.refuse_cancelling_alone(frappe._dict(doctype=voucher_type, name=voucher_no))
	blocked_by: dict[Voucher, set[Voucher]] = {}
	position: dict[Voucher, tuple] = {}
	ties: list[Tie] = []
	made: dict[Voucher, list[Voucher]] = {}
	posted: dict[Voucher, object] = {}
	waiting = [root]
	while waiting:
		doc = waiting.pop()
		if doc in blocked_by:
			continue
		if len(blocked_by) >= MOST:
			frappe.throw(
				_(
					"More than {0} documents stand in the way of cancelling {1} {2}. Cancel the latest of"
					" them first, then show what blocks again."
				).format(MOST, _(voucher_type), escape_html(voucher_no)),
				title=_("Too many documents"),
			)
		found, values = _blockers_of(doc)
		position[doc] = (values.modified, values.creation) if values else ()
		posted[doc] = values.posting_date if values else None
		if doc[0] == SERIAL_COUNT:
			# The count's cancel cancels what it made: what holds those back holds the count back.
			made[doc] = _made_documents(doc[1])
			for document in made[doc]:
				more, _values = _blockers_of(document)
				found += [replace(tie, blocked=doc) for tie in more]
		# A document a count made is cancelled by the count's own cancel, never alone.
		found = [replace(tie, blocker=count_cancelling.made_by(tie.blocker) or tie.blocker) for tie in found]
		found = [tie for tie in found if tie.blocker != doc]
		ties.extend(found)
		blocked_by[doc] = {tie.blocker for tie in found}
		waiting.extend(tie.blocker for tie in found if tie.blocker not in blocked_by)
	order, stuck = cancel_order(blocked_by, position)
	return Chain(root, order, stuck, ties, made, posted)


def is_blocked(voucher_type: str, voucher_no: str) -> dict:
	"""Whether anything stands in the way of cancelling a submitted document, asked without planning:
	``blocked`` when another document moved one of its SN codes later, or a count was posted later
	at a place it moved units into or out of (for a Serial Count, also of a document it made);
	``made_by``: the Serial Count that made it, whose own cancel cancels it (None: none). At most
	five statements per document looked at, each along an index, whatever the chain behind."""
	owner = count_cancelling.made_by((voucher_type, voucher_no))
	if owner:
		return {
			"blocked": False,
			"made_by": {"voucher_type": owner[0], "voucher_no": owner[1] if _may(*owner, "read") else None},
		}
	looked_at = [(voucher_type, voucher_no)]
	if voucher_type == SERIAL_COUNT:
		looked_at += _made_documents(voucher_no)
	return {"blocked": any(_held_back(doc) for doc in looked_at), "made_by": None}


def _held_back(doc: Voucher) -> bool:
	"""Whether a later movement of the document's SN codes or a later count of its places holds it
	back: one statement for the movements, three more only when there is none."""
	voucher_type, voucher_no = doc
	not_movements = sorted(o.value for o in STATEMENTS | NOT_MOVEMENTS)
	later = frappe.db.sql(
		f"select 1 from `tab{LOG}` o straight_join `tab{LOG}` l force index (`serial_history`)"
		" on l.`serial_no` = o.`serial_no` and l.`is_cancelled` = 0 and l.`sequence` > o.`sequence`"
		" where o.`voucher_type` = %(type)s and o.`voucher_no` = %(name)s and o.`is_cancelled` = 0"
		" and not (l.`voucher_type` = %(type)s and l.`voucher_no` = %(name)s)"
		" and l.`operation` not in %(not_movements)s limit 1",
		{"type": voucher_type, "name": voucher_no, "not_movements": not_movements},
	)
	if later:
		return True
	places = latest_first.places_of(voucher_type, voucher_no)
	if not places:
		return False
	values = frappe.db.get_value(
		voucher_type, voucher_no, ["posting_date", "posting_time", "creation"], as_dict=True
	)
	values.update(doctype=voucher_type, name=voucher_no)
	return bool(latest_first.later_counts(values, places))


def _made_documents(count: str) -> list[Voucher]:
	"""The submitted documents a Serial Count made, latest first."""
	rows = frappe.get_all(
		f"{SERIAL_COUNT} Document",
		filters={"parent": count, "parenttype": SERIAL_COUNT},
		fields=["document_type", "document_name"],
		order_by="idx desc",
	)
	return [
		(row.document_type, row.document_name)
		for row in rows
		if frappe.db.get_value(row.document_type, row.document_name, "docstatus") == 1
	]


def _blockers_of(doc: Voucher) -> tuple[list[Tie], frappe._dict | None]:
	"""The ties of a document to the documents in its way, and its posting date and time, creation
	and last change (None: no such document)."""
	voucher_type, voucher_no = doc
	values = frappe.db.get_value(
		voucher_type, voucher_no, ["posting_date", "posting_time", "creation", "modified"], as_dict=True
	)
	if not values:
		return [], None
	values.update(doctype=voucher_type, name=voucher_no)
	ties: dict[Voucher, Tie] = {}
	serials = ledger.voucher_serials(voucher_type, voucher_no)
	if serials:
		later = ledger.later_movements(voucher_type, voucher_no, serials)
		for blocker in blockers(later):
			ties[blocker] = Tie(blocker, doc)
		named: dict[Voucher, set[str]] = {}
		for row in sorted(later, key=lambda r: r.code):
			voucher = (row.voucher_type, row.voucher_no)
			tie = ties.get(voucher)
			if tie and row.code not in named.setdefault(voucher, set()):
				named[voucher].add(row.code)
				tie.codes.append(row.code)
	places = latest_first.places_of(voucher_type, voucher_no)
	for count in latest_first.later_counts(values, places):
		tie = ties.setdefault(count, Tie(count, doc))
		tie.places = sorted(places)
	return list(ties.values()), values


# What the user sees.


def described(chain: Chain) -> dict:
	"""The chain as the user may see it: documents they may not read are named by their type only."""
	documents = []
	position = {doc: n for n, doc in enumerate(chain.order, 1)}
	for doc in chain.order + chain.stuck:
		documents.append(_document(doc, position.get(doc), chain))
	# What was shown, for a confirmation that comes after some of it was cancelled by someone else.
	frappe.cache.set_value(
		_shown_key(chain.confirm, chain.root), chain.order + chain.stuck, expires_in_sec=SHOWN_FOR
	)
	return {
		"voucher_type": chain.root[0],
		"voucher_no": chain.root[1],
		"blocked": len(chain.order) + len(chain.stuck) > 1,
		"documents": documents,
		"stuck": bool(chain.stuck),
		"may_cancel_all": not chain.stuck and all(d["may_cancel"] for d in documents),
		"confirm": chain.confirm,
	}


def _document(doc: Voucher, order: int | None, chain: Chain) -> dict:
	voucher_type, voucher_no = doc
	visible = _may(voucher_type, voucher_no, "read")
	shown = {
		"order": order,
		"voucher_type": voucher_type,
		"voucher_no": voucher_no if visible else None,
		"hidden": not visible,
		# a count's cancel cancels what it made: the user must be allowed to cancel those too
		"may_cancel": visible
		and _may(voucher_type, voucher_no, "cancel")
		and all(_may(t, n, "cancel") for t, n in chain.made.get(doc, [])),
		"url": get_url_to_form(voucher_type, voucher_no) if visible else None,
		"is_document": doc == chain.root,
		"blocks": [],
		# What cancelling it cancels with it (a Serial Count's transfers and reconciliations).
		"cancels_with_it": [
			{"voucher_type": t, "voucher_no": n if _may(t, n, "read") else None}
			for t, n in chain.made.get(doc, [])
		],
	}
	if visible:
		shown["posting_date"] = chain.posted.get(doc)
	for tie in chain.ties:
		if tie.blocker != doc:
			continue
		blocked_visible = _may(tie.blocked[0], tie.blocked[1], "read")
		shown["blocks"].append(
			{
				"voucher_type": tie.blocked[0],
				"voucher_no": tie.blocked[1] if blocked_visible else None,
				"serials": tie.codes[:SHOWN] if visible and blocked_visible else [],
				"serial_count": len(tie.codes),
				"counted_places": [list(p) for p in tie.places] if visible and blocked_visible else [],
			}
		)
	return shown


def _may(doctype: str, name: str, ptype: str) -> bool:
	"""Whether the user may read (cancel) the document, asked once per request."""
	if doctype not in CANCELLABLE:
		return False
	asked = frappe.local.flags.setdefault("serial_tracking_may", {})
	question = (frappe.session.user, doctype, name, ptype)
	if question not in asked:
		asked[question] = bool(frappe.has_permission(doctype, ptype, doc=name))
	return asked[question]


# Cancelling.


def cancel(chain: Chain, confirm: str) -> dict:
	"""Cancel the chain's documents in order, each in a transaction of its own, stopping at the first
	one refused: the ones before it stay cancelled, it and the ones after it stay as they were.

	Up to :data:`IN_REQUEST` documents (those a Serial Count cancels with it included) are cancelled
	in this request; a longer chain is handed to a background job (:func:`queue`). Nothing is
	cancelled, here or in a job, unless ``confirm`` stands for the chain, no two of its documents
	hold each other back and the user may cancel every one of them.
	"""
	if confirm != chain.confirm and not _shown_before(confirm, chain):
		frappe.throw(
			_(
				"The documents in the way of cancelling {0} {1} changed since they were shown; nothing was"
				" cancelled. Show what blocks again."
			).format(_(chain.root[0]), escape_html(chain.root[1])),
			title=_("Chain changed"),
		)
	shown = described(chain)
	if chain.stuck:
		frappe.throw(
			_("{0} {1} cannot be cancelled latest first: {2} hold each other back.").format(
				_(chain.root[0]), escape_html(chain.root[1]), _listing(chain.stuck, shown)
			),
			title=_("Cannot cancel"),
		)
	refused = [d for d in shown["documents"] if not d["may_cancel"]]
	if refused:
		frappe.throw(
			_("You may not cancel {0}; nothing was cancelled.").format(
				_listing([(d["voucher_type"], d["voucher_no"]) for d in refused], shown)
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	if _holder(chain.root) or documents(chain) > IN_REQUEST:
		return queue(chain)
	# Each document is cancelled in a transaction of its own: what was read for the plan is not kept.
	frappe.db.commit()
	return cancel_in_order(chain.order)


def documents(chain: Chain) -> int:
	"""How many documents cancelling the chain cancels: its own, and those its counts cancel with
	them."""
	return len(chain.order) + sum(len(chain.made.get(doc, [])) for doc in chain.order)


def cancel_in_order(order: list[Voucher], progress=None) -> dict:
	"""Cancel ``order``'s documents one by one, each committed, stopping at the first one refused;
	``progress(number, outcome)`` is told after each document."""
	done = []
	for n, doc in enumerate(order):
		outcome = _cancel_one(doc)
		if outcome is None or outcome is ALREADY:
			said = "cancelled" if outcome is None else "already cancelled"
			done.append({"voucher_type": doc[0], "voucher_no": doc[1], "outcome": said})
			if progress:
				progress(n + 1, {"status": "running", "done": done, "untouched": _vouchers(order[n + 1 :])})
			continue
		return {
			"status": "stopped",
			"done": done,
			"stopped_at": {"voucher_type": doc[0], "voucher_no": doc[1], "reason": outcome},
			"untouched": _vouchers(order[n + 1 :]),
			"message": _("Stopped at {0} {1}: {2}").format(
				_(doc[0]), escape_html(doc[1]), escape_html(outcome)
			),
		}
	return {"status": "done", "done": done, "stopped_at": None, "untouched": []}


def _vouchers(docs: list[Voucher]) -> list[dict]:
	return [{"voucher_type": t, "voucher_no": v} for t, v in docs]


# A long chain, in the background.


def queue(chain: Chain) -> dict:
	"""Hand the chain to a job on the ``long`` queue, started once this request commits; answer
	``{"status": "queued", "job", "documents"}``. One job at a time per document: asked again
	while it runs (its claim is held: :func:`cancel` let go of a stale one), the user who started it
	gets its report so far, anyone else a refusal."""
	root, user = chain.root, frappe.session.user
	if not _claim(root, user):
		report = report_of(*root)
		if report and report["status"] in RUNNING:
			return report
		frappe.throw(
			_(
				"The documents in the way of cancelling {0} {1} are being cancelled in the background at"
				" this moment; show what blocks again once that is done."
			).format(_(root[0]), escape_html(root[1])),
			title=_("Already cancelling"),
		)
	job = _job_id(root)
	count = documents(chain)
	report = {
		"status": "queued",
		"job": create_job_id(job),
		"documents": count,
		"voucher_type": root[0],
		"voucher_no": root[1],
		"done": [],
		"stopped_at": None,
		"untouched": _vouchers(chain.order),
	}
	_keep(root, user, report)
	# Nothing is queued if the request does not commit: the claim and the report go with it.
	frappe.db.after_rollback.add(lambda: _forget(root, user))
	frappe.enqueue(
		cancel_in_background,
		queue="long",
		timeout=JOB_TIMEOUT,
		job_id=job,
		deduplicate=True,
		enqueue_after_commit=True,
		voucher_type=root[0],
		voucher_no=root[1],
		order=[list(doc) for doc in chain.order],
		user=user,
	)
	return report


def cancel_in_background(voucher_type: str, voucher_no: str, order: list[list[str]], user: str) -> dict:
	"""The job: cancel ``order`` as the user who asked, latest first, each document committed, with
	progress; then the report, kept for :func:`report_of`, sent to the form and left in the user's
	notifications. A document changed since the plan was confirmed is refused by its own cancel
	(another document in its way) and stops the job as in the request."""
	frappe.set_user(user)
	frappe.local.lang = get_user_lang(user)
	root = (voucher_type, voucher_no)
	order = [tuple(doc) for doc in order]
	report = report_of(voucher_type, voucher_no) or {
		"job": None,
		"documents": len(order),
		"voucher_type": voucher_type,
		"voucher_no": voucher_no,
	}

	def progress(number: int, outcome: dict):
		report.update(outcome)
		_keep(root, user, report)
		frappe.publish_progress(
			number * 100 / len(order),
			title=_("Cancelling, latest first"),
			description=_("{0} of {1} documents").format(number, len(order)),
		)
		frappe.publish_realtime(EVENT, report, user=user)

	report.update(status="running")
	_keep(root, user, report)
	try:
		report.update(cancel_in_order(order, progress))
	except Exception as e:
		# Only what cancel_in_order does not catch itself (the database or Redis gone).
		frappe.db.rollback()
		frappe.log_error(title="Cancelling a chain of documents")
		report.update(
			status="failed",
			message=_("the background job failed ({0}); see the Error Log").format(type(e).__name__),
		)
	finally:
		_release(root)
	_keep(root, user, report)
	_notify(user, report)
	frappe.db.commit()  # a background job owns its transaction
	frappe.publish_realtime(EVENT, report, user=user)
	return report


def report_of(voucher_type: str, voucher_no: str) -> dict | None:
	"""The report of the user's latest background cancellation of this document (None: none kept).
	A job that ended without its report (its worker killed, its time-out passed) is reported as
	"interrupted", with what it cancelled until then."""
	report = frappe.cache.get_value(
		_report_key((voucher_type, voucher_no), frappe.session.user), expires=True
	)
	if not report or report["status"] not in RUNNING:
		return report
	if get_job_status(_job_id((voucher_type, voucher_no))) not in WAITING:
		report.update(
			status="interrupted",
			message=_(
				"The background job ended before it finished; the documents it cancelled stay cancelled,"
				" the others are as they were. Show what blocks again."
			),
		)
	return report


def _notify(user: str, report: dict) -> None:
	"""The report in the user's notifications, linking the document."""
	root = _(report["voucher_type"]), report["voucher_no"]
	cancelled = sum(1 for d in report.get("done", []) if d["outcome"] == "cancelled")
	if report["status"] == "done":
		subject = _("Cancel all, latest first, of {0} {1}: done, {2} documents cancelled").format(
			*root, cancelled
		)
	elif report["status"] == "stopped":
		stopped = report["stopped_at"]
		subject = _("Cancel all, latest first, of {0} {1}: stopped at {2} {3}: {4}").format(
			*root, _(stopped["voucher_type"]), stopped["voucher_no"], stopped["reason"]
		)
	else:
		subject = _("Cancel all, latest first, of {0} {1}: {2}").format(*root, report["message"])
	lines = [
		_("{0} {1}: {2}").format(_(d["voucher_type"]), d["voucher_no"], _(d["outcome"]))
		for d in report.get("done", [])
	]
	if report.get("untouched") and report["status"] != "done":
		lines.append(
			_("Left as they were: {0}").format(
				", ".join(f"{_(d['voucher_type'])} {d['voucher_no']}" for d in report["untouched"])
			)
		)
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": user,
			"from_user": user,
			"type": "Alert",
			"subject": escape_html(subject),
			"email_content": "".join(f"<div>{escape_html(line)}</div>" for line in lines),
			"document_type": report["voucher_type"],
			"document_name": report["voucher_no"],
		}
	).insert(ignore_permissions=True)


def _job_id(root: Voucher) -> str:
	"""The job of a document's chain: one per document, whoever asks."""
	return "sn-cancel-chain-" + hashlib.sha256("\0".join(root).encode()).hexdigest()[:24]


def _claim_key(root: Voucher) -> str:
	return frappe.cache.make_key(f"serial_tracking:cancel_chain_job:{root[0]}:{root[1]}")


def _claim(root: Voucher, user: str) -> bool:
	"""Take the document's one background cancellation (False: another one holds it), for as long
	as a job may run."""
	return bool(frappe.cache.set(_claim_key(root), f"{time.time()}|{user}", ex=JOB_TIMEOUT + 600, nx=True))


def _holder(root: Voucher) -> str | None:
	"""Who holds the document's background cancellation: its job waits or runs, or was queued a
	moment ago (the request that queues it commits first). A claim whose job is gone (its worker
	was killed) is let go."""
	held = frappe.cache.get(_claim_key(root))
	if not held:
		return None
	since, user = (held.decode() if isinstance(held, bytes) else held).split("|", 1)
	if get_job_status(_job_id(root)) in WAITING or time.time() - float(since) < CLAIM_GRACE:
		return user
	_release(root)
	return None


def _release(root: Voucher) -> None:
	frappe.cache.delete(_claim_key(root))


def _report_key(root: Voucher, user: str) -> str:
	return f"serial_tracking:cancel_chain:{user}:{root[0]}:{root[1]}"


def _keep(root: Voucher, user: str, report: dict) -> None:
	frappe.cache.set_value(_report_key(root, user), report, expires_in_sec=REPORT_FOR)


def _forget(root: Voucher, user: str) -> None:
	_release(root)
	frappe.cache.delete_value(_report_key(root, user))


def _shown_key(confirm: str, root: Voucher) -> str:
	"""Where a plan shown to this user for this document is remembered."""
	return f"serial_tracking:cancel_plan:{frappe.session.user}:{root[0]}:{root[1]}:{confirm}"


def _shown_before(confirm: str, chain: Chain) -> bool:
	"""Whether a plan shown under ``confirm`` held every document of the chain as it is now: the
	chain only shrank since (another user cancelled some of it), so cancelling it cancels nothing
	the user was not shown."""
	shown = frappe.cache.get_value(_shown_key(confirm, chain.root))
	if not shown:
		return False
	shown = {tuple(doc) for doc in shown}
	return chain.root in shown and set(chain.order + chain.stuck) <= shown


#: A document another user cancelled while the chain was being cancelled.
ALREADY = object()


def _cancel_one(doc: Voucher):
	"""None when cancelled, ``ALREADY``, or the reason it was refused (plain text)."""
	voucher_type, voucher_no = doc
	try:
		# Waits for another user cancelling it at this moment, then sees what they did.
		document = frappe.get_doc(voucher_type, voucher_no, for_update=True)
		if document.docstatus == 2:
			frappe.db.commit()
			return ALREADY
		if document.docstatus != 1:
			frappe.db.rollback()
			return _("it is not submitted")
		document.cancel()
		frappe.db.commit()
		return None
	except Exception as e:
		frappe.db.rollback()
		reason = _reason(e)
		# The refusal is answered as the chain's outcome, not as a message of this request.
		frappe.clear_messages()
		return reason


def _reason(e: Exception) -> str:
	if isinstance(e, frappe.QueryDeadlockError | frappe.QueryTimeoutError):
		return _("another document was moving the same stock at that moment; try again")
	if isinstance(e, frappe.ValidationError | frappe.PermissionError | frappe.DoesNotExistError):
		return strip_html(str(e)).strip() or _("refused by ERPNext")
	frappe.log_error(title="Cancelling a chain of documents")
	return _("an unexpected error stopped it ({0}); see the Error Log").format(type(e).__name__)


def _listing(docs: list[Voucher], shown: dict) -> str:
	visible = {(d["voucher_type"], d["voucher_no"]) for d in shown["documents"] if not d["hidden"]}
	return ", ".join(
		f"{_(t)} {escape_html(v)}" if (t, v) in visible and v else _("a {0} you may not see").format(_(t))
		for t, v in docs
	)
