"""Staff tasks as the rest of the system raises them, for the task list's tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.push_sender import hand_to_clerk
from cases import repositories as repo
from cases.models import NotificationOutbox, StaffTask
from cases.repositories.applicants import get_or_create_applicant, set_phone
from tests.platform.conftest import ID_NUMBER, submitted_case

BLOCKED_PHONE = "13812345678"


def seed(session: Session, at: datetime) -> dict[str, int]:
    """The tasks as the rest of the system raises them: a push refused with 403, a hand-over
    to a person (the question carries an ID number), an overdue item, a bad rating."""
    blocked = get_or_create_applicant(session, "telegram", "t-blocked")
    blocked.full_name = "张秀英"
    set_phone(session, blocked, BLOCKED_PHONE)
    repo.enqueue_notification(session, blocked.id, {"intents": []}, "push:1")
    row_id = session.scalar(
        select(NotificationOutbox.id).where(NotificationOutbox.dedupe_key == "push:1")
    )
    assert row_id is not None
    hand_to_clerk(session, blocked.id, row_id, "403 Forbidden: bot was blocked by the user")

    asking, number = submitted_case(session, "u-asking", at)
    case = repo.current_case(session, asking)
    assert case is not None
    handover = repo.add_staff_task(
        session,
        "handover",
        applicant_id=asking,
        case_id=case.id,
        detail={"reason": "not_understood", "question": f"我的身份证 {ID_NUMBER} 能办吗"},
    )
    overdue = StaffTask(
        case_id=case.id, kind="overdue", detail={"case_number": number, "item": "pension_claim"}
    )
    session.add(overdue)
    followup = repo.add_staff_task(
        session, "rating_followup", case_id=case.id, applicant_id=asking
    )
    session.flush()
    phone = session.scalar(select(StaffTask.id).where(StaffTask.kind == "phone_applicant"))
    assert phone is not None
    return {"phone": phone, "handover": handover.id, "overdue": overdue.id, "rating": followup.id}
