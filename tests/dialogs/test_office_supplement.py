"""An office asks for more material on its item (an item-level supplement, not a clerk's
return): the applicant is told in the office's words, uploads just that, and the item goes
back to the same office with a new clock on the embedded platform, round after round.

The real conversation service and the real embedded platform on one database (SQLite and
PostgreSQL); the platform's clock is injected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cases.db import Database
from cases.models import Case, ItemResult, NotificationOutbox
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded.platform import EmbeddedPlatform
from locales import Translator
from locales.replies import from_json, render
from tests.dialogs.conftest import Person, page
from tests.dialogs.test_journeys import finish_uploads, reach_review, town_and_employer
from tests.platform.conftest import FakeClock

BEIJING = ZoneInfo("Asia/Shanghai")
NUMBER = "YJ-20261126-0001"
DONE: dict[str, dict[str, str]] = {
    "pension_claim": {"monthly_pension": "3520.50"},
    "archive_certificate": {
        "archive_birth_date": "1965-03-15",
        "first_employment_date": "1985-07-01",
    },
    "veteran_check": {"is_veteran": "false"},  # every worker's item, veteran or not
    "community_registration": {"town": "阿勒腾席热镇"},
    "medical_insurance": {"contribution_months": "312", "back_payment_due": "0"},
}


def beijing(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=BEIJING)


async def on_the_platform(person: Person, db: Database) -> tuple[EmbeddedPlatform, FakeClock]:
    """Submitted by the applicant, delivered to the embedded platform, accepted at 10:10."""
    await person.tap("submit")
    clock = FakeClock(beijing(10, 10).astimezone(UTC))
    platform = EmbeddedPlatform(db, now=clock)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    await db.run(platform.accept, NUMBER, "staff:李娜")
    return platform, clock


async def id_card_asked_for(person: Person, db: Database) -> tuple[EmbeddedPlatform, FakeClock]:
    """From the review to the archive office's request at 10:30: the ID card's back again."""
    await reach_review(person)
    platform, clock = await on_the_platform(person, db)
    clock.advance(minutes=20)
    await db.run(
        platform.answer,
        NUMBER,
        "archive_certificate",
        "supplement",
        "staff:刘洋@hr_service_center",
        {"materials": "id_card"},
        "身份证反面看不清，请重新拍照",
    )
    return platform, clock


async def last_push(db: Database) -> str:
    def read(session: Any) -> dict[str, Any]:
        query = select(NotificationOutbox.payload).order_by(NotificationOutbox.id.desc())
        return session.scalars(query).first()

    return render(from_json(await db.run(read)).message, Translator("zh_CN"))


async def our_items(db: Database) -> dict[str, ItemResult]:
    def read(session: Any) -> dict[str, ItemResult]:
        case = session.scalars(select(Case).where(Case.number == NUMBER)).one()
        return {
            r.item_code: r for r in session.scalars(select(ItemResult).filter_by(case_id=case.id))
        }

    return await db.run(read)


async def case_status(db: Database) -> str:
    return await db.run(lambda s: s.scalars(select(Case.status)).one())


async def answer_all_done(db: Database, platform: EmbeddedPlatform, clock: FakeClock) -> None:
    for item, data in DONE.items():
        clock.advance(minutes=10)
        await db.run(platform.answer, NUMBER, item, "done", f"staff:{item}", data)


async def test_an_office_asks_for_the_id_card_the_applicant_sends_it_and_the_office_finishes(
    person: Person, db: Database
) -> None:
    platform, clock = await id_card_asked_for(person, db)
    push = await last_push(db)
    assert "身份证反面看不清，请重新拍照" in push
    assert "依据档案记载出具相关证明" in push and "身份证" in push
    assert await case_status(db) == "processing"  # an office's request is not a clerk return

    await person.text("好的，我看到了")
    assert "身份证反面看不清，请重新拍照" in person.texts()
    assert "依据档案记载出具相关证明" in person.texts()
    assert person.question == "ask_upload_id_card"
    await person.command("status")
    assert "等待您补充材料" in person.texts()
    assert person.question == "ask_upload_id_card"

    await person.files(page("id_card-2"))  # the very photo the office could not read
    assert "dialogs.hint.rejected_page_again" in person.message_keys()
    await person.files(page("new-front"), page("new-back"))
    assert person.last is not None and person.last.state == "submitted"
    assert "补交的材料已提交" in person.texts()
    await person.command("status")
    assert "补充材料已提交，等待经办机构审核" in person.texts()
    assert person.question is None  # not reopened while the pages travel

    clock.advance(minutes=30)  # 11:00: the pages reach the platform
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    archive = (await our_items(db))["archive_certificate"]
    # Two office hours from 11:00: one until noon, one from 14:30.
    assert archive.status == "pending" and archive.due_at == beijing(15, 30)
    on_platform = {i.item: i for i in (await platform.status(NUMBER)).items}
    assert on_platform["archive_certificate"].status == "pending"
    assert on_platform["archive_certificate"].due_at == beijing(15, 30)
    view = await db.run(platform.show, NUMBER, "staff:刘洋", "hr_service_center")
    assert view.materials["id_card"]["sha256"] == [
        page("new-front").sha256,
        page("new-back").sha256,
    ]
    await person.command("status")
    assert "各事项办理中" in person.texts() and "等待您补充材料" not in person.texts()

    await answer_all_done(db, platform, clock)
    assert await case_status(db) == "results_ready"


async def test_questions_during_a_supplement_are_answered_then_the_upload_is_asked_again(
    person: Person, db: Database
) -> None:
    await id_card_asked_for(person, db)
    await person.text("进度怎么样了")  # the first words after the push
    said = person.texts()
    assert "等待您补充材料" in said and "身份证反面看不清" in said
    assert person.question == "ask_upload_id_card"
    await person.text("要多久能办完")
    assert "2小时内" in person.texts() and person.question == "ask_upload_id_card"
    await person.text("进度怎么样了")  # again, now at the upload
    assert "等待您补充材料" in person.texts() and person.question == "ask_upload_id_card"


async def test_other_material_named_in_the_reason_and_a_second_round_follows(
    person: Person, db: Database
) -> None:
    await reach_review(person)
    platform, clock = await on_the_platform(person, db)
    await db.run(
        platform.answer,
        NUMBER,
        "community_registration",
        "supplement",
        "staff:赵强@town_altan_xire",
        {"materials": "other_material"},  # 补充材料: what it is, the reason says
        "请补充现居住地的居住证明",
    )
    assert "补充材料" in await last_push(db)

    await person.files(page("residence-1"))  # photos straight away, without a word first
    # The push said what and why: the photo gets one reply, what came in and what is next.
    assert "请补充现居住地的居住证明" not in person.texts() and "已收到1页" in person.texts()
    assert person.last is not None and len(person.last.replies) == 1
    assert person.question == "ask_upload_other_material"
    await person.text("完成")
    assert person.last is not None and person.last.state == "submitted"
    clock.advance(minutes=30)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    assert (await our_items(db))["community_registration"].status == "pending"
    town = await db.run(platform.show, NUMBER, "staff:赵强", "town_altan_xire")
    assert town.materials["other_material"]["pages"] == 1  # the office sees what it asked for

    # Second round: the same office asks again, this time naming the ID card.
    clock.advance(minutes=30)
    await db.run(
        platform.answer,
        NUMBER,
        "community_registration",
        "supplement",
        "staff:赵强@town_altan_xire",
        {"materials": "id_card,other_material"},
        "居住证明缺少盖章页，身份证也请重拍",
    )
    await person.text("又要补什么？")
    assert "居住证明缺少盖章页" in person.texts()
    assert person.question == "ask_upload_id_card"
    await person.files(page("third-front"), page("third-back"))
    assert person.question == "ask_upload_other_material"
    await person.files(page("residence-1"))  # last round's page is refused
    assert "dialogs.hint.rejected_page_again" in person.message_keys()
    await person.files(page("residence-stamped"))
    await person.tap("done")
    assert person.last is not None and person.last.state == "submitted"
    clock.advance(minutes=10)
    assert await drain_platform_outbox(db, platform, now=clock) == 2  # one call per material
    assert (await our_items(db))["community_registration"].status == "pending"

    clerk = await db.run(platform.show, NUMBER, "staff:李娜")
    rounds = clerk.rounds["community_registration"]
    assert [r["round"] for r in rounds] == [1, 2]
    assert rounds[0]["materials"] == ["other_material"]
    assert rounds[1]["materials"] == ["id_card", "other_material"]
    assert rounds[1]["reason"] == "居住证明缺少盖章页，身份证也请重拍"
    assert rounds[1]["received"]["id_card"]["pages"] == 2
    assert rounds[1]["back_at"] is not None

    await answer_all_done(db, platform, clock)
    assert await case_status(db) == "results_ready"


async def test_the_applicant_may_say_the_asked_for_handbook_is_lost(
    person: Person, db: Database
) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await town_and_employer(person)
    for answer in ("yes", "yes", "have", "no", "no"):
        await person.tap(answer)
    await finish_uploads(person)
    assert person.question == "ask_review"
    platform, clock = await on_the_platform(person, db)
    await db.run(
        platform.answer,
        NUMBER,
        "pension_claim",
        "supplement",
        "staff:吴芳@social_insurance_center",
        {"materials": "pension_handbook"},
        "手册缴费记录页缺页，请补拍全部有字页",
    )
    await person.command("status")
    assert "手册缴费记录页缺页" in person.texts()
    assert person.question == "ask_upload_pension_handbook"
    await person.text("丢了")
    assert "dialogs.marked_lost" in person.message_keys()
    assert person.last is not None and person.last.state == "submitted"

    clock.advance(minutes=30)
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    assert (await our_items(db))["pension_claim"].status == "pending"
    clerk = await db.run(platform.show, NUMBER, "staff:李娜")
    assert clerk.materials["pension_handbook"]["lost"] is True
    assert clerk.rounds["pension_claim"][0]["received"]["pension_handbook"]["lost"] is True


async def test_acceptance_pushes_once_what_started_and_status_says_by_when(
    person: Person, db: Database
) -> None:
    """Accepted at 10:10: one push lists the items that started with when each is due (not a
    push per item), and /status shows each open item's due time the same way."""
    await reach_review(person)
    await on_the_platform(person, db)

    def pushes(session: Any) -> list[str]:
        rows = session.scalars(select(NotificationOutbox.payload).order_by(NotificationOutbox.id))
        return [render(from_json(p).message, Translator("zh_CN")) for p in rows]

    told = [p for p in await db.run(pushes) if "已受理" in p or "已开始办理" in p]
    (push,) = told
    assert "· 企业职工基本养老保险待遇申领：已开始办理，预计今天" in push
    assert "· 职工医保人员退休：前一事项办结后开始" in push

    due = (await our_items(db))["pension_claim"].due_at
    assert due is not None
    await person.command("status")
    by = f"{due.astimezone(BEIJING):%H:%M}"
    assert f"· 企业职工基本养老保险待遇申领：办理中，预计今天{by}前答复" in person.texts()
    assert "· 职工医保人员退休：等养老保险核定后开始办理" in person.texts()


async def test_a_reason_only_request_is_named_in_the_prompt_with_its_office(
    person: Person, db: Database
) -> None:
    """The office asks for other material (补充材料, it must name at least one) and writes
    what it needs: the prompt says it in the office's words, under how many things are
    asked, in one message."""
    await reach_review(person)
    platform, _ = await on_the_platform(person, db)
    await db.run(
        platform.answer,
        NUMBER,
        "community_registration",
        "supplement",
        "staff:赵强@town_altan_xire",
        {"materials": "other_material"},
        "请补充现居住地的居住证明",
    )
    await person.text("好的")
    assert person.messages() == 1 and person.question == "ask_upload_other_material"
    assert person.texts().splitlines()[:2] == [
        "经办机构请您补充1项材料，其他材料不用重传。",
        "“社会化管理服务登记”的经办机构请您补充：请补充现居住地的居住证明",
    ]
