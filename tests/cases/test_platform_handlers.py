"""One handler per platform event (`cases.platform.handlers`): each changes the case and says
what the applicant is told, once per event, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from cases.models import Case, PageStatus
from cases.platform.events import (
    EVENT_KINDS,
    Accepted,
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    MaterialIssue,
    ReturnedForCorrection,
)
from cases.platform.handlers import HANDLERS, apply_event
from locales import Translator
from locales.replies import from_json, render
from tests.cases.scenario import NOW
from tests.platform.conftest import submitted_case

ZH = Translator("zh_CN")


def _case(session: Session, number: str) -> Case:
    case = repo.find_case_by_number(session, number)
    assert case is not None
    return case


def _told(session: Session, number: str) -> list[str]:
    """What the applicant of the case will be pushed, in Chinese, oldest first."""
    case = _case(session, number)
    rows = repo.pending_notifications(session, case.applicant_id)
    return [render(from_json(r.payload).message, ZH) for r in rows]


def _page_states(session: Session, number: str) -> dict[str, set[str]]:
    states: dict[str, set[str]] = {}
    for p in repo.pages_of(session, _case(session, number).id):
        states.setdefault(p.material_code, set()).add(p.status)
    return states


def _accepted(number: str) -> Accepted:
    items = (
        DispatchedItem("pension_claim", "social_insurance_center", NOW + timedelta(hours=2)),
        DispatchedItem("medical_insurance", "medical_security_bureau", None),
        DispatchedItem("housing_fund", "housing_fund_yiqi", None, online=True),
    )
    return Accepted(number, "ev-accept", NOW, items)


def test_every_event_kind_has_its_own_handler() -> None:
    assert set(HANDLERS) == set(EVENT_KINDS.values())


async def test_a_return_refuses_the_named_material_and_tells_why(db: Database) -> None:
    def work(session: Session) -> tuple[bool, bool, str, dict[str, set[str]], list[str]]:
        _, number = submitted_case(session, "u1", NOW)
        event = ReturnedForCorrection(
            number, "ev-return", NOW, (MaterialIssue("id_card", "照片模糊，请重拍"),)
        )
        first = apply_event(session, event)
        again = apply_event(session, event)  # a redelivery changes nothing
        status = _case(session, number).status
        return first, again, status, _page_states(session, number), _told(session, number)

    first, again, status, pages, told = await db.run(work)
    assert (first, again) == (True, False)
    assert status == "returned_for_correction"
    assert pages["id_card"] == {PageStatus.rejected.value}
    assert pages["social_security_card"] == {PageStatus.ok.value}
    assert len(told) == 1
    assert "身份证" in told[0] and "照片模糊，请重拍" in told[0]


async def test_acceptance_lists_the_items_started_with_their_due_times_at_once(
    db: Database,
) -> None:
    def work(session: Session) -> tuple[str, dict[str, str], list[str]]:
        _, number = submitted_case(session, "u1", NOW)
        apply_event(session, _accepted(number))
        case = _case(session, number)
        items = {r.item_code: r.status for r in repo.item_results(session, case.id)}
        return case.status, items, _told(session, number)

    status, items, told = await db.run(work)
    assert status == "processing"
    assert items == {
        "pension_claim": "pending",
        "medical_insurance": "waiting",
        "housing_fund": "online",
    }
    # One push for the items that start together, each with when its answer is due; the
    # online step is no office's, and the item that waits says so.
    (push,) = told
    assert "2个事项已分送经办机构" in push
    assert "· 企业职工基本养老保险待遇申领：已开始办理，预计今天12:00前答复" in push
    assert "前一事项办结后开始" in push and "公积金" not in push


async def test_an_office_asking_for_more_refuses_only_what_it_names(db: Database) -> None:
    def work(session: Session) -> tuple[dict[str, set[str]], list[str]]:
        _, number = submitted_case(session, "u1", NOW)
        apply_event(session, _accepted(number))
        ask = ItemAnswered(
            number,
            "ev-ask",
            NOW,
            "pension_claim",
            "social_insurance_center",
            "supplement",
            {"materials": "social_security_card"},
            "社保卡照片看不清",
        )
        apply_event(session, ask)
        return _page_states(session, number), _told(session, number)

    pages, told = await db.run(work)
    assert pages["social_security_card"] == {PageStatus.rejected.value}
    assert pages["id_card"] == {PageStatus.ok.value}
    assert "原因：社保卡照片看不清" in told[-1] and "· 社保卡" in told[-1]


async def test_the_medical_answer_asks_the_clerk_to_phone_once(db: Database) -> None:
    def answer(number: str, event_id: str, due: str) -> ItemAnswered:
        data = {"contribution_months": "312", "back_payment_due": due}
        return ItemAnswered(
            number, event_id, NOW, "medical_insurance", "medical_security_bureau", "done", data
        )

    def work(session: Session) -> tuple[list[dict[str, object]], list[str]]:
        _, number = submitted_case(session, "u1", NOW)
        apply_event(session, _accepted(number))
        due = NOW + timedelta(days=7)  # 2026-12-03 10:00 in Ordos
        start = ItemDispatched(
            number, "ev-med-0", NOW, "medical_insurance", "medical_security_bureau", due
        )
        apply_event(session, start)
        apply_event(session, answer(number, "ev-med-1", "1200.00"))
        apply_event(session, answer(number, "ev-med-2", "800.00"))  # the office corrects it
        tasks = repo.open_staff_tasks(session, "phone_medical")
        return [t.detail for t in tasks], _told(session, number)

    tasks, told = await db.run(work)
    assert len(tasks) == 1
    assert tasks[0]["需补缴金额（元）"] == "800.00"
    assert "预计12月3日10:00前答复" in told[-3]  # as people read dates (issue 13)
    assert "还需补缴 1200.00 元" in told[-2] and "还需补缴 800.00 元" in told[-1]


async def test_an_office_starting_again_after_a_supplement_says_so_and_when_today(
    db: Database,
) -> None:
    """Sent on 26 Nov at 10:00: due at 16:08 the same day is "今天16:08前", never a date that
    reads like a week away; after the material asked for, the item is resumed, not started."""

    def work(session: Session) -> list[str]:
        _, number = submitted_case(session, "u1", NOW)
        apply_event(session, _accepted(number))
        office = ("pension_claim", "social_insurance_center")
        data = {"materials": "social_security_card"}
        asked = ItemAnswered(number, "ev-ask", NOW, *office, "supplement", data, "看不清")
        apply_event(session, asked)
        due = NOW + timedelta(hours=6, minutes=8)  # 16:08 in Ordos
        apply_event(session, ItemDispatched(number, "ev-again", NOW, *office, due))
        return _told(session, number)

    told = await db.run(work)
    assert told[-1].endswith("已恢复办理，预计今天16:08前答复。")
    assert "已开始办理" not in told[-1]
