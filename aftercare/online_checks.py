"""The online-step check: a few days after the notice, "are your online steps done? need
help?", for the steps not answered "done" yet.

A check that finds the applicant still signing waits a day: the signature comes first. The
conversation decides whether it can ask now (`dialogs.after_result.happen`: only after the
signature, by the table's rows) and closes a rating left unanswered; this module only knows
which steps this case has and which are done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from aftercare.config import AftercareConfig
from aftercare.failures import ONLINE_CHECK, clear_failure
from aftercare.notice import build_notice
from aftercare.reminders import due_reminder_ids
from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.models import Case, Reminder
from cases.online_steps import online_steps_answered
from cases.result import latest_case
from dialogs.after_result import happen
from dialogs.happenings import OnlineStepsDue
from documents.result_notice import back_payment_due
from locales import Translator
from locales.replies import to_json

CHECK_KIND = "online_steps"
NOTICE_LANGUAGE = "zh_CN"
AFTER_SIGNING = ("signed", "rated", "closed")


def online_steps(session: Session, case: Case, config: AftercareConfig) -> list[str]:
    """The steps this applicant finishes online: the housing fund always, the medical
    insurance payment only when a back payment is due."""
    tr = Translator(NOTICE_LANGUAGE)
    steps = ["housing_fund"]
    if back_payment_due(build_notice(session, case, tr, config.region)) > 0:
        steps.append("medical_payment")
    return steps


def due_online_checks(session: Session, *, at: datetime, limit: int = 100) -> list[int]:
    """The ids of the due online-step reminders, oldest first, without those that failed
    and wait for their next try."""
    return due_reminder_ids(session, CHECK_KIND, ONLINE_CHECK, at=at, limit=limit)


def run_online_step_check(
    session: Session, reminder_id: int, config: AftercareConfig, *, at: datetime
) -> bool:
    """Send one due "are your online steps done?" question; True when it was sent."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.sent_at is not None:
        return False  # another sweep got there first
    today = at.astimezone(LOCAL_TZ).date()
    repo.mark_reminder_sent(session, reminder.id, at=at)
    clear_failure(session, ONLINE_CHECK, reminder.id, at=at)
    case = latest_case(session, reminder.applicant_id)
    if case is None or case.status not in AFTER_SIGNING:
        if case is not None and case.status == "notified":  # still signing: tomorrow
            repo.add_reminder(session, reminder.applicant_id, CHECK_KIND, today + timedelta(1))
        return False
    done = online_steps_answered(session, case)
    pending = tuple(s for s in online_steps(session, case, config) if not done.get(s))
    if not pending:
        return False
    replies = happen(
        session,
        reminder.applicant_id,
        OnlineStepsDue(pending),
        at=at,
        region=config.region,
        followup_days=config.rating_followup_working_days,
    )
    for n, reply in enumerate(replies):
        key = f"aftercare:check:{reminder.id}" + (f":{n}" if n else "")
        repo.enqueue_notification(session, reminder.applicant_id, to_json(reply), key)
    session.flush()
    return bool(replies)
