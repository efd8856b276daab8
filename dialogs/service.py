"""The conversation service: what every channel calls with an inbound event.

Per event, ONE database transaction: drop a duplicate update id, load the applicant and the
conversation, run the pure engine, apply its commands to the record (`cases.commands`:
consent, identity, pages, the case, outbox rows, staff tasks, reminders) and save the new
state. On PostgreSQL it first takes the applicant's advisory lock: workers handle one
applicant one event at a time (in order: bot/shared_intake). The conversation row is also
version-checked: a conflict re-runs the event from a fresh read, after a short random pause.
One process serialises an applicant's events with an asyncio lock (they queue, not conflict).

Why the retries are bounded where they are: an event loses the version check only when another
process committed an event of the SAME applicant between its read and its write, so it can lose
at most as many times as the other processes have events of that applicant in flight. One
applicant's burst is a handful of messages (an album, a double tap); MAX_ATTEMPTS is above
anything a person can send at once, and the jittered pause keeps two losers from meeting again.

After submission the database is the record: what the conversation says about a case comes
from the case row, its pages and its item results, read in the same transaction (cases.view).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.clock import LOCAL_TZ, utc_now
from app.metrics import LOCK_CONFLICTS
from cases import repositories as repo
from cases.after_result import AfterResultApplier
from cases.commands import apply_commands
from cases.errors import StaleConversation
from cases.repositories.card_numbers import held_card_number, hold_card_number
from cases.result_commands import AFTER_RESULT_COMMANDS
from cases.view import case_view
from dialogs import engine
from dialogs.after_result import result_view
from dialogs.card_reader import CardPhotos
from dialogs.engine.card_photo import HELD as CARD_HELD
from dialogs.events import Command, Event
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State, question_key
from dialogs.my_data import is_my_data, my_data_replies
from dialogs.paperwork import DocumentRequest, Paperwork, make_documents
from dialogs.state import Context, ConversationData
from dialogs.walk_in_link import take_over
from locales.replies import Reply, to_json
from policy.pension_base import load_base_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.settings import Settings
    from cases.db import Database
    from cases.models import Applicant, Case
    from cases.repositories import ApplicantRow

log = logging.getLogger(__name__)

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
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        paperwork: Paperwork | None = None,
        card_photos: CardPhotos | None = None,
    ) -> None:
        self.db = db
        self.card_photos = card_photos  # None: photos of the ID card are not read
        # Makes the documents the conversation sends and the signed copy of a notice
        # (aftercare/paperwork.py, handed in by the composition root); without it, no
        # document is sent and nothing can be signed.
        self.paperwork = paperwork
        self.settings = settings  # built once by the caller (never per event: ~5 ms each)
        self.clock = clock or utc_now
        self.pension_base = load_base_table(settings.service.pension_base_file)  # 养老金测算
        self._locks: OrderedDict[tuple[str, str], asyncio.Lock] = OrderedDict()
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
            if self.card_photos is not None:  # before the transaction: it takes a second
                event = await self.card_photos.read(channel, str(user_id), event)
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
        arrival = repo.take_update(session, channel, user_id, update_id, at=now)
        if arrival.waited:  # another worker had the applicant
            LOCK_CONFLICTS.inc()
        # Rows, not ORM objects: the applicant's record is loaded only by the events that
        # change or show it (`_applicant`).
        who, conv = repo.load_for_event(session, channel, user_id, State.start.value)
        data = ConversationData.from_json(conv.state, conv.answers)
        data.failures = conv.failures
        if arrival.duplicate:
            return self._outcome(session, who, data, [], duplicate=True)
        if is_my_data(event):  # in any state, changing nothing (dialogs/my_data.py)
            days = self.settings.files.retention_days
            replies = my_data_replies(session, _applicant(session, who), data.state, days)
            return self._outcome(session, who, data, replies)
        event, told = take_over(session, who.id, data, event, now)  # a walk-in case's code
        case = repo.current_case(session, who.id) if _needs_case(data, event) else None
        ctx = self._context(session, who, data, case, now)
        result = engine.handle(data, event, ctx)
        given = self._apply(session, who, result.commands, now)
        new = result.data
        if who.holds_card_number and CARD_HELD not in new.answers:
            hold_card_number(session, _applicant(session, who), None)  # /restart...
        repo.save_conversation(
            session, conv, state=new.state, answers=new.to_json(), failures=new.failures
        )
        number = given or (case.number if case is not None else None)
        replies = [*told, *(_fill_case_number(r, number) for r in result.replies)]
        language = new.language or who.language or "zh_CN"
        wanted = DocumentRequest("guide", who.id, language, new.answers)
        replies = make_documents(replies, self.paperwork, session, wanted)
        return self._outcome(session, who, new, replies, case_number=number)

    def _context(
        self,
        session: Session,
        who: ApplicantRow,
        data: ConversationData,
        case: Case | None,
        now: datetime,
    ) -> Context:
        """What the engine reads of the record for this event (the engine itself reads none)."""
        terms = self.settings.service
        held = CARD_HELD in data.answers
        return Context(
            today=now.astimezone(LOCAL_TZ).date(),
            now=now.astimezone(LOCAL_TZ),
            case=case_view(session, case) if case is not None and case.number else None,
            reminder_days_before=terms.reminder_days_before,
            pension_base=self.pension_base,
            result=result_view(session, who.id) if data.state in AFTER_RESULT else None,
            region=terms.region,
            followup_days=terms.rating_followup_working_days,
            reads_cards=self.card_photos is not None,
            card_number=held_card_number(session, _applicant(session, who)) if held else None,
        )

    def _apply(
        self, session: Session, who: ApplicantRow, commands: Sequence[Any], now: datetime
    ) -> str | None:
        """The engine's commands, in the event's transaction; the case number they gave.

        The case's commands and those on its result never come from one event (the states
        before and after the result do not overlap); each kind goes to its own applier."""
        on_result = [c for c in commands if isinstance(c, AFTER_RESULT_COMMANDS)]
        on_case = [c for c in commands if not isinstance(c, AFTER_RESULT_COMMANDS)]
        given = None
        if on_case:  # most events change nothing of the record: no ORM applicant for them
            given = apply_commands(session, _applicant(session, who), on_case, now)
        after_result = AfterResultApplier(session, who.id, now, self.paperwork)
        for command in on_result:
            after_result(command)
        return given

    def _outcome(
        self,
        session: Session,
        who: ApplicantRow,
        data: ConversationData,
        replies: list[Reply],
        *,
        duplicate: bool = False,
        case_number: str | None = None,
    ) -> Outcome:
        if case_number is None and State(data.state) in AFTER_SUBMISSION | AFTER_RESULT:
            case = repo.current_case(session, who.id)
            case_number = case.number if case is not None else None
        return Outcome(
            state=data.state,
            case_number=case_number,
            language=data.language or who.language or "zh_CN",
            replies=replies,
            duplicate=duplicate,
            question=question_key(data.state, data.material),
        )


def _applicant(session: Session, who: ApplicantRow) -> Applicant:
    """The applicant's ORM record, for the commands and views that change or show it."""
    applicant = repo.get_applicant(session, who.id)
    assert applicant is not None  # read in this very transaction
    return applicant


def _needs_case(data: ConversationData, event: Event) -> bool:
    # The case is read only where the conversation speaks about it: after submission, and
    # for /status or a deep link. The hot path of the questions never pays for it.
    return State(data.state) in AFTER_SUBMISSION or (
        isinstance(event, Command) and event.name in ("status", "start")
    )


def _fill_case_number(reply: Reply, number: str | None) -> Reply:
    params = reply.message.params
    if engine.CASE_NUMBER not in params.values():
        return reply
    filled = {k: (number or "") if v == engine.CASE_NUMBER else v for k, v in params.items()}
    return replace(reply, message=replace(reply.message, params=filled))


def _keep_replies(
    session: Session, channel: str, user_id: str, replies: list[Reply], key: str
) -> None:
    applicant = repo.find_applicant(session, channel, user_id)
    if applicant is None:
        return  # nobody to keep them for: no conversation was ever stored
    for n, reply in enumerate(replies):
        repo.enqueue_notification(session, applicant.id, to_json(reply), f"{key}:{n}")


def _kept_waiting(session: Session, channel: str, user_id: str) -> bool:
    applicant = repo.find_applicant(session, channel, user_id)
    return applicant is not None and bool(repo.pending_notifications(session, applicant.id))
