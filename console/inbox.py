"""Files named on a console line: read (bounded), checked as any channel checks an upload,
stored encrypted, and handed to the conversation as a `Files` event.

A person at their own terminal may name any path; a program on the JSON channel only a file
inside its `--inbox` folder, or the bytes inline. Any other path is refused with one reply for
every refusal (a missing, unreadable and forbidden path look the same from outside)."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path
from typing import Any

from cases.errors import FileTooLarge
from cases.filecheck import FileCheck, check_file
from cases.files import FileStore
from dialogs.events import Files, StoredFile


class InputError(ValueError):
    """A line the console cannot turn into an event; `key` is the message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def file_event(files: FileStore, raw_path: str, max_bytes: int) -> Files:
    """A file given by path at the person's own terminal: read (at most one byte over the
    limit, whatever its size on disk), checked like any channel does, stored."""
    path = Path(raw_path.strip().strip("'\"")).expanduser()
    if not path.is_file():
        raise InputError("dialogs.console.file_not_found", path=path.name)
    return stored_event(files, read_bounded(path, max_bytes), path.name, max_bytes)


def json_file_event(files: FileStore, given: Any, max_bytes: int, inbox: Path | None) -> Files:
    """A file on the JSON channel, which a program (not a person at their terminal) feeds:
    its bytes inline (`{"name": ..., "base64": ...}`), or the name of a file inside the
    `--inbox` folder."""
    if isinstance(given, dict):
        return _inline(files, given, max_bytes)
    path = inside(inbox, str(given))
    if path is None:
        raise InputError("dialogs.console.file_refused")
    try:
        data = read_bounded(path, max_bytes)
    except OSError:
        raise InputError("dialogs.console.file_refused") from None
    return stored_event(files, data, path.name, max_bytes)


def _inline(files: FileStore, given: dict[str, Any], max_bytes: int) -> Files:
    name, encoded = str(given.get("name") or "upload"), given.get("base64")
    if not isinstance(encoded, str):
        raise InputError("dialogs.console.file_refused")
    if len(encoded) > (max_bytes + 3) * 4 // 3 + 4:
        return stored_event(files, b"\0" * (max_bytes + 1), name, max_bytes)  # too large
    try:
        data = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise InputError("dialogs.console.file_refused") from None
    return stored_event(files, data, name, max_bytes)


def stored_event(files: FileStore, data: bytes, name: str, max_bytes: int) -> Files:
    """The checked file as the conversation sees it; stored only when it can be used."""
    check = check_file(data, name, None, max_bytes)
    size = check.size
    if check.problem is None:
        # Only the cleaned bytes are kept: images re-encoded without EXIF or trailing data.
        data = check.cleaned if check.cleaned is not None else data
        try:
            blob = files.put(data)
            sha, size = blob.sha256, blob.size
        except FileTooLarge:
            check = _with_problem(check, "too_large")
    if check.problem is not None:
        # Not kept, but known again by its keyed hash (never a plain hash of a document).
        sha = files.address_of(data)
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


def _with_problem(check: FileCheck, problem: str) -> FileCheck:
    return replace(check, problem=problem)


def looks_like_path(text: str) -> bool:
    """A typed path (with a directory or a file suffix), not an answer such as "15年"."""
    bare = text.strip("'\"")
    return "/" in bare or "\\" in bare or Path(bare).suffix != ""


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: enough to know a file is too large without reading it."""
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def inside(inbox: Path | None, name: str) -> Path | None:
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
