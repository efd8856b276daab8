"""The clerk, the offices and the supervisor over HTTP: the clerk accepts and returns, two
offices answer through their forms, an office gets 403 for what is not its own, the
supervisor sees the overdue item, and every request leaves an audit row with the account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cases.models import AuditLog
from cases.models.platform import EmbCase, EmbItem
from tests.platform.conftest import FORM, ID_NUMBER
from tests.staffweb.conftest import Desk, post_form


async def _item(desk: Desk, number: str, item: str) -> EmbItem:
    row = await desk.db.run(
        lambda s: s.scalar(
            select(EmbItem).where(EmbItem.case_number == number, EmbItem.item == item)
        )
    )
    assert row is not None
    return row


async def _status(desk: Desk, number: str) -> str:
    return await desk.db.run(lambda s: s.get(EmbCase, number).status)


async def test_the_clerk_sees_the_case_in_plain_chinese_and_its_photos(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case()
    clerk = await desk.client("wufang")
    try:
        queue = await (await clerk.get("/queue")).text()
        assert number in queue and "王建国" in queue and ID_NUMBER not in queue
        search = await (await clerk.get("/queue", params={"q": "nothing-like-it"})).text()
        assert number not in search
        page = await clerk.get(f"/cases/{number}")
        text = await page.text()
        assert page.status == 200
        for label in ("姓名", "参保单位", "退役军人", "人员类别", "身份证"):
            assert label in text, label
        assert "男职工" in text and FORM["employer_name"] in text
        for raw in ("has_employer", "paid_before_1995_07", "True", "sha256"):
            assert raw not in text, raw
        assert ID_NUMBER not in text  # masked for the clerk too
        photo = await clerk.get(f"/cases/{number}/materials/id_card/2")
        assert photo.status == 200 and await photo.read() == b"u1:id_card:1"
        assert photo.headers["Cache-Control"] == "no-store"
        assert (await clerk.get(f"/cases/{number}/materials/id_card/3")).status == 404
    finally:
        await clerk.close()


async def test_the_clerk_returns_one_material_then_accepts_another_case(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    first = await desk.case("u1")
    second = await desk.case("u2")
    clerk = await desk.client("wufang")
    try:
        empty = await post_form(clerk, f"/cases/{first}", f"/cases/{first}/return", {})
        assert empty.status == 400 and "至少为一份材料写明原因" in await empty.text()
        returned = await post_form(
            clerk,
            f"/cases/{first}",
            f"/cases/{first}/return",
            {"reason.id_card": "身份证背面不清楚，请重拍", "reason.social_security_card": ""},
        )
        assert returned.status == 303
        assert await _status(desk, first) == "returned"
        page = await (await clerk.get(f"/cases/{first}")).text()
        assert "身份证背面不清楚" in page and "已退回补正" in page
        accepted = await post_form(clerk, f"/cases/{second}", f"/cases/{second}/accept", {})
        assert accepted.status == 303 and await _status(desk, second) == "accepted"
        again = await post_form(clerk, f"/cases/{second}", f"/cases/{second}/accept", {})
        assert "不能受理" in await again.text() or again.status in (400, 409)
    finally:
        await clerk.close()


async def test_two_offices_answer_through_their_forms(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    await desk.account("pension", "social_insurance_center")
    await desk.account("archive", "hr_service_center")
    number = await desk.case()
    await desk.db.run(desk.platform.accept, number, "account:wufang")
    pension = await desk.client("pension")
    archive = await desk.client("archive")
    try:
        inbox = await (await pension.get("/inbox")).text()
        assert number in inbox and "企业职工基本养老保险待遇申领" in inbox
        form = await (await pension.get(f"/cases/{number}")).text()
        assert "每月养老金" in form and "元" in form and 'step="0.01"' in form
        bad = await post_form(
            pension,
            f"/cases/{number}",
            f"/cases/{number}/items/pension_claim/answer",
            {"outcome": "done", "result.monthly_pension": "35.205"},
        )
        assert bad.status == 400 and "每月养老金" in await bad.text()
        done = await post_form(
            pension,
            f"/cases/{number}",
            f"/cases/{number}/items/pension_claim/answer",
            {"outcome": "done", "result.monthly_pension": "3520.50"},
        )
        assert done.status == 303
        confirmed = await (await pension.get(done.headers["Location"])).text()
        assert "已提交“企业职工基本养老保险待遇申领”的答复。" in confirmed
        row = await _item(desk, number, "pension_claim")
        assert row.status == "done" and row.data == {"monthly_pension": "3520.50"}
        assert row.answered_by == "account:pension@social_insurance_center"

        page = await (await archive.get(f"/cases/{number}")).text()
        # A day typed as the form keeps it, with a Chinese hint: no browser date picker.
        assert "档案记载的出生日期" in page and 'type="date"' not in page
        assert 'name="result.archive_birth_date" value="" inputmode="numeric"' in page
        assert 'placeholder="如 1965-05-15"' in page
        # The supplement offers this case's materials only, and one must be ticked.
        ticks = page.split("需申请人补充材料", 1)[1].split("不予办理", 1)[0]
        assert "身份证" in ticks and "退伍证" in ticks
        assert "户口簿" not in ticks and "劳动能力鉴定书" not in ticks
        assert "不勾选时" not in page
        unnamed = await post_form(
            archive,
            f"/cases/{number}",
            f"/cases/{number}/items/archive_certificate/answer",
            [("outcome", "supplement"), ("reason", "身份证反面看不清，请重拍")],
        )
        assert unnamed.status == 400 and "请至少勾选一份" in await unnamed.text()
        supplement = await post_form(
            archive,
            f"/cases/{number}",
            f"/cases/{number}/items/archive_certificate/answer",
            [
                ("outcome", "supplement"),
                ("materials", "id_card"),
                ("reason", "身份证反面看不清，请重拍"),
            ],
        )
        assert supplement.status == 303
        row = await _item(desk, number, "archive_certificate")
        assert row.status == "supplement" and row.data["materials"] == ["id_card"]
        no_reason = await post_form(
            pension,
            f"/cases/{number}",
            f"/cases/{number}/items/pension_claim/answer",
            {"outcome": "refused"},
        )
        assert no_reason.status in (400, 409)
    finally:
        await pension.close()
        await archive.close()


async def test_an_office_gets_403_for_another_offices_case_item_and_photo(desk: Desk) -> None:
    # Every office has an item in every case now (the six items for every worker): the
    # office without one here is another town's government (the case lives in 阿勒腾席热镇).
    await desk.account("veteran", "town_jasag")
    await desk.account("town", "town_altan_xire")
    await desk.account("boss", "supervisor")
    number = await desk.case("u1")
    await desk.db.run(desk.platform.accept, number, "account:wufang")
    veteran = await desk.client("veteran")
    town = await desk.client("town")
    boss = await desk.client("boss")
    try:
        assert (await veteran.get(f"/cases/{number}")).status == 403
        assert (await veteran.get(f"/cases/{number}/materials/id_card/1")).status == 403
        assert (await veteran.get("/cases/YJ-20990101-9999")).status == 403  # no guessing
        own = await town.get(f"/cases/{number}/materials/id_card/1")
        assert own.status == 200 and own.headers["Cache-Control"] == "no-store"
        for code in ("application_form", "social_security_card"):
            assert (await town.get(f"/cases/{number}/materials/{code}/1")).status == 403, code
        answer = await post_form(
            town,
            "/inbox",
            f"/cases/{number}/items/pension_claim/answer",
            {"outcome": "done", "result.monthly_pension": "1"},
        )
        assert answer.status == 403
        assert (await _item(desk, number, "pension_claim")).status == "pending"
        assert (await town.get("/queue")).status == 403
        assert (await town.get("/tasks")).status == 403
        assert (await boss.get(f"/cases/{number}")).status == 403
        assert (await boss.get(f"/cases/{number}/materials/id_card/1")).status == 403
    finally:
        for client in (veteran, town, boss):
            await client.close()


async def test_the_supervisor_sees_the_overdue_item_per_office(desk: Desk) -> None:
    await desk.account("boss", "supervisor")
    number = await desk.case()
    await desk.db.run(desk.platform.accept, number, "account:wufang")
    browsers = [await desk.client("boss")]
    try:
        before = await (await browsers[-1].get("/supervisor")).text()
        assert number not in before  # due at 11:00, two office hours away
        desk.clock.advance(hours=1, minutes=30)  # 10:30: due within the hour (yellow)
        browsers.append(await desk.client("boss"))  # the idle session has ended meanwhile
        soon = await (await browsers[-1].get("/supervisor")).text()
        assert 'class="soon">' + number in soon
        desk.clock.advance(hours=30)  # past the 2 office hours
        browsers.append(await desk.client("boss"))
        after = await (await browsers[-1].get("/supervisor")).text()
        assert 'class="overdue">' + number in after
        assert "旗就业和社会保险事业中心" in after and "王建国" not in after
    finally:
        for browser in browsers:
            await browser.close()


async def test_every_request_leaves_an_audit_row_with_the_account(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    await desk.account("town", "town_altan_xire")
    number = await desk.case()
    clerk = await desk.client("wufang")
    town = await desk.client("town")
    try:
        paths = ["/queue", f"/cases/{number}", f"/cases/{number}/materials/id_card/1", "/tasks"]
        for path in paths:
            assert (await clerk.get(path)).status == 200, path
        await post_form(clerk, f"/cases/{number}", f"/cases/{number}/accept", {})
        for path in (
            "/inbox",
            f"/cases/{number}",
            f"/cases/{number}/materials/discharge_certificate/1",
        ):
            await town.get(path)
        rows: list[Any] = await desk.db.run(
            lambda s: list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
        )
        seen = [(r.actor, r.action, r.detail.get("path"), r.detail.get("status")) for r in rows]
        for path in paths:
            assert ("account:wufang", "web.view", path, 200) in seen, path
        assert ("account:wufang", "web.action", f"/cases/{number}/accept", 303) in seen
        assert any(r.actor == "account:wufang" and r.action == "platform.accept" for r in rows)
        assert (
            "account:town@town_altan_xire",
            "web.view",
            f"/cases/{number}/materials/discharge_certificate/1",
            403,
        ) in seen
        case_views = [r for r in rows if r.action == "web.view" and r.case_id is not None]
        assert case_views, "views of a case are filed under the case"
    finally:
        await clerk.close()
        await town.close()
