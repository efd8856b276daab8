"""The worker's words for staff at signing and in a rating comment keep what was said, with ID
and mobile numbers masked, and the worker is told that they were hidden."""

from __future__ import annotations

from sqlalchemy import select

from aftercare.worker import tick
from cases.models import Rating, StaffTask
from tests.aftercare.conftest import World

NAME = "王建国"


async def test_an_objection_and_a_comment_with_numbers_are_kept_masked(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person

    await person.text("有异议，养老金少了，请打 139-1234-5678")
    assert "已记下您的异议" in person.texts()
    assert "手机号已隐去" in person.texts()
    detail = await world.db.run(
        lambda s: s.scalars(select(StaffTask.detail).where(StaffTask.kind == "objection")).one()
    )
    assert detail["question"] == "有异议，养老金少了，请打 139****5678"

    await person.text(NAME)
    await person.tap("confirm")
    await person.tap("satisfied")
    await person.text("挺好，身份证 150627196505150016 的事也办了")
    assert "已隐去" in person.texts()
    comment = await world.db.run(lambda s: s.scalars(select(Rating.comment)).one())
    assert comment == "挺好，身份证 1506**********0016 的事也办了"
