"""A rating in the worker's own words (issue 13): "挺好的，满意" is satisfied, "还行吧" basically
satisfied, "太慢了，不满意" dissatisfied; the buttons' words and their numbers (5 … 1) too.

Read by dialogs/engine/rating.py at the rating question, after the buttons' own words. The
strongest words win and a negation is read with what it negates ("不满意" is never "满意");
words that say nothing about the service ("谢谢") are no rating: the question stays optional.
The first part of the message that rates decides ("满意，就是窗口说得不好" is satisfied), and
the parts that say more than the rating are the worker's comment ("就是窗口说得不好").
"""

from __future__ import annotations

import re

from dialogs.choice_words import clean

# Tried in order: the first pattern found decides. Negated and emphatic forms come before the
# plain words they contain.
_LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "very_dissatisfied",
        re.compile(r"非常不满|很不满|特别不满|太不满|极不满|非常差|很差|特别差|太差|极差|差劲|verydissatisfied"),
    ),
    (
        "dissatisfied",
        re.compile(r"不满意|不太满意|不大满意|不好|不行|不咋样|差评|^差$|太慢|dissatisfied|notsatisfied"),
    ),
    (
        "very_satisfied",
        re.compile(r"非常满意|很满意|特别满意|太满意|十分满意|非常好|特别好|太好了|很好|verysatisfied|excellent"),
    ),
    (
        "basically_satisfied",
        re.compile(r"基本满意|比较满意|还行|还可以|一般|凑合|过得去|马马虎虎|fairlysatisfied"),
    ),
    # Not a bare "好的": at the question it is as often "OK, I read it" as a rating.
    ("satisfied", re.compile(r"满意|挺好|不错|点赞|👍|satisfied|good")),
)  # fmt: skip
_NUMBERS = {
    "5": "very_satisfied",
    "4": "satisfied",
    "3": "basically_satisfied",
    "2": "dissatisfied",
    "1": "very_dissatisfied",
}
MAX_LENGTH = 40  # a rating is a few words; a longer message is a comment or a question


_PARTS = re.compile(r"\s*[，,。.！!？?；;、~～…]+\s*")  # not spaces: "not satisfied", "电话 139…"
# What says nothing beyond the rating: thanks and little words ("很满意，谢谢你们").
_NOTHING_MORE = re.compile(
    r"谢谢|感谢|多谢|谢了|辛苦|你们|您|吧|啊|呀|哈|呢|嗯|哦|了|的|thanks|thankyou"
)


def level(text: str) -> str | None:
    """The rating level that typed words give, or None when they give none."""
    if len(clean(text)) > MAX_LENGTH:
        return None
    for part in _parts(text):
        found = _part_level(part)
        if found is not None:
            return found
    return None


def comment(text: str) -> str:
    """The words of a rating message beyond the rating ("还行吧，就是补材料那块说得不清楚" →
    "就是补材料那块说得不清楚"), or "" when it says no more than the rating."""
    if level(text) is None:
        return ""
    return "，".join(part for part in _parts(text) if _says_more(part))


def _parts(text: str) -> list[str]:
    return [part for part in _PARTS.split(text.strip()) if part]


def _part_level(part: str) -> str | None:
    s = clean(part).replace("'", "")
    if s in _NUMBERS:
        return _NUMBERS[s]
    for name, pattern in _LEVELS:
        if pattern.search(s):
            return name
    return None


def _says_more(part: str) -> bool:
    """Whether a part keeps two characters or more once its rating words and thanks are gone
    ("还让我重新交申请表" does; "还行吧", "谢谢你们", "5" do not)."""
    s = clean(part).replace("'", "")
    if s in _NUMBERS:
        return False
    for _, pattern in _LEVELS:
        s = pattern.sub("", s)
    return len(_NOTHING_MORE.sub("", s)) >= 2
