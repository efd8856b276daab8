"""Whatever arrives, the applicant gets a clear reply and keeps their place."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.settings import Settings
from cases.db import Database
from cases.models import Applicant, StaffTask
from dialogs.events import Choice, Files, Text, Unsupported
from dialogs.service import ConversationService
from tests.dialogs.conftest import Person, Store, id_number, page


async def at_name(p: Person) -> None:
    await p.command("start")
    await p.tap("zh_CN")
    await p.tap("agree")
    assert p.question == "ask_name"


async def test_a_5000_character_message_is_refused_politely(person: Person) -> None:
    await at_name(person)
    await person.text("王" * 5000)
    assert person.message_keys() == ["dialogs.hint.too_long", "dialogs.ask_name"]
    assert person.question == "ask_name"


async def test_emoji_and_markup_are_not_taken_as_a_name(person: Person, db: Database) -> None:
    await at_name(person)
    await person.text("😀😀😀")
    assert "dialogs.hint.name" in person.message_keys() and person.question == "ask_name"
    await person.text("<b>王</b>&amp;")
    assert "dialogs.hint.name" in person.message_keys() and person.question == "ask_name"
    await person.text("巴特尔·额尔敦")  # a Mongolian name with its middle dot is fine
    assert person.question == "ask_id_number"

    def name(session):  # type: ignore[no-untyped-def]
        return session.scalars(select(Applicant.full_name)).one()

    assert await db.run(name) == "巴特尔·额尔敦"


async def test_an_empty_message_gets_the_question_again(person: Person) -> None:
    await at_name(person)
    await person.text("   ")
    assert person.message_keys() == ["dialogs.hint.empty", "dialogs.ask_name"]


async def test_a_file_where_text_was_asked(person: Person) -> None:
    await at_name(person)
    await person.files(page("selfie"))
    assert person.message_keys() == ["dialogs.hint.text_expected", "dialogs.ask_name"]


async def test_a_sticker_is_unsupported_but_answered(person: Person) -> None:
    await at_name(person)
    await person.send(Unsupported("sticker"))
    assert person.message_keys() == ["understanding.unsupported_at_text", "dialogs.ask_name"]
    assert person.messages() == 1  # what was wrong, and the question again, in one message
    assert "请打字输入您的姓名" in person.texts() and "按钮" not in person.texts()


async def test_a_sticker_where_the_card_photo_is_asked_gets_one_message(person: Person) -> None:
    await at_upload(person)
    await person.send(Unsupported("sticker"))
    assert person.messages() == 1 and person.question == "ask_upload_id_card"
    said, asked = person.texts().split("\n", 1)
    assert "这一步需要的是照片" in said and "身份证" in said
    assert "请拍身份证正面和背面" in asked


async def at_upload(p: Person) -> None:
    await p.through_identity()
    await p.tap("normal")
    await p.text("15年")
    await p.tap("altan_xire")
    for answer in ("no", "yes", "no", "no", "no"):
        await p.tap(answer)
    assert p.question == "ask_upload_application_form"
    await p.files(page("form"))
    await p.tap("done")
    assert p.question == "ask_upload_id_card"


async def test_text_where_a_file_was_asked(person: Person) -> None:
    await at_upload(person)
    await person.text("123456")
    assert "dialogs.hint.file_expected" in person.message_keys()
    assert "照片或PDF" in person.texts()
    assert person.question == "ask_upload_id_card"


async def test_a_blurred_page_gets_a_specific_retake_request(person: Person) -> None:
    await at_upload(person)
    await person.files(page("front", problem="blurred"), page("back"))
    assert "dialogs.retake.blurred" in person.message_keys()
    assert "请在光线好的地方" in person.texts()
    assert "已收到1页" in person.texts()  # only the good page counts
    await person.tap("done")
    assert "dialogs.hint.need_pages" in person.message_keys()  # an ID card has two sides
    await person.files(page("back"))  # the same photo again is not the other side
    assert "dialogs.hint.duplicate_page" in person.message_keys()
    await person.files(page("front-retaken"))
    assert person.question == "ask_upload_social_security_card"


async def test_later_pauses_and_start_comes_back_to_the_same_material(person: Person) -> None:
    await at_upload(person)
    await person.tap("later")
    assert person.message_keys() == ["dialogs.paused"]
    await person.command("start")
    assert person.question == "ask_upload_id_card"


async def test_a_stale_button_is_answered_with_the_current_question(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await person.tap("altan_xire")
    assert person.question == "ask_has_employer"
    await person.send(Choice("illness_disability", question="ask_retirement_type"))
    assert person.message_keys() == ["dialogs.stale_button", "dialogs.ask_has_employer"]
    assert person.last is not None and person.last.state == "ask_has_employer"


async def test_three_failures_offer_a_person(person: Person, db: Database) -> None:
    await at_name(person)
    await person.text("张建国")
    for attempt in range(3):
        await person.text("1506271965")
        assert "idcard.length_typed" in person.message_keys()  # "您输入了10位"
        assert ("person" in person.choices()) == (attempt == 2)
    assert "dialogs.offer_person" in person.message_keys()
    out = await person.tap("person")
    assert out.state == "ask_id_number"  # the journey goes on where it was

    def tasks(session):  # type: ignore[no-untyped-def]
        return [(t.kind, t.detail) for t in session.scalars(select(StaffTask))]

    detail = {"reason": "asked", "question": "ask_id_number", "stage": "before_submission"}
    assert await db.run(tasks) == [("handover", detail)]


async def test_each_id_number_error_is_explained(person: Person) -> None:
    await at_name(person)
    await person.text("张建国")
    await person.text("150627196503151219")
    # One message: what is wrong with the number, then the number asked for again.
    assert person.messages() == 1 and person.question == "ask_id_number"
    wrong, asked = person.texts().split("\n", 1)
    assert "校验码" in wrong and "身份证号" in asked
    await person.text(id_number("19650315").lower().replace("8", "８"))  # full-width digit
    assert person.question == "ask_phone"
    await person.text("12345")
    assert "dialogs.hint.phone" in person.message_keys()
    await person.text("0477-8123456")  # a landline with its area code
    assert person.question == "ask_retirement_type"


async def test_back_returns_to_the_previous_question(person: Person) -> None:
    await person.through_identity()
    assert person.question == "ask_retirement_type"
    await person.command("back")
    assert person.question == "ask_phone"
    await person.command("back")
    assert person.question == "ask_id_number"
    await person.text(id_number("19700520"))
    assert person.question == "ask_phone"  # the phone is asked again: it was cleared


async def test_language_switches_and_keeps_the_place(person: Person) -> None:
    await at_name(person)
    await person.command("language")
    assert person.question == "ask_language"
    out = await person.tap("en")
    assert out.language == "en"
    assert person.message_keys() == ["dialogs.language_set", "dialogs.ask_name"]
    assert "full name" in person.texts()


async def test_a_question_in_free_text_is_answered_without_losing_the_place(
    person: Person,
) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await person.text("住房公积金怎么提取？")  # at the town question: answered, town asked again
    assert person.message_keys() == ["faq.housing_fund", "dialogs.ask_town"]
    await person.tap("altan_xire")
    await person.text("住房公积金怎么提取？")
    assert person.message_keys() == ["faq.housing_fund", "dialogs.ask_has_employer"]
    assert "person" not in person.choices()
    # Issue 13: a second answer that is no choice (even a question, answered) is a miss: the
    # choices are listed with their numbers and a person is offered, once; never a loop.
    await person.text("要带哪些材料")
    assert person.message_keys() == [
        "faq.materials",
        "dialogs.hint.numbered",
        "dialogs.offer_person",
        "dialogs.ask_has_employer",
    ]
    assert person.choices() == ["yes", "no", "person"]
    await person.text("要带哪些材料")
    assert person.message_keys() == ["faq.materials", "dialogs.ask_has_employer"]


async def test_two_events_at_once_are_serialised(service: ConversationService) -> None:
    p = Person(service)
    await at_name(p)
    a, b = await asyncio.gather(
        service.handle("test", "u1", Text("张建国")),
        service.handle("test", "u1", Text(id_number("19650315"))),
    )
    assert {a.state, b.state} == {"ask_id_number", "ask_phone"}
    assert service.conflicts == 0  # queued by the per-applicant lock, never conflicting


async def test_many_applicants_at_once_do_not_mix(service: ConversationService) -> None:
    people = [Person(service, user=f"u{i}") for i in range(20)]
    await asyncio.gather(*(at_name(p) for p in people))
    await asyncio.gather(*(p.text(f"测试{chr(0x4E00 + i)}") for i, p in enumerate(people)))
    assert all(p.question == "ask_id_number" for p in people)


async def test_files_arriving_at_a_submitted_case(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await person.tap("altan_xire")
    for answer in ("no", "yes", "no", "no", "no"):
        await person.tap(answer)
    await person.files(page("form"))
    await person.tap("done")
    await person.send(Files((page("a"), page("b"))))
    await person.files(page("ssc"))
    await person.tap("done")
    await person.tap("submit")
    await person.files(page("extra"))
    assert "dialogs.no_upload_needed" in person.message_keys()
    await person.command("restart")
    assert "dialogs.restart_after_submission" in person.message_keys()


async def test_two_workers_on_one_database_lose_no_event(
    store: Store, settings: Settings, clock: Callable[[], datetime]
) -> None:
    """Two processes' services (separate Database objects, separate in-process locks) on one
    database, the same applicant writing to both at once: the version check and the retry
    keep every event, none applied twice (each wrong answer counts exactly one failure);
    on PostgreSQL the applicant's advisory lock serialises them before the version check.
    No update ids: with one, SQLite's write lock (taken by the duplicate mark, first in the
    transaction) would serialise the two workers before the version check is ever reached."""
    from cases.models import Conversation

    async with store.open(create=True) as first_db, store.open() as second_db:
        one = ConversationService(first_db, settings, clock=clock)
        two = ConversationService(second_db, settings, clock=clock)
        p = Person(one)
        await p.through_identity()
        await p.tap("normal")
        assert p.question == "ask_contribution"
        wrong = [Text("很多很多年") for _ in range(12)]
        workers = [one, two] * 6
        outcomes = await asyncio.gather(
            *(svc.handle("test", "u1", e) for svc, e in zip(workers, wrong, strict=True))
        )
        assert all(o.question == "ask_contribution" for o in outcomes)

        def failures(session):  # type: ignore[no-untyped-def]
            return session.scalars(select(Conversation.failures)).one()

        assert await first_db.run(failures) == 12
        if store.kind == "postgresql":
            # The applicant's advisory lock made the second worker wait: no check was lost.
            assert one.conflicts + two.conflicts == 0


async def test_a_question_typed_where_a_number_was_asked_is_answered(person: Person) -> None:
    await at_name(person)
    await person.text("张建国")
    await person.text("公积金怎么取？")
    assert person.message_keys() == ["faq.housing_fund", "dialogs.ask_id_number"]
    await person.send(Choice("yes"))  # a typed-looking choice at a text question
    assert "idcard.empty" in person.message_keys()
