"""A console session over the parts the composition root built (`runtime.services.Services`
gives them): the terminal or the JSON-lines chat, until the end of input."""

from __future__ import annotations

import sys
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from app.clock import Clock
from app.settings import Settings
from cases.db import Database
from cases.files import FileStore
from console.json_lines import run_json
from console.session import Console
from console.terminal import run_human
from dialogs.service import ConversationService


class ConsoleParts(Protocol):
    """What the console needs of the composition root."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def files(self) -> FileStore: ...
    @property
    def conversation(self) -> ConversationService: ...
    def aftercare_sweep(self, now: datetime) -> Awaitable[object]: ...
    def embedded_adapter(self) -> Any: ...


async def run_console(
    services: ConsoleParts,
    *,
    json_mode: bool = False,
    user_id: str = "console",
    inbox: Path | None = None,
    documents: Path | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run one console session until end of input; the caller closes the parts."""
    console = Console(
        services.conversation,
        services.db,
        services.files,
        user_id,
        services.settings.files.max_bytes,
        platform=services.embedded_adapter,
        clock=services.clock,
        data_dir=services.settings.data_dir,
        aftercare=services.aftercare_sweep,
        inbox=inbox,
        documents=documents,
    )
    try:
        if json_mode:
            await run_json(console, stdin or sys.stdin, stdout or sys.stdout)
        else:
            await run_human(console, stdin or sys.stdin, stdout or sys.stdout)
    finally:
        await console.close()
    return 0
