"""A pytest plugin: a test fails when any log record made while it ran carries an ID number or
a mobile number in clear, in its message, its exception's traceback or its stack.

Records are caught where they are made (the log record factory), whatever the logger, its
handlers or its propagation, in any thread; the root logger is held at DEBUG with production's
quiet libraries at WARNING, so every record that `LOG_LEVEL=DEBUG` would emit is made and
looked at. A number masked by the code that logs it (1506**********0016, 138****8000) passes;
the production formatter's mask is the last line, not an excuse.

A test whose subject is the mask itself logs numbers on purpose: it says so with
`@pytest.mark.unmasked_logs_ok`. The processes that tests start (`main.py run`, `web`, `staff`,
`platform serve`) log in another interpreter: the helpers that start them hand their stderr or
log file to `scan_output` / `scanned_log`, and a number in clear there fails the test that
started them just the same (that output is what production's mask let through).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.logging_setup import set_levels
from app.personal_numbers import find_numbers, mask_numbers

_MARKER = "unmasked_logs_ok"


class LogGuard:
    """Collects the offending records made since the last `take()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: list[str] = []
        self._previous: Callable[..., logging.LogRecord] | None = None

    def install(self) -> None:
        self._previous = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self._make)

    def uninstall(self) -> None:
        if self._previous is not None:
            logging.setLogRecordFactory(self._previous)

    def _make(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        assert self._previous is not None
        record = self._previous(*args, **kwargs)
        text = _text_of(record)
        if find_numbers(text):
            where = f"{record.name} {record.levelname} at {record.pathname}:{record.lineno}"
            self.found(where, text)
        return record

    def found(self, where: str, text: str) -> None:
        # The report shows the text masked: the test output is a log too.
        with self._lock:
            self._found.append(f"{where}:\n    {mask_numbers(text)[:600]}")

    def installed(self) -> bool:
        return logging.getLogRecordFactory() == self._make

    def take(self) -> list[str]:
        with self._lock:
            found, self._found = self._found, []
        return found


def _text_of(record: logging.LogRecord) -> str:
    """Everything of a record that a formatter could print."""
    try:
        parts = [record.getMessage()]
    except Exception:  # a broken format string: logging reports it; look at the pieces
        parts = [str(record.msg), repr(record.args)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


_GUARD = LogGuard()


def scan_output(text: str, where: str) -> None:
    """A subprocess's output (its stderr, its log): each line with a number in clear is
    reported with the test running now."""
    for number, line in enumerate(text.splitlines(), 1):
        if find_numbers(line):
            _GUARD.found(f"{where}, line {number}", line)


@contextmanager
def scanned_log(path: Path, where: str) -> Iterator[None]:
    """What a process appends to the file at `path` while the block runs, scanned at its end
    (the block ends after the process has stopped, so nothing it writes is missed)."""
    start = path.stat().st_size if path.exists() else 0
    try:
        yield
    finally:
        if path.exists():
            with path.open("rb") as log:
                log.seek(start)
                scan_output(log.read().decode(errors="replace"), where)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}: this test logs ID or phone numbers in clear on purpose (it tests the mask)",
    )
    _GUARD.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    _GUARD.uninstall()


def _guarded(item: pytest.Item, phase: str) -> Generator[None, Any, Any]:
    before = _GUARD.take()  # made between tests (a thread of an earlier test, a finaliser)
    if not _GUARD.installed():  # something replaced the factory: the guard would see nothing
        pytest.fail("the log record factory was replaced; the log guard cannot see records")
    if phase == "setup":
        set_levels("DEBUG")  # again each test: a test may have called setup_logging()
    result = yield
    found = before + _GUARD.take()
    if found and item.get_closest_marker(_MARKER) is None:
        pytest.fail(
            f"{len(found)} log record(s) in the {phase} carry an ID or phone number in clear "
            "(shown masked here):\n" + "\n".join(found[:10]),
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guarded(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guarded(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guarded(item, "teardown"))
