"""Review and edit: submit or change an answer at the review (only the questions that depend
on a changed answer are asked again); and the confirmation of /cancel."""

from __future__ import annotations

import re
from typing import Any

from dialogs import choice_words
from dialogs.engine.asking import ask, begin, choices
from dialogs.engine.keys import CASE_NUMBER
from dialogs.engine.one_form import one_form
from dialogs.engine.turn import Turn
from dialogs.machine import State
from dialogs.state import DiscardDraft, SubmitCase, WithdrawConsent
from locales.replies import Msg

# Words that ask for a change ("缴费改成26年", "镇选错了", "户口簿要重拍"); not "没错".
_CHANGE = re.compile(r"改|更正|(?<![没不])错|不对|重拍|重新|换成|change|wrong|fix", re.IGNORECASE)


def field_to_change(t: Turn, text: str) -> str | None:
    """The one question of the edit menu that typed words at the review ask to change, or
    None: they go straight there, as choosing 修改 and then that line would."""
    if not _CHANGE.search(text):
        return None
    fields = [c for c in choices(t, "ask_edit")[0] if c != "review"]
    return choice_words.contained(text, "ask_edit", fields)


def review(t: Turn, value: str) -> None:
    if value == "edit":
        t.trigger("edit")
        return ask(t)
    if value.startswith("ask_"):  # a line named with the change (field_to_change)
        t.trigger("edit")
        return edit(t, value)
    t.do(SubmitCase(form(t)))
    t.trigger("submit")
    t.d.history.clear()
    t.say("dialogs.submitted", case_number=CASE_NUMBER, advisory=Msg("dialogs.precheck_advisory"))


def form(t: Turn) -> dict[str, Any]:
    """The case form, in the fields `policy/items.toml [form]` declares. The materials are
    not form data: their pages are the case's own records and travel as its materials."""
    return one_form(t.d.answers)


def edit(t: Turn, value: str) -> None:
    if value == "review":
        t.trigger("next")
        return ask(t)
    t.clear(value)
    t.d.editing = True
    if value.startswith("ask_upload_"):
        t.d.material = value.removeprefix("ask_upload_")
        t.jump(State.uploading)
    else:
        t.jump(State(value))
    ask(t)


def confirm_cancel(t: Turn, action: str) -> None:
    """/cancel or /restart before submission: say exactly what will be lost and ask to
    confirm, remembering the interrupted question. Only a command leads here."""
    if t.state is not State.confirming_cancel:
        t.d.resume = t.state.value
        t.trigger("cancel")
    t.d.confirming = action
    ask(t)


def cancel(t: Turn, value: str) -> None:
    """The answer to ask_cancel: withdraw and discard (or start again), or back to the
    interrupted question."""
    resume = State(t.d.resume or State.ask_name)
    action = t.d.confirming or "cancel"
    t.d.resume = t.d.confirming = None
    if value == "yes" and action == "restart":
        t.do(DiscardDraft())
        t.reset()
        return begin(t)
    if value == "yes":
        t.do(DiscardDraft())
        t.do(WithdrawConsent())
        t.trigger("confirm")
        t.reset()
        t.say("dialogs.cancelled")
        return None
    t.jump(resume)
    ask(t, lead=Msg("dialogs.cancel_kept"))
