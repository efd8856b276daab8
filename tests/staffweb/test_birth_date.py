"""The clerk enters the birth date on file on the case page: a date that differs from the ID
card's (a man born 1966-01-15: statutory 2026-05) re-computes the month and puts a task with
both months on the task list; the pension office reads the date in its view."""

from __future__ import annotations

from tests.staffweb.conftest import Desk, post_form


async def test_the_clerk_enters_a_differing_birth_date_on_the_case_page(desk: Desk) -> None:
    await desk.account("li", "clerk")
    await desk.account("wu", "social_insurance_center")
    number = await desk.case()
    clerk = await desk.client("li")
    pension = await desk.client("wu")
    try:
        page = f"/cases/{number}"
        action = f"/cases/{number}/birth-date"
        bad = await post_form(clerk, page, action, {"archive_birth_date": "1965年11月"})
        assert bad.status == 400 and "格式不对" in await bad.text()
        entered = await post_form(clerk, page, action, {"archive_birth_date": "1965-11-20"})
        assert entered.status == 303, await entered.text()
        tasks = await (await clerk.get("/tasks")).text()
        for shown in ("档案出生日期与身份证不一致", "2026年5月", "2026年2月", "1965年11月20日"):
            assert shown in tasks, shown
        await desk.db.run(desk.platform.accept, number, "account:li")
        seen = await (await pension.get(page)).text()
        assert "档案出生日期（与身份证不一致，以档案为准）" in seen and "1965年11月20日" in seen
        assert (
            await post_form(pension, "/inbox", action, {"archive_birth_date": "1965-11-20"})
        ).status == 403
    finally:
        await clerk.close()
        await pension.close()
