"""/mydata after submission: who has seen or handled the application, from the audit log, and
that the record is kept as the rules require; the signing question stays open."""

from __future__ import annotations

from aftercare.worker import tick
from tests.aftercare.conftest import World
from tests.platform.conftest import ID_NUMBER


async def test_the_worker_sees_who_handled_their_application(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person
    question = (await person.command("status")).question

    await person.command("mydata")
    text = person.texts()
    assert f"办件编号 {number}" in text
    assert f"**************{ID_NUMBER[-4:]}" in text and ID_NUMBER not in text
    assert "受理窗口 li 办理了您的申请" in text
    assert "经办部门 企业职工基本养老保险待遇申领 办理了您的申请" in text
    assert "办结 180 天后，您上传的照片会自动删除" in text
    assert "/cancel" not in text  # a submitted case is not deleted from the chat
    assert person.question == question
