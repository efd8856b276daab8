"""What the conversation's commands do to the record, in the event's own transaction.

The conversation engine is pure: it returns commands (plain data, below) beside its replies,
and the conversation service applies them here, in the same transaction that saves the
conversation's new state, so a reply never promises what the record does not hold. One
function per command, found in `COMMANDS` by the command's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.clock import at_local
from cases.models import Applicant, Case
from cases.platform.outbox import enqueue_submit, enqueue_supplement
from cases.repositories.applicants import (
    record_consent,
    set_full_name,
    set_id_number,
    set_language,
    set_phone,
    withdraw_consent,
)
from cases.repositories.audit import audit
from cases.repositories.card_numbers import hold_card_number
from cases.repositories.case_records import (
    current_case,
    current_or_new_draft,
    delete_draft,
    submit_case,
)
from cases.repositories.pages import PageFile, add_page, declare_lost, remove_pages
from cases.repositories.tasks import add_reminder, add_staff_task


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class RecordConsent:
    version: str
    scope: tuple[str, ...]


@dataclass(frozen=True)
class WithdrawConsent:
    pass


@dataclass(frozen=True)
class SaveIdentity:
    """Personal numbers go to the applicant record (encrypted there), never into answers."""

    name: str | None = None
    id_number: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:  # personal data never in a repr
        return f"SaveIdentity(name={self.name is not None}, id_number=..., phone=...)"


@dataclass(frozen=True)
class StoreReminder:
    due: date
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AddPages:
    material: str
    files: tuple[PageFile, ...]  # already in the file store (a channel's `StoredFile`)


@dataclass(frozen=True)
class MarkMaterialLost:
    material: str


@dataclass(frozen=True)
class ClearMaterial:
    material: str


@dataclass(frozen=True)
class SubmitCase:
    form: dict[str, Any]


@dataclass(frozen=True)
class SupplementCase:
    materials: tuple[str, ...]


@dataclass(frozen=True)
class HandToPerson:
    reason: str
    question: str | None = None  # the question open at the time (or the words, from staff)
    words: str = ""  # what the worker typed, numbers masked
    stage: str = ""  # before_submission | upload | after_submission
    call_by: date | None = None  # the day the worker was told they would be called
    earlier: str = ""  # the worker's last question the bot could not answer, numbers masked

    def __repr__(self) -> str:  # the worker's words never go into a repr
        return f"HandToPerson({self.reason!r}, {self.question!r}, stage={self.stage!r})"


@dataclass(frozen=True)
class DiscardDraft:
    """Forget the unsubmitted journey: answers and uploaded pages of the draft."""


@dataclass(frozen=True)
class HoldCardNumber:
    """The number read from the ID card's photo, held (encrypted) until the worker confirms
    it; None forgets it (issue 18)."""

    number: str | None

    def __repr__(self) -> str:  # personal data never in a repr
        return f"HoldCardNumber(held={self.number is not None})"


DomainCommand = (
    SetLanguage
    | RecordConsent
    | WithdrawConsent
    | SaveIdentity
    | StoreReminder
    | AddPages
    | MarkMaterialLost
    | ClearMaterial
    | SubmitCase
    | SupplementCase
    | HandToPerson
    | DiscardDraft
    | HoldCardNumber
)


@dataclass
class CommandRun:
    """What the commands of one event share: the applicant, the event's time, the draft
    once read, and the case number a submission or supplement gave."""

    session: Session
    applicant: Applicant
    now: datetime
    case_number: str | None = None
    _draft: Case | None = None

    @property
    def actor(self) -> str:
        return f"applicant:{self.applicant.id}"

    def draft(self) -> Case:
        if self._draft is None:
            self._draft = current_or_new_draft(self.session, self.applicant.id)
        return self._draft

    def forget_draft(self) -> None:
        self._draft = None

    def unsubmitted(self) -> Case | None:
        """The current case while it is a draft: what may still be taken back."""
        case = current_case(self.session, self.applicant.id)
        return case if case is not None and case.status == "draft" else None


def apply_commands(
    session: Session, applicant: Applicant, commands: Iterable[DomainCommand], now: datetime
) -> str | None:
    """Apply the engine's commands in order; returns the case number they gave, if any."""
    run = CommandRun(session, applicant, now)
    for command in commands:
        apply = COMMANDS.get(type(command))
        if apply is None:
            raise TypeError(f"unknown command {type(command).__name__}")
        apply(run, command)
    return run.case_number


