"""Every staff list reads one page with the same number of statements at 50 cases and at 500:
the clerk's queue, an office's inbox, the task list and the ratings (issue 17). The same
functions serve the console's pages and the `staff` commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aftercare import reports
from cases.db import Database
from cases.tasks import task_page
from commands.staff_text import page_footer
from integrations.platform.embedded import EmbeddedPlatform
from tests.cases.statements import counted
from tests.platform.bulk_staff import seed

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
OFFICE = "social_insurance_center"


def _lists(platform: EmbeddedPlatform) -> dict[str, Callable[[Any], Any]]:
    """Page 2 of 5 rows of each list, as the console and the commands read it."""
    return {
        "clerk queue": lambda s: platform.queue_page(s, "staff:li", page=2, size=5).rows,
        "office inbox": lambda s: platform.queue_page(s, "staff:wu", OFFICE, page=2, size=5).rows,
        "tasks": lambda s: task_page(s, "staff:li", page=2, size=5, at=NOW)[0],
        "ratings": lambda s: (
            reports.ratings(s, now=NOW, page=2, size=5),
            reports.rating_summary(s, now=NOW),
        )[0],
    }


async def _statements(db: Database, platform: EmbeddedPlatform) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, read in _lists(platform).items():
        with counted() as statements:
            rows = await db.run(read)
        assert len(rows) == 5, name  # a full page: the list is really read
        out[name] = len(statements)
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
    assert all(n <= 6 for n in small.values()), small  # a page, a count, the audit row

    page = await db.run(platform.queue_page, "staff:li", page=25, size=20)
    assert page.total == 500 and page.pages == 25 and len(page.rows) == 20
    inbox = await db.run(platform.queue_page, "staff:wu", OFFICE, page=1, size=20)
    assert inbox.total == 166 and not inbox.more
    summary = await db.run(reports.rating_summary, now=NOW)
    assert summary["total"] == 500 and summary["bad"] == 100
    assert str(summary["followups_open"]) == "100"


async def test_the_count_stops_at_1000_and_the_pages_go_on(db: Database) -> None:
    platform = EmbeddedPlatform(db, now=lambda: NOW)
    await db.run(seed, 0, 1020, NOW)
    first = await db.run(platform.queue_page, "staff:li", page=1, size=50)
    assert (first.total, first.more) == (1000, True)
    assert (
        page_footer(1, 50, first.total, first.more)
        == "第 1/20+ 页，共 1000+ 件；下一页：--page 2。"
    )
    beyond = await db.run(platform.queue_page, "staff:li", page=21, size=50)
    assert len(beyond.rows) == 20  # cases 1001-1020: the pages go on past the count
