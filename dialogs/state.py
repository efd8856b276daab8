"""What the engine reads and returns: the stored conversation, the context of one event, and
the commands the service applies. All plain data, so the engine stays a pure function."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogs.events import StoredFile


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
class Rejection:
    material: str
    reason: str
    pages: tuple[str, ...] = ()  # sha256 of the rejected pages: the same photo is refused
    kept: int = 0  # pages of the material still good (the clerk returned some pages only)


@dataclass(frozen=True)
class ItemProgress:
    code: str
    status: str


@dataclass(frozen=True)
class SupplementAsk:
    """An office asked for more material on its item; `materials` are those still to send
    (named by the office, or "other material"), `reason` the office's words."""

    item: str
    reason: str
    materials: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    """The applicant's case as the database records it (the record, not the conversation)."""

    number: str
    status: str
    rejected: tuple[Rejection, ...] = ()
    items: tuple[ItemProgress, ...] = ()
    asks: tuple[SupplementAsk, ...] = ()  # offices' requests with something still to send


@dataclass(frozen=True)
class Context:
    today: date
    case: CaseView | None = None
    reminder_days_before: int = 90


# ---- Commands: what the service does in the same transaction as saving the state ----------


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
    files: tuple[StoredFile, ...]


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
    question: str | None = None


@dataclass(frozen=True)
class DiscardDraft:
    """Forget the unsubmitted journey: answers and uploaded pages of the draft."""


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
)