def on_set_language(run: CommandRun, command: SetLanguage) -> None:
    set_language(run.session, run.applicant, command.language)


def on_record_consent(run: CommandRun, command: RecordConsent) -> None:
    scope = ",".join(command.scope)
    record_consent(run.session, run.applicant, version=command.version, scope=scope, at=run.now)


def on_withdraw_consent(run: CommandRun, command: WithdrawConsent) -> None:
    withdraw_consent(run.session, run.applicant, at=run.now)


def on_save_identity(run: CommandRun, command: SaveIdentity) -> None:
    s, a = run.session, run.applicant
    if command.name is not None:
        set_full_name(s, a, command.name)
    if command.id_number is not None:
        set_id_number(s, a, command.id_number)
    if command.phone is not None:
        set_phone(s, a, command.phone)


def on_store_reminder(run: CommandRun, command: StoreReminder) -> None:
    add_reminder(run.session, run.applicant.id, command.kind, command.due)


def on_add_pages(run: CommandRun, command: AddPages) -> None:
    case = run.draft()
    after = case.status != "draft"  # pages sent after submission answer a return (补正)
    for f in command.files:
        add_page(run.session, case, command.material, f, supplement=after)


def on_mark_material_lost(run: CommandRun, command: MarkMaterialLost) -> None:
    declare_lost(run.session, run.draft(), command.material)


def on_clear_material(run: CommandRun, command: ClearMaterial) -> None:
    case = run.unsubmitted()
    if case is not None:  # pages of a submitted case are the record: never removed from here
        remove_pages(run.session, case.id, command.material)


def on_submit_case(run: CommandRun, command: SubmitCase) -> None:
    case = run.draft()
    case.form = dict(command.form)
    submit_case(run.session, case, at=run.now, actor=run.actor)
    enqueue_submit(run.session, case, at=run.now)
    run.case_number = case.number


def on_supplement_case(run: CommandRun, command: SupplementCase) -> None:
    case = current_case(run.session, run.applicant.id)
    if case is None:
        return
    for code in command.materials:
        enqueue_supplement(run.session, case, code, at=run.now)
    detail = {"materials": list(command.materials)}
    audit(run.session, run.actor, "case.supplement", case_id=case.id, detail=detail, at=run.now)
    run.case_number = case.number


def on_hand_to_person(run: CommandRun, command: HandToPerson) -> None:
    current = current_case(run.session, run.applicant.id)
    add_staff_task(
        run.session,
        "handover",
        applicant_id=run.applicant.id,
        case_id=current.id if current is not None else None,
        detail=_hand_over_detail(command),
        due_at=at_local(command.call_by, 18) if command.call_by else None,  # promised day
    )


def _hand_over_detail(command: HandToPerson) -> dict[str, Any]:
    detail: dict[str, Any] = {"reason": command.reason, "question": command.question}
    for key in ("stage", "words", "earlier"):  # the words: the worker's, numbers masked
        if value := getattr(command, key):
            detail[key] = value[:500]
    return detail


def on_discard_draft(run: CommandRun, command: DiscardDraft) -> None:
    case = run.unsubmitted()
    if case is not None:
        delete_draft(run.session, case)
        run.forget_draft()


def on_hold_card_number(run: CommandRun, command: HoldCardNumber) -> None:
    hold_card_number(run.session, run.applicant, command.number)


# The key is the command's type, so each function receives exactly that type.
COMMANDS: dict[type, Callable[[CommandRun, Any], None]] = {
    SetLanguage: on_set_language,
    RecordConsent: on_record_consent,
    WithdrawConsent: on_withdraw_consent,
    SaveIdentity: on_save_identity,
    StoreReminder: on_store_reminder,
    AddPages: on_add_pages,
    MarkMaterialLost: on_mark_material_lost,
    ClearMaterial: on_clear_material,
    SubmitCase: on_submit_case,
    SupplementCase: on_supplement_case,
    HandToPerson: on_hand_to_person,
    DiscardDraft: on_discard_draft,
    HoldCardNumber: on_hold_card_number,
}
