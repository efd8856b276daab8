"""The terminal chat prints a push as it arrives (a case accepted, a result delivered), while
it waits for the worker's next line, not only after it (issue 13)."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cases import repositories as repo
from cases.db import Database
from cases.files import open_file_store
from console.session import Console
from console.terminal import run_human
from dialogs.service import ConversationService
from locales.replies import Msg, Reply, to_json

DEADLINE = 60.0  # seconds: generous, the test waits on a condition, never on a speed


async def until(condition: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < end, "the condition never held"
        await asyncio.sleep(0.05)


async def test_a_push_shows_while_the_terminal_waits_for_a_line(
    db: Database, service: ConversationService, clock: Callable[[], datetime], tmp_path: Path
) -> None:
    console = Console(
        service,
        db,
        open_file_store(tmp_path / "files", 1_000_000, db.require_vault()),
        "u1",
        1_000_000,
        clock=clock,
        data_dir=tmp_path,
    )
    read_end, write_end = os.pipe()
    stdin, typed = os.fdopen(read_end, "r"), os.fdopen(write_end, "w")
    out = io.StringIO()
    chat = asyncio.create_task(run_human(console, stdin, out, poll_seconds=0.05))
    await until(lambda: "请选择语言" in out.getvalue() or "语言" in out.getvalue())

    def accepted_push(session: Any) -> None:
        applicant = repo.get_or_create_applicant(session, "console", "u1")
        message = Msg("platform.accepted", {"case_number": "YJ-1", "count": 6})
        repo.enqueue_notification(session, applicant.id, to_json(Reply(message)), "push:1")

    await db.run(accepted_push)  # nothing is typed: the chat is waiting for a line
    await until(lambda: "已受理" in out.getvalue())
    shown = out.getvalue()
    assert "【通知】" in shown and shown.rstrip().endswith(">")  # then the prompt again
    assert shown.count("已受理") == 1

    typed.write("1\n")  # the next line is answered as usual, the push not shown again
    typed.flush()
    await until(lambda: "同意" in out.getvalue()[len(shown) :])
    assert out.getvalue().count("已受理") == 1
    typed.close()
    await asyncio.wait_for(chat, DEADLINE)
    await console.close()
    stdin.close()
