"""The end of the journey as use cases over the case store: `fn(session, ...)`, run by
`cases.db.Database.run` in one transaction each; none of them commits.

* `deliver_result`: render the result notice, keep it in the file store (its sha256 is its
  version and its file name), move the case results_ready -> notified, push the notice with
  the online-step guides and the signature question, and schedule the online-step check.
  Called again after a result changed: a new version goes out, and a signed case needs a new
  signature (renotify).
* `sign_notice`: the typed name must match the case's applicant, and the version signed must
  be the one delivered; the signed copy is rendered and kept.
* `record_rating` / `add_rating_comment` / `decline_rating`: five levels (POLICY §8), asked
  once; a bad one opens a `rating_followup` staff task due in N working days.

The record of truth is the case store's own tables (`cases.models.Signature`, `Rating`,
`OnlineStep`, through `cases.repositories`); the audit log only says who did what.
* `close_followup`: the clerk's outcome, told to the applicant; closes the case.
* `run_online_step_check`: the reminder a few days later: "done yet? need help?".

The sweeps (`due_notice_cases` + `deliver_case`, `due_online_checks` +
`run_online_step_check`) list the due work first and then handle each case in a transaction
of its own (aftercare/worker.py), so that one case that fails holds up no other
(aftercare/failures.py records it and retries it alone).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from aftercare.failures import NOTICE, ONLINE_CHECK, clear_failure
from aftercare.notice import applicant_name, build_notice
from documents.result_notice import (
    NoticeData,
    Signature,
    back_payment_due,
    render_result_notice,
)
from locales import Translator
from locales.replies import Document, Msg, Option, Reply, to_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.settings import Settings
    from cases.files import FileStore
    from cases.models import Case, Rating, StaffTask
    from cases.models import Signature as SignatureRecord

# How a notice becomes PDF bytes: documents.result_notice.render_result_notice, or a stand-in
# given by a test (one that fails, to prove that one case never holds up another).
NoticeRenderer = Callable[..., bytes]

CHINA = ZoneInfo("Asia/Shanghai")
NOTICE_LANGUAGE = "zh_CN"  # the notice is an official document: always in Chinese
ACTOR = "aftercare"

RATING_LEVELS = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
)
BAD_LEVELS = frozenset({"dissatisfied", "very_dissatisfied"})
ONLINE_STEPS = ("housing_fund", "medical_payment")
FOLLOWUP_KIND = "rating_followup"
HELP_KIND = "online_step_help"
CHECK_KIND = "online_steps"
SIGNATURE_STATES = frozenset({"ask_signature_name", "ask_signature_confirm"})
# Where the online-step question may interrupt: after the signature, never before it.
CHECKABLE_STATES = frozenset({"ask_rating", "ask_rating_comment", "finished"})


@dataclass(frozen=True)
class AftercareConfig:
    region: str = "ejin_horo"
    online_step_check_days: int = 3
    rating_followup_working_days: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> AftercareConfig:
        s = settings.service
        return cls(s.region, s.online_step_check_days, s.rating_followup_working_days)


# -- delivering the result -----------------------------------------------------------------


def latest_case(session: Session, applicant_id: int) -> Case | None:
    """The applicant's newest case, closed ones included: after the result the conversation
    still speaks about it (the signed copy, the online steps)."""
    from cases import repositories as repo

    found = repo.cases_of(session, applicant_id)
    return found[0] if found else None


def notice_file_name(case: Case, signed: bool = False) -> str:
    suffix = "-已签字" if signed else ""
    return f"结果告知单-{case.number}{suffix}.pdf"


def deliver_result(
    session: Session,
    case: Case,
    files: FileStore,
    config: AftercareConfig,
    *,
    at: datetime,
    render: NoticeRenderer = render_result_notice,
) -> str | None:
    """Deliver the current notice; returns its sha256, or None when that version was already
    delivered (nothing to do). Only for cases whose results are in."""
    from cases import repositories as repo

    if case.status not in ("results_ready", "notified", "signed", "rated"):
        return None
    tr = Translator(NOTICE_LANGUAGE)
    notice = build_notice(session, case, tr, config.region)
    data = render(notice, tr)
    sha = files.address_of(data)  # the version: a keyed hash, like every stored file's name
    if sha == case.notice_sha256 and case.status != "results_ready":
        return None
    stored = files.put(data)
    changed = case.notice_sha256 is not None
    case.notice_sha256 = sha
    if case.status == "results_ready":
        repo.move_case(session, case, "notify", at=at, actor=ACTOR, detail={"notice": sha})
    elif case.status in ("signed", "rated"):
        repo.move_case(session, case, "renotify", at=at, actor=ACTOR, detail={"notice": sha})
        case.signed_at = None
    else:  # notified, not signed yet: the new version simply replaces the old one
        repo.audit(session, ACTOR, "notice.replaced", case_id=case.id, detail={"notice": sha})
    applicant = repo.get_applicant(session, case.applicant_id)
    language = (applicant.language if applicant else None) or NOTICE_LANGUAGE
    replies = _result_replies(case, notice, stored.address, changed, config, Translator(language))
    for n, reply in enumerate(replies):
        repo.enqueue_notification(
            session, case.applicant_id, to_json(reply), f"aftercare:{case.id}:{sha[:16]}:{n}"
        )
    trigger = "notice_changed" if changed else "deliver_result"
    _move_conversation(session, case.applicant_id, trigger, {"signature_sha": None})
    if not changed:
        due = at.astimezone(CHINA).date() + timedelta(days=config.online_step_check_days)
        repo.add_reminder(session, case.applicant_id, CHECK_KIND, due)
    return sha


def _result_replies(
    case: Case,
    notice: NoticeData,
    address: str,
    changed: bool,
    config: AftercareConfig,
    tr: Translator,
) -> list[Reply]:
    from aftercare.region import region_texts

    texts = region_texts(tr, config.region)
    document = Document(address, notice_file_name(case))
    key = "aftercare.result.changed" if changed else "aftercare.result.ready"
    replies = [
        Reply(
            Msg(key, {"case_number": case.number, "highlights": highlights(notice)}),
            document=document,
        ),
        Reply(Msg("aftercare.online.housing_fund", {"steps": texts.housing_fund})),
    ]
    due = back_payment_due(notice)
    if due > 0:
        replies.append(
            Reply(
                Msg("aftercare.online.medical", {"amount": f"{due:,.2f}", "steps": texts.medical})
            )
        )
    replies.append(sign_question())
    return replies


def highlights(notice: NoticeData) -> list[Msg]:
    """The two figures an applicant looks for first: the pension and any back payment."""
    out: list[Msg] = []
    for item in notice.items:
        if item.code == "pension_claim" and item.data.get("monthly_pension") is not None:
            out.append(
                Msg("aftercare.result.pension", {"amount": _yuan(item.data["monthly_pension"])})
            )
    due = back_payment_due(notice)
    if due > 0:
        out.append(Msg("aftercare.result.back_payment", {"amount": f"{due:,.2f}"}))
    elif any(i.code == "medical_insurance" and i.status == "done" for i in notice.items):
        out.append(Msg("aftercare.result.no_back_payment"))
    return out


def _yuan(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def sign_question() -> Reply:
    """Sign by typing the name; or say one disagrees, or ask for a person."""
    return Reply(
        Msg("aftercare.sign.ask_name"),
        choices=(
            Option("object", Msg("aftercare.sign.choice_object")),
            Option("person", Msg("aftercare.sign.choice_person")),
        ),
        expects="text",
        question="ask_signature_name",
    )


def due_notice_cases(session: Session, *, at: datetime) -> list[int]:
    """The ids of the cases whose notice is due: every case whose results are in, and every
    case whose results changed after its notice went out; not those that failed and whose
    next try (aftercare/failures.py) is still ahead."""
    from sqlalchemy import or_, select

    from cases import repositories as repo
    from cases.models import Case, ItemResult

    # A result answered after the case last changed may have changed the notice.
    newer = (
        select(ItemResult.case_id)
        .join(Case, Case.id == ItemResult.case_id)
        .where(
            Case.status.in_(("notified", "signed", "rated")),
            ItemResult.updated_at > Case.updated_at,
        )
    )
    query = (
        select(Case.id)
        .where(
            or_(Case.status == "results_ready", Case.id.in_(newer)),
            Case.id.not_in(repo.waiting_for_retry(NOTICE, at)),
        )
        .order_by(Case.id)
    )
    return list(session.scalars(query))


def deliver_case(
    session: Session,
    case_id: int,
    files: FileStore,
    config: AftercareConfig,
    *,
    at: datetime,
    render: NoticeRenderer = render_result_notice,
) -> str | None:
    """One case of the sweep, in its own transaction: deliver its notice when due. Returns
    the case number when a notice went out. Success forgets the case's earlier failures."""
    from cases import repositories as repo

    case = repo.get_case(session, case_id)
    if case is None:
        return None
    sha = deliver_result(session, case, files, config, at=at, render=render)
    if sha is None:
        case.updated_at = at  # looked at: not again until a result changes
    clear_failure(session, NOTICE, case_id, at=at)
    session.flush()
    return (case.number or "") if sha is not None else None


