"""What the clerk reads on a case page around the pictures and the items: the viewer's hint
once for the whole page, before acceptance why the items table is not there yet, and after
the result the notice, the signature, any objection and the rating."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases import repositories as repo
from tests.staffweb.conftest import Desk

ZOOM_HINT = "用每页下方的按钮放大、缩小、旋转"
NOT_STARTED = "受理后开始办理各事项"


async def test_the_zoom_hint_is_shown_once_for_all_the_materials(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    clerk = await desk.client("wufang")
    try:
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert page.count("第 1 页") >= 3  # several materials, each with its pictures
        assert page.count(ZOOM_HINT) == 1
    finally:
        await clerk.close()


async def test_before_acceptance_the_page_says_when_the_items_start(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    clerk = await desk.client("wufang")
    try:
        before = await (await clerk.get(f"/cases/{number}")).text()
        assert "各事项办理情况" in before and NOT_STARTED in before
        assert "企业职工基本养老保险待遇申领" not in before
        await desk.db.run(desk.platform.accept, number, "account:wufang")
        after = await (await clerk.get(f"/cases/{number}")).text()
        assert NOT_STARTED not in after
        assert "企业职工基本养老保险待遇申领" in after  # the items' table, one row per item
    finally:
        await clerk.close()


def the_end(session: Any, number: str, at: datetime) -> None:
    """The notice went out (two versions: the first signed, an objection raised on it), the
    current one signed, and a rating with a comment: the record as the conversation leaves
    it."""
    case = repo.find_case_by_number(session, number)
    case.notice_sha256 = "a" * 64
    repo.add_staff_task(
        session,
        "objection",
        case_id=case.id,
        applicant_id=case.applicant_id,
        detail={"stage": "signing", "question": "养老金少算了两年工龄"},
    )
    repo.add_signature(
        session,
        case.id,
        notice_sha256=case.notice_sha256,
        signed_copy_sha256="b" * 64,
        typed_name="张建国",
        signed_at=at,
    )
    repo.add_rating(session, case.id, "basically_satisfied", rated_at=at, comment="等得有点久")


async def test_after_the_result_the_page_shows_notice_signature_objection_and_rating(
    desk: Desk,
) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    clerk = await desk.client("wufang")
    try:
        before = await (await clerk.get(f"/cases/{number}")).text()
        assert "结果告知、签字和评价" not in before  # nothing to say before the notice
        await desk.db.run(the_end, number, desk.clock())
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert "结果告知、签字和评价" in page
        assert "已发给申请人" in page and "已签字（2026年4月30日 09:00）" in page
        assert "有异议" in page and "养老金少算了两年工龄" in page and "待电话沟通" in page
        assert "基本满意" in page and "等得有点久" in page
        assert "a" * 16 not in page and "b" * 16 not in page  # no hash for the clerk
    finally:
        await clerk.close()
