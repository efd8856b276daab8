"""Resident identity numbers (GB 11643-1999, POLICY §6): normalise, validate, read.

An 18-character number is 6 digits of region, 8 of birth date (YYYYMMDD), 3 of sequence (the
last of them odd for a man, even for a woman) and a mod-11 check character. First-generation
15-digit numbers (YYMMDD, no check character) are accepted and converted to 18 characters, with
`converted_from_15` set: the conversion is defined by the standard ("19" + check character), so
asking an elderly applicant to go and find a newer card would only cost them a trip.

The number is personal data: `IdNumber` shows only its masked form in `repr`/`str`, and an
`IdNumberError` never carries the raw input. Region codes are kept but never used to decide
eligibility (many retirees carry a pre-2001 or another province's code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal

Sex = Literal["male", "female"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)
_DIGITS = frozenset("0123456789")
_ALLOWED = frozenset("0123456789X")
# Longer than any plausible spacing of an 18-character number: rejected before any work, so a
# pasted paragraph (or a 10 MB line) costs nothing.
_MAX_RAW = 64
# Nobody alive was born earlier; a year like 0001 is a typo, not a person.
_MIN_BIRTH_YEAR = 1900

# Full-width digits and X, lower-case x, and every kind of space people type or paste.
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "x": "X",
        "\uff38": "X",  # Ｘ
        "\uff58": "X",  # ｘ
        " ": None,
        "\t": None,
        "\r": None,
        "\n": None,
        "\u3000": None,  # ideographic space
        "\xa0": None,
        "\u200b": None,  # zero-width space, common in copied text
        "\ufeff": None,  # byte-order mark from spreadsheets
    }
)


class IdNumberError(ValueError):
    """A number that cannot be used. `code` is stable; `key` is its locale key (the caller
    renders it in the applicant's language: policy reads no catalogs). `masked` is the masked
    input when it had the shape of an ID number (useful to staff), otherwise None; the raw
    input is never kept. `length` is how many characters were typed, when it is the wrong
    number of them ("您输入了17位"); None otherwise."""

    def __init__(self, code: str, masked: str | None = None, length: int | None = None) -> None:
        self.code = code
        self.key = f"idcard.{code}"
        self.masked = masked
        self.length = length
        super().__init__(self.key)

    def __repr__(self) -> str:
        return f"IdNumberError(code={self.code!r})"


@dataclass(frozen=True, slots=True, repr=False)
class IdNumber:
    number: str  # normalised, always 18 characters
    birth_date: date
    sex: Sex
    region_code: str
    converted_from_15: bool = False

    @property
    def masked(self) -> str:
        return mask_number(self.number)

    def __repr__(self) -> str:
        return f"IdNumber({self.masked})"

    def __str__(self) -> str:
        return self.masked


def mask_number(number: str) -> str:
    """First 4 and last 4 characters visible (1506**********123X), as in logs and staff lists.
    A 15-digit number keeps its first 4 and last 3, like `app.logging_setup.mask_text`."""
    if len(number) == 15:
        return f"{number[:4]}{'*' * 8}{number[-3:]}"
    return f"{number[:4]}{'*' * 10}{number[-4:]}"


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not _DIGITS.issuperset(first17):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    return _CHECK[_weighted_sum(first17) % 11]


def _weighted_sum(first17: str) -> int:
    # On the ASCII codes, minus the weighted "0"s: the hot path of a batch pre-check, about
    # five times faster than int() per character.
    return sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ZERO_OFFSET


def normalise(raw: str) -> str:
    """Spaces removed, full-width digits and X made ASCII, x made upper-case."""
    return raw.translate(_NORMALISE)


def parse_id_number(raw: str, today: date) -> IdNumber:
    """Validate and read a resident identity number; raise IdNumberError with a stable code:
    empty, bad_length, bad_characters, bad_birth_date, future_birth_date, bad_check_character.
    """
    if raw is None or not raw.strip():
        raise IdNumberError("empty")
    if len(raw) > _MAX_RAW:
        raise IdNumberError("bad_length")
    number = raw.translate(_NORMALISE)
    if not number:
        raise IdNumberError("empty")
    if not _ALLOWED.issuperset(number) or "X" in number[:-1]:
        raise IdNumberError("bad_characters")
    length = len(number)
    if length not in (15, 18):
        raise IdNumberError("bad_length", length=length)
    masked = mask_number(number)
    if length == 15:
        if "X" in number:
            raise IdNumberError("bad_characters", masked)
        birth_text = "19" + number[6:12]
        first17 = number[:6] + birth_text + number[12:15]
    else:
        birth_text = number[6:14]
        first17 = number[:17]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8]))
    except ValueError:
        raise IdNumberError("bad_birth_date", masked) from None
    if birth.year < _MIN_BIRTH_YEAR:
        raise IdNumberError("bad_birth_date", masked)
    if birth > today:
        raise IdNumberError("future_birth_date", masked)
    check = _CHECK[_weighted_sum(first17) % 11]
    if length == 18 and number[17] != check:
        raise IdNumberError("bad_check_character", masked)
    return IdNumber(
        number=first17 + check,
        birth_date=birth,
        sex="male" if int(first17[16]) % 2 else "female",
        region_code=first17[:6],
        converted_from_15=length == 15,
    )
