"""Reading typed answers: names, phone numbers, contribution years, choices.

The NLU module (`dialogs.nlu`, jieba) reads choices and contribution years in the applicant's
own words; it is imported on first use so that importing the engine stays cheap. The small
readers here are what the engine uses before (and, for names and phones, instead of) it.
"""

from __future__ import annotations

import re
from typing import Literal

from dialogs import nlu as nlu_module

MAX_TEXT = 1000  # longer than any answer; a pasted page is refused before any parsing

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"＋": "+"})
_PHONE_NOISE = re.compile(r"[\s\-()（）\u3000]")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3}\d{7,8})")
# Han (incl. extension A, so numerals as in 冯十三, 王五十), Mongolian script (common in Inner
# Mongolia), Latin letters; the middle dot of transcribed minority names (乌力吉·巴特尔).
NAME_LENGTH = (2, 20)
_NAME = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u1800-\u18afA-Za-z· ]+")
# The middle dot as it is typed: Latin-1, bullet, katakana, full-width and ASCII full stops.
_DOTS = str.maketrans({c: "·" for c in "•・．.‧･∙⋅"})
# "我叫冯十三", "姓名：乌力吉·巴特尔": the words before a name.
_NAME_LEAD = re.compile(
    r"^(?:我的?(?:名字|姓名)(?:是|叫)?|(?:名字|姓名)(?:是|叫)?|我叫|我是)[:：\s]*"
)


def parse_name(text: str) -> str | None:
    name = " ".join(text.split()).translate(_DOTS).strip(" 。！!~")
    name = _NAME_LEAD.sub("", name).strip()
    name = re.sub(r"\s*·\s*", "·", name)
    low, high = NAME_LENGTH
    if not low <= len(name) <= high or not _NAME.fullmatch(name):
        return None
    if not any(c.isalpha() for c in name) or name.startswith("·") or name.endswith("·"):
        return None
    return name


# Separators typed inside a number ("139 0477 1234", "0477-8123456"), removed between digits.
_INSIDE_NUMBER = re.compile(r"(?<=\d)[\s\-()（）\u3000]+(?=\d)")


def parse_phone(text: str) -> str | None:
    """A mainland mobile (11 digits, +86 allowed) or a landline with its area code, alone or
    in a sentence ("手机13904771234"); None when there is none, or two different ones."""
    plain = text.translate(_FULLWIDTH)
    compact = _PHONE_NOISE.sub("", plain)
    if m := _MOBILE.fullmatch(compact):
        return m[1]
    if m := _LANDLINE.fullmatch(compact):
        return m[1]
    found = set()
    for run in re.findall(r"\+?\d+", _INSIDE_NUMBER.sub("", plain)):
        if m := _MOBILE.fullmatch(run) or _LANDLINE.fullmatch(run):
            found.add(m[1])
    return found.pop() if len(found) == 1 else None


_ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{17}[\dXx]|\d{15})(?![0-9Xx])")


def find_id_number(text: str) -> str:
    """The ID number in a sentence ("我的身份证是150627…"), when there is exactly one; else the
    text as typed (so that its error is explained as before)."""
    plain = _INSIDE_NUMBER.sub("", text.translate(_FULLWIDTH)).strip()
    found = set(_ID_IN_TEXT.findall(plain))
    if len(found) == 1 and not _ID_IN_TEXT.fullmatch(plain):
        return found.pop()
    return text


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def parse_contribution(text: str) -> int | Literal["unknown"] | None:
    """Contribution months from "十五年", "15年零3个月", "180个月", "15"; "unknown" for
    "不清楚"; None when unreadable."""
    result: int | Literal["unknown"] | None = nlu_module.parse_contribution_months(text)
    return result


_YES = ("是", "是的", "对", "对的", "有", "有的", "嗯", "好", "好的", "可以", "yes", "y", "ok")
_NO = ("不是", "否", "没有", "没", "无", "不", "不对", "没交过", "no", "n")
_LOST = ("丢了", "丢失", "遗失", "找不到", "不见了", "lost")
_HAVE = ("有", "在", "还在", "有的", "have")
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "yes": _YES,
    "no": _NO,
    "agree": ("同意", "我同意", "agree", *_YES),
    "decline": ("不同意", "拒绝", "decline", *_NO),
    "have": _HAVE,
    "lost": _LOST,
    "done": ("完成", "好了", "传完了", "没有了", "done"),
    "later": ("稍后", "以后", "等会", "later"),
    "submit": ("提交", "submit"),
    "edit": ("修改", "edit"),
    "zh_CN": ("中文", "汉语", "chinese"),
    "en": ("英文", "english"),
}


def interpret_choice(text: str, choices: list[str]) -> str | None:
    """The choice id a typed answer means, or None. `dialogs.nlu` first when present."""
    t = text.strip().lower().rstrip("。.!！~")
    if t in choices:
        return t
    found = nlu_module.interpret_choice(text, choices)
    if found in choices:
        return str(found)
    for choice in choices:
        if t in _SYNONYMS.get(choice, ()):
            return choice
    return None