# -- the conversation's state, moved from outside an event ---------------------------------


def _move_conversation(
    session: Session, applicant_id: int, trigger: str, answers: dict[str, Any] | None = None
) -> str | None:
    """Move the applicant's conversation by a row of the shared table. A result is
    authoritative: when no row leads from where the conversation stands, it jumps."""
    from cases import repositories as repo
    from dialogs.machine import machine

    conv = repo.load_conversation(session, applicant_id)
    if conv is None:
        return None
    event = machine().events.get(trigger)
    moves = event.transitions.get(conv.state) if event is not None else None
    dest = moves[0].dest if moves else _JUMPS.get(trigger)
    if dest is None:
        return conv.state
    # The column holds dialogs.state.ConversationData.to_json(): the answers are one key of it.
    stored = dict(conv.answers or {})
    inner = dict(stored.get("answers") or {})
    stash = dict(inner.get("aftercare") or {})
    stash.update(answers or {})
    inner["aftercare"] = stash
    stored["answers"] = inner
    repo.save_conversation(session, conv, state=dest, answers=stored, failures=0)
    return dest


_JUMPS = {"deliver_result": "ask_signature_name", "notice_changed": "ask_signature_name"}


# -- signature -----------------------------------------------------------------------------

SignOutcome = Literal["signed", "name_mismatch", "notice_changed", "not_ready"]
_DOTS = str.maketrans({c: "·" for c in "•・.．‧∙⋅"})


