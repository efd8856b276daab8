"""What the clerk reads on a case page around the pictures and the items: the viewer's hint
once for the whole page, and before acceptance why the items table is not there yet."""

from __future__ import annotations

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
