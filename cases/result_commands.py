"""What the conversation after the result asks of the record, and the rules it shares with the
use cases that do it.

Plain data and pure functions, so that the pure engine (dialogs/engine/signing.py,
rating.py, online_steps.py) can decide from the record it was shown and return these
commands without importing the database layer. The use cases (cases/result.py,
cases/ratings.py, cases/online_steps.py) apply the same rules again before they write;
cases/after_result.py applies the commands.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal, Protocol

from app.clock import LOCAL_TZ
from policy.workdays import add_working_days

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.models import Case

SignOutcome = Literal["signed", "name_mismatch", "notice_changed", "not_ready"]
RATING_LEVELS = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
)
BAD_LEVELS = frozenset({"dissatisfied", "very_dissatisfied"})
FOLLOWUP_HOUR = time(18, 0)  # a follow-up is due at the end of its working day
ONLINE_STEPS = ("housing_fund", "medical_payment")
_DOTS = str.maketrans({c: "·" for c in "•・.．‧∙⋅"})


class SignedCopies(Protocol):
    """Makes the signed copy of one notice version and keeps it in the file store (the
    record does not know how a PDF is drawn: aftercare/paperwork.py does)."""

    def signed_copy(self, session: Session, case: Case, notice_sha256: str, at: datetime) -> str:
        """Render the notice version `notice_sha256` as signed at `at`; its stored address."""
        ...


@dataclass(frozen=True)
class SignNotice:
    """Sign the notice version the applicant was shown, as the name they typed."""

    typed_name: str
    shown_sha256: str | None

    def __repr__(self) -> str:  # the typed name is personal data: never in a repr
        return f"SignNotice(shown_sha256={self.shown_sha256!r})"


@dataclass(frozen=True)
class RaiseAtSigning:
    """At the signature the worker disagrees ("object") or asks for a person ("person"):
    a task for the clerk, with the worker's words; the notice stays unsigned."""

    way_out: Literal["object", "person"]
    words: str = ""
    call_by: date | None = None  # the day the worker was told they would be called

    def __repr__(self) -> str:  # free text may hold personal data
        return f"RaiseAtSigning({self.way_out!r})"


@dataclass(frozen=True)
class RateService:
    """The applicant's level; `followup_due` when the level is a bad one."""

    level: str
    followup_due: datetime | None = None


@dataclass(frozen=True)
class CommentOnRating:
    text: str

    def __repr__(self) -> str:  # free text may hold personal data: never in a repr
        return "CommentOnRating(...)"


@dataclass(frozen=True)
class DeclineRating:
    """No rating, and no second asking: the case closes."""


@dataclass(frozen=True)
class RecordOnlineStep:
    step: str
    done: bool


AfterResultCommand = (
    SignNotice | RaiseAtSigning | RateService | CommentOnRating | DeclineRating | RecordOnlineStep
)
AFTER_RESULT_COMMANDS = (
    SignNotice,
    RaiseAtSigning,
    RateService,
    CommentOnRating,
    DeclineRating,
    RecordOnlineStep,
)


def normalise_name(name: str) -> str:
    """Full-width forms, spaces and the many middle dots of minority names made comparable."""
    text = unicodedata.normalize("NFKC", name).translate(_DOTS)
    return "".join(text.split())


def same_name(typed: str, expected: str) -> bool:
    """Whether the typed name is the expected one (never true for an empty expected name)."""
    return bool(expected) and normalise_name(typed) == normalise_name(expected)


def sign_outcome(
    status: str, notice_sha256: str | None, name_ok: bool, shown_sha256: str | None
) -> SignOutcome:
    """What signing would do, in this order: not ready (no notice delivered, or signed
    already), a name that is not the applicant's, a notice changed since it was shown."""
    if status != "notified" or notice_sha256 is None:
        return "not_ready"
    if not name_ok:
        return "name_mismatch"
    if shown_sha256 != notice_sha256:
        return "notice_changed"
    return "signed"


def followup_due(today: date, working_days: int) -> datetime:
    """When the follow-up of a bad rating given on `today` (the local day) is due: the end
    of the `working_days`-th working day after it. The conversation tells the applicant
    this date, and the clerk's task is due at it."""
    day = add_working_days(today, working_days)
    return datetime.combine(day, FOLLOWUP_HOUR, tzinfo=LOCAL_TZ)
