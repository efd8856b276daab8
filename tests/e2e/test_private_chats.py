"""One to one only: in a group the bot says once where to go and nothing about anyone;
forwarded words are not answers; an edited message changes nothing and says how to change an
answer; someone else's contact card is not the worker's phone. The real conversation, over
the loopback Bot API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cases.db import Database
from cases.models import Applicant
from dialogs.service import ConversationService
from tests.bot.harness import bot_settings, running_bot
from tests.e2e.journey import Applicant as Worker
from tests.e2e.journey import answer_questions
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u

GROUP = -100_777


async def test_in_a_group_the_bot_says_once_to_use_a_private_chat_and_nothing_else(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    who = Worker(api, u.User(9401, "张三"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await answer_questions(who)  # a worker with a conversation and a name on file
        for update in (
            u.in_group(u.text(who.user, "/status"), GROUP),
            u.in_group(u.text(who.user, "/start"), GROUP),
            u.in_group(u.text(who.user, "我的进度怎么样了"), GROUP),
            u.in_group(u.callback(who.user, "v1|ask_consent|agree"), GROUP),
        ):
            await api.deliver(update)
    to_group = api.sent_to(GROUP)
    assert [c.text for c in to_group] == [
        "为保护个人信息，请在与我的私聊中办理退休：点我的头像，再点“发消息”。"
    ]
    applicants = await db.run(lambda s: list(s.scalars(select(Applicant))))
    assert len(applicants) == 1  # the group never became an applicant


async def test_forwarded_text_is_not_an_answer_and_an_edit_says_how_to_change_one(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    who = Worker(api, u.User(9402, "王五"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await who.say("/start")
        await who.press("zh_CN", "ask_language")
        await who.press("agree", "ask_consent")
        typed = u.text(who.user, "李四")
        replies = await api.deliver(u.forwarded(typed))
        assert "请您自己打字输入" in "\n".join(c.text or "" for c in replies)
        assert "姓名" in (replies[-1].text or "")  # the name question again
        await api.deliver(typed)  # typed by the worker: taken
        edit = await api.deliver(u.edited(typed, "李四四"))
        assert "/back" in (edit[0].text or "")
        names = await db.run(lambda s: [a.full_name for a in s.scalars(select(Applicant))])
    assert names == ["李四"]  # neither the forward nor the edit changed it


async def test_someone_elses_contact_card_is_not_the_workers_phone(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    who = Worker(api, u.User(9403, "赵六"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await who.say("/start")
        await who.press("zh_CN", "ask_language")
        await who.press("agree", "ask_consent")
        await who.say("赵六")
        await who.say("150627196505150016")
        replies = await api.deliver(u.contact(who.user, "+8613900000000", own=False))
    assert "您本人的手机号" in "\n".join(c.text or "" for c in replies)
