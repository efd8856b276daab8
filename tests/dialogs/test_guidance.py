"""Mid-journey guidance: what an applicant sees after a greeting, /status, a file where none
was asked, and repeated mistakes (issues met in `python main.py chat`)."""

from __future__ import annotations

from tests.dialogs.conftest import Person, page


async def at_employer(p: Person) -> None:
    await p.through_identity()
    await p.tap("normal")
    await p.text("15年")
    await p.tap("altan_xire")
    assert p.question == "ask_has_employer"


async def test_ok_at_a_yes_no_question_is_not_answered_with_the_start_invitation(
    person: Person,
) -> None:
    await at_employer(person)
    await person.text("好了")
    assert "/start" not in person.texts()
    assert "没有看懂" in person.texts() and "按钮" in person.texts()
    assert person.message_keys()[-1] == "dialogs.ask_has_employer"
    assert person.question == "ask_has_employer"


async def test_a_greeting_at_any_question_gets_a_hint_and_the_same_question(
    person: Person,
) -> None:
    await person.command("start")
    await person.text("你好")  # at the language question, written in Chinese: Chinese
    assert person.question == "ask_consent" and "同意" in person.texts()
    await person.text("您好")
    assert "/start" not in person.texts() and person.question == "ask_consent"
    await person.tap("agree")
    await person.text("张建国")
    await person.text("你好")
    assert "/start" not in person.texts()
    assert "没有看懂" in person.texts() and "身份证号码" in person.texts()
    assert person.question == "ask_id_number"
    assert "person" not in person.choices()  # a greeting is not a failed answer


async def test_asking_to_apply_mid_journey_says_we_are_already_at_it(person: Person) -> None:
    await at_employer(person)
    await person.text("我要办退休")
    assert "/start" not in person.texts() and "在办理中" in person.texts()
    assert person.question == "ask_has_employer"


async def test_a_greeting_while_with_a_person_keeps_the_standing_message(
    person: Person,
) -> None:
    await person.through_identity()
    await person.tap("illness_disability")
    await person.text("你好")
    assert "/start" not in person.texts() and "工作人员" in person.texts()


async def test_status_before_submission_says_where_the_applicant_is(person: Person) -> None:
    await person.command("status")
    assert "还没有开始" in person.texts()
    await person.through_identity()
    await person.tap("normal")
    await person.command("status")
    assert "资格预审" in person.texts() and "0/0" not in person.texts()
    assert person.message_keys()[-1] == "dialogs.ask_contribution"
    await person.text("15年")
    await person.command("status")
    assert "需要准备哪些材料" in person.texts()
    assert person.question == "ask_town"
    await person.tap("altan_xire")
    await person.tap("yes")
    await person.text("伊金霍洛旗某煤业有限公司")
    for answer in ("yes", "no", "no", "no"):
        await person.tap(answer)
    await person.files(page("form"))
    await person.tap("done")
    await person.command("status")
    assert "正在准备材料" in person.texts() and "1/3" in person.texts()
    assert person.question == "ask_upload_id_card"
    await person.files(page("front"), page("back"))
    await person.files(page("ssc"))
    await person.tap("done")
    await person.command("status")
    assert "核对" in person.texts() and "3/3" in person.texts()
    assert person.question == "ask_review"


async def test_a_file_at_a_choice_question_is_answered_specifically(person: Person) -> None:
    await at_employer(person)
    await person.files(page("photo"))
    assert person.message_keys() == ["dialogs.hint.file_not_needed", "dialogs.ask_has_employer"]
    assert "这一步不需要文件" in person.texts() and "按钮" in person.texts()


async def test_a_file_at_a_text_question_is_answered_specifically(person: Person) -> None:
    await person.command("start")
    await person.tap("zh_CN")
    await person.tap("agree")
    await person.files(page("photo"))
    assert "这一步不需要文件" in person.texts() and "打字" in person.texts()
    assert person.question == "ask_name"


async def test_a_file_while_waiting_for_the_date_is_answered_specifically(
    person: Person,
) -> None:
    from tests.dialogs.conftest import id_number

    await person.through_identity(number=id_number("19700520"))
    await person.tap("normal")
    await person.text("18年")
    await person.tap("no")
    assert person.last is not None and person.last.state == "waiting_for_date"
    await person.files(page("photo"))
    assert "这一步不需要文件" in person.texts() and "提醒" in person.texts()


async def test_the_person_is_offered_once_and_stays_available(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    offers = []
    for _ in range(5):
        await person.text("很多很多年")
        offers.append("dialogs.offer_person" in person.message_keys())
        assert "dialogs.hint.contribution" in person.message_keys()
    assert offers == [False, False, True, False, False]
    assert "person" in person.choices()
    out = await person.tap("person")
    assert out.state == "ask_contribution"  # a task for the clerk; the question stays


async def test_ok_at_the_name_question_is_not_taken_as_a_name(person: Person) -> None:
    await person.command("start")
    await person.tap("zh_CN")
    await person.tap("agree")
    await person.text("好了")
    assert person.question == "ask_name"
    assert "没有看懂" in person.texts() and "姓名" in person.texts()
    await person.text("王秀英")
    assert person.question == "ask_id_number"


async def test_receipts_marked_lost_at_the_upload_step_are_not_asked_for_again(
    person: Person,
) -> None:
    await at_employer(person)
    for answer in ("no", "yes", "no", "yes", "have", "no"):
        await person.tap(answer)
    await person.files(page("form"))
    await person.tap("done")
    await person.files(page("front"), page("back"))
    await person.files(page("ssc"))
    await person.tap("done")
    assert person.question == "ask_upload_tax_receipts"
    await person.tap("lost")
    assert "遗失" in person.texts()
    assert person.question == "ask_review"
    assert "补缴票据：丢了" in person.texts()


async def test_status_after_a_not_yet_verdict_says_the_pre_check_is_done(person: Person) -> None:
    from tests.dialogs.conftest import id_number

    await person.through_identity(number=id_number("19700520"))
    await person.tap("normal")
    await person.text("18年")
    await person.command("status")
    assert "预审已出结果" in person.texts() and "还没到法定退休时间" in person.texts()
    assert person.question == "ask_reminder"


async def test_back_after_submission_says_the_application_is_submitted(person: Person) -> None:
    await at_employer(person)
    for answer in ("no", "yes", "no", "no", "no"):
        await person.tap(answer)
    await person.files(page("form"))
    await person.tap("done")
    await person.files(page("front"), page("back"))
    await person.files(page("ssc"))
    await person.tap("done")
    await person.tap("submit")
    await person.command("back")
    assert "申请已提交" in person.texts() and "/status" in person.texts()
