"""The terminal chat (`python main.py chat`): Chinese text, choices by number or label, files
by path; a line that cannot be an event is explained, a turn that failed answered politely."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from console.inbox import InputError, file_event, looks_like_path
from console.rendering import print_human
from console.session import COMMANDS, FAILURES, Console, failure_code
from dialogs.events import Choice, Command, Event, Text
from locales import Translator
from locales.replies import Msg, Reply, render

PROMPT = "> "
# How often the terminal looks for pushes while it waits for a line: a result or a clerk's
# message shows within seconds, without the worker typing anything.
POLL_SECONDS = 2.0


def human_event(console: Console, line: str) -> Event:
    """What a typed line means: a command, a choice of the question shown (by its number,
    id or label), a file (by path, where pages are asked), or words."""
    text = line.strip()
    if text.startswith("/"):
        name, _, argument = text[1:].partition(" ")
        if name in COMMANDS:
            return Command(name, argument.strip())  # type: ignore[arg-type]
    choice = _chosen(console, text)
    if choice is not None:
        return choice
    if text and _names_a_file(console, text):
        return file_event(console.files, text, console.max_bytes)
    return Text(line.rstrip("\n"))


def _chosen(console: Console, text: str) -> Choice | None:
    """The choice of the question shown that the line names by number, id or label."""
    asked = _question_reply(console)
    if asked is None or console.last is None:
        return None
    open_now = console.last.question  # the buttons are versioned by the question open now
    tr = Translator(console.language)
    choices = [(o.id, render(o.label, tr)) for o in asked.choices]
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return Choice(choices[int(text) - 1][0], open_now)
    for choice_id, label in choices:
        if text in (choice_id, label):
            return Choice(choice_id, open_now)
    return None


def _names_a_file(console: Console, text: str) -> bool:
    """Where pages are asked, anything path-like; elsewhere an existing file typed as a path
    (handed over as what it is, so that the conversation says this step needs no file: never
    read as a name)."""
    candidate = Path(text.strip("'\"")).expanduser()
    asked = _question_reply(console)
    if asked is not None and asked.expects == "file":
        return candidate.is_file() or "/" in text or candidate.suffix != ""
    return looks_like_path(text) and candidate.is_file()


def _question_reply(console: Console) -> Reply | None:
    """The last reply that asked a question (its choices are the ones shown)."""
    if console.last is None:
        return None
    asked = [r for r in console.last.replies if r.question]
    return asked[-1] if asked else None


async def run_human(
    console: Console, stdin: TextIO, stdout: TextIO, poll_seconds: float = POLL_SECONDS
) -> None:
    loop = asyncio.get_running_loop()
    tr = Translator("zh_CN")
    stdout.write(tr("dialogs.console.intro") + "\n\n")
    await _human_turn(console, Command("start"), stdout)
    console.warm_up()
    while True:
        stdout.write(PROMPT)
        stdout.flush()
        reading = loop.run_in_executor(None, stdin.readline)
        line = await _read_showing_pushes(console, reading, stdout, poll_seconds)
        if not line or line.strip() in ("/exit", "/quit"):
            stdout.write("\n" + Translator(console.language)("dialogs.console.bye") + "\n")
            return
        try:
            event = human_event(console, line)
        except InputError as err:
            print_human([Reply(Msg(err.key, err.params))], console.language, stdout)
            continue
        await _human_turn(console, event, stdout)


async def _read_showing_pushes(
    console: Console, reading: asyncio.Future[str], stdout: TextIO, every: float
) -> str:
    """The line being read (in a thread); meanwhile, every `every` seconds, the work after a
    turn, and its pushes printed as they arrive, then the prompt again."""
    while True:
        done, _ = await asyncio.wait({reading}, timeout=every)
        if done:
            return reading.result()
        pushes = await console.idle()
        if pushes:
            stdout.write("\n")
            print_human(pushes, console.language, stdout, pushed=True, save=console.save_document)
            stdout.write(PROMPT)
            stdout.flush()


async def _human_turn(console: Console, event: Event, stdout: TextIO) -> None:
    """One turn in the terminal: the replies and pushes, or a polite line when it failed."""
    try:
        outcome, pushes = await console.send(event)
    except Exception as exc:
        print_human([Reply(Msg(FAILURES[failure_code(exc)]))], console.language, stdout)
        return
    save = console.save_document
    print_human(outcome.replies, outcome.language, stdout, save=save)
    print_human(pushes, outcome.language, stdout, pushed=True, save=save)
