"""`python main.py precheck`: the pre-check that window staff, employers' HR and scripts use.

Single mode (`--id-number N`): one result, as short Chinese text or `--json`; exit 0 when the
number is valid, 2 when not, with the reason on stderr in Chinese.

Batch mode (no `--id-number`): reads stdin line by line, `ID_NUMBER[,CATEGORY[,MONTHS]]`, and
writes exactly one JSON line per input line, in order, errors included; exit 0. Input is read
as bytes in chunks of at most 64 KiB, so a 10 MB line or a million lines never sit in memory;
answers are flushed whenever the input pauses, so it also works line by line from a script.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from policy.precheck import ResultTexts

# Longest line read whole; anything longer is answered `line_too_long` and skipped in chunks.
MAX_LINE_BYTES = 4096
_READ_CHUNK = 1 << 16
_GROUP_LINES = 128


class ByteSource(Protocol):
    def read1(self, size: int = -1, /) -> bytes: ...


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "precheck",
        help="退休资格预审 · retirement pre-check (one ID number, or a batch on stdin)",
        description=(
            "预审一个身份证号码；不带 --id-number 时从标准输入逐行读取 "
            "ID_NUMBER[,CATEGORY[,CONTRIBUTION_MONTHS]]，每行输出一行 JSON。"
        ),
    )
    parser.add_argument("--id-number", help="身份证号码（18位，或15位旧号码）")
    parser.add_argument(
        "--category",
        help="male | female_cadre | female_worker (男性默认 male；批量时作为空白栏的默认值)",
    )
    parser.add_argument("--contribution-months", help="累计缴费月数 (0..1200)")
    parser.add_argument("--today", help="按这一天预审，YYYY-MM-DD（默认今天，北京时间）")
    parser.add_argument("--json", action="store_true", help="输出 JSON（批量模式总是 JSON）")
    from commands import precheck_estimate

    precheck_estimate.register_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.clock import local_today

    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            from locales import catalog

            print(catalog("zh_CN")["precheck.error.bad_today"], file=sys.stderr)
            return 2
    else:
        today = local_today()
    if args.id_number is None:
        try:
            # stdin.buffer is a BufferedReader (read1), whatever typeshed calls it.
            source = cast(ByteSource, sys.stdin.buffer)
            run_batch(source, sys.stdout.buffer, today, args.category, args.contribution_months)
        except BrokenPipeError:
            # The reader went away (`| head`): nothing more to say to it, and no traceback
            # when Python flushes stdout at exit (the recipe of the `signal` module's docs).
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        return 0
    return run_single(
        args.id_number, args.category, args.contribution_months, today, args.json, args=args
    )


def run_single(
    id_number: str,
    category: str | None,
    contribution: str | None,
    today: date,
    as_json: bool,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    args: argparse.Namespace | None = None,
) -> int:
    from commands import precheck_estimate
    from locales import Translator
    from policy.precheck import precheck_fields

    out, err = out or sys.stdout, err or sys.stderr
    result = precheck_fields(id_number, category, contribution, today, result_texts())
    estimate_text = None
    if args is not None and precheck_estimate.wanted(args):
        estimate_text = precheck_estimate.attach(result, args, today)
    if as_json:
        print(json.dumps(result, ensure_ascii=False), file=out)
    else:
        print(render_text(result, Translator("zh_CN")), file=out)
        if estimate_text:
            print(estimate_text, file=out)
    if not result["valid"]:
        print(result["error"]["message"], file=err)
        return 2
    return 0


def read_lines(
    inp: ByteSource,
    limit: int = MAX_LINE_BYTES,
    before_wait: Callable[[], None] | None = None,
) -> Iterator[bytes | None]:
    """Each input line without its line ending, or None for a line longer than `limit` bytes
    (dropped as it arrives, so memory stays bounded by `limit` plus one chunk).

    `before_wait` runs whenever every line read so far has been handed out and the next read
    may block: the batch flushes its answers there, so a script that writes one line and waits
    for its answer gets it, while a big file still goes out in large writes."""
    buf, pos, skipping = b"", 0, False
    while True:
        end = buf.find(b"\n", pos)
        if end >= 0:
            if skipping or end - pos > limit:
                yield None
            else:
                yield buf[pos:end].rstrip(b"\r")
            skipping, pos = False, end + 1
            continue
        if skipping or len(buf) - pos > limit:
            skipping, buf = True, b""  # a line too long to be anything: drop what came so far
        else:
            buf = buf[pos:]
        pos = 0
        if before_wait is not None:
            before_wait()
        chunk = inp.read1(_READ_CHUNK)
        if not chunk:
            if skipping:
                yield None
            elif buf:
                yield buf.rstrip(b"\r")  # the last line had no line ending
            return
        buf += chunk


def run_batch(
    inp: ByteSource,
    out: ByteSink,
    today: date,
    default_category: str | None = None,
    default_contribution: str | None = None,
) -> int:
    """Answer every line of `inp` with one JSON line on `out`, in order; return the count."""
    from policy.precheck import PrecheckError, error_result
    from policy.precheck_json import precheck_line_json

    texts = result_texts()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    too_long = dumps(error_result(PrecheckError("line_too_long"), texts))
    bad_encoding = dumps(error_result(PrecheckError("bad_encoding"), texts))
    # Answers go out in groups: one pipe write per ~100 KiB instead of one per 8 KiB buffer
    # cuts the kernel time of a large batch by half; memory stays bounded by the group.
    pending: list[bytes] = []

    def send() -> None:
        if pending:
            out.write(b"".join(pending))
            pending.clear()
            out.flush()

    count = 0
    for raw in read_lines(inp, before_wait=send):
        count += 1
        if raw is None:
            answer = too_long
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                answer = bad_encoding
            else:
                answer = precheck_line_json(
                    text, today, texts, default_category, default_contribution
                )
        # The line number first, so HR can match answers to rows even after filtering.
        pending.append(f'{{"line":{count},{answer[1:]}\n'.encode())
        if len(pending) >= _GROUP_LINES:
            out.write(b"".join(pending))
            pending.clear()
    send()
    out.flush()
    return count


def render_text(result: dict[str, Any], t: Any) -> str:
    """A few short lines of plain Chinese (or the translator's language) for a phone."""
    if not result["valid"]:
        return t("precheck.invalid", message=t(_error_key(result["error"]["code"])))
    born = date.fromisoformat(result["birth_date"])
    lines = [
        t(
            "precheck.heading",
            masked=result["id_number_masked"],
            sex=t(f"precheck.sex_{result['sex']}"),
            year=born.year,
            month=born.month,
        )
    ]
    notes: list[str] = list(result["notes"])
    if result["by_category"]:
        for name, outcome in result["by_category"].items():
            lines.append(t("precheck.for_category", category=t(f"precheck.category.{name}")))
            lines.extend(_outcome_lines(outcome, t))
            notes += [n for n in outcome["notes"] if n not in notes]
    else:
        lines.extend(_outcome_lines(result, t))
    for note in notes:
        if note == "contribution_short":
            continue  # told with each outcome above, with its own number of months
        if note == "female_category_to_confirm" and "female_category_required" in notes:
            continue  # the question already says the office confirms it
        lines.append(t(f"retirement.note.{note}"))
    lines.append(t("advisory"))
    return "\n".join(lines)


def _outcome_lines(outcome: dict[str, Any], t: Any) -> list[str]:
    from locales import when  # imported on use, as this command's other imports

    age = outcome["statutory_age"]
    statutory = outcome["statutory_retirement_month"]
    early, late = outcome["earliest_flexible_month"], outcome["latest_flexible_month"]
    age_text = (
        t("precheck.age_years_months", years=age["years"], months=age["months"])
        if age["months"]
        else t("precheck.age_years", years=age["years"])
    )
    minimum = outcome["min_contribution_months"]
    lines = [
        t("precheck.statutory", age=age_text, year=statutory[:4], month=int(statutory[5:])),
        t("precheck.reached")
        if outcome["reached_statutory_age"]
        else t(
            "precheck.not_reached",
            months=when.text(t, when.duration(outcome["months_until_statutory"])),
        ),
        t("precheck.minimum", years=f"{minimum / 12:g}", months=minimum),
    ]
    if early is not None and late is not None:  # none for who reached it before the reform
        lines.append(
            t(
                "precheck.flexible",
                early_year=early[:4],
                early_month=int(early[5:]),
                late_year=late[:4],
                late_month=int(late[5:]),
            )
        )
    if outcome["contribution_shortfall_months"]:
        lines.append(
            t(
                "retirement.note.contribution_short",
                months=when.text(t, when.duration(outcome["contribution_shortfall_months"])),
            )
        )
    return lines


def _error_key(code: str) -> str:
    from locales import catalog

    key = f"idcard.{code}"
    return key if key in catalog("zh_CN") else f"precheck.error.{code}"


def result_texts() -> ResultTexts:
    """The pre-check speaks Chinese: its messages and advisory come from the zh_CN catalog."""
    from locales import catalog
    from policy.precheck import ResultTexts

    return ResultTexts(catalog("zh_CN"))
