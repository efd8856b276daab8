"""The event path's rows (`load_for_event`, `save_conversation` of a row), on both databases:
what the conversation service reads and writes on every inbound event, without ORM objects."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from cases.errors import StaleConversation
from tests.cases.scenario import snapshot


def _first_contact(session: Session) -> tuple[repo.ApplicantRow, repo.ConversationRow]:
    applicant, conversation = repo.load_for_event(session, "test", "u1", "start")
    assert conversation.id is None  # nothing stored yet: the first save inserts it
    repo.save_conversation(session, conversation, state="ask_name", answers={"language": "bo"})
    return applicant, conversation


def _load(session: Session) -> tuple[repo.ApplicantRow, repo.ConversationRow]:
    return repo.load_for_event(session, "test", "u1", "start")


async def test_a_new_person_is_stored_by_the_first_save_and_read_back(db: Database) -> None:
    created, saved = await db.run(_first_contact)
    applicant, conversation = await db.run(_load)

    assert applicant == repo.ApplicantRow(created.id, "zh_CN", holds_card_number=False)
    assert conversation == saved
    assert (conversation.state, conversation.answers, conversation.version) == (
        "ask_name",
        {"language": "bo"},
        1,
    )


async def test_a_row_saved_from_a_stale_read_is_rejected(db: Database) -> None:
    created, _ = await db.run(_first_contact)
    _, old = await db.run(_load)
    _, fresh = await db.run(_load)
    await db.run(repo.save_conversation, fresh, state="ask_id_number")

    with pytest.raises(StaleConversation):
        await db.run(repo.save_conversation, old, state="rewound")
    after = await db.run(snapshot, created.id)
    assert (after["state"], after["version"]) == ("ask_id_number", 2)