def normalise_name(name: str) -> str:
    """Full-width forms, spaces and the many middle dots of minority names made comparable."""
    text = unicodedata.normalize("NFKC", name).translate(_DOTS)
    return "".join(text.split())


def name_matches(session: Session, case: Case, typed: str) -> bool:
    from cases import repositories as repo

    expected = applicant_name(case, repo.get_applicant(session, case.applicant_id))
    return bool(expected) and normalise_name(typed) == normalise_name(expected)


def sign_notice(
    session: Session,
    case: Case,
    typed_name: str,
    shown_sha: str | None,
    files: FileStore,
    config: AftercareConfig,
    *,
    at: datetime,
) -> SignOutcome:
    """Sign the version `shown_sha` of the notice, as `typed_name`."""
    from cases import repositories as repo

    if case.status != "notified" or case.notice_sha256 is None:
        return "not_ready"
    if not name_matches(session, case, typed_name):
        return "name_mismatch"
    if shown_sha != case.notice_sha256:
        return "notice_changed"
    tr = Translator(NOTICE_LANGUAGE)
    notice = build_notice(session, case, tr, config.region)
    signed = files.put(
        render_result_notice(notice, tr, Signature(notice.applicant_name, at, shown_sha))
    )
    repo.add_signature(
        session,
        case.id,
        notice_sha256=shown_sha,
        signed_copy_sha256=signed.sha256,
        typed_name=typed_name.strip(),
        signed_at=at,
    )
    repo.move_case(
        session,
        case,
        "sign",
        at=at,
        actor=f"applicant:{case.applicant_id}",
        detail={"notice_sha256": shown_sha, "signed_copy_sha256": signed.sha256},
    )
    return "signed"


def signature_of(session: Session, case: Case) -> SignatureRecord | None:
    """The signature of the current notice version, or None (unsigned, or signed an older
    version that a changed result replaced)."""
    from cases import repositories as repo

    return repo.current_signature(session, case)


def signed_copy_document(session: Session, case: Case, files: FileStore) -> Document | None:
    info = signature_of(session, case)
    if info is None or not files.exists(info.signed_copy_sha256):
        return None
    return Document(info.signed_copy_sha256, notice_file_name(case, signed=True))


def notice_document(case: Case, files: FileStore) -> Document | None:
    if case.notice_sha256 is None or not files.exists(case.notice_sha256):
        return None
    return Document(case.notice_sha256, notice_file_name(case))


# -- rating --------------------------------------------------------------------------------


def rating_of(session: Session, case: Case) -> Rating | None:
    """The case's rating: a level, or a decline; None while it was never asked or answered."""
    from cases import repositories as repo

    return repo.rating_of_case(session, case.id)


