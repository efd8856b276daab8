"""Use cases shared by the tests: small, the way the conversation will call the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.files import StoredBlob

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Ejin Horo


def new_applicant(session: Session, user: str, id_number: str = ID_NUMBER) -> int:
    applicant = repo.get_or_create_applicant(session, "telegram", user)
    repo.set_id_number(session, applicant, id_number)
    repo.set_phone(session, applicant, PHONE)
    repo.load_or_start_conversation(session, applicant.id, "welcome")
    session.flush()
    return applicant.id


def upload_and_submit(session: Session, applicant_id: int, sha: str, at: datetime = NOW) -> str:
    case = repo.current_or_new_draft(session, applicant_id)
    case.form = {"name": "王芳", "employer": "鄂托克前旗某公司"}
    blob = StoredBlob(address=sha, size=1234)
    repo.add_page(session, case, "id_card", blob)
    repo.submit_case(session, case, at=at, actor=f"applicant:{applicant_id}")
    assert case.number is not None
    return case.number


def handle_text(session: Session, applicant_id: int, update_id: int, text: str) -> bool:
    """What the conversation does with one update: drop duplicates, change the state and
    the answers, queue a reply, all in the caller's one transaction."""
    if not repo.mark_update_processed(session, "telegram", update_id):
        return False
    conversation = repo.load_conversation(session, applicant_id)
    assert conversation is not None
    answers = dict(conversation.answers)
    answers.setdefault("texts", [])
    answers["texts"] = [*answers["texts"], text]
    repo.save_conversation(session, conversation, state="asked", answers=answers)
    repo.enqueue_notification(
        session, applicant_id, {"message": {"key": "echo", "params": {}}}, f"reply:{update_id}"
    )
    return True


def snapshot(session: Session, applicant_id: int) -> dict[str, Any]:
    conversation = repo.load_conversation(session, applicant_id)
    assert conversation is not None
    return {
        "state": conversation.state,
        "answers": conversation.answers,
        "version": conversation.version,
        "outbox": [n.dedupe_key for n in repo.pending_notifications(session, applicant_id)],
    }
