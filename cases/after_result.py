"""The conversation's commands after the result, applied in the event's transaction: sign the
notice, a task when the worker disagrees or asks for a person, rate or decline, comment,
answer about an online step. Each is a use case of cases/result.py, cases/ratings.py or
cases/online_steps.py on the applicant's latest case.

The conversation service applies them as it applies the engine's other commands; the
signature's PDF comes from the `SignedCopies` port it was handed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases.errors import StaleConversation
from cases.models import Case
from cases.online_steps import record_online_step
from cases.ratings import add_rating_comment, decline_rating, record_rating
from cases.result import latest_case, raise_at_signing, sign_notice
from cases.result_commands import (
    AfterResultCommand,
    CommentOnRating,
    DeclineRating,
    RaiseAtSigning,
    RateService,
    RecordOnlineStep,
    SignedCopies,
    SignNotice,
)


class NoSignedCopies:
    """Where no port was handed in (a conversation that never reaches the signature)."""

    def signed_copy(self, session: Session, case: Case, notice_sha256: str, at: datetime) -> str:
        raise RuntimeError("no SignedCopies port was given to the conversation service")


class AfterResultApplier:
    """Applies the after-result commands of one event, on the applicant's latest case."""

    def __init__(
        self,
        session: Session,
        applicant_id: int,
        now: datetime,
        copies: SignedCopies | None = None,
    ) -> None:
        self.session, self.applicant_id, self.now = session, applicant_id, now
        self.copies: SignedCopies = copies or NoSignedCopies()

    def __call__(self, command: AfterResultCommand) -> None:
        s, at = self.session, self.now
        case = latest_case(s, self.applicant_id)
        if isinstance(command, RaiseAtSigning):
            return raise_at_signing(s, self.applicant_id, case, command)
        if case is None:  # the engine asks only about a case it was shown: a bug
            raise LookupError(f"{type(command).__name__} for an applicant without a case")
        match command:
            case SignNotice(typed_name, shown):
                outcome = sign_notice(s, case, typed_name, shown, self.copies, at=at)
                if outcome != "signed":
                    # The conversation decided from the record read in this transaction;
                    # a different outcome means the record moved: run the event again.
                    raise StaleConversation(f"signing found {outcome}")
            case RateService(level, due):
                record_rating(s, case, level, at=at, followup_due=due)
            case CommentOnRating(text):
                add_rating_comment(s, case, text, at=at)
            case DeclineRating():
                decline_rating(s, case, at=at)
            case RecordOnlineStep(step, done):
                record_online_step(s, case, step, done, at=at)
        return None