def followup_of(session: Session, rating: Rating | None) -> StaffTask | None:
    """The follow-up staff task of a bad rating, or None."""
    from cases.models import StaffTask

    if rating is None or rating.followup_task_id is None:
        return None
    return session.get(StaffTask, rating.followup_task_id)


def record_rating(
    session: Session, case: Case, level: str, config: AftercareConfig, *, at: datetime
) -> Rating | None:
    """Record the level, once: None when the case is not waiting for a rating or already has
    one (or a decline), and nothing changes. A bad level opens the follow-up, due in
    `rating_followup_working_days` working days at the end of that day, linked to the rating
    (`followup_of`)."""
    from cases import repositories as repo
    from policy.workdays import add_working_days

    if level not in RATING_LEVELS:
        raise ValueError(f"unknown rating level {level!r}")
    if case.status != "signed":
        return None
    rating = repo.add_rating(session, case.id, level, rated_at=at)
    if rating is None:  # rated (or declined) before: the first answer stands
        return None
    actor = f"applicant:{case.applicant_id}"
    repo.audit(session, actor, "rating.given", case_id=case.id, detail={"level": level}, at=at)
    repo.move_case(session, case, "rate", at=at, actor=actor, detail={"level": level})
    if level not in BAD_LEVELS:
        repo.move_case(session, case, "close", at=at, actor=ACTOR)
        return rating
    day = add_working_days(at.astimezone(CHINA).date(), config.rating_followup_working_days)
    due = datetime.combine(day, time(18, 0), tzinfo=CHINA)
    task = repo.add_staff_task(
        session,
        FOLLOWUP_KIND,
        case_id=case.id,
        applicant_id=case.applicant_id,
        detail={"level": level, "case_number": case.number},
        due_at=due,
    )
    repo.link_rating_followup(session, case.id, task.id)
    return rating


def add_rating_comment(session: Session, case: Case, comment: str, *, at: datetime) -> None:
    from app.logging_setup import mask_text
    from cases import repositories as repo
    from cases.models import StaffTask, TaskStatus

    text = mask_text(comment.strip())[:500]
    if not text or repo.set_rating_comment(session, case.id, text) is None:
        return
    # The comment itself lives on the rating; the audit says only that one was given.
    actor = f"applicant:{case.applicant_id}"
    repo.audit(session, actor, "rating.comment", case_id=case.id, at=at)
    for task in session.query(StaffTask).filter_by(
        case_id=case.id, kind=FOLLOWUP_KIND, status=TaskStatus.open.value
    ):
        task.detail = {**task.detail, "comment": text}


def decline_rating(session: Session, case: Case, *, at: datetime) -> None:
    """No rating, and no second asking: the case closes. A case rated before (and signed
    again after a changed result) keeps its rating."""
    from cases import repositories as repo

    if case.status == "signed":
        actor = f"applicant:{case.applicant_id}"
        if repo.decline_rating(session, case.id, at=at) is not None:
            repo.audit(session, actor, "rating.declined", case_id=case.id, at=at)
        repo.move_case(session, case, "close", at=at, actor=actor)


def close_followup(
    session: Session, task_id: int, outcome: str, clerk: str, *, at: datetime
) -> StaffTask:
    """The clerk's return visit is done: record the outcome, tell the applicant, close the
    case. Raises LookupError for an unknown or already closed follow-up."""
    from cases import repositories as repo
    from cases.models import StaffTask, TaskStatus

    task = session.get(StaffTask, task_id)
    if task is None or task.kind != FOLLOWUP_KIND or task.status != TaskStatus.open.value:
        raise LookupError(f"no open rating follow-up #{task_id}")
    text = outcome.strip()
    if not text:
        raise ValueError("the outcome told to the applicant must not be empty")
    task.detail = {**task.detail, "outcome": text, "clerk": clerk}
    repo.complete_staff_task(session, task_id, at=at)
    case = repo.get_case(session, task.case_id) if task.case_id else None
    if case is not None:
        repo.audit(
            session,
            f"clerk:{clerk}",
            "rating.followup_closed",
            case_id=case.id,
            detail={"task": task_id},
            at=at,
        )
        if case.status == "rated":
            repo.move_case(session, case, "close", at=at, actor=f"clerk:{clerk}")
        reply = Reply(
            Msg("aftercare.rating.followup_outcome", {"case_number": case.number, "outcome": text})
        )
        repo.enqueue_notification(
            session, case.applicant_id, to_json(reply), f"aftercare:followup:{task_id}"
        )
    return task


