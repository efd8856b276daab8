"""`python main.py nlu [--json] [TEXT]`: what the bot understands in a message.

With TEXT: one result (human-readable, or one JSON object with --json). Without TEXT: one
JSON line per stdin line, in order, flushed each time, so a script can talk to it line by
line; blank and non-UTF-8 lines are answered too (undecodable bytes become U+FFFD).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, BinaryIO, TextIO


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "nlu",
        help="classify free text (intent, confidence, keywords)",
        description="Classify a message, or every stdin line as JSON lines.",
    )
    parser.add_argument("text", nargs="?", metavar="TEXT", help="one message; omit to read stdin")
    parser.add_argument("--json", action="store_true", help="print JSON (stdin mode always does)")
    parser.set_defaults(func=run)


def result(text: str) -> dict[str, Any]:
    from dialogs.nlu import classify

    intent = classify(text)
    return {
        "text": text,
        "intent": intent.name,
        "confidence": intent.confidence,
        "keywords": list(intent.keywords),
    }


def run(args: argparse.Namespace) -> int:
    return run_streams(args.text, args.json, sys.stdin.buffer, sys.stdout)


def run_streams(text: str | None, as_json: bool, stdin: BinaryIO, stdout: TextIO) -> int:
    if text is not None:
        answer = result(text)
        if as_json:
            print(json.dumps(answer, ensure_ascii=False), file=stdout)
        else:
            from dialogs.nlu import faq_key
            from locales import Translator

            keywords = "、".join(answer["keywords"]) or "-"
            print(
                f"{answer['intent']}  confidence {answer['confidence']:.2f}  keywords {keywords}",
                file=stdout,
            )
            print(Translator()(faq_key(answer["intent"])), file=stdout)
        return 0
    for raw in stdin:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        print(json.dumps(result(line), ensure_ascii=False), file=stdout, flush=True)
    return 0
