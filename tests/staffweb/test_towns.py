"""Each town's government over HTTP: its account's inbox holds only its residents, another
town's case is 403; "other / not sure" is the clerk's task, assigned on the case page, and then
the town answers through its form."""

from __future__ import annotations

from sqlalchemy import select

from cases.models import StaffTask
from cases.models.platform import EmbItem
from policy.towns import load_towns
from tests.platform.conftest import FORM
from tests.staffweb.conftest import Desk, post_form

ITEM = "community_registration"
TOWNS = [t for t in load_towns() if not t.clerk_resolves]
OTHER = next(t for t in load_towns() if t.clerk_resolves)


async def _item_row(desk: Desk, number: str) -> EmbItem:
    row = await desk.db.run(
        lambda s: s.scalar(
            select(EmbItem).where(EmbItem.case_number == number, EmbItem.item == ITEM)
        )
    )
    assert row is not None
    return row


async def test_each_towns_account_sees_only_its_own_resident(desk: Desk) -> None:
    numbers = {}
    for t in TOWNS:
        number = await desk.case(f"u-{t.code}", {**FORM, "town": t.name_zh})
        await desk.db.run(desk.platform.accept, number, "account:li")
        numbers[t.code] = number
        await desk.account(f"z-{t.code}", f"town_{t.code}")
    browsers = []  # closed together: closing a client stops the shared test server
    try:
        for n, t in enumerate(TOWNS):
            browser = await desk.client(f"z-{t.code}")
            browsers.append(browser)
            mine = numbers[t.code]
            inbox = await (await browser.get("/inbox")).text()
            assert mine in inbox, t.code
            assert [c for c, k in numbers.items() if k in inbox] == [t.code], t.code
            page = await browser.get(f"/cases/{mine}")
            assert page.status == 200 and t.name_zh in await page.text()
            other = numbers[TOWNS[(n + 1) % len(TOWNS)].code]
            assert (await browser.get(f"/cases/{other}")).status == 403
            assert (await browser.get(f"/cases/{other}/materials/id_card/1")).status == 403
            stolen = await post_form(
                browser,
                "/inbox",
                f"/cases/{other}/items/{ITEM}/answer",
                {"outcome": "done", "result.town": t.name_zh},
            )
            assert stolen.status == 403
            answered = await post_form(
                browser,
                f"/cases/{mine}",
                f"/cases/{mine}/items/{ITEM}/answer",
                {"outcome": "done", "result.town": t.name_zh},
            )
            assert answered.status == 303, await answered.text()
            assert (await _item_row(desk, mine)).status == "done"
    finally:
        for browser in browsers:
            await browser.close()
    # Nobody answered another town's item: each was answered by its own town only.
    for t in TOWNS:
        assert (
            await _item_row(desk, numbers[t.code])
        ).answered_by == f"account:z-{t.code}@town_{t.code}"


async def test_not_sure_the_clerk_assigns_the_town_on_the_case_page(desk: Desk) -> None:
    await desk.account("li", "clerk")
    await desk.account("z-jasag", "town_jasag")
    number = await desk.case("u1", {**FORM, "town": OTHER.name_zh})
    clerk = await desk.client("li")
    town = await desk.client("z-jasag")
    try:
        await post_form(clerk, f"/cases/{number}", f"/cases/{number}/accept", {})
        assert number not in await (await town.get("/inbox")).text()
        assert (await town.get(f"/cases/{number}")).status == 403
        tasks = await (await clerk.get("/tasks")).text()
        assert "核实申请人所在镇" in tasks and number in tasks
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert 'action="/cases/' + number + '/route"' in page and "札萨克镇" in page
        routed = await post_form(
            clerk, f"/cases/{number}", f"/cases/{number}/route", {"town": "jasag"}
        )
        assert routed.status == 303, await routed.text()
        assert number in await (await town.get("/inbox")).text()
        page = await (await town.get(f"/cases/{number}")).text()
        assert "札萨克镇" in page and OTHER.name_zh not in page
        done = await post_form(
            town,
            f"/cases/{number}",
            f"/cases/{number}/items/{ITEM}/answer",
            {"outcome": "done", "result.town": "札萨克镇"},
        )
        assert done.status == 303
        route_tasks = await desk.db.run(
            lambda s: list(s.scalars(select(StaffTask).where(StaffTask.kind == "route_town")))
        )
        assert [t.status for t in route_tasks] == ["done"]
        bad = await post_form(
            clerk, f"/cases/{number}", f"/cases/{number}/route", {"town": "北京"}
        )
        assert bad.status == 400  # the form is gone once answered; a stale post is refused
    finally:
        await clerk.close()
        await town.close()
