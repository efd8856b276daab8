"""The clerk's queue: overdue first, then by age; a search by case number; pages of a fixed
size, each read with the same two queries whatever the number of cases (the count and the
page), a page reached from another with one more (its position's case)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

from cases.keyset import Position
from cases.models.platform import EmbCase, EmbItem
from staffweb.clerk import queue_page_rows
from tests.cases.statements import counted
from tests.staffweb.conftest import Desk


def _seed(session: Any, start: Any, count: int) -> None:
    for n in range(count):
        number = f"YJ-20260430-{n + 1:04d}"
        session.add(
            EmbCase(
                case_number=number,
                idempotency_key=f"k{n}",
                platform_ref=f"P{n}",
                form={"name": f"申请人{n}", "id_number_masked": "1506**********0011"},
                materials={},
                status="accepted" if n % 2 else "received",
                received_at=start + timedelta(minutes=n),
            )
        )
        if n in (7, 30):  # two cases with a late item
            session.add(
                EmbItem(
                    case_number=number,
                    item="pension_claim",
                    office="social_insurance_center",
                    status="pending",
                    due_at=start - timedelta(hours=1),
                    data={},
                )
            )


async def test_overdue_first_then_oldest_in_pages_of_two_queries(desk: Desk) -> None:
    start = desk.clock()
    await desk.db.run(_seed, start, 45)
    now = start + timedelta(hours=2)
    with counted() as statements:
        first = await desk.db.run(queue_page_rows, now, size=20)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 2, selects
    assert first.total == 45 and first.pages == 3
    numbers = [line.case_number for line in first.lines]
    assert numbers[:2] == ["YJ-20260430-0008", "YJ-20260430-0031"]
    assert first.lines[0].overdue and not first.lines[2].overdue
    assert numbers[2:5] == ["YJ-20260430-0001", "YJ-20260430-0002", "YJ-20260430-0003"]
    assert first.lines[0].applicant == "申请人7 1506**********0011"
    last = await desk.db.run(queue_page_rows, now, at=Position(page=3), size=20)
    assert len(last.lines) == 5
    end = await desk.db.run(queue_page_rows, now, at=Position(last=True, page=None), size=20)
    assert end.lines == last.lines and (end.page, end.earlier, end.later) == (3, True, False)
    found = await desk.db.run(queue_page_rows, now, search="yj-20260430-0012")
    assert [line.case_number for line in found.lines] == ["YJ-20260430-0012"]
    waiting = await desk.db.run(queue_page_rows, now, status="received", size=100)
    assert waiting.total == 23 and {line.status for line in waiting.lines} == {"received"}
    assert (await desk.db.run(queue_page_rows, now, search="%")).total == 0


def _seed_late(session: Any, start: Any, count: int, late: set[int]) -> None:
    for n in range(count):
        number = f"YJ-20260501-{n + 1:04d}"
        session.add(
            EmbCase(
                case_number=number,
                idempotency_key=f"late{n}",
                platform_ref=f"L{n}",
                form={"name": f"申请人{n}"},
                materials={},
                status=("received", "returned", "accepted", "withdrawn")[n % 4],
                received_at=start + timedelta(minutes=(n * 7) % count),  # not in number order
            )
        )
        if n in late:
            session.add(
                EmbItem(
                    case_number=number,
                    item="pension_claim",
                    office="social_insurance_center",
                    status="pending",
                    due_at=start - timedelta(hours=1),
                    data={},
                )
            )


async def test_pages_cut_across_the_late_cases_in_the_same_order_as_a_full_sort(
    desk: Desk,
) -> None:
    """Every page, with the late cases running over a page boundary, matches the order of
    sorting every open case (late first, then by time received, then by number)."""
    start = desk.clock()
    count, late = 90, {n for n in range(90) if n % 5 == 0}
    await desk.db.run(_seed_late, start, count, late)
    now = start + timedelta(hours=2)
    expected = sorted(
        (n for n in range(count) if n % 4 != 3),  # withdrawn cases are not on the queue
        key=lambda n: (n not in late, (n * 7) % count, n),
    )
    numbers = [f"YJ-20260501-{n + 1:04d}" for n in expected]
    shown: list[str] = []
    for page in range(1, 7):
        result = await desk.db.run(queue_page_rows, now, at=Position(page=page), size=8)
        assert result.total == len(numbers)
        shown += [line.case_number for line in result.lines]
        assert all(line.overdue == (line.case_number in numbers[:14]) for line in result.lines)
    assert shown == numbers[:48]
    # Page by page from the first to the last, each from the last case of the one before,
    # then back from the last to the first: the same order, each case once.
    walked, at = [], Position()
    while True:
        result = await desk.db.run(queue_page_rows, now, at=at, size=8)
        walked += [line.case_number for line in result.lines]
        if not result.later:
            break
        at = Position(after=result.lines[-1].case_number, page=(result.page or 0) + 1)
    assert walked == numbers and result.page == -(-len(numbers) // 8)
    back, at = [], Position(last=True, page=None)
    while True:
        result = await desk.db.run(queue_page_rows, now, at=at, size=8)
        back = [line.case_number for line in result.lines] + back
        if not result.earlier:
            break
        at = Position(before=result.lines[0].case_number, page=(result.page or 2) - 1)
    assert back == numbers and result.page == 1
    accepted = await desk.db.run(
        queue_page_rows, now, status="accepted", at=Position(page=2), size=5
    )
    wanted = [f"YJ-20260501-{n + 1:04d}" for n in expected if n % 4 == 2]
    assert [line.case_number for line in accepted.lines] == wanted[5:10]


def _links(html: str) -> dict[str, str]:
    """The pager's links under the list, by the words staff click."""
    pager = html[html.index('<p class="pager">') :]
    pager = pager[: pager.index("</p>")]
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', pager)
    return {words: unescape(href) for href, words in found}


