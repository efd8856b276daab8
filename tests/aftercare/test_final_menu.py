"""The menu after the case is closed answers a typed number, like every other question."""

from __future__ import annotations

from typing import Any

from console.session import Console
from console.terminal import human_event
from dialogs.engine.result_questions import finished_menu
from dialogs.events import Choice
from dialogs.service import Outcome
from locales.replies import Msg, Reply


def test_a_typed_number_at_the_final_menu_picks_that_document() -> None:
    nothing: Any = None
    console = Console(service=nothing, db=nothing, files=nothing, user_id="u1", max_bytes=1)
    console.last = Outcome(
        state="finished",
        case_number="YJ-20261126-0001",
        language="zh_CN",
        replies=[Reply(Msg("aftercare.finished")), finished_menu()],
    )
    first = human_event(console, "1")
    assert isinstance(first, Choice) and first.id == "signed_copy"
    guide = human_event(console, "服务指南")
    assert isinstance(guide, Choice) and guide.id == "doc_guide"
