"""The applicant conversation as data: one `transitions` table, one machine per process.

States are an Enum; each question state is named by its stable question key (`ask_...`), so a
channel, a test and a stored conversation all speak the same names. Conditions are named and
resolved on the model (the engine's `Step`), never on the machine. The machine is built once
(`machine()`) and shared: each worker thread keeps one long-lived model and sets its state per
event, which ARCHITECTURE.md measures at ten times cheaper than attaching a model per event.

Three moves are jumps rather than table rows, because their destination is data, not a rule:
`/back` (the previous question), `/language` returning to the question it interrupted, and
"edit" at the review returning to the edited answer. The drawing marks them as such.

`python -m dialogs.machine --write` redraws docs/conversation-flow.md from the table.
"""

from __future__ import annotations

import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from transitions import Machine

from dialogs.states import AFTER_RESULT, AFTER_SUBMISSION, QUESTION_ORDER, State

# Named here too: the conversation's code has always read its states from the machine.
__all__ = [
    "AFTER_RESULT",
    "AFTER_SUBMISSION",
    "CONDITIONS",
    "JUMPS",
    "QUESTION_ORDER",
    "TABLE",
    "State",
    "machine",
    "question_key",
    "set_state",
    "thread_model",
]


S = State
_BEFORE_SUBMISSION = [s for s in State if s not in AFTER_SUBMISSION | AFTER_RESULT]

