"""The JSON-lines chat (`python main.py chat --json --user ID`): one JSON object per stdin line
in, exactly one JSON line out per input line, for scripts and front ends. A line that is no
event, and a turn that failed, are answered too, with an `error` code beside the replies."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TextIO

from console.inbox import InputError, json_file_event
from console.rendering import outcome_json
from console.session import COMMANDS, FAILURES, Console, failure_code
from dialogs.events import Choice, Command, Contact, Event, Text
from locales.replies import Msg, Reply


def json_event(console: Console, line: str) -> Event:
    """The event one JSON line gives: {"command"}, {"text"}, {"choice", "question"},
    {"file"} (a name inside --inbox, or the bytes inline) or {"contact"}."""
    try:
        obj = json.loads(line)
    except ValueError:
        raise InputError("dialogs.console.bad_json") from None
    if not isinstance(obj, dict) or len(obj) == 0:
        raise InputError("dialogs.console.bad_json")
    for field, read in _FIELDS.items():
        if field in obj:
            return read(console, obj)
    raise InputError("dialogs.console.bad_json")


def _command(console: Console, obj: dict[str, Any]) -> Event:
    name = str(obj["command"]).lstrip("/")
    if name not in COMMANDS:
        raise InputError("dialogs.console.unknown_command", command=name[:40])
    return Command(name, str(obj.get("argument", "")))  # type: ignore[arg-type]


def _choice(console: Console, obj: dict[str, Any]) -> Event:
    question = obj.get("question")
    return Choice(str(obj["choice"]), str(question) if question else None)


def _file(console: Console, obj: dict[str, Any]) -> Event:
    return json_file_event(console.files, obj["file"], console.max_bytes, console.inbox)


# The fields of a line, in the order they are looked for.
_FIELDS = {
    "command": _command,
    "text": lambda console, obj: Text(str(obj["text"])),
    "choice": _choice,
    "file": _file,
    "contact": lambda console, obj: Contact(str(obj["contact"])),
}


async def run_json(console: Console, stdin: TextIO, stdout: TextIO) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return
        answer = await _answer(console, line)
        stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        stdout.flush()
        if "error" not in answer:
            console.warm_up()  # after the first answer is out, never before


async def _answer(console: Console, line: str) -> dict[str, Any]:
    """The one JSON answer to one line: the turn's replies and pushes, or the error."""
    try:
        event = json_event(console, line)
    except InputError as err:
        return _error(console, Reply(Msg(err.key, err.params)), err.key)
    try:
        outcome, pushes = await console.send(event)
    except Exception as exc:
        code = failure_code(exc)
        return _error(console, Reply(Msg(FAILURES[code])), code)
    replies = outcome.replies + pushes
    return outcome_json(outcome, replies, outcome.language, console.save_document)


def _error(console: Console, reply: Reply, code: str) -> dict[str, Any]:
    out = outcome_json(console.last, [reply], console.language)
    out["error"] = code
    return out
