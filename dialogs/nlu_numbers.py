"""Numbers in Chinese or Arabic numerals, and contribution periods ("十五年零三个月").

Pure functions, no jieba: they run before the classifier and must stay cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "两": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_WAN = {"万": 10_000, "萬": 10_000}
_CHINESE = "".join([*_DIGITS, *_UNITS, *_WAN])
NUMERAL = rf"(?:\d+(?:\.\d+)?|[{_CHINESE}]+)"

# Punctuation and spaces that may surround an answer without changing it.
_EDGE = " \t\r\n,.;:!?，。；：！？、…~～\"'“”‘’()（）[]【】"


def normalise(text: str) -> str:
    """Full-width to half-width (１５ → 15), lower case, trimmed of edge punctuation."""
    return unicodedata.normalize("NFKC", text).lower().strip(_EDGE)


# Longer than any number an applicant answers with (an ID number has 18 characters); also
# keeps int() clear of Python's 4,300-digit limit and floats clear of infinity.
_MAX_DIGITS = 20


def _chinese_to_int(text: str) -> int | None:
    if not text or len(text) > _MAX_DIGITS or any(ch not in _CHINESE for ch in text):
        return None
    if not any(ch in _UNITS or ch in _WAN for ch in text):
        # Digit by digit, as people write years and codes: 一五 → 15, 二零二五 → 2025.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    reading = _Reading()
    if not all(reading.read(ch) for ch in text):
        return None
    return reading.value(text)


class _Reading:
    """A numeral with units read left to right (一百零五, 三万五): the sum so far."""

    def __init__(self) -> None:
        self.total = self.section = self.digit = self.last_unit = 0

    def read(self, ch: str) -> bool:
        """One character; False when the characters so far are not a number."""
        if ch in _DIGITS:
            return self._digit(_DIGITS[ch])
        if ch in _UNITS:
            return self._unit(_UNITS[ch])
        return self._wan(_WAN[ch])

    def _digit(self, digit: int) -> bool:
        self.digit = digit
        if digit == 0:
            self.last_unit = 0  # 一百零五 is 105, not 150
        return True

    def _unit(self, unit: int) -> bool:
        if (self.last_unit and unit >= self.last_unit) or (unit != 10 and not self.digit):
            return False  # 十百, 五十十, a bare 百: not a number
        self.section += (self.digit or 1) * unit  # a bare 十 is ten: 十五 = 15
        self.digit, self.last_unit = 0, unit
        return True

    def _wan(self, wan: int) -> bool:
        self.total += (self.section + self.digit) * wan
        self.section = self.digit = self.last_unit = 0
        return True

    def value(self, text: str) -> int:
        digit = self.digit
        if digit and self.last_unit >= 100 and text[-2] in _UNITS:
            # Spoken shorthand: a digit right after 百/千 counts the next unit down (二百五 = 250).
            digit *= self.last_unit // 10
        elif digit and text[-2] in _WAN:
            digit *= 1000  # 三万五 = 35000
        return self.total + self.section + digit


def parse_number(text: str) -> int | None:
    """A whole answer that is one non-negative integer: 十五, 二十三, 一百, 15, １５.

    Text with anything else in it ("15年", "我有2个") is not a number here: the caller asked
    for a number, and guessing inside sentences reads ID numbers and dates by mistake.
    """
    s = normalise(text).replace(" ", "")
    if not s or len(s) > _MAX_DIGITS + 6:  # room for thousands separators
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
        return int(s.replace(",", ""))
    return _chinese_to_int(s)


def _numeral(token: str) -> float | None:
    if len(token) > _MAX_DIGITS:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    value = _chinese_to_int(token)
    return None if value is None else float(value)


_UNSURE = (
    "不清楚", "不知道", "不记得", "记不清", "记不得", "忘了", "忘记", "不确定", "说不清",
    "没算过", "不晓得", "搞不清", "不了解", "不太清", "不懂",
    "don't know", "dont know", "do not know", "not sure", "unknown", "no idea", "dunno",
)  # fmt: skip
_NEVER_PAID = ("没交过", "没缴过", "从没交", "从没缴", "一天没交", "一年都没交", "never paid")
_YEARS = re.compile(
    rf"({NUMERAL})\s*多?\s*(?:周年|年|years?|yrs?)\s*(半|多)?\s*(?:零|又|and)?\s*"
    rf"(?:({NUMERAL})\s*(?:个)?\s*(?:月|months?))?"
)
_MONTHS = re.compile(rf"({NUMERAL})\s*多?\s*(?:个)?\s*(?:月|months?)")
_MAX_ANSWER = 200  # characters read of an answer: a period is said in a few words
_MAX_MONTHS = 60 * 12  # nobody contributes for more than sixty years


def parse_contribution_months(text: str) -> int | Literal["unknown"] | None:
    """Contribution period in months: "十五年" → 180, "15年零3个月" → 183, "180个月" → 180,
    "十五年半" → 186, "15.5年" → 186; "不清楚" → "unknown"; anything unreadable → None.

    "十五年多" and "二十多年" read as 180 and 240 (the whole years said); a bare number is
    years up to 50 and months above (nobody has 51 years of contributions, and "180" is
    clearly months).
    The readers below are tried in order; the first that finds a period decides.
    """
    s = normalise(text[:_MAX_ANSWER])
    if not s:
        return None
    for reader in _READERS:
        found = reader(s)
        if found is not None:
            return found
    return None


def _unsure(s: str) -> int | Literal["unknown"] | None:
    """ "不清楚": the worker does not know; "没交过": never paid."""
    if any(word in s for word in _UNSURE):
        return "unknown"
    if any(word in s for word in _NEVER_PAID):
        return 0
    return None


def _in_years(s: str) -> int | None:
    """ "15年零3个月", "十五年半", "15.5年": the first period in years that reads whole."""
    for match in _YEARS.finditer(s):
        years = _numeral(match[1])
        months = _numeral(match[3]) if match[3] else 0.0
        if years is None or months is None:
            continue
        total = years * 12 + months + (6 if match[2] == "半" else 0)
        if total == int(total) and 0 <= total <= _MAX_MONTHS:
            return int(total)
    return None


def _in_months(s: str) -> int | None:
    """ "半年", "180个月": the first period in months that reads whole."""
    if s == "半年":
        return 6
    for match in _MONTHS.finditer(s):
        months = _numeral(match[1])
        if months is not None and months == int(months) and 0 <= months <= _MAX_MONTHS:
            return int(months)
    return None


def _bare(s: str) -> int | None:
    """A number alone: "15.5" years; "20" years up to 50, "180" months above."""
    bare = s.replace(" ", "")
    if re.fullmatch(r"\d{1,3}\.\d{1,2}", bare):
        total = float(bare) * 12
        return int(total) if total == int(total) and total <= 50 * 12 else None
    number = parse_number(bare)
    if number is None:
        return None
    if number <= 50:
        return number * 12
    return number if number <= _MAX_MONTHS else None


_READERS: tuple[Callable[[str], int | Literal["unknown"] | None], ...] = (
    _unsure,
    _in_years,
    _in_months,
    _bare,
)
