"""Replies as the console shows them: text in the terminal (choices numbered, documents by
the path of their decrypted copy), or one JSON object per answered line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from dialogs.service import Outcome
from locales import Translator
from locales.replies import Document, Reply, render

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
