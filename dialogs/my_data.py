"""/mydata: what is stored about the worker, and who has seen it (PIPL's right to know).

Answered by the service from the record in any state, before the engine and aftercare, and
changing nothing: the question the worker was at stays open. Numbers are shown masked, as
staff lists show them; the worker typed them, and a shared screen or a forwarded chat should
not show them whole. Who has seen the application comes from the audit log: staff views and
actions on the worker's cases, newest first, each with its time and the staff member's role
(窗口工作人员, 旗医疗保障局经办人员): the role is what the worker can act on (ask the window,
complain to the office); account names are internal and stay in the audit log.

Deletion goes through the existing confirmation of /cancel (which says what will be deleted
and deletes only after "confirm"); once submitted, the case is kept by the offices as the
rules require and its photos are deleted after the retention period, which the reply says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.models import Applicant, AuditLog, Case, MaterialPage, StaffAccount
from cases.repositories.applicants import masked_id_number_of, masked_phone_of
from dialogs.engine.keys import case_status_key
from dialogs.events import Command, Event
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State
from locales.replies import Msg, Reply
from policy.items import load_items
from policy.towns import town_of_office

_CHINA = timezone(timedelta(hours=8))
SEEN_LIMIT = 10  # the latest views and actions shown; the clerk can print the whole log
_SEEN_READ = 500  # audit rows read for them: repeated views collapse into one line
_NOTHING_STORED = frozenset({State.start, State.cancelled})


def is_my_data(event: Event) -> bool:
    return isinstance(event, Command) and event.name == "mydata"


def my_data_replies(
    session: Session, applicant: Applicant, state: str, retention_days: int
) -> list[Reply]:
    """The replies to /mydata; the conversation's state is left as it is."""
    current = State(state)
    if current in _NOTHING_STORED and applicant.full_name is None:
        return [Reply(Msg("dialogs.mydata.nothing"))]
    cases = list(
        session.scalars(select(Case).where(Case.applicant_id == applicant.id).order_by(Case.id))
    )
    replies = [Reply(Msg("dialogs.mydata.stored", _stored(session, applicant, cases)))]
    seen = _seen(session, [c.id for c in cases])
    replies.append(
        Reply(Msg("dialogs.mydata.seen", {"lines": seen}))
        if seen
        else Reply(Msg("dialogs.mydata.seen_by_nobody"))
    )
    if current in AFTER_SUBMISSION or current in AFTER_RESULT or current is State.finished:
        replies.append(Reply(Msg("dialogs.mydata.kept", {"days": retention_days})))
    elif current not in _NOTHING_STORED:
        replies.append(Reply(Msg("dialogs.mydata.delete_how")))
    return replies


def _stored(session: Session, applicant: Applicant, cases: list[Case]) -> dict[str, Any]:
    pages: int | None = 0
    if cases:
        pages = session.scalar(
            select(func.count())
            .select_from(MaterialPage)
            .where(
                MaterialPage.case_id.in_([c.id for c in cases]),
                MaterialPage.sha256.is_not(None),
                MaterialPage.purged_at.is_(None),
            )
        )
    latest = cases[-1] if cases else None
    return {
        "name": applicant.full_name or Msg("dialogs.mydata.none"),
        "id_number": masked_id_number_of(session, applicant) or Msg("dialogs.mydata.none"),
        "phone": masked_phone_of(session, applicant) or Msg("dialogs.mydata.none"),
        "consent": _day(applicant.consented_at) or Msg("dialogs.mydata.none"),
        "pages": int(pages or 0),
        "case": (
            Msg(
                "dialogs.mydata.case",
                {"number": latest.number, "status": Msg(case_status_key(latest.status))},
            )
            if latest is not None and latest.number
            else Msg("dialogs.mydata.no_case")
        ),
    }


def _seen(session: Session, case_ids: list[int]) -> list[Msg]:
    """The latest staff views and actions, newest first; one role viewing (or handling) the
    application several times in a row is one line with the count and the latest time, so a
    clerk opening the case page six times does not push the acceptance out of the list."""
    if not case_ids:
        return []
    rows = list(
        session.execute(
            select(AuditLog.at, AuditLog.actor, AuditLog.action)
            .where(AuditLog.case_id.in_(case_ids))
            .order_by(AuditLog.id.desc())
            .limit(_SEEN_READ)
        )
    )
    roles = _account_roles(session, [str(actor) for _, actor, _ in rows])
    runs: list[tuple[datetime, Msg, str, int]] = []  # latest time, who, what, how many times
    for at, actor, action in rows:
        who = _role_of(str(actor), roles)
        if who is None:  # the worker themself, the system, the platform's machinery
            continue
        what = "viewed" if "view" in action else "handled"
        if runs and runs[-1][1:3] == (who, what):
            latest, _, _, times = runs[-1]
            runs[-1] = (latest, who, what, times + 1)
        elif len(runs) == SEEN_LIMIT:
            break
        else:
            runs.append((at, who, what, 1))
    return [_seen_line(at, who, what, times) for at, who, what, times in runs]


def _seen_line(at: datetime, who: Msg, what: str, times: int) -> Msg:
    did = Msg(f"dialogs.mydata.{what}_times", {"times": times}) if times > 1 else None
    return Msg(
        "dialogs.mydata.seen_line",
        {
            "when": _day(at, minutes=True),
            "who": who,
            "what": did or Msg(f"dialogs.mydata.{what}"),
        },
    )


def _account_roles(session: Session, actors: list[str]) -> dict[str, str]:
    """The role of each console account among `actors` ("account:NAME"), in one query: the
    audit log names the account, the worker is shown its role."""
    names = {a.removeprefix("account:") for a in actors if a.startswith("account:")}
    if not names:
        return {}
    found = select(StaffAccount.username, StaffAccount.role).where(
        StaffAccount.username.in_(names)
    )
    return {str(name): str(role) for name, role in session.execute(found)}


def _role_of(actor: str, roles: dict[str, str]) -> Msg | None:
    """The staff member's role in words ("窗口工作人员", "旗医疗保障局经办人员"), never their
    name; None for an actor who is not staff.

    Actors: "account:NAME" (clerk or supervisor), "account:NAME@OFFICE", and older rows'
    "clerk:NAME", "office:ITEM", "staff:NAME@OFFICE"."""
    kind, _, rest = actor.partition(":")
    if kind not in ("account", "clerk", "office", "staff"):
        return None
    name, _, office = rest.partition("@")
    if kind == "office" and name in _item_offices():
        office = _item_offices()[name]
    role = office or ("clerk" if kind == "clerk" else roles.get(name, ""))
    if role in ("clerk", "supervisor"):
        return Msg(f"dialogs.mydata.role.{role}")
    if role in _item_offices().values():
        return Msg("dialogs.mydata.role.office", {"office": Msg(f"office.{role}.name")})
    if (town := town_of_office(role)) is not None:  # each town's government, by its name
        return Msg("dialogs.mydata.role.office", {"office": town.office_name_zh})
    return Msg("dialogs.mydata.role.staff")


@cache
def _item_offices() -> dict[str, str]:
    """Item code -> the office that answers it."""
    return {item.code: item.office for item in load_items()}


def _day(at: datetime | None, *, minutes: bool = False) -> str | None:
    if at is None:
        return None
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(_CHINA)
    return local.strftime("%Y-%m-%d %H:%M" if minutes else "%Y-%m-%d")
