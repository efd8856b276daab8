"""The whole life of a case in the processes production runs: `python main.py run` serving the
worker over the loopback Bot API server, and the clerk and the offices at `main.py staff`.
Nothing else moves the case: no test code drains an outbox or ticks a worker."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot import images
from tests.documents.conftest import pdf_text
from tests.e2e.at_rest import documents_in_clear, readable_by_others
from tests.e2e.journey import Applicant, answer_questions, submit, upload_everything
from tests.e2e.processes import (
    CLERK,
    Deployment,
    office_staff,
    postgres_deployment,
    sqlite_deployment,
    wait_until,
)
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u

# What each office answers (the worker said they are a veteran: six items, five offices and
# the housing fund online). Medical insurance starts once the pension is decided.
OFFICE_ANSWERS: list[tuple[str, list[str]]] = [
    ("pension_claim", ["monthly_pension=3520.50"]),
    ("archive_certificate", ["archive_birth_date=1965-05-15", "first_employment_date=1985-07-01"]),
    ("veteran_check", ["is_veteran=true", "service_years=6", "service_counted=true"]),
    ("community_registration", ["town=阿勒腾席热镇"]),
    ("medical_insurance", ["contribution_months=312", "back_payment_due=0"]),
]


@pytest.fixture(params=["sqlite", "postgresql"])
async def deployment(
    request: pytest.FixtureRequest, api: FakeBotApi, tmp_path: Path
) -> AsyncIterator[Deployment]:
    make = sqlite_deployment if request.param == "sqlite" else postgres_deployment
    async with make(api, tmp_path) as deployment:
        yield deployment


def queue_numbers(deployment: Deployment) -> dict[str, str]:
    return {r["case_number"]: r["status"] for r in deployment.staff_json("queue", "--as", CLERK)}


def texts(calls: list) -> str:
    return "\n".join(c.text or "" for c in calls)


async def test_a_case_lives_from_telegram_to_closed_through_the_production_commands(
    deployment: Deployment, api: FakeBotApi
):
    who = Applicant(api, u.User(9101, "张三"))
    await deployment.add_staff()  # the staff commands run as accounts
    with deployment.bot() as bot:
        # The worker applies on Telegram.
        await answer_questions(who)
        await upload_everything(who)
        final = await submit(who)
        found = re.search(r"YJ-\d{8}-\d{4}", texts(final))
        assert found, texts(final)
        number = found.group()

        # The case reaches the clerk's queue with no other help than `main.py run`.
        await wait_until(
            lambda: number in queue_numbers(deployment), "the case in the queue", procs=(bot,)
        )

        # The clerk returns the ID card; the worker is told why and sends it again.
        before = len(api.sent_to(who.user.id))
        done = deployment.staff(
            "return", number, "--material", "id_card", "--reason", "照片模糊请重拍", "--as", CLERK
        )
        assert done.returncode == 0, done.stderr
        told = await wait_until(
            lambda: "照片模糊" in texts(api.sent_to(who.user.id)[before:]), "the return push"
        )
        assert told
        who.seen.extend(api.sent_to(who.user.id)[len(who.seen) :])
        # As the push says: just send the new photos (the supplement goes once they are in).
        sent = await who.send_photos("id_card", [images.sharp_jpeg(90), images.sharp_jpeg(91)])
        assert number in texts(sent)

        # Back on the clerk's desk (the platform says "received"); the clerk accepts.
        await wait_until(
            lambda: queue_numbers(deployment).get(number) == "received",
            "the corrected case back in the queue",
            procs=(bot,),
        )
        accepted = deployment.staff("accept", number, "--as", CLERK)
        assert accepted.returncode == 0, accepted.stderr

        # The archive office cannot read the ID card: it asks the worker for a supplement.
        before = len(api.sent_to(who.user.id))
        asked = deployment.staff(
            "answer", number, "--item", "archive_certificate", "--result", "supplement",
            "--data", "materials=id_card", "--reason", "身份证反面看不清，请重新拍照",
            "--as", office_staff("archive_certificate"),
        )  # fmt: skip
        assert asked.returncode == 0, asked.stderr
        await wait_until(
            lambda: "反面看不清" in texts(api.sent_to(who.user.id)[before:]),
            "the office's words in the chat",
            procs=(bot,),
        )
        sent = await who.send_photos("id_card", [images.sharp_jpeg(92), images.sharp_jpeg(93)])
        assert "已提交" in texts(sent)

        def archive_status() -> str:
            view = deployment.staff_json("show", number, "--as", CLERK)
            return next(i["status"] for i in view["items"] if i["item"] == "archive_certificate")

        # The pages go back to the same office, which has its item on the clock again.
        await wait_until(
            lambda: archive_status() == "pending", "the item back at its office", procs=(bot,)
        )

        # Every office answers its item.
        for item, data in OFFICE_ANSWERS:
            answered = deployment.staff(
                "answer", number, "--item", item, "--result", "done", "--data", *data,
                "--as", office_staff(item),
            )  # fmt: skip
            assert answered.returncode == 0, answered.stderr

        # The notice arrives in the chat as a PDF, with the question to sign.
        def notices() -> list:  # type: ignore[type-arg]
            # Documents sent earlier (the pre-filled form at its upload step) are not the notice.
            sent = [c for c in api.sent_to(who.user.id) if c.method == "sendDocument"]
            return [c for c in sent if c.files.get("document", ("",))[0].startswith("结果告知单")]

        notice = await wait_until(notices, "the result notice in the chat", procs=(bot,))
        # Decrypted on the way out: the worker gets the PDF itself, with the case number.
        name, pdf = notice[0].files["document"]
        assert name == f"结果告知单-{number}.pdf" and pdf.startswith(b"%PDF-")
        assert number in pdf_text(pdf)
        await wait_until(
            lambda: "签" in texts(api.sent_to(who.user.id)[-3:]), "the signature question"
        )
        who.seen.extend(api.sent_to(who.user.id)[len(who.seen) :])

        # Signature (a wrong name first), then the rating.
        wrong = await who.say("张四")
        assert "姓名" in texts(wrong)
        await who.say("张三")
        await who.press("confirm", "ask_signature_confirm")
        await who.press("very_satisfied", "ask_rating")

        # Closed, as the clerk sees it.
        async def closed() -> bool:
            db = deployment.database()
            try:
                return await db.run(_status_of, number) == "closed"
            finally:
                await db.close()

        await wait_until(closed, "the case closed")
    assert "Traceback" not in deployment.log_of(), deployment.log_of()[-3000:]
    # The clerk still sees the case (its documents included) after all this.
    shown = deployment.staff("show", number, "--as", CLERK)
    assert shown.returncode == 0 and number in shown.stdout, shown.stderr

    # At rest: the photos, the notice and the signed copy are all in data/, and not one of
    # them can be read there; nothing is open to other users. The ID card photos returned
    # twice left the store once their replacements reached the platform: only their rows stay.
    assert len(list((deployment.where / "files").rglob("??/??/*"))) >= 5
    db = deployment.database()
    try:
        returned = await db.run(_returned_pages, number)
    finally:
        await db.close()
    assert returned and all(purged for purged in returned), returned
    assert documents_in_clear(deployment.where) == []
    assert readable_by_others(deployment.where) == []


def _returned_pages(session, number: str) -> list[bool]:
    """Whether each returned page of the case was purged (its file deleted)."""
    from sqlalchemy import select

    from cases.models import Case, MaterialPage

    case_id = session.scalar(select(Case.id).where(Case.number == number))
    pages = session.scalars(
        select(MaterialPage).where(
            MaterialPage.case_id == case_id, MaterialPage.status == "rejected"
        )
    )
    return [p.purged_at is not None for p in pages]


def _status_of(session, number: str) -> str | None:
    from sqlalchemy import select

    from cases.models import Case

    return session.scalar(select(Case.status).where(Case.number == number))
