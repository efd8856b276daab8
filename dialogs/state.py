"""What the engine reads and returns: the stored conversation, the context of one event, and
the commands the service applies. All plain data, so the engine stays a pure function.

The commands and the case view belong to the record (`cases.commands`, `cases.view`: what
they do and how the case is read live there); they are named here too, so that the engine
reads its whole vocabulary from this one module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cases.commands import (
    AddPages,
    ClearMaterial,
    DiscardDraft,
    DomainCommand,
    HandToPerson,
    HoldCardNumber,
    MarkMaterialLost,
    RecordConsent,
    SaveIdentity,
    SetLanguage,
    StoreReminder,
    SubmitCase,
    SupplementCase,
    WithdrawConsent,
)
from cases.view import CaseView, ItemProgress, Rejection, SupplementAsk
from policy.pension_base import BaseTable

__all__ = [
    "AddPages",
    "CaseView",
    "ClearMaterial",
    "Context",
    "ConversationData",
    "DiscardDraft",
    "DomainCommand",
    "HandToPerson",
    "HoldCardNumber",
    "ItemProgress",
    "MarkMaterialLost",
    "RecordConsent",
    "Rejection",
    "SaveIdentity",
    "SetLanguage",
    "StoreReminder",
    "SubmitCase",
    "SupplementAsk",
    "SupplementCase",
    "WithdrawConsent",
]


@dataclass
class ConversationData:
    """One applicant's place in the journey; stored as the conversation's state + answers JSON.

    `answers` holds only what the case form needs and masked forms of personal numbers: the
    ID and phone numbers themselves go to the applicant record (encrypted) by command."""

    state: str = "start"
    language: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    failures: int = 0
    history: list[str] = field(default_factory=list)  # question keys answered, for /back
    material: str | None = None  # the material being uploaded
    materials: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> pages, status
    resume: str | None = None  # the state that /language or /cancel interrupted
    confirming: str | None = None  # what ask_cancel confirms: "cancel" or "restart"
    editing: bool = False  # after "edit" at the review: answered questions are skipped
    supplement: list[str] = field(default_factory=list)  # materials returned for correction
    # The material whose upload moved on by itself (its last page arrived): a "完成" in the
    # very next message meant that one, not the question asked since.
    moved_on: str | None = None
    # The worker's last question the bot could not answer (numbers masked): a 转人工 that
    # follows carries it to the clerk, who otherwise reads only "转人工".
    unanswered: str | None = None
    # The number of the latest message with buttons: a button of an older one is stale, even
    # of the same question (the review shown again after an edit, the notice read again).
    shown: int = 0

    def copy(self) -> ConversationData:
        # On the hot path of every event: a JSON-shaped clone is ~10x cheaper than deepcopy.
        return ConversationData(
            state=self.state,
            language=self.language,
            answers=_clone(self.answers),
            failures=self.failures,
            history=list(self.history),
            material=self.material,
            materials=_clone(self.materials),
            resume=self.resume,
            confirming=self.confirming,
            editing=self.editing,
            supplement=list(self.supplement),
            moved_on=self.moved_on,
            unanswered=self.unanswered,
            shown=self.shown,
        )

    def to_json(self) -> dict[str, Any]:
        """The answers column: everything but the state, which has its own column."""
        return {
            "language": self.language,
            "answers": self.answers,
            "failures": self.failures,
            "history": self.history,
            "material": self.material,
            "materials": self.materials,
            "resume": self.resume,
            "confirming": self.confirming,
            "editing": self.editing,
            "supplement": self.supplement,
            "moved_on": self.moved_on,
            "unanswered": self.unanswered,
            "shown": self.shown,
        }

    @classmethod
    def from_json(cls, state: str | None, data: dict[str, Any] | None) -> ConversationData:
        """From the stored columns; the engine copies before it changes anything."""
        known = {k: v for k, v in (data or {}).items() if k in _FIELDS}
        return cls(state=state or "start", **known)


def _clone(value: Any) -> Any:
    """Copy of JSON-shaped data (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


_FIELDS = frozenset(ConversationData.__dataclass_fields__) - {"state"}


@dataclass(frozen=True)
class ResultView:
    """The applicant's latest case after its result (closed included), as the record shows
    it: what the conversation after the result decides from (dialogs/engine/signing.py,
    rating.py). Read in the event's own transaction."""

    number: str
    status: str
    notice_sha256: str | None = None  # the notice version delivered last
    signer: str = field(default="", repr=False)  # the name the notice is made out to
    signed: bool = False  # the current notice version is signed
    rating: str | None = None  # the level given, "declined", or None (never answered)
    # While the worker's objection is with the clerk: the day they were told they would be
    # called (no prompt to sign until the clerk has resolved it).
    objection_call_by: date | None = None
    monthly_pension: Decimal | None = None  # 核定月养老金, once the office has approved it


@dataclass(frozen=True)
class Context:
    today: date
    case: CaseView | None = None
    now: datetime | None = None  # on China time: an office's due time reads 今天16:08前
    reminder_days_before: int = 90
    result: ResultView | None = None  # read in the states after the result
    region: str = "ejin_horo"  # whose online-step guides the conversation sends
    followup_days: int = 5  # working days within which a bad rating is followed up
    reads_cards: bool = False  # a photo of the ID card may answer the ID-number question
    # The number read from it, held until confirmed; never in a repr (personal data).
    card_number: str | None = field(default=None, repr=False)
    pension_base: BaseTable = field(default_factory=BaseTable)  # the estimate's base figures
