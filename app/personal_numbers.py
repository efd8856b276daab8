"""Finding and masking ID numbers and mobile numbers in any text: log lines, tracebacks, and
what a worker types into a free-text answer.

One set of patterns for all of them, so that what the log mask hides, the free-text check
refuses and the test suite's log guard looks for are the same numbers.
"""

from __future__ import annotations

import re

# Digits may come full-width (０-９, Ｘ) from Chinese input methods, and grouped by spaces or
# hyphens ("150627 19650515 0016", "138-0013-8000"); a single separator between digits is
# allowed anywhere inside a number.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_SEP = r"[ \-\u00a0\u3000]?"
# 18-character ID numbers (last may be X), 15-digit first-generation numbers, mainland mobiles
# (with or without +86 / 86 / 0086 in front).
_ID18 = re.compile(rf"(?<![0-9])\d(?:{_SEP}\d){{16}}{_SEP}[0-9Xx](?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])\d(?:{_SEP}\d){{14}}(?![0-9])")
_PHONE = re.compile(rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?1[3-9](?:{_SEP}\d){{9}}(?![0-9])")
# Case numbers (YJ-YYYYMMDD-NNNN, up to 8 trailing digits) are ours, not a person's: the date
# and the sequence would read as a 15-digit ID number, or join a number next to them. They are
# cut out before the patterns run; the date must be a date, so an ID number cannot pass as one.
_CASE_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])YJ-20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-\d{4,8}(?![0-9])"
)


def _keep_ends(match: re.Match[str], head: int, tail: int) -> str:
    """The number with only its first `head` and last `tail` digits shown."""
    digits = re.sub(r"[^0-9Xx]", "", match.group())
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group())[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


def _pieces(text: str) -> list[tuple[str, bool]]:
    """`text` (full-width digits made ASCII) cut into (piece, is_case_number) in order."""
    text = text.translate(_FULL_WIDTH)
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _CASE_NUMBER.finditer(text):
        pieces += [(text[start : match.start()], False), (match.group(), True)]
        start = match.end()
    return [*pieces, (text[start:], False)]


def _mask_piece(text: str) -> str:
    text = _ID18.sub(lambda m: _keep_ends(m, 4, 4), text)
    text = _ID15.sub(lambda m: _keep_ends(m, 4, 3), text)
    return _PHONE.sub(_phone, text)


def mask_numbers(text: str) -> str:
    """Every ID number and mobile number in `text` masked (1506**********0016, 138****8000);
    full-width digits come back as ASCII digits; case numbers stay as they are."""
    return "".join(piece if case else _mask_piece(piece) for piece, case in _pieces(text))


def find_numbers(text: str) -> list[str]:
    """The ID numbers and mobile numbers in `text`, as digits (ASCII, separators removed), in
    the order the mask would take them: IDs first, then phones outside them."""
    found: list[str] = []
    for piece, case in _pieces(text):
        if case:
            continue
        for pattern in (_ID18, _ID15, _PHONE):
            found += [re.sub(r"[^0-9Xx]", "", m.group()) for m in pattern.finditer(piece)]
            piece = pattern.sub(" ", piece)  # a phone inside an ID number is the ID number
    return found
