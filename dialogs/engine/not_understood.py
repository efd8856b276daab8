"""What the worker hears when the intent classifier does not know (issue 13): a question it
could not place is not answered with a guess, nor with "please tap a button" as if nothing had
been asked. The bot says it did not understand, how to go on, and offers a person.

Words that ask nothing ("好", "嗯") are left to the caller: its hint ("没有看懂您的回答，请点下面
的按钮", "这一步请发送照片") already says so and says what this step needs.
"""

from __future__ import annotations

import re

from dialogs.engine.asking import ask
from dialogs.engine.free_text import masked_words
from dialogs.engine.keys import MAX_FAILURES
from dialogs.engine.turn import Turn
from locales.replies import Msg

# A question, in the words people type it: "低保怎么申请", "这个要钱吗", "why".
_ASKS = re.compile(
    r"[?？]|吗|怎么|咋|什么|啥|哪|多少|几[个天年月岁号点时]|能不能|可不可以|是不是|要不要|为什么|为啥"
    r"|\b(?:how|what|why|when|where|which|can i|do i)\b",
    re.IGNORECASE,
)


def asks_something(text: str) -> bool:
    return _ASKS.search(text) is not None


def not_understood(t: Turn, text: str) -> bool:
    """Say so when `text` asked something the classifier could not place. True when this
    replied in full (the question asked again, with the "转人工" choice); False when the caller
    still replies: always for words that ask nothing, and where no question is open (after
    submission, while waiting), where the caller's standing message (the status) follows."""
    if not asks_something(text):
        return False
    t.d.unanswered = masked_words(text)[0]  # for the clerk, if a person is asked for next
    if t.question() is None:
        t.say("understanding.not_understood_idle")
        return False
    # The "转人工" choice goes on the question from now on, as after repeated failures.
    t.d.failures = max(t.d.failures, MAX_FAILURES)
    ask(t, lead=Msg("understanding.not_understood"))
    return True
