"""The clerk and the offices in the embedded platform: least privilege, every view and answer
audited, overdue items flagged, return for correction and the supplement that follows."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cases.db import Database
from cases.models import AuditLog, Case, MaterialPage, NotificationOutbox, StaffTask
from cases.platform.delivery import drain_platform_outbox
from cases.platform.events import MaterialIssue
from cases.platform.outbox import enqueue_supplement, enqueue_withdraw
from cases.repositories import case_records
from cases.repositories.pages import add_page
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.platform import EmbeddedPlatform
from tests.platform.conftest import ID_NUMBER, FakeClock, page, submitted_case

BEIJING = ZoneInfo("Asia/Shanghai")


def find_case_by_number(session: Any, number: str) -> Case:
    case = case_records.find_case_by_number(session, number)
    assert case is not None
    return case


async def accepted_case(db: Database, clock: FakeClock) -> tuple[EmbeddedPlatform, str]:
    platform = EmbeddedPlatform(db, now=clock)
    _, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, number, "staff:li")
    return platform, number


async def audit_rows(db: Database) -> list[AuditLog]:
    return await db.run(lambda s: list(s.scalars(select(AuditLog).order_by(AuditLog.id))))


async def test_an_office_sees_only_its_items_fields_and_materials(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await accepted_case(db, clock)
    town = await db.run(platform.show, number, "staff:zhao@town_altan_xire", "town_altan_xire")
    assert set(town.fields) == {"name", "id_number", "phone", "town"}
    assert set(town.materials) == {"id_card"}
    assert [i.item for i in town.items] == ["community_registration"]
    assert "employer_name" not in town.fields and "discharge_certificate" not in town.materials

    veterans = await db.run(platform.show, number, "staff:sun", "veterans_affairs_bureau")
    # It looks the ID number up for every worker: no photo of the ID card, only a veteran's
    # discharge certificate.
    assert set(veterans.materials) == {"discharge_certificate"}
    assert "phone" not in veterans.fields and "town" not in veterans.fields
    assert veterans.fields["id_number"] == ID_NUMBER  # the office needs it to look up

    clerk = await db.run(platform.show, number, "staff:li")
    assert len(clerk.items) == 6 and "application_form" in clerk.materials


async def test_every_view_and_answer_is_audited_without_clear_id_numbers(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await accepted_case(db, clock)
    await db.run(platform.queue, "staff:li")
    await db.run(platform.queue, "staff:wu", "social_insurance_center")
    await db.run(platform.show, number, "staff:wu", "social_insurance_center")
    await db.run(
        platform.answer,
        number,
        "pension_claim",
        "done",
        "staff:wu",
        {"monthly_pension": "3000.00"},
    )
    rows = [(r.actor, r.action, r.item_code) for r in await audit_rows(db)]
    assert ("staff:li", "platform.accept", None) in rows
    assert ("staff:li", "platform.view_queue", None) in rows
    assert ("staff:wu", "platform.view_queue", None) in rows
    assert ("staff:wu", "platform.view_case", "pension_claim") in rows
    assert ("staff:wu", "platform.answer", "pension_claim") in rows
    view = next(r for r in await audit_rows(db) if r.action == "platform.view_case")
    assert view.case_id is not None
    assert "employer_name" in view.detail["fields"]  # what was shown is on record
    assert all(ID_NUMBER not in str(r.detail) for r in await audit_rows(db))


async def test_staff_lists_mask_id_numbers(db: Database, clock: FakeClock) -> None:
    platform, _number = await accepted_case(db, clock)
    rows = await db.run(platform.queue, "staff:wu", "social_insurance_center")
    assert rows[0].applicant == "王建国 1506**********" + ID_NUMBER[-4:]
    town = await db.run(platform.queue, "staff:zhao", "town_altan_xire")
    assert ID_NUMBER not in town[0].applicant


async def test_clear_errors_for_wrong_case_office_and_repeated_answer(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await accepted_case(db, clock)

    async def refused(*args: Any) -> StaffError:
        with pytest.raises(StaffError) as info:
            await db.run(*args)
        return info.value

    assert (await refused(platform.accept, "YJ-2026", "staff:li")).code == "bad_case_number"
    assert (await refused(platform.show, "YJ-20260430-9999", "staff:li")).code == "unknown_case"
    wrong = await refused(
        platform.answer,
        number,
        "pension_claim",
        "done",
        "staff:x",
        {"monthly_pension": "1.00"},
        None,
        "town_altan_xire",
    )
    assert wrong.code == "wrong_office" and "旗就业和社会保险事业中心" in wrong.message
    await db.run(
        platform.answer,
        number,
        "pension_claim",
        "done",
        "staff:wu",
        {"monthly_pension": "3000.00"},
    )
    again = await refused(
        platform.answer, number, "pension_claim", "refused", "staff:wu", None, "重复"
    )
    assert again.code == "already_answered" and "已经答复过" in again.message
    assert (await refused(platform.accept, number, "staff:li")).code == "not_received"
    missing = await refused(
        platform.answer,
        number,
        "archive_certificate",
        "done",
        "staff:q",
        {"archive_birth_date": "1966-01-15"},
    )
    assert missing.code == "bad_data" and "first_employment_date" in missing.message
    nothing = await refused(platform.show, number, "staff:q", "nowhere")
    assert nothing.code == "unknown_office"


async def test_done_without_its_data_names_the_fields_in_chinese_and_what_each_takes(
    db: Database, clock: FakeClock
) -> None:
    """`staff answer … --result done` with no data: the office reads which field is missing by
    its Chinese name (and the code to type), and everything this item's 办结 takes."""
    platform, number = await accepted_case(db, clock)
    with pytest.raises(StaffError) as info:
        await db.run(
            platform.answer, number, "community_registration", "done", "staff:zhao", {}, None
        )
    said = info.value.message
    assert said.startswith("办结数据有误：缺少“登记所在镇”（town）。")
    assert "办结“" in said and "需要填写：登记所在镇 town（文字）" in said
    with pytest.raises(StaffError) as info:
        data = {"monthly_pension": "三千", "pension": "1"}
        await db.run(platform.answer, number, "pension_claim", "done", "staff:wu", data, None)
    said = info.value.message
    assert "“每月养老金”（monthly_pension）的值不对，应为金额，单位元，如 1200.00" in said
    assert "没有数据项 pension" in said
    assert "养老金起发月份 first_pension_month（年月，如 2026-12，可不填）" in said


