"""Every staff list reads a page with the same number of statements at 50 cases and at 500,
the first page, the last, and a page deep in the list reached from another (keyset paging,
`cases.keyset`): the clerk's queue, an office's inbox, the task list and the ratings (issue 17).
The same functions serve the console's pages and the `staff` commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aftercare import reports
from cases.db import Database
from cases.keyset import FIRST, Position
from cases.tasks import task_page
from commands.staff_text import page_footer
from integrations.platform.embedded.platform import EmbeddedPlatform
from tests.cases.statements import counted
from tests.platform.bulk_staff import seed

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
OFFICE = "social_insurance_center"
LAST = Position(last=True, page=None)


def _lists(platform: EmbeddedPlatform) -> dict[str, Callable[[Any, Position], list[str]]]:
    """Each list's page of 5 rows from a position, as the console and the commands read it:
    the rows as named in a position (a case or task number)."""

    def ratings(s: Any, at: Position) -> list[str]:
        total = reports.rating_summary(s, now=NOW)["total"]
        found = reports.ratings_page(s, now=NOW, at=at, size=5, total=total)
        return [r.case_number for r in found.rows]

    return {
        "clerk queue": lambda s, at: [
            r.case_number for r in platform.queue_page(s, "staff:li", at=at, size=5).rows
        ],
        "office inbox": lambda s, at: [
            r.case_number for r in platform.queue_page(s, "staff:wu", OFFICE, at=at, size=5).rows
        ],
        "tasks": lambda s, at: [
            str(r.id) for r in task_page(s, "staff:li", start=at, size=5, at=NOW)[0].rows
        ],
        "ratings": ratings,
    }


async def _statements(db: Database, platform: EmbeddedPlatform) -> dict[str, list[int]]:
    """Per list, the statements of its first page, its last, the page before the last
    (reached backwards from it) and the page after that one (forwards): the last again."""
    out: dict[str, list[int]] = {}
    for name, read in _lists(platform).items():
        numbers = []
        with counted() as statements:
            assert len(await db.run(read, FIRST)) == 5, name  # a full page: really read
        numbers.append(len(statements))
        with counted() as statements:
            last = await db.run(read, LAST)
        numbers.append(len(statements))
        with counted() as statements:
            deep = await db.run(read, Position(before=last[0], page=None))
        assert len(deep) == 5, name
        numbers.append(len(statements))
        with counted() as statements:
            assert await db.run(read, Position(after=deep[-1], page=None)) == last, name
        numbers.append(len(statements))
        out[name] = numbers
    return out


async def test_each_staff_list_runs_as_many_statements_at_500_cases_as_at_50(
    db: Database,
) -> None:
    platform = EmbeddedPlatform(db, now=lambda: NOW)
    await db.run(seed, 0, 50, NOW)
    small = await _statements(db, platform)
    await db.run(seed, 50, 450, NOW)
    large = await _statements(db, platform)
    assert large == small
    # A page, a count, the position's row, the audit row (and for the queue, the overdue
    # sweep and the late items of the page).
    assert all(n <= 7 for numbers in small.values() for n in numbers), small

    page = await db.run(platform.queue_page, "staff:li", at=Position(page=25), size=20)
    assert page.total == 500 and page.pages == 25 and len(page.rows) == 20 and not page.later
    inbox = await db.run(platform.queue_page, "staff:wu", OFFICE, size=20)
    assert inbox.total == 166 and not inbox.more
    last = await db.run(platform.queue_page, "staff:wu", OFFICE, at=LAST, size=20)
    assert (last.page, len(last.rows), last.earlier, last.later) == (9, 6, True, False)
    summary = await db.run(reports.rating_summary, now=NOW)
    assert summary["total"] == 500 and summary["bad"] == 100
    assert str(summary["followups_open"]) == "100"


async def test_the_count_stops_at_1000_and_the_pages_go_on(db: Database) -> None:
    platform = EmbeddedPlatform(db, now=lambda: NOW)
    await db.run(seed, 0, 1020, NOW)
    first = await db.run(platform.queue_page, "staff:li", size=50)
    assert (first.total, first.more) == (1000, True)
    after = first.rows[-1].case_number
    assert (
        page_footer(first.page, 50, first.total, first.more, after=after)
        == f"第 1/20+ 页，共 1000+ 件；下一页：--page 2 --after {after}。"
    )
    beyond = await db.run(platform.queue_page, "staff:li", at=Position(page=21), size=50)
    assert len(beyond.rows) == 20  # cases 1001-1020: the pages go on past the count
    last = await db.run(platform.queue_page, "staff:li", at=LAST, size=50)
    assert last.page is None and len(last.rows) == 50  # a full page, its number unknown
    assert last.rows[-20:] == beyond.rows