# trigger, source(s), destination, conditions (all must hold), unless (none may hold).
# For one trigger and source, rows are tried in order: the first whose conditions hold wins.
TABLE: list[dict[str, Any]] = [
    {"trigger": "begin", "source": [S.start, S.cancelled], "dest": S.ask_language},
    {"trigger": "next", "source": S.ask_language, "dest": S.ask_consent},
    {"trigger": "next", "source": S.ask_consent, "dest": S.ask_name},
    {"trigger": "decline", "source": S.ask_consent, "dest": S.declined},
    {"trigger": "reconsider", "source": S.declined, "dest": S.ask_consent},
    {"trigger": "next", "source": S.ask_name, "dest": S.ask_id_number},
    {"trigger": "next", "source": S.ask_id_number, "dest": S.ask_phone},
    {"trigger": "next", "source": S.ask_phone, "dest": S.ask_category, "conditions": "is_woman"},
    {"trigger": "next", "source": S.ask_phone, "dest": S.ask_retirement_type},
    {"trigger": "next", "source": S.ask_category, "dest": S.ask_retirement_type},
    {
        "trigger": "next",
        "source": S.ask_retirement_type,
        "dest": S.handed_to_person,
        "conditions": "needs_person_route",
    },
    {"trigger": "next", "source": S.ask_retirement_type, "dest": S.ask_contribution},
    {
        "trigger": "next",
        "source": S.ask_contribution,
        "dest": S.not_yet_eligible,
        "conditions": "before_statutory_age",
        "unless": "continues_early",
    },
    # The town only once the applicant goes on: it matters to the town's registration only.
    {"trigger": "next", "source": S.ask_contribution, "dest": S.ask_town},
    {
        "trigger": "next",
        "source": S.not_yet_eligible,
        "dest": S.ask_town,
        "conditions": "continues_early",
    },
    {"trigger": "next", "source": S.not_yet_eligible, "dest": S.waiting_for_date},
    {"trigger": "next", "source": S.ask_town, "dest": S.ask_has_employer},
    {
        "trigger": "next",
        "source": S.ask_has_employer,
        "dest": S.ask_employer_name,
        "conditions": "has_employer",
    },
    {"trigger": "next", "source": S.ask_has_employer, "dest": S.ask_name_matches_archive},
    {"trigger": "next", "source": S.ask_employer_name, "dest": S.ask_name_matches_archive},
    {"trigger": "next", "source": S.ask_name_matches_archive, "dest": S.ask_paid_before_1995_07},
    {
        "trigger": "next",
        "source": S.ask_paid_before_1995_07,
        "dest": S.ask_handbook,
        "conditions": "paid_before_1995_07",
    },
    {"trigger": "next", "source": S.ask_paid_before_1995_07, "dest": S.ask_lump_sum_before_1996},
    {"trigger": "next", "source": S.ask_handbook, "dest": S.ask_lump_sum_before_1996},
    {
        "trigger": "next",
        "source": S.ask_lump_sum_before_1996,
        "dest": S.ask_receipts,
        "conditions": "made_lump_sum",
    },
    {"trigger": "next", "source": S.ask_lump_sum_before_1996, "dest": S.ask_veteran},
    {"trigger": "next", "source": S.ask_receipts, "dest": S.ask_veteran},
    {
        "trigger": "next",
        "source": [S.ask_veteran, S.uploading],
        "dest": S.uploading,
        "conditions": "materials_pending",
    },
    {"trigger": "next", "source": [S.ask_veteran, S.uploading], "dest": S.ask_review},
    {"trigger": "edit", "source": S.ask_review, "dest": S.choosing_edit},
    {"trigger": "next", "source": S.choosing_edit, "dest": S.ask_review},  # nothing chosen
    {"trigger": "submit", "source": S.ask_review, "dest": S.submitted},
    {
        "trigger": "reopen",
        "source": S.submitted,
        "dest": S.supplementing,
        "conditions": "returned_for_correction",
    },
    {
        "trigger": "reopen",
        "source": S.submitted,
        "dest": S.supplementing,
        "conditions": "office_asks_supplement",
    },
    {
        "trigger": "next",
        "source": S.supplementing,
        "dest": S.supplementing,
        "conditions": "materials_pending",
    },
    {"trigger": "next", "source": S.supplementing, "dest": S.submitted},
    # The result: moved by the aftercare worker's events (dialogs/happenings.py).
    {
        "trigger": "deliver_result",
        "source": [S.submitted, S.supplementing],
        "dest": S.ask_signature_name,
    },
    {"trigger": "next", "source": S.ask_signature_name, "dest": S.ask_signature_confirm},
    {"trigger": "retype", "source": S.ask_signature_confirm, "dest": S.ask_signature_name},
    # A case rated before (and signed again after a changed result) is not asked again.
    {
        "trigger": "sign",
        "source": S.ask_signature_confirm,
        "dest": S.finished,
        "conditions": "rated_before",
    },
    {"trigger": "sign", "source": S.ask_signature_confirm, "dest": S.ask_rating},
    {"trigger": "rate", "source": S.ask_rating, "dest": S.ask_rating_comment},
    {"trigger": "skip", "source": [S.ask_rating, S.ask_rating_comment], "dest": S.finished},
    {"trigger": "next", "source": S.ask_rating_comment, "dest": S.finished},
    {
        "trigger": "check_online_steps",
        "source": [S.ask_rating, S.ask_rating_comment, S.finished],
        "dest": S.ask_online_steps_done,
    },
    {
        "trigger": "next",
        "source": S.ask_online_steps_done,
        "dest": S.ask_online_steps_done,
        "conditions": "online_steps_pending",
    },
    {"trigger": "next", "source": S.ask_online_steps_done, "dest": S.finished},
    {"trigger": "notice_changed", "source": sorted(AFTER_RESULT), "dest": S.ask_signature_name},
    {"trigger": "handover", "source": _BEFORE_SUBMISSION, "dest": S.handed_to_person},
    {"trigger": "cancel", "source": _BEFORE_SUBMISSION, "dest": S.confirming_cancel},
    {"trigger": "confirm", "source": S.confirming_cancel, "dest": S.cancelled},
    {"trigger": "restart", "source": _BEFORE_SUBMISSION, "dest": S.ask_language},
]

# Jumps whose destination is data (drawn dashed): source states -> destination states.
JUMPS: list[tuple[str, str, str]] = [
    ("back", "any question", "the previous question"),
    ("language", "any state", "ask_language, then back to the same question"),
    ("edit", "choosing_edit", "the chosen answer, then only its dependents, then ask_review"),
    ("keep", "confirming_cancel", "the question it interrupted"),
]

