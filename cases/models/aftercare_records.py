"""The records of the end of a case: the signature of each result-notice version, the rating
(好差评) and the answers about the online steps; and the aftercare work that failed and waits
for its next try.

They are records of their own, not audit entries: reports, the clerk's view and retention
read them. The audit log still says who did what; these tables say what holds. Retention
(`db purge`) never deletes them: they are not photos.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, utcnow

# Five levels of the national 好差评 system (POLICY §8), 5 = very satisfied.
RATING_LEVEL_CODES: dict[int, str] = {
    5: "very_satisfied",
    4: "satisfied",
    3: "basically_satisfied",
    2: "dissatisfied",
    1: "very_dissatisfied",
}
ONLINE_STEP_CODES = ("housing_fund", "medical_payment")
ONLINE_STEP_STATUSES = ("done", "not_yet", "help_requested")
AFTERCARE_JOBS = ("notice", "online_check")


def _in(column: str, values: tuple[str, ...] | list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Signature(Base):
    """The applicant's signature (签字确认) of one version of the result notice.

    A changed notice needs a new signature, so a case may have several rows, one per version;
    the current signature is the row whose `notice_sha256` is the case's current notice.
    `typed_name` is what the applicant typed, which matched the case's applicant name (it is
    that name, already in the case: nothing new is collected; kept as the evidence of the
    act, at most 64 characters, never in a repr)."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("case_id", "notice_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    notice_sha256: Mapped[str] = mapped_column(String(64))
    signed_copy_sha256: Mapped[str] = mapped_column(String(64))  # the signed PDF in the store
    typed_name: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]

    def __repr__(self) -> str:
        return (
            f"Signature(id={self.id}, case_id={self.case_id}, notice={self.notice_sha256[:12]!r})"
        )


class Rating(Base):
    """The rating of a case: asked once, so one row per case at most. Either a level
    (1..5, with its code) or a decline (`declined_at`: the applicant chose not to rate, or
    never answered); never both. A bad level links its follow-up staff task."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint(_in("level_code", list(RATING_LEVEL_CODES.values())), name="level_code"),
        CheckConstraint(
            "(level IS NOT NULL AND level_code IS NOT NULL AND rated_at IS NOT NULL"
            " AND declined_at IS NULL)"
            " OR (level IS NULL AND level_code IS NULL AND rated_at IS NULL"
            " AND declined_at IS NOT NULL)",
            name="rated_or_declined",
        ),
        # The ratings list, newest first, a page of ids from the index alone; the counts by
        # level from the other (`cases.repositories.aftercare_records`).
        Index("ix_ratings_given", "rated_at", "id"),
        Index("ix_ratings_level_code", "level_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    level: Mapped[int | None] = mapped_column(SmallInteger)
    level_code: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)  # masked before it is stored
    rated_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    followup_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_tasks.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def declined(self) -> bool:
        return self.declined_at is not None

    def __repr__(self) -> str:
        # The comment is the applicant's free text: never in a repr.
        return f"Rating(id={self.id}, case_id={self.case_id}, level={self.level_code!r})"


class RatingTally(Base):
    """How many ratings each level has: the report's counts read these five rows, not every
    rating (issue 17). Kept in the transaction that records a rating (`add_rating`); a
    rating is written once and never changes or goes, so the tally only ever grows."""

    __tablename__ = "rating_tallies"

    level_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    ratings: Mapped[int] = mapped_column(Integer)


class OnlineStep(Base):
    """The applicant's latest answer about one step they finish online themselves
    (housing-fund withdrawal, medical-insurance back payment). "help_requested": not done,
    and a person was asked to call (`help_task_id`)."""

    __tablename__ = "online_steps"
    __table_args__ = (
        UniqueConstraint("case_id", "step"),
        CheckConstraint(_in("step", ONLINE_STEP_CODES), name="step"),
        CheckConstraint(_in("status", ONLINE_STEP_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]
    help_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_tasks.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"OnlineStep(case_id={self.case_id}, step={self.step!r}, {self.status!r})"


class AftercareFailure(Base):
    """One piece of aftercare work that failed and is retried alone, with backoff: the
    delivery of a case's result notice (`job` "notice", `subject_id` the case) or an
    online-step check (`job` "online_check", `subject_id` the reminder). The row exists only
    while the work keeps failing: the next success deletes it. `last_error` is masked;
    `staff_task_id` is the clerk's task raised after the third failure."""

    __tablename__ = "aftercare_failures"
    __table_args__ = (
        UniqueConstraint("job", "subject_id"),
        CheckConstraint(_in("job", AFTERCARE_JOBS), name="job"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    staff_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_tasks.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return (
            f"AftercareFailure({self.job} {self.subject_id}, attempts={self.attempts}, "
            f"next={self.next_attempt_at.isoformat()})"
        )
