"""The signature, the rating and the online-step answers are records of their own (tables of
the case store), not audit entries: asked once, one signature per notice version, reported
with their follow-ups, and kept by `db purge`. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from aftercare import reports
from aftercare.paperwork import signed_copy_document
from aftercare.worker import tick
from cases import repositories as repo
from cases.models import AuditLog, Case, OnlineStep, Rating, Signature, StaffTask
from cases.ratings import record_rating
from cases.result_commands import followup_due
from cases.retention import purge_closed_photos_async
from dialogs.events import Choice
from tests.aftercare.conftest import World

NAME = "王建国"


async def _signed(world: World) -> str:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.text(NAME)
    await world.person.tap("confirm")
    return number


def _case(session: Any, number: str) -> Case:
    case = repo.find_case_by_number(session, number)
    assert case is not None
    return case


async def _view(world: World, number: str) -> dict[str, Any]:
    view = await world.db.run(reports.notice_status, number)
    assert view is not None
    return view


def _rows(model: Any) -> Any:
    return lambda s: list(s.scalars(select(model).order_by(model.id)))


async def test_a_rating_is_stored_once_and_a_second_attempt_is_refused_politely(
    world: World,
) -> None:
    number = await _signed(world)
    await world.person.tap("satisfied")
    await world.person.tap("skip")  # no comment
    # An old rating button tapped later, and a level typed later: the first rating stands.
    await world.person.send(Choice("very_dissatisfied", "ask_rating"))
    assert "已经评价过" in world.person.texts()
    await world.person.text("非常不满意")
    assert "已经评价过" in world.person.texts()
    ratings = await world.db.run(_rows(Rating))
    assert [(r.level, r.level_code, r.declined) for r in ratings] == [(4, "satisfied", False)]
    tasks = await world.db.run(_rows(StaffTask))
    assert [t for t in tasks if t.kind == "rating_followup"] == []

    # The use case itself refuses a second rating, even on a case put back to "signed"
    # (as a second worker holding a stale copy would see it): the table keeps one per case.
    def rate_again(session: Any) -> Any:
        case = _case(session, number)
        case.status = "signed"
        due = followup_due(world.clock().date(), world.deps.config.rating_followup_working_days)
        return record_rating(session, case, "dissatisfied", at=world.clock(), followup_due=due)

    again = await world.db.run(rate_again)
    assert again is None
    assert len(await world.db.run(reports.ratings, now=world.clock())) == 1


async def test_the_database_keeps_one_rating_per_case_and_levels_one_to_five(
    world: World,
) -> None:
    number = await _signed(world)
    case = await world.case(number)
    first = await world.db.run(
        lambda s: repo.add_rating(s, case.id, "very_satisfied", rated_at=world.clock())
    )
    assert first is not None and first.level == 5
    second = await world.db.run(
        lambda s: repo.add_rating(s, case.id, "dissatisfied", rated_at=world.clock())
    )
    declined = await world.db.run(lambda s: repo.decline_rating(s, case.id, at=world.clock()))
    assert second is None and declined is None

    def bad_level(session: Any) -> None:
        session.add(Rating(case_id=case.id + 1000, level=6, level_code="satisfied"))
        session.flush()

    with pytest.raises(IntegrityError):  # the CHECK (or the missing case) refuses it
        await world.db.run(bad_level)

    def neither(session: Any) -> None:
        session.execute(delete(Rating))
        session.add(Rating(case_id=case.id))  # no level and no decline
        session.flush()

    with pytest.raises(IntegrityError):
        await world.db.run(neither)


async def test_a_changed_notice_needs_a_new_signature_row(world: World) -> None:
    number = await _signed(world)
    first = await world.case(number)
    rows = await world.db.run(_rows(Signature))
    assert [(r.notice_sha256, r.typed_name) for r in rows] == [(first.notice_sha256, NAME)]

    world.clock.advance(hours=1)

    def correct(session: Any) -> None:
        c = _case(session, number)
        repo.set_item_result(
            session,
            c.id,
            "medical_insurance",
            office_code="medical_security_bureau",
            status="done",
            answered_at=world.clock(),
            data={"contribution_months": 312, "back_payment_due": "800.00"},
        )

    await world.db.run(correct)
    await tick(world.db, world.deps, now=world.clock())
    changed = await world.case(number)
    assert changed.notice_sha256 != first.notice_sha256
    # The old row stays (it was signed), but it is not the current signature.
    assert await world.db.run(lambda s: repo.current_signature(s, changed)) is None
    view = await _view(world, number)
    assert view["signed"] is False and view["signatures"] == 1

    world.person.last = None
    await world.person.text(NAME)
    await world.person.tap("confirm")
    rows = await world.db.run(_rows(Signature))
    assert [r.notice_sha256 for r in rows] == [first.notice_sha256, changed.notice_sha256]
    assert rows[1].signed_at == world.clock()
    current = await world.db.run(lambda s: repo.current_signature(s, changed))
    assert current is not None and current.id == rows[1].id
    doc = await world.db.run(lambda s: signed_copy_document(s, changed, world.deps.files))
    assert doc is not None and doc.address == rows[1].signed_copy_sha256
    # The audit log still says who signed, but the table is the record.
    actions = await world.db.run(
        lambda s: [a.action for a in s.scalars(select(AuditLog)) if a.action == "case.sign"]
    )
    assert actions == ["case.sign", "case.sign"]


async def test_the_report_lists_bad_ratings_with_follow_up_status_and_deadline(
    world: World,
) -> None:
    number = await _signed(world)
    await world.person.tap("dissatisfied")
    await world.person.text("材料退回了两次")
    rating = (await world.db.run(_rows(Rating)))[0]
    assert rating.level == 2 and rating.comment == "材料退回了两次"
    assert rating.followup_task_id is not None

    rows = await world.db.run(reports.ratings, now=world.clock())
    assert [(r.case_number, r.level, r.followup_status, r.followup_due) for r in rows] == [
        (number, "dissatisfied", "open", "2026-05-11 18:00")
    ]
    assert rows[0].followup_task == rating.followup_task_id and not rows[0].followup_overdue
    text = reports.format_ratings(rows)
    assert "不满意" in text and "待回访，期限 2026年5月11日 18:00" in text
    assert "意见：材料退回了两次" in text

    # Past the deadline and still open: overdue, in the summary too.
    world.clock.advance(days=12)
    late = await world.db.run(reports.ratings, now=world.clock())
    assert late[0].followup_overdue and reports.summary(late)["followups_overdue"] == 1
    assert "（已超期）" in reports.format_ratings(late)

    view = await _view(world, number)
    assert view["rating"] == "dissatisfied" and view["rating_comment"] == "材料退回了两次"


async def test_a_declined_rating_is_recorded_and_not_reported_as_a_rating(world: World) -> None:
    number = await _signed(world)
    await world.person.tap("skip")
    ratings = await world.db.run(_rows(Rating))
    assert [(r.level, r.declined) for r in ratings] == [(None, True)]
    assert await world.db.run(reports.ratings, now=world.clock()) == []
    view = await _view(world, number)
    assert view["rating"] is None and view["rating_declined"] is True
    assert "申请人选择不评价" in reports.format_notice_status(view)


async def test_purge_keeps_signatures_ratings_and_online_steps(world: World) -> None:
    number = await _signed(world)
    await world.person.tap("very_satisfied")
    world.clock.advance(days=3)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.send(Choice("done", "ask_online_steps_done"))
    await world.person.send(Choice("not_yet", "ask_online_steps_done"))
    assert (await world.case(number)).status == "closed"
    steps = await world.db.run(_rows(OnlineStep))
    assert [(s.step, s.status, s.help_task_id is not None) for s in steps] == [
        ("housing_fund", "done", False),
        ("medical_payment", "help_requested", True),
    ]

    photo = world.deps.files.put(b"a photo of the ID card")

    def with_a_page(session: Any) -> None:  # an uploaded page, so that purge has work
        repo.add_page(session, _case(session, number), "id_card", photo)

    await world.db.run(with_a_page)
    later = world.clock() + timedelta(days=400)
    report = await purge_closed_photos_async(
        world.db, world.deps.files, now=later, retention_days=180, dry_run=False
    )
    assert report.case_numbers == [number] and report.files == 1  # the photo went
    assert not world.deps.files.exists(photo.sha256)
    assert len(await world.db.run(_rows(Signature))) == 1
    assert [r.level_code for r in await world.db.run(_rows(Rating))] == ["very_satisfied"]
    assert len(await world.db.run(_rows(OnlineStep))) == 2
    signature = (await world.db.run(_rows(Signature)))[0]
    assert world.deps.files.exists(signature.signed_copy_sha256)  # the signed copy stays
    view = await _view(world, number)
    assert view["signed"] is True and view["online_step_status"] == {
        "housing_fund": "done",
        "medical_payment": "help_requested",
    }
    assert "医保费补缴：未办，已安排协助" in reports.format_notice_status(view)
