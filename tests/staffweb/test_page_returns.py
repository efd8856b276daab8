"""Returns per material and per page: the clerk marks pages, each with a reason of its own or
the material's; the worker is told which pages, only those are refused, and the new page joins
the ones kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from cases.models import Case, MaterialPage, NotificationOutbox
from cases.models.platform import EmbCase
from cases.platform.delivery import drain_platform_outbox
from cases.platform.events import MaterialIssue, ReturnedForCorrection
from cases.platform.outbox import enqueue_supplement
from cases.repositories import add_page
from integrations.platform.wire_events import event_from_json, event_to_json
from locales import Translator
from locales.replies import from_json, render
from tests.bot import images
from tests.platform.conftest import page
from tests.staffweb.conftest import Desk, post_form


async def _platform_case(desk: Desk, number: str) -> EmbCase:
    row = await desk.db.run(lambda s: s.get(EmbCase, number))
    assert row is not None
    return row


def _pages_and_pushes(session: Any, number: str) -> tuple[dict[str, list[str]], list[str]]:
    case = session.scalars(select(Case).where(Case.number == number)).one()
    pages: dict[str, list[str]] = {}
    for p in session.scalars(
        select(MaterialPage).where(MaterialPage.case_id == case.id).order_by(MaterialPage.id)
    ):
        pages.setdefault(p.material_code, []).append(p.status)
    pushes = session.scalars(
        select(NotificationOutbox.payload).where(
            NotificationOutbox.applicant_id == case.applicant_id
        )
    )
    tr = Translator("zh_CN")
    return pages, [render(from_json(p).message, tr) for p in pushes]


async def test_one_page_returned_reaches_the_worker_and_the_others_are_kept(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    kept_address = (await _platform_case(desk, number)).materials["id_card"]["sha256"][0]
    clerk = await desk.client("wufang")
    try:
        page_html = await (await clerk.get(f"/cases/{number}")).text()
        assert 'name="page.id_card" value="2"' in page_html and 'form="return-form"' in page_html
        returned = await post_form(
            clerk,
            f"/cases/{number}",
            f"/cases/{number}/return",
            [
                ("page.id_card", "2"),
                ("page_reason.id_card.2", "国徽面反光看不清"),
                ("reason.social_security_card", "社保卡照片太暗"),
            ],
        )
        assert returned.status == 303, await returned.text()
        row = await _platform_case(desk, number)
        assert row.status == "returned"
        assert row.materials["id_card"]["returned"] == "第 2 页：国徽面反光看不清"
        assert len(row.materials["id_card"]["returned_files"]) == 1
        assert row.materials["id_card"]["returned_files"][0] != kept_address
        pages, pushes = await desk.db.run(_pages_and_pushes, number)
        assert pages["id_card"] == ["ok", "rejected"]
        assert pages["social_security_card"] == ["rejected"]
        told = pushes[-1]
        assert "身份证" in told and "第 2 页：国徽面反光看不清" in told
        assert "只需重新上传这几页" in told and "社保卡照片太暗" in told
        shown = await (await clerk.get(f"/cases/{number}")).text()
        assert 'class="sheet marked" id="p-id_card-2"' in shown
        assert 'class="sheet" id="p-id_card-1"' in shown
        assert "sha256" not in shown and kept_address not in shown
    finally:
        await clerk.close()

    # The worker sends one new page for the ID card and a new social security card photo.
    def resend(session: Any) -> None:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        add_page(session, case, "id_card", page("new back"), supplement=True)
        add_page(session, case, "social_security_card", page("new card"), supplement=True)
        enqueue_supplement(session, case, "id_card", at=desk.clock())
        enqueue_supplement(session, case, "social_security_card", at=desk.clock())

    await desk.db.run(resend)
    assert await drain_platform_outbox(desk.db, desk.platform, now=desk.clock) == 2
    row = await _platform_case(desk, number)
    assert row.status == "received"
    assert row.materials["id_card"]["sha256"] == [kept_address, page("new back").sha256]
    assert "returned_files" not in row.materials["id_card"]


async def test_returned_pages_leave_the_store_once_their_replacement_reached_the_platform(
    desk: Desk,
) -> None:
    from cases.models import AuditLog

    await desk.account("wufang", "clerk")
    number = await desk.case()
    other = await desk.case("u2")
    clerk = await desk.client("wufang")
    try:
        returned = await post_form(
            clerk,
            f"/cases/{number}",
            f"/cases/{number}/return",
            [
                ("page.id_card", "2"),
                ("page_reason.id_card.2", "国徽面反光看不清"),
                ("reason.social_security_card", "社保卡照片太暗"),
            ],
        )
        assert returned.status == 303
        materials = (await _platform_case(desk, number)).materials
        kept = materials["id_card"]["sha256"][0]
        back = materials["id_card"]["returned_files"][0]
        card = materials["social_security_card"]["sha256"][0]
    except BaseException:
        await clerk.close()
        raise

    def resend(session: Any) -> None:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        # The card photo's content is also a page of another case: that file must stay.
        twin = session.scalars(select(Case).where(Case.number == other)).one()
        for p in session.scalars(select(MaterialPage).where(MaterialPage.case_id == twin.id)):
            if p.material_code == "social_security_card":
                p.sha256 = card
        add_page(session, case, "id_card", page("new back"), supplement=True)
        enqueue_supplement(session, case, "id_card", at=desk.clock())
        add_page(session, case, "social_security_card", page("new card"), supplement=True)
        enqueue_supplement(session, case, "social_security_card", at=desk.clock())

    await desk.db.run(resend)
    assert desk.files.exists(back)  # returned, not yet replaced at the platform: still shown
    delivered = await drain_platform_outbox(
        desk.db, desk.platform, now=desk.clock, files=desk.files
    )
    assert delivered == 2
    assert not desk.files.exists(back)  # replaced: the returned page's file is gone
    assert desk.files.exists(kept) and desk.files.exists(card)  # kept, and still another's

    def record(session: Any) -> tuple[list[tuple[str, bool]], int]:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        rows = session.scalars(
            select(MaterialPage)
            .where(MaterialPage.case_id == case.id, MaterialPage.status == "rejected")
            .order_by(MaterialPage.id)
        )
        audits = session.scalars(
            select(AuditLog).where(
                AuditLog.case_id == case.id, AuditLog.action == "retention.replaced_pages"
            )
        )
        return [(str(p.sha256), p.purged_at is not None) for p in rows], len(list(audits))

    rejected, audited = await desk.db.run(record)
    # The rows stay as the record of what was returned, marked as no longer kept.
    assert rejected == [(back, True), (card, True)] and audited == 2
    try:
        shown = await clerk.get(f"/cases/{number}/materials/id_card/2")
        assert shown.status == 404  # the second page is now the new one, not stored here
        assert (await clerk.get(f"/cases/{number}/materials/id_card/1")).status == 200
    finally:
        await clerk.close()


async def test_a_marked_page_needs_a_reason_and_nothing_changes_without_one(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    clerk = await desk.client("wufang")
    try:
        refused = await post_form(
            clerk, f"/cases/{number}", f"/cases/{number}/return", [("page.id_card", "1")]
        )
        assert refused.status == 400
        assert "“身份证”第 1 页已标出，请写明原因" in await refused.text()
        assert (await _platform_case(desk, number)).status == "received"
        both = await post_form(
            clerk,
            f"/cases/{number}",
            f"/cases/{number}/return",
            [("page.id_card", "1"), ("page.id_card", "2"), ("reason.id_card", "照片模糊")],
        )
        assert both.status == 303
        row = await _platform_case(desk, number)
        # Every page marked: the whole material goes back, and the reason names the pages.
        assert row.materials["id_card"]["returned"] == "第 1、2 页：照片模糊"
        assert "returned_files" not in row.materials["id_card"]
    finally:
        await clerk.close()


async def test_a_page_inside_a_pdf_returns_the_whole_file(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case(contents={("application_form", 0): images.real_pdf(3)})
    clerk = await desk.client("wufang")
    try:
        returned = await post_form(
            clerk,
            f"/cases/{number}",
            f"/cases/{number}/return",
            [("page.application_form", "3"), ("page_reason.application_form.3", "未签字")],
        )
        assert returned.status == 303
        entry = (await _platform_case(desk, number)).materials["application_form"]
        assert entry["returned"] == "第 3 页：未签字" and "returned_files" not in entry
    finally:
        await clerk.close()


def test_the_pages_to_send_again_travel_over_the_wire() -> None:
    address = "ab" * 32
    event = ReturnedForCorrection(
        "YJ-20260105-0001",
        "e1",
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        (
            MaterialIssue("id_card", "第 2 页：看不清", (address,)),
            MaterialIssue("household_register", "x"),
        ),
    )
    again = event_from_json(event_to_json(event))
    assert isinstance(again, ReturnedForCorrection)
    assert again.materials[0].files == (address,) and again.materials[1].files == ()
