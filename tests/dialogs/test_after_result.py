"""The conversation after the result, as the pure engine: signing, rating, online steps, the
documents on request, and the events from outside the chat. No database: the record the
engine decides from is a `ResultView`, and what it asks of the record are commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.clock import LOCAL_TZ
from cases.result_commands import (
    CommentOnRating,
    DeclineRating,
    RaiseAtSigning,
    RateService,
    RecordOnlineStep,
    SignNotice,
)
from dialogs import engine
from dialogs.events import Choice, Command, Event, Text
from dialogs.happenings import Happening, OnlineStepsDue, ResultDelivered
from dialogs.paperwork import DocumentRequest, Wanted, make_documents
from dialogs.state import Context, ConversationData, ResultView
from locales import Translator
from locales.replies import Document, Msg, Reply, render

NAME = "王建国"
NUMBER = "YJ-20260430-0001"
SHA = "a" * 64
# Thursday 30 April 2026: 1-5 May are holidays, Saturday 9 May a make-up working day.
TODAY = date(2026, 4, 30)


def view(**changes: Any) -> ResultView:
    fields: dict[str, Any] = {
        "number": NUMBER,
        "status": "notified",
        "notice_sha256": SHA,
        "signer": NAME,
    }
    return ResultView(**{**fields, **changes})


def conversation(state: str, **kept: Any) -> ConversationData:
    return ConversationData(state, "zh_CN", {"name": NAME, "aftercare": kept})


def turn(data: ConversationData, event: Event, result: ResultView | None = None) -> Any:
    ctx = Context(TODAY, result=result or view(), followup_days=5)
    return engine.handle(data, event, ctx)


def happen(data: ConversationData, happening: Happening, result: ResultView | None) -> Any:
    return engine.happen(data, happening, Context(TODAY, result=result))


def said(replies: list[Reply]) -> str:
    tr = Translator("zh_CN")
    return "\n".join(render(r.message, tr) for r in replies)


def test_the_right_name_is_shown_back_with_the_case_number_for_confirmation() -> None:
    out = turn(conversation("ask_signature_name"), Text(f" {NAME} "))
    assert out.data.state == "ask_signature_confirm" and out.commands == []
    assert NAME in said(out.replies) and NUMBER in said(out.replies)
    assert out.data.answers["aftercare"] == {"signature_name": NAME, "signature_sha": SHA}


def test_a_wrong_name_counts_and_the_third_points_to_the_window() -> None:
    data = conversation("ask_signature_name")
    for _ in range(3):
        out = turn(data, Text("李四"))
        data = out.data
    assert data.failures == 3 and data.state == "ask_signature_name"
    assert "窗口" in said(out.replies)


def test_saying_yes_to_signing_asks_for_just_the_name_and_is_not_a_wrong_name() -> None:
    out = turn(conversation("ask_signature_name"), Text("好的我签"))
    assert out.data.failures == 0 and out.data.state == "ask_signature_name"
    assert "请只输入您的姓名" in said(out.replies) and "不一致" not in said(out.replies)


def test_a_question_about_the_result_is_not_counted_as_a_wrong_name() -> None:
    out = turn(conversation("ask_signature_name"), Text("看不懂这个单子，养老金怎么算的？"))
    assert out.data.failures == 0 and "不一致" not in said(out.replies)
    assert out.replies[-1].question == "ask_signature_name"
    out = turn(conversation("ask_signature_name"), Text("这是啥？"))  # asks nothing we know
    assert out.data.failures == 0 and "签字只需要输入您的姓名" in said(out.replies)


def test_disagreeing_typed_or_tapped_is_a_task_for_the_clerk_and_the_notice_stays_unsigned():
    out = turn(conversation("ask_signature_name"), Text("养老金怎么算的，我觉得少了"))
    called_by = date(2026, 5, 6)
    assert out.commands == [RaiseAtSigning("object", "养老金怎么算的，我觉得少了", called_by)]
    # The next working day after 30 April is 6 May (the May Day holiday).
    assert "5月6日前会电话联系您" in said(out.replies)
    assert out.data.state == "ask_signature_name"
    tapped = turn(conversation("ask_signature_name"), Choice("person", "ask_signature_name"))
    assert tapped.commands == [RaiseAtSigning("person", "", called_by)]


def test_confirming_signs_the_version_shown_and_sends_the_signed_copy() -> None:
    data = conversation("ask_signature_confirm", signature_name=NAME, signature_sha=SHA)
    out = turn(data, Text("确认"))
    assert out.commands == [SignNotice(NAME, SHA)] and out.data.state == "ask_rating"
    done = out.replies[0]
    assert isinstance(done.document, Wanted) and done.document.kind == "signed_copy"
    assert not done.document.alone  # "signed" is said even should the copy be missing
    assert out.replies[-1].question == "ask_rating"


def test_a_case_rated_before_is_not_asked_again_after_signing_a_changed_notice() -> None:
    data = conversation("ask_signature_confirm", signature_name=NAME, signature_sha=SHA)
    out = turn(data, Choice("confirm", "ask_signature_confirm"), view(rating="satisfied"))
    assert out.commands == [SignNotice(NAME, SHA), DeclineRating()]
    assert out.data.state == "finished" and out.replies[-1].question == "finished"


def test_a_notice_changed_since_it_was_shown_is_sent_again_instead_of_signed() -> None:
    data = conversation("ask_signature_confirm", signature_name=NAME, signature_sha="b" * 64)
    out = turn(data, Choice("confirm", "ask_signature_confirm"))
    assert out.commands == [] and out.data.state == "ask_signature_name"
    assert "刚刚更新" in said(out.replies)
    notice = out.replies[-2].document
    assert isinstance(notice, Wanted) and notice.kind == "notice"
    assert out.replies[-1].question == "ask_signature_name"  # then the name, under it


def test_a_bad_rating_says_when_the_follow_up_is_due_and_asks_for_a_comment() -> None:
    out = turn(
        conversation("ask_rating"), Choice("dissatisfied", "ask_rating"), view(status="signed")
    )
    due = datetime(2026, 5, 11, 18, 0, tzinfo=LOCAL_TZ)
    assert out.commands == [RateService("dissatisfied", due)]
    assert "2026年5月11日" in said(out.replies) and out.data.state == "ask_rating_comment"


def test_a_typed_score_is_a_level_five_being_the_best() -> None:
    out = turn(conversation("ask_rating"), Text("5"), view(status="signed"))
    assert out.commands == [RateService("very_satisfied", None)]


def test_a_bad_rating_that_names_a_document_is_the_rating_not_the_document() -> None:
    out = turn(conversation("ask_rating"), Text("差评，还让我重新交申请表"), view(status="signed"))
    due = datetime(2026, 5, 11, 18, 0, tzinfo=LOCAL_TZ)
    assert out.commands == [
        RateService("dissatisfied", due),
        CommentOnRating("还让我重新交申请表"),
    ]
    assert not any(r.document for r in out.replies)
    assert "已记为：不满意" in said(out.replies) and "2026年5月11日" in said(out.replies)
    assert out.data.state == "finished" and "意见或建议" not in said(out.replies)


def test_the_words_beyond_the_rating_are_its_comment_and_no_comment_is_asked_for() -> None:
    typed = "还行吧，就是补材料那块说得不清楚，不知道要补啥"
    out = turn(conversation("ask_rating"), Text(typed), view(status="signed"))
    assert out.commands == [
        RateService("basically_satisfied", None),
        CommentOnRating("就是补材料那块说得不清楚，不知道要补啥"),
    ]
    assert "已记为：基本满意" in said(out.replies) and "谢谢" in said(out.replies)
    assert out.data.state == "finished" and "意见或建议" not in said(out.replies)


def test_a_rating_with_only_thanks_beside_it_still_asks_for_a_comment() -> None:
    out = turn(conversation("ask_rating"), Text("很满意，谢谢你们"), view(status="signed"))
    assert out.commands == [RateService("very_satisfied", None)]
    assert out.data.state == "ask_rating_comment" and "意见或建议" in said(out.replies)


def test_a_second_rating_is_answered_politely_and_changes_nothing() -> None:
    rated = view(status="rated", rating="satisfied")
    out = turn(conversation("ask_rating"), Choice("very_dissatisfied", "ask_rating"), rated)
    assert out.commands == [] and out.data.state == "finished"
    assert "已经评价过" in said(out.replies)
    later = turn(conversation("finished"), Text("非常不满意"), rated)
    assert later.commands == [] and "已经评价过" in said(later.replies)


def test_online_steps_done_then_not_yet_with_the_guide_again() -> None:
    data = conversation(
        "ask_online_steps_done",
        online_steps=["housing_fund", "medical_payment"],
        online_step="housing_fund",
    )
    first = turn(data, Text("办好了"), view(status="closed"))
    assert first.commands == [RecordOnlineStep("housing_fund", True)]
    assert first.data.state == "ask_online_steps_done" and "医保费补缴" in said(first.replies)
    second = turn(first.data, Choice("not_yet", "ask_online_steps_done"), view(status="closed"))
    assert second.commands == [RecordOnlineStep("medical_payment", False)]
    assert second.data.state == "finished" and "税务局" in said(second.replies)


def at_the_medical_payment_check() -> ConversationData:
    return conversation(
        "ask_online_steps_done", online_steps=["medical_payment"], online_step="medical_payment"
    )


def test_not_yet_in_the_workers_own_words_gets_the_steps_again() -> None:
    for typed in ("还没交", "没有", "还没弄呢"):
        out = turn(at_the_medical_payment_check(), Text(typed), view(status="closed"))
        assert out.commands == [RecordOnlineStep("medical_payment", False)], typed
        assert "税务局" in said(out.replies) and out.data.state == "finished"


def test_not_knowing_how_gets_the_steps_again_and_a_person() -> None:
    for typed in ("还没弄，不会弄啊", "不会弄"):
        out = turn(at_the_medical_payment_check(), Text(typed), view(status="closed"))
        assert out.commands == [RecordOnlineStep("medical_payment", False)], typed
        text = said(out.replies)
        assert "转人工" in text and "打电话" in text and "税务局" in text
        assert out.data.state == "finished"


def test_words_that_answer_nothing_at_the_check_get_the_hint_not_the_bare_question() -> None:
    out = turn(at_the_medical_payment_check(), Text("谢谢"), view(status="closed"))
    assert out.commands == [] and out.data.state == "ask_online_steps_done"
    assert "没有看懂您的回答" in said(out.replies)
    assert out.replies[-1].question == "ask_online_steps_done"


def test_done_in_the_workers_own_words_and_not_done_yet_is_not_done() -> None:
    done = turn(at_the_medical_payment_check(), Text("交过了"), view(status="closed"))
    assert done.commands == [RecordOnlineStep("medical_payment", True)]
    not_done = turn(at_the_medical_payment_check(), Text("还没办好"), view(status="closed"))
    assert not_done.commands == [RecordOnlineStep("medical_payment", False)]


def test_the_delivered_result_asks_for_the_signature_from_wherever_the_worker_stood() -> None:
    for state in ("submitted", "handed_to_person", "finished"):
        out = happen(ConversationData(state), ResultDelivered(changed=state == "finished"), None)
        assert out.data.state == "ask_signature_name"
        assert [r.question for r in out.replies] == ["ask_signature_name"]
        assert out.data.answers["aftercare"]["signature_sha"] is None


def test_the_online_step_check_waits_for_the_signature_and_then_closes_the_rating() -> None:
    check = OnlineStepsDue(("housing_fund",))
    signing = happen(conversation("ask_signature_name"), check, view())
    assert signing.replies == [] and signing.data.state == "ask_signature_name"
    out = happen(conversation("ask_rating"), check, view(status="signed"))
    assert out.commands == [DeclineRating()] and out.data.state == "ask_online_steps_done"
    assert out.replies[-1].question == "ask_online_steps_done"


def test_documents_on_request_before_the_result_but_never_from_a_name() -> None:
    guide = turn(ConversationData("submitted"), Text("发我服务指南"))
    assert [r.document.kind for r in guide.replies if isinstance(r.document, Wanted)] == ["guide"]
    assert "服务指南" in said(guide.replies) and guide.data.state == "submitted"
    named = turn(ConversationData("ask_name"), Text("服务指南"))
    assert not any(isinstance(r.document, Wanted) for r in named.replies)
    mid_question = turn(ConversationData("ask_town"), Text("发个流程图"))
    assert not any(isinstance(r.document, Wanted) for r in mid_question.replies)
    only_the_name = turn(ConversationData("ask_town"), Text("流程图"))
    assert [r.document.kind for r in only_the_name.replies] == ["flowchart"]  # type: ignore[union-attr]


def test_a_stale_button_after_the_result_is_answered_with_the_current_question() -> None:
    out = turn(conversation("ask_signature_name"), Choice("confirm", "ask_signature_confirm"))
    assert out.commands == [] and "过期" in said(out.replies)
    assert out.replies[-1].question == "ask_signature_name"


def test_nothing_goes_back_after_the_result() -> None:
    out = turn(conversation("ask_rating"), Command("restart"), view(status="signed"))
    assert out.data.state == "ask_rating" and "不能撤回" in said(out.replies)


class Desk:
    """A document source that has only what it was given, and records what was asked."""

    def __init__(self, **documents: Document) -> None:
        self.documents, self.asked = documents, []

    def document(self, session: Any, request: DocumentRequest) -> Document | None:
        self.asked.append(request.kind)
        return self.documents.get(request.kind)


def test_wanted_documents_are_made_and_a_reply_that_is_only_a_missing_document_is_dropped():
    notice, signed = Document("n" * 64, "结果告知单.pdf"), Msg("aftercare.sign.done")
    replies = [
        Reply(Msg("aftercare.docs.notice"), document=Wanted("", "", kind="notice")),
        Reply(Msg("aftercare.docs.signed_copy"), document=Wanted("", "", kind="signed_copy")),
        Reply(signed, document=Wanted("", "", kind="signed_copy", alone=False)),
        Reply(Msg("aftercare.menu")),
    ]
    desk = Desk(notice=notice)
    request = DocumentRequest("notice", 1, "zh_CN", {})
    out = make_documents(replies, desk, session=None, request=request)  # type: ignore[arg-type]
    assert [(r.message.key, r.document) for r in out] == [
        ("aftercare.docs.notice", notice),
        ("aftercare.sign.done", None),
        ("aftercare.menu", None),
    ]
    assert desk.asked == ["notice", "signed_copy", "signed_copy"]


def test_after_the_last_answer_the_menu_says_plainly_what_the_worker_can_do() -> None:
    data = conversation("ask_online_steps_done", online_steps=["housing_fund"])
    data.answers["aftercare"]["online_step"] = "housing_fund"
    out = turn(data, Text("办好了"), view(status="closed"))
    assert out.data.state == "finished"
    menu = out.replies[-1]
    assert render(menu.message, Translator("zh_CN")) == (
        "需要哪份文件，点一下就发给您。有问题也可以直接问我。"
    )
    labels = [render(o.label, Translator("zh_CN")) for o in menu.choices]
    assert labels == ["签字版告知单", "服务指南", "申请表", "流程图"]
    english = render(menu.message, Translator("en"))
    assert english == "Tap a file to get it. You can also just ask me a question."


def test_after_reading_the_notice_again_the_older_confirm_button_is_out_of_date() -> None:
    """再看一遍告知单: the notice, and the question under it with fresh buttons; 确认签字 on
    the message above says it is out of date and shows the question, signing nothing."""
    data = conversation("ask_signature_confirm", signature_name=NAME, signature_sha=SHA)
    data.shown = 3  # the confirm question on the screen is the third message of buttons
    again = turn(data, Choice("notice", "ask_signature_confirm", 3))
    assert [r.document is not None for r in again.replies] == [True, False]
    assert again.replies[-1].question == "ask_signature_confirm" and again.replies[-1].shown == 4
    older = turn(again.data, Choice("confirm", "ask_signature_confirm", 3))
    assert older.commands == [] and older.data.state == "ask_signature_confirm"
    (stale,) = older.replies  # one message: out of date, and the question again
    assert said([stale]).startswith("这个按钮已经过期了") and "确认签字吗" in said([stale])
    newer = turn(again.data, Choice("confirm", "ask_signature_confirm", 4))
    assert newer.commands[0] == SignNotice(NAME, SHA)
