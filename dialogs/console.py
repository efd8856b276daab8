"""The console channel: the very same conversation in a terminal, with no network.

Two modes:
* human (`python main.py chat`): Chinese text, choices by number or label, files by path;
* JSON (`python main.py chat --json --user ID`): one JSON object per stdin line in, exactly one
  JSON line out per input line (a bad line gets an error line), for scripts and front ends.

Pushes (the notification outbox of this applicant, e.g. "accepted" from the platform) are
shown as they arrive, after each input, and marked sent. With the embedded platform, the
platform outbox is delivered in-process after each input, so a submission reaches the
platform without any other process running.

When the database cannot be used (a SQLite file locked or unreadable, PostgreSQL down or the
connection dropped), the line is still answered, once: "busy, please try again shortly" (in
JSON mode with `"error": "service_unavailable"`), and the session carries on; the next line
after the database is back is handled as usual, where the conversation stood. Any other
failure of a turn is answered with an apology (`"error": "internal_error"`). The work after
each turn (platform calls, aftercare, pushes) never costs the line its answer: what fails
there is tried again after the next input.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from dialogs.events import (
    Choice,
    Command,
    Contact,
    Event,
    Files,
    StoredFile,
    Text,
)
from locales import Translator
from locales.replies import Document, Msg, Reply, from_json, render

T = TypeVar("T")
Sweep = Callable[[datetime], Awaitable[object]]

if TYPE_CHECKING:
    from app.settings import Settings
    from cases.db import Database
    from cases.files import FileStore
    from dialogs.service import ConversationService, Outcome

log = logging.getLogger(__name__)

CHANNEL = "console"
COMMANDS = ("start", "help", "status", "cancel", "restart", "back", "language", "mydata")
# A turn that failed: the JSON `error` code and the message shown.
FAILURES = {
    "service_unavailable": "dialogs.console.busy",
    "internal_error": "dialogs.console.failed",
}


class InputError(ValueError):
    """A line the console cannot turn into an event; `key` is the message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass
