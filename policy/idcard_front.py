"""What the front of a resident identity card says, from the text lines an OCR engine read.

Pure rules on text and geometry, no image and no model: `integrations/idcard` runs the OCR and
hands the lines here, and tests can feed lines directly. The number is accepted only when it is
exactly 18 characters of one line (or of one row of the card), passes `parse_id_number` (birth
date, check character), is the only valid number on the photo, and agrees with the birth date
and sex printed beside it when those were read: two misread digits can still pass the check
character, but hardly while also matching the printed birth date. Nothing is guessed (no O→0
or l→1 repairs): a number that needs a guess is "unclear", and the worker is asked to retake
the photo or to type it.

The name is only ever *offered*: the recognition dictionary lacks some rare name characters
(赟, 堉, 㛃...) and silently puts a look-alike in their place, so a name read here is shown to
the worker and never recorded without them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from policy.idcard import IdNumber, IdNumberError, Sex, normalise, parse_id_number

Point = tuple[float, float]
Outcome = Literal["read", "unclear", "back", "no_card"]

_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_BIRTH = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_FRONT_LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
_BACK_WORDS = ("签发机关", "有效期限", "居民身份证")
# A Mongolian or other transliterated name joins its parts with a middle dot, which OCR reads
# as any of these.
_DOTS = str.maketrans(dict.fromkeys("•・．.‧∙⋅-", "·"))
_NAME = re.compile(r"[\u3400-\u9fff]+(?:·[\u3400-\u9fff]+)*")
_NAME_MIN_SCORE = 0.9  # below this the recognition itself doubts the line: nothing to offer


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line an OCR engine found: its text, its box (four corners, clockwise from the
    top left, in pixels) and the engine's confidence (0..1)."""

    text: str
    box: tuple[Point, Point, Point, Point]
    score: float = 1.0


@dataclass(frozen=True, slots=True, repr=False)
class CardFront:
    """The reading of one photo. `number` is set only when `outcome` is "read"; `name`,
    `birth_date` and `sex` are what the card says beside it, when read. `problem` says why an
    "unclear" photo gave no number: no_number, two_numbers, birth_differs, sex_differs."""

    outcome: Outcome
    number: IdNumber | None = None
    name: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    problem: str | None = None

    def __repr__(self) -> str:  # personal data never in a repr: the masked number only
        return f"CardFront({self.outcome}, {self.number!r}, problem={self.problem})"


def read_front(lines: Sequence[TextLine], today: date) -> CardFront:
    """The card's fields from the OCR lines of one photo; see the module docstring."""
    rows = _rows(lines)
    texts = [normalise(line.text) for line in lines] + [text for text, _ in rows]
    labels = sum(1 for label in _FRONT_LABELS if any(label in t for t in texts))
    numbers = _numbers(texts, today)
    if not numbers:
        if labels >= 2:
            return CardFront("unclear", problem="no_number")
        if any(word in t for t in texts for word in _BACK_WORDS):
            return CardFront("back")
        return CardFront("no_card")
    if len(numbers) > 1:
        return CardFront("unclear", problem="two_numbers")
    number = numbers[0]
    birth = _birth(texts)
    sex = _after_label(rows, "性别", "男女")
    name = _name(rows)
    if birth is not None and birth != number.birth_date:
        return CardFront("unclear", problem="birth_differs")
    read_sex: Sex | None = None if sex is None else "male" if sex == "男" else "female"
    if read_sex is not None and read_sex != number.sex:
        return CardFront("unclear", problem="sex_differs")
    return CardFront("read", number, name, birth, read_sex)


def _numbers(texts: Sequence[str], today: date) -> list[IdNumber]:
    found: dict[str, IdNumber] = {}
    for text in texts:
        for match in _NUMBER.finditer(text):
            try:
                number = parse_id_number(match.group(), today=today)
            except IdNumberError:
                continue
            found[number.number] = number
    return list(found.values())


def _birth(texts: Sequence[str]) -> date | None:
    for text in texts:
        if match := _BIRTH.search(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _after_label(rows: Sequence[tuple[str, float]], label: str, allowed: str) -> str | None:
    """The first character after `label` on its row, when it is one of `allowed`."""
    for text, _ in rows:
        at = text.find(label)
        rest = text[at + len(label) :] if at >= 0 else ""
        if rest and rest[0] in allowed:
            return rest[0]
    return None


def _name(rows: Sequence[tuple[str, float]]) -> str | None:
    for text, score in rows:
        at = text.find("姓名")
        if at < 0:
            continue
        if score < _NAME_MIN_SCORE:
            return None
        rest = text[at + 2 :].translate(_DOTS)
        match = _NAME.match(rest)
        return match.group() if match and 2 <= len(match.group()) <= 20 else None
    return None


def _rows(lines: Sequence[TextLine]) -> list[tuple[str, float]]:
    """The card's rows, top to bottom: each row's lines joined left to right (a label and its
    value are often found as two lines), with the lowest score among them. The photo may be
    tilted: positions are first turned by the angle of the longest line, the number's."""
    if not lines:
        return []
    longest = max(lines, key=lambda line: _width(line.box))
    (x0, y0), (x1, y1) = longest.box[0], longest.box[1]
    angle = math.atan2(y1 - y0, x1 - x0)
    cos, sin = math.cos(-angle), math.sin(-angle)
    placed = []
    for line in lines:
        cx = sum(p[0] for p in line.box) / 4
        cy = sum(p[1] for p in line.box) / 4
        height = max(_height(line.box), 1.0)
        placed.append((cx * sin + cy * cos, cx * cos - cy * sin, height, line))
    placed.sort(key=lambda item: item[0])
    rows: list[list[tuple[float, float, float, TextLine]]] = []
    for item in placed:
        if rows and abs(item[0] - rows[-1][-1][0]) < 0.5 * min(item[2], rows[-1][-1][2]):
            rows[-1].append(item)
        else:
            rows.append([item])
    out = []
    for row in rows:
        row.sort(key=lambda item: item[1])
        text = "".join(normalise(item[3].text) for item in row)
        out.append((text, min(item[3].score for item in row)))
    return out


def _width(box: Sequence[Point]) -> float:
    return math.dist(box[0], box[1])


def _height(box: Sequence[Point]) -> float:
    return math.dist(box[0], box[3])
