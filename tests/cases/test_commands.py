"""The conversation's commands applied to the record (`cases.commands`), and the case as the
conversation reads it back (`cases.view`), on both databases."""

from __future__ import annotations

import hashlib
from typing import get_args

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.commands import (
    COMMANDS,
    AddPages,
    ClearMaterial,
    DiscardDraft,
    DomainCommand,
    HandToPerson,
    MarkMaterialLost,
    SubmitCase,
    apply_commands,
)
from cases.db import Database
from cases.files import StoredBlob
from cases.models import Applicant
from cases.platform.events import (
    Accepted,
    DispatchedItem,
    ItemAnswered,
    MaterialIssue,
    ReturnedForCorrection,
)
from cases.platform.handlers import apply_event
from cases.view import CaseView, SupplementAsk, case_view
from tests.cases.scenario import NOW, new_applicant

FORM = {"name": "王芳", "employer": "鄂托克前旗某公司"}


def _file(label: str) -> StoredBlob:
    return StoredBlob(address=hashlib.sha256(label.encode()).hexdigest(), size=1234)


def _applicant(session: Session, user: str = "u1") -> Applicant:
    applicant = repo.get_applicant(session, new_applicant(session, user))
    assert applicant is not None
    return applicant


def _submitted(session: Session, applicant: Applicant) -> str:
    pages = (AddPages("id_card", (_file("id-front"), _file("id-back"))),)
    number = apply_commands(session, applicant, (*pages, SubmitCase(FORM)), NOW)
    assert number is not None
    return number


def _view(session: Session, applicant: Applicant) -> CaseView:
    case = repo.current_case(session, applicant.id)
    assert case is not None
    return case_view(session, case)


def test_every_command_has_its_own_function() -> None:
    assert set(COMMANDS) == set(get_args(DomainCommand))


async def test_submitting_numbers_the_case_and_queues_it_for_the_platform(db: Database) -> None:
    def work(session: Session) -> tuple[str, list[str], str]:
        applicant = _applicant(session)
        number = _submitted(session, applicant)
        case = repo.find_case_by_number(session, number)
        assert case is not None
        calls = [c.kind for c in repo.platform_calls_of(session, case.id)]
        return number, calls, case.status

    number, calls, status = await db.run(work)
    assert number.startswith("YJ-20261126-")
    assert calls == ["submit"]
    assert status == "submitted"


async def test_a_draft_can_be_taken_back_a_submitted_case_cannot(db: Database) -> None:
    def work(session: Session) -> tuple[int, bool, int]:
        drafting = _applicant(session, "u-draft")
        apply_commands(session, drafting, (AddPages("id_card", (_file("a"),)),), NOW)
        apply_commands(session, drafting, (MarkMaterialLost("pension_handbook"),), NOW)
        apply_commands(session, drafting, (ClearMaterial("id_card"),), NOW)
        draft = repo.current_case(session, drafting.id)
        assert draft is not None
        left = len(repo.pages_of(session, draft.id))  # the lost handbook stays declared
        apply_commands(session, drafting, (DiscardDraft(),), NOW)
        gone = repo.current_case(session, drafting.id) is None

        submitted = _applicant(session, "u-sent")
        number = _submitted(session, submitted)
        apply_commands(session, submitted, (ClearMaterial("id_card"), DiscardDraft()), NOW)
        case = repo.find_case_by_number(session, number)
        assert case is not None
        return left, gone, len(repo.pages_of(session, case.id))

    left, gone, kept = await db.run(work)
    assert (left, gone, kept) == (1, True, 2)


async def test_a_hand_over_names_the_case_for_the_clerk(db: Database) -> None:
    def work(session: Session) -> list[tuple[int | None, dict[str, object]]]:
        applicant = _applicant(session)
        _submitted(session, applicant)
        apply_commands(session, applicant, (HandToPerson("not_understood", "能快点吗"),), NOW)
        return [(t.case_id, t.detail) for t in repo.open_staff_tasks(session, "handover")]

    ((case_id, detail),) = await db.run(work)
    assert case_id is not None
    assert detail == {"reason": "not_understood", "question": "能快点吗"}


async def test_a_returned_material_stays_open_until_new_pages_replace_it(db: Database) -> None:
    def work(session: Session) -> tuple[CaseView, CaseView]:
        applicant = _applicant(session)
        number = _submitted(session, applicant)
        issue = MaterialIssue("id_card", "照片模糊")
        apply_event(session, ReturnedForCorrection(number, "ev-1", NOW, (issue,)))
        before = _view(session, applicant)
        apply_commands(session, applicant, (AddPages("id_card", (_file("id-new"),)),), NOW)
        return before, _view(session, applicant)

    before, after = await db.run(work)
    (rejection,) = before.rejected
    assert (rejection.material, rejection.reason, len(rejection.pages)) == (
        "id_card",
        "照片模糊",
        2,
    )
    assert after.rejected == ()


async def test_an_office_request_is_open_until_each_material_is_answered(db: Database) -> None:
    def work(session: Session) -> tuple[CaseView, CaseView]:
        applicant = _applicant(session)
        number = _submitted(session, applicant)
        item = DispatchedItem("pension_claim", "social_insurance_center", NOW)
        apply_event(session, Accepted(number, "ev-1", NOW, (item,)))
        ask = ItemAnswered(
            number,
            "ev-2",
            NOW,
            "pension_claim",
            "social_insurance_center",
            "supplement",
            {"materials": ["id_card", "household_register"]},
            "请补充",
        )
        apply_event(session, ask)
        before = _view(session, applicant)
        answers = (AddPages("id_card", (_file("id-2"),)), MarkMaterialLost("household_register"))
        apply_commands(session, applicant, answers, NOW)
        return before, _view(session, applicant)

    before, after = await db.run(work)
    assert before.asks == (
        SupplementAsk("pension_claim", "请补充", ("id_card", "household_register")),
    )
    assert [(i.code, i.status) for i in before.items] == [("pension_claim", "supplement")]
    assert after.asks == ()
    assert [(i.code, i.status) for i in after.items] == [("pension_claim", "supplement_sent")]
