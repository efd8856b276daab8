"""Cases: the applicant's current case, numbering, lifecycle moves."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cases.lifecycle import FINAL_STATES, CaseState, advance
from cases.models import Case, CaseCounter
from cases.repositories._sql import upsert_insert
from cases.repositories.audit import audit
from cases.repositories.pages import remove_pages

CASE_TIMEZONE = "Asia/Shanghai"  # case numbers carry the local date at the window


def get_case(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def find_case_by_number(session: Session, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.number == number.strip().upper())).first()


def cases_of(session: Session, applicant_id: int) -> list[Case]:
    """Every case of an applicant, newest first."""
    query = select(Case).where(Case.applicant_id == applicant_id).order_by(Case.id.desc())
    return list(session.scalars(query))


# Built once: each conversation event that touches the case reads it this way.
_CURRENT = (
    select(Case)
    .where(
        Case.applicant_id == bindparam("applicant_id"),
        Case.status.not_in([s.value for s in FINAL_STATES]),
    )
    .order_by(Case.id.desc())
    .limit(1)
)


def current_case(session: Session, applicant_id: int) -> Case | None:
    """The applicant's unfinished case (anything but closed or withdrawn), if any."""
    return session.scalars(_CURRENT, {"applicant_id": applicant_id}).first()


def current_or_new_draft(session: Session, applicant_id: int) -> Case:
    """Where uploads go: the unfinished case, or a new draft created when uploads start."""
    found = current_case(session, applicant_id)
    if found is not None:
        return found
    case = Case(applicant_id=applicant_id, status=CaseState.draft.value, form={})
    session.add(case)
    session.flush()  # the id is needed at once, for the pages
    return case


def delete_draft(session: Session, case: Case) -> None:
    """Forget a case never submitted, with its pages (the files stay for retention)."""
    if case.status != CaseState.draft:
        raise ValueError(f"case {case.id} is {case.status}: only a draft can be deleted")
    remove_pages(session, case.id)  # pages first: the case's delete would cascade under them
    session.delete(case)
    session.flush()


def next_case_number(session: Session, day: date) -> str:
    """YJ-YYYYMMDD-NNNN from a per-day counter row bumped in one atomic statement
    (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): concurrent writers on PostgreSQL wait
    on the row lock instead of colliding. A rolled-back transaction leaves a gap; gaps are
    allowed."""
    stmt = upsert_insert(session, CaseCounter).values(day=day, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1}
    ).returning(CaseCounter.last)
    sequence = session.execute(stmt).scalar_one()
    return f"YJ-{day:%Y%m%d}-{sequence:04d}"


def submit_case(
    session: Session, case: Case, *, at: datetime, actor: str, timezone: str = CASE_TIMEZONE
) -> Case:
    """First submission or resubmission after a return for correction. The case number is
    given on the first submission, dated in the window's time zone."""
    advance(case, "submit", at=at)
    if case.number is None:
        case.number = next_case_number(session, at.astimezone(ZoneInfo(timezone)).date())
    audit(session, actor, "case.submit", case_id=case.id, detail={"number": case.number}, at=at)
    session.flush()
    return case


def move_case(
    session: Session,
    case: Case,
    trigger: str,
    *,
    at: datetime,
    actor: str,
    detail: dict[str, object] | None = None,
) -> CaseState:
    """Any other lifecycle move (accept, return_for_correction, sign, ...), audited.
    Raises IllegalTransition when the case's state does not allow it."""
    before = case.status
    state = advance(case, trigger, at=at)
    audit(
        session,
        actor,
        f"case.{trigger}",
        case_id=case.id,
        detail={"from": before, "to": state.value, **(detail or {})},
        at=at,
    )
    return state