async def test_the_console_pages_on_from_the_case_last_seen(desk: Desk) -> None:
    """下一页, 上一页, 首页 and 末页 under the queue: each page follows the cases of the one
    before, the addresses name cases by their numbers, a search is kept."""
    start = desk.clock()
    await desk.db.run(_seed, start, 45)
    desk.console.settings = desk.console.settings.model_copy(update={"page_size": 20})
    await desk.account("wufang", "clerk")
    clerk = await desk.client("wufang")
    try:
        first = await (await clerk.get("/queue")).text()
        assert "第 1 页，共 3 页" in first and set(_links(first)) == {"下一页", "末页"}
        second = await (await clerk.get(_links(first)["下一页"])).text()
        assert "第 2 页，共 3 页" in second
        assert set(_links(second)) == {"首页", "上一页", "下一页", "末页"}
        # Page 1: the two late cases (8 and 31), then the oldest, 1 to 19 but 8.
        assert "YJ-20260430-0020" in second and "YJ-20260430-0019" not in second
        assert "after=YJ-20260430-0019" in _links(first)["下一页"]  # a case staff saw
        last = await (await clerk.get(_links(second)["末页"])).text()
        assert "第 3 页，共 3 页" in last and set(_links(last)) == {"首页", "上一页"}
        assert "YJ-20260430-0041" in last and "YJ-20260430-0040" not in last
        back = await (await clerk.get(_links(last)["上一页"])).text()
        assert "第 2 页，共 3 页" in back and _links(back) == _links(second)
        again = await (await clerk.get(_links(back)["首页"])).text()
        assert "第 1 页，共 3 页" in again and "YJ-20260430-0008" in again
        accepted = await (await clerk.get("/queue?status=accepted&q=YJ-2026")).text()
        assert "status=accepted" in _links(accepted)["下一页"]
        assert "q=YJ-2026" in _links(accepted)["下一页"]
    finally:
        await clerk.close()
