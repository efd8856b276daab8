"""The conversation service: what every channel calls with an inbound event.

Per event, ONE database transaction: drop a duplicate update id, load the applicant and the
conversation, run the pure engine, apply its commands (consent, identity, pages, the case,
outbox rows, staff tasks, reminders) and save the new state. The conversation row is
version-checked (optimistic lock): a conflict with another worker re-runs the event from a
fresh read, after a short random pause. Within one process, events of one applicant are
serialised by an asyncio lock, so that two messages sent at once queue instead of conflicting:
conflicts arise only between processes.

Why the retries are bounded where they are: an event loses the version check only when another
process committed an event of the SAME applicant between its read and its write, so it can lose
at most as many times as the other processes have events of that applicant in flight. One
applicant's burst is a handful of messages (an album, a double tap); MAX_ATTEMPTS is above
anything a person can send at once, and the jittered pause keeps two losers from meeting again.

After submission the database is the record: what the conversation says about a case comes
from the case row, its pages and its item results, read in the same transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from app.metrics import LOCK_CONFLICTS
from cases.errors import StaleConversation
from dialogs import engine
from dialogs.events import Command, Event
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State
from dialogs.my_data import is_my_data, my_data_replies
from dialogs.replies import Msg, Reply, to_json
from dialogs.state import (
    AddPages,
    CaseView,
    ClearMaterial,
    Context,
    ConversationData,
    DiscardDraft,
    DomainCommand,
    HandToPerson,
    ItemProgress,
    MarkMaterialLost,
    RecordConsent,
    Rejection,
    SaveIdentity,
    SetLanguage,
    StoreReminder,
    SubmitCase,
    SupplementAsk,
    SupplementCase,
    WithdrawConsent,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.settings import Settings
    from cases.db import Database
    from cases.models import Applicant, Case

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # the applicants' calendar day decides eligibility
MAX_ATTEMPTS = 12  # the first try and retries after an optimistic-lock conflict (see above)
RETRY_PAUSE = 0.002  # seconds: the first retry waits up to this, doubling each time...
RETRY_PAUSE_CAP = 0.05  # ...up to this ("full jitter": a uniform pause in [0, bound])
MAX_LOCKS = 10_000  # per-applicant locks kept in memory (idle ones are dropped beyond this)


@dataclass(frozen=True)
class Outcome:
    """What a channel needs after one event: the replies to render in `language`."""

    state: str
    case_number: str | None
    language: str
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    question: str | None = None  # the question now open (for versioned buttons)


class ConversationService:
    """`await service.handle(channel, user_id, event, update_id)` for every inbound event."""

    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        if settings is None:
            from app.settings import Settings

            settings = Settings()  # the defaults, built once (never per event: ~5 ms each)
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reminder_days_before = (
            settings.service.reminder_days_before if settings is not None else 90
        )
        self._locks: OrderedDict[tuple[str, str], asyncio.Lock] = OrderedDict()
        self._aftercare_deps: Any = None  # built on the first event, from the fixed settings
        self.conflicts = 0  # optimistic-lock conflicts seen (and retried)

    def _lock(self, key: tuple[str, str]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
            if len(self._locks) > MAX_LOCKS:
                # Drop the oldest idle locks; a held or awaited one must survive.
                for old in list(self._locks)[: len(self._locks) - MAX_LOCKS]:
                    if not self._locks[old].locked():
                        del self._locks[old]
        else:
            self._locks.move_to_end(key)
        return lock

    async def handle(
        self,
        channel: str,
        user_id: str,
        event: Event,
        update_id: str | int | None = None,
    ) -> Outcome:
        """Handle one inbound event of one applicant; see the module docstring."""
        key = (channel, str(user_id))
        async with self._lock(key):
            for attempt in range(MAX_ATTEMPTS):
                try:
                    # One event is a short unit of work: on SQLite, no hop to the writer thread.
                    return await self.db.run_on_loop(
                        self._handle_sync, channel, str(user_id), event, update_id, self.clock()
                    )
                except StaleConversation:
                    self.conflicts += 1
                    LOCK_CONFLICTS.inc()
                    if attempt == MAX_ATTEMPTS - 1:
                        raise
                    log.info("conversation conflict for %s, retrying the event", channel)
                    bound = min(RETRY_PAUSE_CAP, RETRY_PAUSE * 2**attempt)
                    await asyncio.sleep(random.uniform(0, bound))
        raise AssertionError("unreachable")

    async def keep_replies(
        self, channel: str, user_id: str, replies: Sequence[Reply], key: str
    ) -> None:
        """Replies a channel could not deliver now go to the notification outbox (its push
        sender retries them), each once per `key`; durable when this returns."""
        await self.db.run(_keep_replies, channel, str(user_id), list(replies), key)

    async def kept_replies_waiting(self, channel: str, user_id: str) -> bool:
        """Whether replies kept by `keep_replies` are still waiting to go out."""
        return await self.db.run(_kept_waiting, channel, str(user_id))

    # ---- one transaction ----------------------------------------------------------------

    def _handle_sync(
        self,
        session: Session,
        channel: str,
        user_id: str,
        event: Event,
        update_id: str | int | None,
        now: datetime,
    ) -> Outcome:
        from cases import repositories as repo

        duplicate = update_id is not None and not repo.mark_update_processed(
            session, channel, _update_number(update_id), at=now
        )
        applicant, conv = repo.load_applicant_and_conversation(
            session, channel, user_id, State.start.value
        )
        data = ConversationData.from_json(conv.state, conv.answers)
        data.failures = conv.failures or 0
        if duplicate:
            return self._outcome(session, applicant, data, [], duplicate=True)
        if is_my_data(event):  # in any state, changing nothing (dialogs/my_data.py)
            days = self.settings.files.retention_days
            replies = my_data_replies(session, applicant, data.state, days)
            return self._outcome(session, applicant, data, replies)
        # After the result (signature, rating, online steps) and documents on request.
        from aftercare import chat as aftercare

        if self._aftercare_deps is None:
            self._aftercare_deps = aftercare.deps_from_settings(self.settings, self.db.vault)
        after = aftercare.handle(session, applicant, data, event, now, self._aftercare_deps)
        if after is not None:
            new, replies = after
            repo.save_conversation(
                session, conv, state=new.state, answers=new.to_json(), failures=new.failures
            )
            return self._outcome(session, applicant, new, replies)
        case = None
        if _needs_case(data, event):
            case = repo.current_case(session, applicant.id)
        ctx = Context(
            today=now.astimezone(LOCAL_TZ).date(),
            case=_case_view(session, case) if case is not None and case.number else None,
            reminder_days_before=self.reminder_days_before,
        )
        result = engine.handle(data, event, ctx)
        apply = _Applier(session, applicant, now)
        for command in result.commands:
            apply(command)
        new = result.data
        repo.save_conversation(
            session, conv, state=new.state, answers=new.to_json(), failures=new.failures
        )
        number = apply.case_number or (case.number if case is not None else None)
        replies = [_fill_case_number(r, number) for r in result.replies]
        return self._outcome(session, applicant, new, replies, case_number=number)

    def _outcome(
        self,
        session: Session,
        applicant: Applicant,
        data: ConversationData,
        replies: list[Reply],
        *,
        duplicate: bool = False,
        case_number: str | None = None,
    ) -> Outcome:
        if case_number is None and State(data.state) in AFTER_SUBMISSION | AFTER_RESULT:
            from cases import repositories as repo

            case = repo.current_case(session, applicant.id)
            case_number = case.number if case is not None else None
        from dialogs.machine import question_key

        return Outcome(
            state=data.state,
            case_number=case_number,
            language=data.language or applicant.language or "zh_CN",
            replies=replies,
            duplicate=duplicate,
            question=question_key(data.state, data.material),
        )


def _update_number(update_id: str | int) -> int:
    """Telegram's update ids are integers; other channels' ids are hashed into 63 bits."""
    if isinstance(update_id, int):
        return update_id
    if update_id.isdigit() and len(update_id) < 19:
        return int(update_id)
    return int.from_bytes(hashlib.blake2b(update_id.encode(), digest_size=8).digest()) >> 1


def _needs_case(data: ConversationData, event: Event) -> bool:
    # The case is read only where the conversation speaks about it: after submission, and
    # for /status or a deep link. The hot path of the questions never pays for it.
    return State(data.state) in AFTER_SUBMISSION or (
        isinstance(event, Command) and event.name in ("status", "start")
    )


def _case_view(session: Session, case: Case) -> CaseView:
    from cases import repositories as repo
    from cases.models import PageStatus
    from policy.materials import requested_materials

    pages = repo.pages_of(session, case.id)
    # A rejected material is still open until a supplement page replaces it.
    replaced = {p.material_code for p in pages if p.supplement and p.status == PageStatus.ok.value}
    rejected: dict[str, str] = {}
    hashes: dict[str, list[str]] = {}
    for p in pages:
        if p.status == PageStatus.rejected.value and p.material_code not in replaced:
            rejected.setdefault(p.material_code, p.reject_reason or "")
            hashes.setdefault(p.material_code, []).append(p.sha256 or "")
    # An office's request is answered, material by material, by new pages or by "lost"
    # (what the material had before the request was refused when it came).
    answered = replaced | {p.material_code for p in pages if p.status == PageStatus.lost.value}
    items: list[ItemProgress] = []
    asks: list[SupplementAsk] = []
    for r in repo.item_results(session, case.id):
        status = r.status
        if status == "supplement":
            wanted = requested_materials((r.data or {}).get("materials"))
            missing = tuple(c for c in wanted if c not in answered)
            if missing:
                asks.append(SupplementAsk(r.item_code, r.reason or "", missing))
            else:
                status = "supplement_sent"  # sent; the office has not taken it up yet
        items.append(ItemProgress(r.item_code, status))
    return CaseView(
        number=case.number or "",
        status=case.status,
        rejected=tuple(
            Rejection(code, reason, tuple(hashes.get(code, ())))
            for code, reason in rejected.items()
        ),
        items=tuple(items),
        asks=tuple(asks) if case.status == "processing" else (),
    )


def _fill_case_number(reply: Reply, number: str | None) -> Reply:
    params = reply.message.params
    if engine.CASE_NUMBER not in params.values():
        return reply
    filled = {k: (number or "") if v == engine.CASE_NUMBER else v for k, v in params.items()}
    return replace(reply, message=Msg(reply.message.key, filled))


class _Applier:
    """Applies the engine's commands inside the event's transaction."""

    def __init__(self, session: Session, applicant: Applicant, now: datetime) -> None:
        self.session, self.applicant, self.now = session, applicant, now
        self.case_number: str | None = None
        self._case: Case | None = None

    @property
    def actor(self) -> str:
        return f"applicant:{self.applicant.id}"

    def draft(self) -> Case:
        from cases import repositories as repo

        if self._case is None:
            self._case = repo.current_or_new_draft(self.session, self.applicant.id)
        return self._case

    def __call__(self, command: DomainCommand) -> None:
        from cases import repositories as repo
        from cases.repositories.applicants import set_full_name, set_language

        s, a = self.session, self.applicant
        match command:
            case SetLanguage(language):
                set_language(s, a, language)
            case RecordConsent(version, scope):
                repo.record_consent(s, a, version=version, scope=",".join(scope), at=self.now)
            case WithdrawConsent():
                repo.withdraw_consent(s, a, at=self.now)
            case SaveIdentity(name, id_number, phone):
                if name is not None:
                    set_full_name(s, a, name)
                if id_number is not None:
                    repo.set_id_number(s, a, id_number)
                if phone is not None:
                    repo.set_phone(s, a, phone)
            case StoreReminder(due, kind, _params):
                repo.add_reminder(s, a.id, kind, due)
            case AddPages(material, files):
                case = self.draft()
                after = case.status != "draft"
                for f in files:
                    repo.add_page(s, case, material, f, supplement=after)
            case MarkMaterialLost(material):
                repo.declare_lost(s, self.draft(), material)
            case ClearMaterial(material):
                self._clear(material)
            case SubmitCase(form):
                self._submit(form)
            case SupplementCase(materials):
                self._supplement(materials)
            case HandToPerson(reason, question):
                current = repo.current_case(s, a.id)
                repo.add_staff_task(
                    s,
                    "handover",
                    applicant_id=a.id,
                    case_id=current.id if current is not None else None,
                    detail={"reason": reason, "question": question},
                )
            case DiscardDraft():
                self._discard()
            case _:
                raise TypeError(f"unknown command {type(command).__name__}")

    def _clear(self, material: str) -> None:
        from cases import repositories as repo

        case = repo.current_case(self.session, self.applicant.id)
        if case is None or case.status != "draft":
            return  # pages of a submitted case are the record: never removed from here
        for page in repo.pages_of(self.session, case.id, material):
            self.session.delete(page)
        self.session.flush()

    def _discard(self) -> None:
        from cases import repositories as repo

        case = repo.current_case(self.session, self.applicant.id)
        if case is None or case.status != "draft":
            return
        for page in repo.pages_of(self.session, case.id):
            self.session.delete(page)
        self.session.flush()  # pages first: the case's delete would cascade under them
        self.session.delete(case)
        self.session.flush()
        self._case = None

    def _submit(self, form: dict[str, Any]) -> None:
        from cases import repositories as repo
        from integrations.platform.outbox import enqueue_submit

        case = self.draft()
        case.form = dict(form)
        repo.submit_case(self.session, case, at=self.now, actor=self.actor)
        enqueue_submit(self.session, case, at=self.now)
        self.case_number = case.number

    def _supplement(self, materials: tuple[str, ...]) -> None:
        from cases import repositories as repo
        from integrations.platform.outbox import enqueue_supplement

        case = repo.current_case(self.session, self.applicant.id)
        if case is None:
            return
        for code in materials:
            enqueue_supplement(self.session, case, code, at=self.now)
        repo.audit(
            self.session,
            self.actor,
            "case.supplement",
            case_id=case.id,
            detail={"materials": list(materials)},
            at=self.now,
        )
        self.case_number = case.number


def _keep_replies(
    session: Session, channel: str, user_id: str, replies: list[Reply], key: str
) -> None:
    from cases import repositories as repo

    applicant = repo.find_applicant(session, channel, user_id)
    if applicant is None:
        return  # nobody to keep them for: no conversation was ever stored
    for n, reply in enumerate(replies):
        repo.enqueue_notification(session, applicant.id, to_json(reply), f"{key}:{n}")


def _kept_waiting(session: Session, channel: str, user_id: str) -> bool:
    from cases import repositories as repo

    applicant = repo.find_applicant(session, channel, user_id)
    return applicant is not None and bool(repo.pending_notifications(session, applicant.id))