CONDITIONS = (
    "is_woman",
    "needs_person_route",
    "before_statutory_age",
    "continues_early",
    "has_employer",
    "paid_before_1995_07",
    "made_lump_sum",
    "materials_pending",
    "returned_for_correction",
    "office_asks_supplement",
    "rated_before",
    "online_steps_pending",
)


@cache
def machine() -> Machine:
    """The one shared machine of this process (built on first use, never per message)."""
    return Machine(
        model=None,
        states=State,
        transitions=TABLE,
        initial=State.start,
        auto_transitions=False,
        ignore_invalid_triggers=False,
        send_event=False,
    )


_local = threading.local()
T = TypeVar("T")


def thread_model(cls: type[T]) -> T:
    """This thread's long-lived model of `cls`, added to the shared machine once.

    The service runs the engine inside the database worker thread; one model per thread keeps
    two events handled at the same time in two threads from sharing a model."""
    models: dict[type, Any] = _local.__dict__.setdefault("models", {})
    model = models.get(cls)
    if model is None:
        model = cls()
        machine().add_model(model, initial=State.start)
        models[cls] = model
    return model


def set_state(model: Any, state: State) -> None:
    machine().set_state(state, model=model)


@cache  # asked several times per event; a handful of states and materials
def question_key(state: State | str, material: str | None = None) -> str | None:
    """The stable question key a state asks, or None for a state that asks nothing."""
    s = State(state)
    if s in (State.uploading, State.supplementing):
        return f"ask_upload_{material}" if material else None
    if s is State.not_yet_eligible:
        return "ask_reminder"
    if s is State.choosing_edit:
        return "ask_edit"
    if s is State.confirming_cancel:
        return "ask_cancel"
    return s.value if s.value.startswith("ask_") else None


def mermaid() -> str:
    """The table drawn as a mermaid state diagram (stable order: the table's own)."""
    lines = ["stateDiagram-v2", "    [*] --> start"]
    for row in TABLE:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        label = row["trigger"]
        if cond := row.get("conditions"):
            label += f" [{cond}]"
        if unless := row.get("unless"):
            label += f" [not {unless}]"
        if len(sources) > 4:
            where = "after the result" if set(sources) == AFTER_RESULT else "before submission"
            note = f"{label} from any state {where}"
            lines.append(f"    note right of {row['dest']} : {note}")
            continue
        for src in sources:
            lines.append(f"    {src} --> {row['dest']} : {label}")
    lines.append("    submitted --> [*]")
    return "\n".join(lines)


DOC = Path(__file__).resolve().parent.parent / "docs" / "conversation-flow.md"
_BEGIN = "```mermaid\n"
_END = "\n```\n"


def document() -> str:
    jumps = "\n".join(f"| `{t}` | {src} | {dst} |" for t, src, dst in JUMPS)
    return (
        "# The applicant conversation (drawn from `dialogs/machine.py`)\n\n"
        "Generated by `python -m dialogs.machine --write`; `tests/dialogs/test_machine.py` fails\n"
        "when this drawing and the table drift apart. Question states are named by their stable\n"
        "question keys; `uploading` and `supplementing` ask `ask_upload_<material code>`,\n"
        "`not_yet_eligible` asks `ask_reminder`, `choosing_edit` asks `ask_edit`.\n"
        "A question already answered is skipped on the way forward (after /back or an edit,\n"
        "only the cleared answers are asked again).\n\n"
        f"{_BEGIN}{mermaid()}{_END}\n"
        "Jumps whose destination is data, not a rule (not drawn above):\n\n"
        "| move | from | to |\n|---|---|---|\n"
        f"{jumps}\n"
    )


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOC.write_text(document(), encoding="utf-8")
        print(f"wrote {DOC}")
    else:
        print(document())