async def test_overdue_items_are_flagged_to_the_clerk_once(db: Database, clock: FakeClock) -> None:
    platform, _number = await accepted_case(db, clock)
    clock.advance(hours=3)  # 2 office hours have passed: four items are late
    queue = await db.run(platform.queue, "staff:li")
    assert queue[0].overdue and "pension_claim" in (queue[0].item or "")
    await db.run(platform.queue, "staff:li")
    tasks = await db.run(lambda s: list(s.scalars(select(StaffTask))))
    assert sorted(t.detail["item"] for t in tasks) == [
        "archive_certificate",
        "community_registration",
        "pension_claim",
        "veteran_check",
    ]
    assert {t.kind for t in tasks} == {"overdue"}


async def test_return_for_correction_then_supplement_goes_back_to_the_clerk(
    db: Database, clock: FakeClock
) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    applicant_id, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(
        platform.return_for_correction,
        number,
        [MaterialIssue("id_card", "反面照片看不清")],
        "staff:li",
    )

    def state(session: Any) -> tuple[str, list[tuple[str, str, str | None]], list[dict]]:
        case = find_case_by_number(session, number)
        pages = session.scalars(
            select(MaterialPage).where(
                MaterialPage.case_id == case.id, MaterialPage.material_code == "id_card"
            )
        )
        pushes = session.scalars(
            select(NotificationOutbox.payload).where(
                NotificationOutbox.applicant_id == applicant_id
            )
        )
        return (
            case.status,
            [(p.sha256[:6], p.status, p.reject_reason) for p in pages],
            list(pushes),
        )

    status, pages, pushes = await db.run(state)
    assert status == "returned_for_correction"
    assert {p[1] for p in pages} == {"rejected"} and pages[0][2] == "反面照片看不清"
    returned = pushes[-1]["message"]
    assert returned["key"] == "platform.returned"
    assert returned["params"]["materials"][0]["params"]["reason"] == "反面照片看不清"

    # The conversation takes new pages and queues the supplement (dialogs does this).
    def supplement(session: Any) -> None:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        for n in range(2):
            add_page(session, case, "id_card", page(f"new-id-{n}"), supplement=True)
        enqueue_supplement(session, case, "id_card", at=clock())

    await db.run(supplement)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    assert (await db.run(state))[0] == "submitted"
    view = await db.run(platform.show, number, "staff:li")
    assert view.status == "received" and "returned" not in view.materials["id_card"]
    assert view.materials["id_card"]["sha256"] == [page(f"new-id-{n}").sha256 for n in range(2)]
    await db.run(platform.accept, number, "staff:li")
    assert (await db.run(state))[0] == "processing"


async def test_a_withdrawal_reaches_the_platform_and_closes_its_open_items(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await accepted_case(db, clock)

    def withdraw(session: Any) -> None:
        case = find_case_by_number(session, number)
        enqueue_withdraw(session, case, "不办了", at=clock())
        enqueue_withdraw(session, case, "不办了", at=clock())  # twice is one call

    await db.run(withdraw)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    status = await platform.status(number)
    assert status.status == "withdrawn"
    assert {i.status for i in status.items} == {"refused", "online"}
    with pytest.raises(StaffError, match="撤回"):
        await db.run(
            platform.answer,
            number,
            "pension_claim",
            "done",
            "staff:wu",
            {"monthly_pension": "1.00"},
        )


async def test_an_office_asking_for_a_supplement_gets_the_item_back_with_a_new_clock(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await accepted_case(db, clock)
    clock.advance(minutes=30)
    await db.run(
        platform.answer,
        number,
        "archive_certificate",
        "supplement",
        "staff:hr",
        {"materials": "id_card"},
        "身份证反面不清楚，请重新拍照",
    )

    def rejected_and_pushed(session: Any) -> tuple[set[str], str]:
        case = find_case_by_number(session, number)
        pages = session.scalars(
            select(MaterialPage).where(
                MaterialPage.case_id == case.id, MaterialPage.status == "rejected"
            )
        )
        last = session.scalars(
            select(NotificationOutbox.payload).order_by(NotificationOutbox.id.desc())
        ).first()
        return {p.material_code for p in pages}, last["message"]["key"]

    assert await db.run(rejected_and_pushed) == ({"id_card"}, "platform.item_supplement")

    clock.advance(hours=1)  # 10:30 on Thursday 30 April

    def new_pages(session: Any) -> None:
        case = find_case_by_number(session, number)
        for n in range(2):
            add_page(session, case, "id_card", page(f"again-{n}"), supplement=True)
        enqueue_supplement(session, case, "id_card", at=clock())

    await db.run(new_pages)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    status = {i.item: i for i in (await platform.status(number)).items}
    assert status["archive_certificate"].status == "pending"
    assert status["archive_certificate"].due_at is not None
    # Two office hours from 10:30: 12:00 closes the morning, 14:30-15:00 finishes the clock.
    assert status["archive_certificate"].due_at.astimezone(BEIJING).strftime("%H:%M") == "15:00"