# -- online steps --------------------------------------------------------------------------


def online_steps(session: Session, case: Case, config: AftercareConfig) -> list[str]:
    """The steps this applicant finishes online: the housing fund always, the medical
    insurance payment only when a back payment is due."""
    tr = Translator(NOTICE_LANGUAGE)
    steps = ["housing_fund"]
    if back_payment_due(build_notice(session, case, tr, config.region)) > 0:
        steps.append("medical_payment")
    return steps


def online_step_statuses(session: Session, case: Case) -> dict[str, str]:
    """Each answered step's status: done | not_yet | help_requested."""
    from cases import repositories as repo

    return {row.step: row.status for row in repo.online_steps_of(session, case.id)}


def online_steps_answered(session: Session, case: Case) -> dict[str, bool]:
    """Each answered step: done or not."""
    return {step: status == "done" for step, status in online_step_statuses(session, case).items()}


def record_online_step(
    session: Session, case: Case, step: str, done: bool, *, at: datetime
) -> StaffTask | None:
    """The applicant's answer; "not yet" opens a help task so that a person calls, and the
    step is recorded as help_requested with that task."""
    from cases import repositories as repo

    if step not in ONLINE_STEPS:
        raise ValueError(f"unknown online step {step!r}")
    actor = f"applicant:{case.applicant_id}"
    detail = {"step": step, "done": done}
    repo.audit(session, actor, "online_step.answer", case_id=case.id, detail=detail, at=at)
    task = None
    if not done:
        task = repo.add_staff_task(
            session,
            HELP_KIND,
            case_id=case.id,
            applicant_id=case.applicant_id,
            detail={"step": step, "case_number": case.number},
        )
    status = "done" if task is None else "help_requested"
    repo.record_online_step(
        session,
        case.id,
        step,
        status,
        answered_at=at,
        help_task_id=task.id if task is not None else None,
    )
    return task


def online_step_question(step: str) -> Reply:
    return Reply(
        Msg("aftercare.online.ask_done", {"step": Msg(f"aftercare.online.step.{step}")}),
        choices=(
            Option("done", Msg("aftercare.online.choice_done")),
            Option("not_yet", Msg("aftercare.online.choice_not_yet")),
        ),
        expects="choice",
        question="ask_online_steps_done",
    )


def due_online_checks(session: Session, *, at: datetime, limit: int = 100) -> list[int]:
    """The ids of the due online-step reminders, oldest first, without those that failed
    and wait for their next try."""
    from aftercare.reminders import due_reminder_ids

    return due_reminder_ids(session, CHECK_KIND, ONLINE_CHECK, at=at, limit=limit)


def run_online_step_check(
    session: Session, reminder_id: int, config: AftercareConfig, *, at: datetime
) -> bool:
    """Send one due "are your online steps done?" question; True when it was sent.

    A reminder that finds the applicant still signing waits a day: the signature comes first.
    A rating left unanswered by then is not asked again, and the case closes.
    """
    from cases import repositories as repo
    from cases.models import Reminder

    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.sent_at is not None:
        return False  # another sweep got there first
    today = at.astimezone(CHINA).date()
    repo.mark_reminder_sent(session, reminder.id, at=at)
    clear_failure(session, ONLINE_CHECK, reminder.id, at=at)
    case = latest_case(session, reminder.applicant_id)
    conv = repo.load_conversation(session, reminder.applicant_id)
    if case is None or conv is None or case.status not in ("signed", "rated", "closed"):
        if case is not None and case.status == "notified":
            repo.add_reminder(session, reminder.applicant_id, CHECK_KIND, today + timedelta(1))
        return False
    done = online_steps_answered(session, case)
    pending = [s for s in online_steps(session, case, config) if not done.get(s)]
    if not pending or conv.state not in CHECKABLE_STATES:
        return False
    if case.status == "signed":  # the rating was never answered: never pressed again
        decline_rating(session, case, at=at)
    _move_conversation(
        session,
        reminder.applicant_id,
        "check_online_steps",
        {"online_steps": pending, "online_step": pending[0]},
    )
    repo.enqueue_notification(
        session,
        reminder.applicant_id,
        to_json(online_step_question(pending[0])),
        f"aftercare:check:{reminder.id}",
    )
    session.flush()
    return True
