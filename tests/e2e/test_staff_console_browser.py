"""The staff console in a real browser (Playwright driving Debian's Chromium) against the
processes production runs: a worker applies over Telegram (`main.py run`), the clerk logs in
at `main.py web`, opens the case, looks at a photo, turns and enlarges it, and returns page 2
of the ID card; the worker sends that one page again; the clerk accepts; two offices answer
through their forms; the supervisor sees an overdue item."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from tests.bot import images
from tests.e2e.journey import Applicant, answer_questions, submit, upload_everything
from tests.e2e.processes import Deployment, sqlite_deployment, wait_until
from tests.e2e.test_case_life import queue_numbers, texts
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port

CHROMIUM = "/usr/bin/chromium"
# Outside CI the test skips without a browser; under CI=true (which installs one) it must run.
if os.environ.get("CI") != "true":
    playwright = pytest.importorskip("playwright.async_api", reason="Playwright not installed")
    pytestmark = pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"
    )
else:
    import playwright.async_api as playwright
PASSWORD = "a long password for tests"
ACCOUNTS = {
    "lina": "clerk",
    "wufang": "social_insurance_center",
    "liuyang": "hr_service_center",
    "zhaojian": "supervisor",
}


async def serving(base: str) -> bool:
    import aiohttp

    try:
        async with aiohttp.ClientSession() as http, http.get(f"{base}/login") as answer:
            return answer.status == 200
    except aiohttp.ClientError:
        return False


def add_accounts(deployment: Deployment) -> None:
    import subprocess
    import sys

    from tests.e2e.processes import MAIN

    for username, role in ACCOUNTS.items():
        done = subprocess.run(
            [sys.executable, str(MAIN), "staff", "user", "add", "--username", username,
             "--role", role, "--password-stdin"],
            input=PASSWORD + "\n", cwd=deployment.where, env=deployment.env(),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr


async def log_in(browser, base: str, username: str):
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    assert "/login" not in page.url, await page.content()
    return page


async def test_the_clerk_and_two_offices_work_a_case_in_the_browser(
    api: FakeBotApi, tmp_path: Path
):
    async with sqlite_deployment(api, tmp_path) as deployment:
        who = Applicant(api, u.User(9701, "周九"))
        await deployment.add_staff()  # the clerk the test's `staff queue` look-ups run as
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with deployment.bot() as bot:
            await answer_questions(who)
            await upload_everything(who)
            found = re.search(r"YJ-\d{8}-\d{4}", texts(await submit(who)))
            assert found
            number = found.group()
            await wait_until(lambda: number in queue_numbers(deployment), "queued", procs=(bot,))
            add_accounts(deployment)
            with deployment.process(
                "web", "web", "--host", "127.0.0.1", "--port", str(port)
            ) as web:
                await wait_until(lambda: serving(base), "the console up", procs=(web,))
                async with playwright.async_playwright() as pw:
                    browser = await pw.chromium.launch(
                        executable_path=CHROMIUM, args=["--no-sandbox"]
                    )
                    try:
                        await clerk_returns_and_accepts(browser, base, number, who, deployment)
                        await offices_answer(browser, base, number)
                        await supervisor_sees_overdue(browser, base, number, deployment)
                        await walk_in_taken_over_in_telegram(browser, base, api, tmp_path)
                    finally:
                        await browser.close()
        assert "Traceback" not in deployment.log_of("web"), deployment.log_of("web")[-2000:]


async def clerk_returns_and_accepts(browser, base, number, who, deployment) -> None:
    clerk = await log_in(browser, base, "lina")
    await clerk.goto(f"{base}/queue")
    await clerk.click(f"text={number}")
    await clerk.wait_for_url(f"**/cases/{number}")
    body = await clerk.inner_text("body")
    assert "身份证" in body and "150627196505150016" not in body  # plain Chinese, masked
    # The photos are there, and are pictures a person can look at.
    photo = clerk.locator("img").first
    await photo.wait_for()
    assert await photo.evaluate("img => img.complete && img.naturalWidth > 100")
    await zoom_and_rotate(clerk)
    # Only the back of the ID card (its page 2) is returned; page 1 is kept.
    back = clerk.locator("#p-id_card-2")
    await back.locator("input[name='page.id_card']").check()
    await back.locator("input[name='page_reason.id_card.2']").fill("反面看不清，请重新拍照")
    await clerk.click("text=退回申请人补正")
    await clerk.wait_for_load_state()
    await wait_until(lambda: "第 2 页：反面看不清" in texts(api_sent(who)), "the worker told")
    await who.send_photos("id_card", [images.sharp_jpeg(95)])
    await wait_until(
        lambda: queue_numbers(deployment).get(number) == "received", "back on the clerk's desk"
    )
    await clerk.goto(f"{base}/cases/{number}")
    # The birth date on file is typed as 1965-05-15 whatever the browser's language: no
    # "mm/dd/yyyy" picker, a Chinese example in the empty field.
    on_file = clerk.locator("input[name=archive_birth_date]")
    assert await on_file.get_attribute("placeholder") == "如 1965-05-15"
    assert await on_file.evaluate("e => e.type") == "text"
    await clerk.click("text=材料齐全，受理并分送各经办机构")
    await clerk.wait_for_load_state()
    assert "已受理，已分送各经办机构。" in await clerk.inner_text(".notice")
    await wait_until(lambda: "已受理" in texts(api_sent(who)), "the worker told of acceptance")


async def zoom_and_rotate(clerk) -> None:
    """The buttons under a page turn it (its box turns too) and enlarge it."""
    sheet = clerk.locator("#p-id_card-1")
    picture = sheet.locator("img")
    await sheet.locator(".tools").wait_for(state="visible")
    before = await picture.bounding_box()
    await sheet.locator("button[data-act=right]").click()
    turned = await picture.bounding_box()
    assert abs(turned["width"] - before["height"]) < 2, (before, turned)
    assert abs(turned["height"] - before["width"]) < 2, (before, turned)
    await sheet.locator("button[data-act=in]").click()
    bigger = await picture.bounding_box()
    assert abs(bigger["width"] - 1.5 * turned["width"]) < 2, (turned, bigger)
    await sheet.locator("button[data-act=reset]").click()
    again = await picture.bounding_box()
    assert abs(again["width"] - before["width"]) < 2


async def walk_in_taken_over_in_telegram(browser, base, api, tmp_path) -> None:
    """A worker at the window: the clerk types the form and uploads the scans; the printed
    code, sent to the bot, gives the worker the case in Telegram."""
    clerk = await log_in(browser, base, "lina")
    await clerk.goto(f"{base}/walk-in")
    for name, value in {
        "name": "吴桂兰", "id_number": "150627196505150016", "phone": "13912345678",
        "employer_name": "某煤矿有限公司", "contribution_months": "360",
    }.items():  # fmt: skip
        await clerk.fill(f"input[name={name}]", value)
    await clerk.select_option("select[name=town]", "乌兰木伦镇")
    for name, value in {
        "has_employer": "true", "category": "male", "retirement_route": "statutory",
        "name_matches_archive": "true", "paid_before_1995_07": "true",
        "lump_sum_before_1996": "false", "handbook": "have", "receipts": "have",
        "veteran": "false", "illness_disability": "false",
    }.items():  # fmt: skip
        await clerk.check(f"input[name={name}][value={value}]")
    scans = []
    for n in (1, 2):
        scan = tmp_path / f"id-{n}.jpg"
        scan.write_bytes(images.sharp_jpeg(80 + n))
        scans.append(str(scan))
    await clerk.set_input_files("input[name='file.id_card']", scans)
    await clerk.click("text=提交申请")
    await clerk.wait_for_load_state()
    code = (await clerk.inner_text("#link-code")).strip()
    walk_in = re.search(r"YJ-\d{8}-\d{4}", await clerk.inner_text("main"))
    assert walk_in and re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code), code
    worker = Applicant(api, u.User(9702, "吴桂兰"))
    replies = texts(await worker.say(f"/start {code}"))
    assert walk_in.group() in replies, replies


def api_sent(who: Applicant) -> list:
    return who.api.sent_to(who.user.id)


async def offices_answer(browser, base, number) -> None:
    answers = {
        "wufang": ("pension_claim", {"monthly_pension": "3520.50"}),
        "liuyang": (
            "archive_certificate",
            {"archive_birth_date": "1965-05-15", "first_employment_date": "1985-07-01"},
        ),
    }
    for username, (item, fields) in answers.items():
        office = await log_in(browser, base, username)
        await office.goto(f"{base}/inbox")
        await office.click(f"text={number}")
        form = office.locator(f"form[action='/cases/{number}/items/{item}/answer']")
        await form.locator("input[name=outcome][value=done]").check()
        if item == "pension_claim":  # a month typed wrong is held back, the hint in Chinese
            month = form.locator("input[name='result.first_pension_month']")
            assert await month.get_attribute("placeholder") == "如 2026-12"
            await month.fill("12/2026")
            assert await month.evaluate("e => e.validity.patternMismatch")
            assert await month.get_attribute("title") == "请按“年-月”填写，如 2026-12"
            await month.fill("")
        for code, value in fields.items():
            await form.locator(f"input[name='result.{code}']").fill(value)
        await form.locator("button[type=submit]").click()
        await office.wait_for_load_state()
        assert "已办结" in await office.inner_text("body")
        assert "的答复。" in await office.inner_text(".notice")
        # Only its own item is there to answer, never another office's.
        other = "archive_certificate" if item == "pension_claim" else "pension_claim"
        assert await office.locator(f"form[action$='/items/{other}/answer']").count() == 0


async def supervisor_sees_overdue(browser, base, number, deployment) -> None:
    await make_one_item_late(deployment, number)
    supervisor = await log_in(browser, base, "zhaojian")
    await supervisor.goto(f"{base}/supervisor")
    late = supervisor.locator(".overdue")
    await late.first.wait_for()
    assert number in await late.first.inner_text()


async def make_one_item_late(deployment: Deployment, number: str) -> None:
    """Two office hours later, as far as one item is concerned: its due time has passed."""
    from sqlalchemy import select

    from cases.models import utcnow
    from cases.models.platform import EmbItem

    db = deployment.database()

    def work(session) -> None:
        item = session.scalars(
            select(EmbItem).where(EmbItem.case_number == number, EmbItem.status == "pending")
        ).first()
        assert item is not None
        item.due_at = utcnow() - timedelta(hours=1)

    try:
        await db.run(work)
    finally:
        await db.close()