class Console:
    """One console session of one applicant over the shared service."""

    service: ConversationService
    db: Database
    files: FileStore
    user_id: str
    max_bytes: int
    platform: Any = None  # an adapter for drain_platform_outbox, when one is available
    clock: Callable[[], datetime] | None = None
    # The aftercare sweep (notices, online-step checks), run after each turn; handed in by
    # the composition root, since the conversation knows nothing of aftercare.
    aftercare: Sweep | None = None
    last: Outcome | None = None

    data_dir: Path = Path("data")
    inbox: Path | None = None  # JSON mode: the only folder files may be named from
    documents: Path | None = None  # where sent documents are saved, decrypted, to be opened
    _warm: asyncio.Future[None] | None = None

    async def send(self, event: Event) -> tuple[Outcome, list[Reply]]:
        """Hand one event to the conversation; then the turn's side work, whose failures are
        logged and left for the next turn (the answer stands). Raises what the conversation
        raised (StoreUnavailable when the database cannot be used): see `failure_code`."""
        outcome = await self.service.handle(CHANNEL, self.user_id, event)
        self.last = outcome
        await self._side_work("platform calls", self.deliver_platform_calls)
        await self._side_work("aftercare", self.deliver_results)
        return outcome, await self._side_work("pushes", self.pushes) or []

    async def _side_work(self, what: str, step: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await step()
        except Exception as exc:
            _log_failure(f"{what} after the turn (tried again next turn)", exc)
            return None

    async def deliver_results(self) -> None:
        """The result notice once every office has answered, and the due online-step checks
        (aftercare): the console has no worker of its own, so it looks at each turn.

        Never at the cost of the turn: a case that fails is recorded and retried by the tick
        itself (aftercare/failures.py), and should the sweep itself fail, the applicant still
        gets the answer; the next turn tries again."""
        if self.last is None or self.last.case_number is None or self.aftercare is None:
            return  # no case yet (or no sweep): nothing to deliver
        try:
            await self.aftercare(self._now())
        except Exception:
            log.exception("aftercare in the console failed; the chat goes on")

    def warm_up(self) -> None:
        """After the first reply is out: load jieba (~0.7 s) in a thread owned by this console
        (awaited when it closes), so that the first reply never waits for it."""
        if self._warm is None:
            self._warm = asyncio.ensure_future(asyncio.to_thread(_warm_up, self.data_dir))

    async def close(self) -> None:
        if self._warm is not None:
            await self._warm

    async def deliver_platform_calls(self) -> None:
        if callable(self.platform) and not hasattr(self.platform, "submit"):
            self.platform = self.platform()  # built on first use: not on the first reply's path
        if self.platform is None or self.last is None or self.last.case_number is None:
            return  # nothing can be in the platform outbox before a case number exists
        from cases.platform.delivery import drain_platform_outbox

        await drain_platform_outbox(self.db, self.platform, now=self.clock)

    async def pushes(self) -> list[Reply]:
        """Pending pushes for this applicant, marked sent: the console has shown them."""
        return await self.db.run(_take_pushes, self.user_id, self._now())

    def _now(self) -> datetime:
        return (self.clock or (lambda: datetime.now(UTC)))()

    def save_document(self, document: Document) -> str:
        """A document a reply carries, decrypted from the store into the documents folder
        (private: 0700/0600) under its file name; returns the path to show."""
        import os
        import tempfile

        if self.documents is None:
            self.documents = Path(tempfile.mkdtemp(prefix="retirement-documents-"))
        self.documents.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.documents / (Path(document.filename).name or document.address)
        data = self.files.read(document.address)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return str(target)

    # ---- reading input ----
    def file_event(self, raw_path: str) -> Files:
        """A file given by path at the person's own terminal: read (at most one byte over
        the limit, whatever its size on disk), checked like any channel does, stored."""
        path = Path(raw_path.strip().strip("'\"")).expanduser()
        if not path.is_file():
            raise InputError("dialogs.console.file_not_found", path=path.name)
        return self.stored_event(_read_bounded(path, self.max_bytes), path.name)

    def json_file_event(self, given: Any) -> Files:
        """A file on the JSON channel, which a program (not a person at their terminal) feeds:
        its bytes inline (`{"name": ..., "base64": ...}`), or the name of a file inside the
        `--inbox` folder. Any other path is refused, with one reply for every refusal (a
        missing, unreadable and forbidden path look the same from outside)."""
        if isinstance(given, dict):
            name, encoded = str(given.get("name") or "upload"), given.get("base64")
            if not isinstance(encoded, str):
                raise InputError("dialogs.console.file_refused")
            if len(encoded) > (self.max_bytes + 3) * 4 // 3 + 4:
                return self.stored_event(b"\0" * (self.max_bytes + 1), name)  # too large
            try:
                data = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise InputError("dialogs.console.file_refused") from None
            return self.stored_event(data, name)
        path = _inside(self.inbox, str(given))
        if path is None:
            raise InputError("dialogs.console.file_refused")
        try:
            data = _read_bounded(path, self.max_bytes)
        except OSError:
            raise InputError("dialogs.console.file_refused") from None
        return self.stored_event(data, path.name)

    def stored_event(self, data: bytes, name: str) -> Files:
        from cases.errors import FileTooLarge

        check = _check(data, name, self.max_bytes)
        size = check.size
        if check.problem is None:
            # Only the cleaned bytes are kept: images re-encoded without EXIF or trailing data.
            data = check.cleaned if check.cleaned is not None else data
            try:
                blob = self.files.put(data)
                sha, size = blob.sha256, blob.size
            except FileTooLarge:
                check = _with_problem(check, "too_large")
        if check.problem is not None:
            # Not kept, but known again by its keyed hash (never a plain hash of a document).
            sha = self.files.address_of(data)
        stored = StoredFile(
            sha256=sha,
            mime_type=check.mime_type,
            size=size,
            width=check.width,
            height=check.height,
            page_count=check.page_count,
            problem=check.problem,
        )
        return Files((stored,))

    def json_event(self, line: str) -> Event:
        try:
            obj = json.loads(line)
        except ValueError:
            raise InputError("dialogs.console.bad_json") from None
        if not isinstance(obj, dict) or len(obj) == 0:
            raise InputError("dialogs.console.bad_json")
        if "command" in obj:
            name = str(obj["command"]).lstrip("/")
            if name not in COMMANDS:
                raise InputError("dialogs.console.unknown_command", command=name[:40])
            return Command(name, str(obj.get("argument", "")))  # type: ignore[arg-type]
        if "text" in obj:
            return Text(str(obj["text"]))
        if "choice" in obj:
            question = obj.get("question")
            return Choice(str(obj["choice"]), str(question) if question else None)
        if "file" in obj:
            return self.json_file_event(obj["file"])
        if "contact" in obj:
            return Contact(str(obj["contact"]))
        raise InputError("dialogs.console.bad_json")

    def human_event(self, line: str) -> Event:
        text = line.strip()
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            if name in COMMANDS:
                return Command(name, argument.strip())  # type: ignore[arg-type]
        choices = self._choices()
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            return Choice(choices[int(text) - 1][0], self.last.question if self.last else None)
        for choice_id, label in choices:
            if text in (choice_id, label):
                return Choice(choice_id, self.last.question if self.last else None)
        if text:
            candidate = Path(text.strip("'\"")).expanduser()
            if self._expects() == "file":
                if candidate.is_file() or "/" in text or candidate.suffix:
                    return self.file_event(text)
            elif _looks_like_path(text) and candidate.is_file():
                # A file where words or a choice were asked: hand it over as what it is, so
                # that the conversation says this step needs no file (never read as a name).
                return self.file_event(text)
        return Text(line.rstrip("\n"))

    def _question_reply(self) -> Reply | None:
        if self.last is None:
            return None
        asked = [r for r in self.last.replies if r.question]
        return asked[-1] if asked else None

    def _choices(self) -> list[tuple[str, str]]:
        reply = self._question_reply()
        if reply is None or self.last is None:
            return []
        tr = Translator(self.last.language)
        return [(o.id, render(o.label, tr)) for o in reply.choices]

    def _expects(self) -> str:
        reply = self._question_reply()
        return reply.expects if reply else "none"


def failure_code(exc: Exception) -> str:
    """The code of a turn that failed (a key of FAILURES), logged without personal data."""
    from cases.errors import StoreUnavailable

    if isinstance(exc, StoreUnavailable):
        log.warning("the database is unavailable, the line was answered busy: %s", exc)
        return "service_unavailable"
    _log_failure("the conversation failed", exc)
    return "internal_error"


def _log_failure(what: str, exc: Exception) -> None:
    from app.logging_setup import mask_text
    from cases.errors import StoreUnavailable

    if isinstance(exc, StoreUnavailable):
        log.warning("%s: %s", what, exc)
        return
    # The traceback may quote what the applicant typed (SQL parameters): masked as a whole.
    log.error("%s:\n%s", what, mask_text("".join(traceback.format_exception(exc))).rstrip())


def _looks_like_path(text: str) -> bool:
    """A typed path (with a directory or a file suffix), not an answer such as "15年"."""
    bare = text.strip("'\"")
    return "/" in bare or "\\" in bare or Path(bare).suffix != ""


def _warm_up(data_dir: Path) -> None:
    from dialogs import nlu

    nlu.warm_up(data_dir)


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: enough to know a file is too large without reading it."""
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def _inside(inbox: Path | None, name: str) -> Path | None:
    """The regular file `name` inside `inbox` (symbolic links resolved), or None."""
    if inbox is None or not name or "\0" in name:
        return None
    try:
        root = inbox.resolve(strict=True)
        path = (root / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _check(data: bytes, filename: str, max_bytes: int) -> Any:
    from cases.filecheck import check_file

    return check_file(data, filename, None, max_bytes)


def _with_problem(check: Any, problem: str) -> Any:
    from dataclasses import replace

    return replace(check, problem=problem)


def _take_pushes(session: Any, user_id: str, now: datetime) -> list[Reply]:
    from sqlalchemy import select

    from cases import repositories as repo
    from cases.models import Applicant

    applicant = session.scalars(
        select(Applicant).where(
            Applicant.channel == CHANNEL, Applicant.external_user_id == user_id
        )
    ).one_or_none()
    if applicant is None:
        return []
    replies = []
    for row in repo.pending_notifications(session, applicant.id):
        replies.append(from_json(row.payload))
        repo.mark_notification_sent(session, row.id, at=now)
    return replies


# ---- rendering -------------------------------------------------------------------------------


# How a document is shown: the path of its decrypted copy (Console.save_document).
SaveDocument = Callable[[Document], str]


def _no_save(document: Document) -> str:
    return document.filename


def reply_json(reply: Reply, tr: Translator, save: SaveDocument = _no_save) -> dict[str, Any]:
    return {
        "key": reply.key,
        "text": render(reply.message, tr),
        "choices": [{"id": o.id, "label": render(o.label, tr)} for o in reply.choices],
        "expects": reply.expects,
        "document": save(reply.document) if reply.document else None,
    }


def outcome_json(
    outcome: Outcome | None,
    replies: list[Reply],
    language: str,
    save: SaveDocument = _no_save,
) -> dict[str, Any]:
    tr = Translator(language)
    return {
        "state": outcome.state if outcome else None,
        "case_number": outcome.case_number if outcome else None,
        "replies": [reply_json(r, tr, save) for r in replies],
    }


def print_human(
    replies: list[Reply],
    language: str,
    out: TextIO,
    pushed: bool = False,
    save: SaveDocument = _no_save,
) -> None:
    tr = Translator(language)
    for reply in replies:
        if pushed:
            out.write(tr("dialogs.console.push") + "\n")
        out.write(render(reply.message, tr) + "\n")
        for n, option in enumerate(reply.choices, 1):
            out.write(f"  {n}. {render(option.label, tr)}\n")
        if reply.document is not None:
            out.write(tr("dialogs.console.document", path=save(reply.document)) + "\n")
        if reply.expects == "file":
            out.write(tr("dialogs.console.file_hint") + "\n")
        out.write("\n")
    out.flush()


# ---- the two loops ---------------------------------------------------------------------------


async def run_json(console: Console, stdin: TextIO, stdout: TextIO) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return
        language = console.last.language if console.last else "zh_CN"
        try:
            event = console.json_event(line)
        except InputError as err:
            error = Reply(Msg(err.key, err.params))
            out = outcome_json(console.last, [error], language)
            out["error"] = err.key
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            stdout.flush()
            continue
        try:
            outcome, pushes = await console.send(event)
        except Exception as exc:
            code = failure_code(exc)
            out = outcome_json(console.last, [Reply(Msg(FAILURES[code]))], language)
            out["error"] = code
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            stdout.flush()
            continue
        replies = outcome.replies + pushes
        result = outcome_json(outcome, replies, outcome.language, console.save_document)
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
        console.warm_up()


async def run_human(console: Console, stdin: TextIO, stdout: TextIO) -> None:
    loop = asyncio.get_running_loop()
    tr = Translator("zh_CN")
    stdout.write(tr("dialogs.console.intro") + "\n\n")
    await _human_turn(console, Command("start"), stdout)
    console.warm_up()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line or line.strip() in ("/exit", "/quit"):
            bye = Translator(console.last.language if console.last else "zh_CN")
            stdout.write("\n" + bye("dialogs.console.bye") + "\n")
            return
        language = console.last.language if console.last else "zh_CN"
        try:
            event = console.human_event(line)
        except InputError as err:
            print_human([Reply(Msg(err.key, err.params))], language, stdout)
            continue
        await _human_turn(console, event, stdout)


async def _human_turn(console: Console, event: Event, stdout: TextIO) -> None:
    """One turn in the terminal: the replies and pushes, or a polite line when it failed."""
    try:
        outcome, pushes = await console.send(event)
    except Exception as exc:
        language = console.last.language if console.last else "zh_CN"
        print_human([Reply(Msg(FAILURES[failure_code(exc)]))], language, stdout)
        return
    save = console.save_document
    print_human(outcome.replies, outcome.language, stdout, save=save)
    print_human(pushes, outcome.language, stdout, pushed=True, save=save)


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
    """Run one console session until end of input over the parts the composition root built
    (`runtime.services.Services` gives them); the caller closes them."""
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


class ConsoleParts(Protocol):
    """What the console needs of the composition root."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def files(self) -> FileStore: ...
    @property
    def conversation(self) -> ConversationService: ...
    def aftercare_sweep(self, now: datetime) -> Awaitable[object]: ...
    def embedded_adapter(self) -> Any: ...
