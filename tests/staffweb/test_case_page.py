"""What the clerk reads on a case page around the pictures and the items: the viewer's hint
once for the whole page, before acceptance why the items table is not there yet, and after
the result the notice, the signature, any objection and the rating."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from cases import repositories as repo
from cases.models import AuditLog
from tests.staffweb.conftest import Desk, post_form

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
        accepted = await post_form(clerk, f"/cases/{number}", f"/cases/{number}/accept", {})
        assert accepted.status == 303
        after = await (await clerk.get(accepted.headers["Location"])).text()
        assert "已受理，已分送各经办机构。" in after  # the action confirmed on the page
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


async def test_a_closed_case_offers_its_pdfs_to_the_clerk_and_no_birth_date_form(
    desk: Desk,
) -> None:
    """Closed (signed and rated): the heading says so in the words the commands use, the
    clerk downloads the notice and the signed copy (each download audited), an office may
    not, and the result is no longer open to an archive birth date."""
    await desk.account("wufang", "clerk")
    await desk.account("pension", "social_insurance_center")
    number = await desk.case()
    await desk.db.run(desk.platform.accept, number, "account:wufang")
    notice, signed = b"%PDF-1.4 notice", b"%PDF-1.4 signed copy"

    def close(session: Any) -> None:
        case = repo.find_case_by_number(session, number)
        case.notice_sha256 = desk.files.put(notice).sha256
        repo.add_signature(
            session,
            case.id,
            notice_sha256=case.notice_sha256,
            signed_copy_sha256=desk.files.put(signed).sha256,
            typed_name="张建国",
            signed_at=desk.clock(),
        )
        repo.add_rating(session, case.id, "satisfied", rated_at=desk.clock())
        case.status = "closed"

    clerk = await desk.client("wufang")
    office = await desk.client("pension")
    try:
        open_page = await (await clerk.get(f"/cases/{number}")).text()
        assert f'action="/cases/{number}/birth-date"' in open_page
        assert "mm/dd" not in open_page and 'placeholder="如 1965-05-15"' in open_page
        await desk.db.run(close)
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert f"办件 {number} · 已办结</h1>" in page and "各事项已办结" not in page
        assert "/birth-date" not in page and "档案出生日期" not in page
        assert "下载结果告知单（PDF）" in page and "下载申请人签字版（PDF）" in page
        for document, body in (("notice", notice), ("signed", signed)):
            got = await clerk.get(f"/cases/{number}/documents/{document}")
            assert got.status == 200 and await got.read() == body
            assert got.headers["Content-Type"] == "application/pdf"
            assert "attachment" in got.headers["Content-Disposition"]
        office_try = await office.get(f"/cases/{number}/documents/notice")
        assert office_try.status == 403
        office_page = await (await office.get(f"/cases/{number}")).text()
        assert "已办结</h1>" in office_page and "/documents/" not in office_page
    finally:
        await clerk.close()
        await office.close()

    def downloads(session: Any) -> list[tuple[str, str]]:
        query = select(AuditLog).where(AuditLog.action == "staff.notice.downloaded")
        return [(row.actor, row.detail["document"]) for row in session.scalars(query)]

    assert sorted(await desk.db.run(downloads)) == [
        ("account:wufang", "notice"),
        ("account:wufang", "signed"),
    ]
