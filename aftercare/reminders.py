"""The reminder a worker asked for at the pre-check ("remind me before my retirement date"):
when it falls due, one push tells them it is time to apply. Each reminder is sent in a
transaction of its own by the aftercare sweep (aftercare/worker.py), like the notices."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from aftercare.failures import RETIREMENT_REMINDER, clear_failure
from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.models import Reminder
from locales.replies import Msg, Reply, to_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KIND = "statutory_month"  # dialogs.engine.eligibility stores it under this kind


def due_retirement_reminders(session: Session, *, at: datetime, limit: int = 100) -> list[int]:
    return due_reminder_ids(session, KIND, RETIREMENT_REMINDER, at=at, limit=limit)


def due_reminder_ids(
    session: Session, kind: str, job: str, *, at: datetime, limit: int = 100
) -> list[int]:
    """The ids of the due reminders of one kind, oldest first, without those whose `job`
    failed and waits for its next try. One kind per sweep: skipping another kind's rows in
    a shared list could starve these behind them."""

    today = at.astimezone(LOCAL_TZ).date()
    due = (
        select(Reminder.id)
        .where(
            Reminder.kind == kind,
            Reminder.sent_at.is_(None),
            Reminder.due_on <= today,
            Reminder.id.not_in(repo.waiting_for_retry(job, at)),
        )
        .order_by(Reminder.due_on, Reminder.id)
        .limit(limit)
    )
    return list(session.scalars(due))


def send_retirement_reminder(session: Session, reminder_id: int, *, at: datetime) -> bool:
    """Queue the push of one due reminder; True when queued now (False: already sent)."""

    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.sent_at is not None:
        return False
    repo.mark_reminder_sent(session, reminder.id, at=at)
    clear_failure(session, RETIREMENT_REMINDER, reminder.id, at=at)
    reply = Reply(Msg("aftercare.reminder.retirement"))
    return repo.enqueue_notification(
        session, reminder.applicant_id, to_json(reply), f"reminder:{reminder.id}"
    )
