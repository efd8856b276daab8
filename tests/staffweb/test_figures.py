"""The supervisor's figures and the ratings page: open cases, cases per day, time per item and
the ratings, in plain Chinese with no personal data; the clerk closes a bad rating's
follow-up and the worker is told the outcome."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cases.models import Case, NotificationOutbox, StaffTask
from cases.repositories import add_rating, add_staff_task, link_rating_followup
from tests.platform.conftest import FORM, ID_NUMBER
from tests.staffweb.conftest import Desk, post_form


def _rate(session: Any, number: str, level: str, at: Any, followup_due: Any = None) -> None:
    case = session.scalars(select(Case).where(Case.number == number)).one()
    comment = "窗口很耐心" if level == "satisfied" else "等了太久"
    add_rating(session, case.id, level, rated_at=at, comment=comment)
    if followup_due is not None:
        task = add_staff_task(
            session,
            "rating_followup",
            case_id=case.id,
            applicant_id=case.applicant_id,
            detail={"level": level, "case_number": number},
            due_at=followup_due,
        )
        link_rating_followup(session, case.id, task.id)


async def test_the_supervisor_reads_the_figures_without_personal_data(desk: Desk) -> None:
    await desk.account("zhaojian", "supervisor")
    first = await desk.case("u1")
    second = await desk.case("u2")
    await desk.case("u3")
    await desk.db.run(desk.platform.accept, first, "account:lina")
    desk.clock.advance(minutes=90)
    await desk.db.run(
        desk.platform.answer,
        first,
        "pension_claim",
        "done",
        "account:wufang@social_insurance_center",
        {"monthly_pension": "3520.50"},
        None,
        "social_insurance_center",
    )
    await desk.db.run(_rate, first, "satisfied", desk.clock())
    await desk.db.run(
        _rate, second, "very_dissatisfied", desk.clock(), desk.clock() - timedelta(hours=1)
    )
    boss = await desk.client("zhaojian")
    try:
        page = await (await boss.get("/supervisor")).text()
        assert "未办结的办件" in page and "<td>2</td><td>0</td><td>1</td><td>3</td>" in page
        assert "近 14 天每天收到的办件" in page and "<td>3</td>" in page
        assert "企业职工基本养老保险待遇申领" in page and "1.5 小时" in page
        assert "共 2 条，差评 1 条；回访未完成 1 条，其中超期 1 条。" in page
        assert FORM["name"] not in page and ID_NUMBER not in page
        ratings = await (await boss.get("/ratings")).text()
        assert "非常不满意" in ratings and "等了太久" in ratings and "满意" in ratings
        assert "完成回访" not in ratings  # read-only for the supervisor
        # Rated at 10:30, the follow-up due at 09:30: in Chinese, as the other staff views.
        assert "<td>2026年4月30日 10:30</td>" in ratings
        assert "2026年4月30日 09:30" in ratings and "2026-04-30" not in ratings
    finally:
        await boss.close()


async def test_the_clerk_closes_a_bad_ratings_follow_up_and_the_worker_is_told(
    desk: Desk,
) -> None:
    await desk.account("lina", "clerk")
    await desk.account("wufang", "social_insurance_center")
    number = await desk.case("u1")
    await desk.db.run(
        _rate, number, "dissatisfied", desk.clock(), desk.clock() + timedelta(days=2)
    )
    task_id = await desk.db.run(lambda s: s.scalars(select(StaffTask.id)).one())
    clerk = await desk.client("lina")
    office = await desk.client("wufang")
    try:
        assert (await office.get("/ratings")).status == 403
        empty = await post_form(clerk, "/ratings", f"/ratings/{task_id}/followup", {"outcome": ""})
        assert empty.status == 400 and "请写明回访结果" in await empty.text()
        done = await post_form(
            clerk,
            "/ratings",
            f"/ratings/{task_id}/followup",
            {"outcome": "已致电说明，今后窗口将缩短等候时间"},
        )
        assert done.status == 303
        page = await (await clerk.get("/ratings")).text()
        assert "已回访：已致电说明" in page
    finally:
        await clerk.close()
        await office.close()

    def told(session: Any) -> list[Any]:
        return list(session.scalars(select(NotificationOutbox.payload)))

    assert any("已致电说明" in str(p) for p in await desk.db.run(told))


def _seed_rated_cases(session: Any, start: Any, first: int, count: int) -> None:
    """`count` closed cases of one worker, every other one rated badly with a follow-up."""
    from cases.models import Case
    from cases.repositories import get_or_create_applicant

    applicant = get_or_create_applicant(session, "telegram", "rated")
    for n in range(first, first + count):
        case = Case(
            applicant_id=applicant.id, number=f"YJ-20260401-{n:04d}", status="closed", form={}
        )
        session.add(case)
        session.flush()
        level = "dissatisfied" if n % 2 else "satisfied"
        at = start + timedelta(minutes=n)
        add_rating(session, case.id, level, rated_at=at, comment=f"意见{n}")
        if n % 2:
            task = add_staff_task(
                session, "rating_followup", case_id=case.id, due_at=start - timedelta(hours=1)
            )
            link_rating_followup(session, case.id, task.id)


async def test_the_ratings_page_reads_a_page_in_a_fixed_number_of_statements(
    desk: Desk,
) -> None:
    from tests.staffweb.test_queue import counted

    desk.console.settings = desk.console.settings.model_copy(update={"page_size": 10})
    await desk.account("zhaojian", "supervisor")
    boss = await desk.client("zhaojian")

    async def selects_of(path: str) -> tuple[int, str]:
        with counted() as statements:
            page = await (await boss.get(path)).text()
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")), page

    try:
        await desk.db.run(_seed_rated_cases, desk.clock(), 1, 4)
        few, page = await selects_of("/ratings")
        assert "共 4 条，差评 2 条；回访未完成 2 条，其中超期 2 条。" in page
        await desk.db.run(_seed_rated_cases, desk.clock(), 5, 21)
        many, page = await selects_of("/ratings")
        assert many == few, (few, many)  # not one statement more per rating
        assert "共 25 条，差评 13 条；回访未完成 13 条，其中超期 13 条。" in page
        assert "YJ-20260401-0025" in page and "YJ-20260401-0015" not in page  # newest first
        assert "第 1 页，共 3 页" in page
        third, page = await selects_of("/ratings?page=3")
        assert third == few and "YJ-20260401-0001" in page and "YJ-20260401-0025" not in page
    finally:
        await boss.close()
