"""`python main.py staff queue`, quick: on the embedded SQLite default, one Core connection
reads the page, without the settings model, the ORM or the platform's desks (issue 17: start-up
within twice `import sqlalchemy`). Anything else goes the full way (`staff.py`), which reads
the same page through the same function (`staff_queue_page`):

- PostgreSQL, or a database that does not exist yet or is behind the migrations (the full
  way creates or migrates it);
- settings that the quick reader cannot take as they are (the full way names the bad value).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine

from app.clock import utc_now
from cases.availability import reachable
from cases.migrate import needs_upgrade
from cases.sqlite import BUSY_TIMEOUT_MS, sqlite_engine
from cases.staff_actor import NotAllowed
from commands.quick_settings import sqlite_file_url
from commands.staff_access import NO_ACCOUNT, act_as
from commands.staff_text import (
    STATUS,
    item_name,
    local,
    nothing_on,
    page_footer,
    position_of,
    row_json,
)
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.staff_queue import StaffPage, staff_queue_page

if TYPE_CHECKING:
    from policy.items import ItemDef


def run_queue(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    if not (args.actor or "").strip():
        print(NO_ACCOUNT, file=err)
        return 2
    url = sqlite_file_url()
    engine = (
        None if url is None else sqlite_engine(url, echo=False, busy_timeout_ms=BUSY_TIMEOUT_MS)
    )
    if engine is None or _behind(engine):
        from commands.staff import run_staff

        return run_staff("queue", args, out, err)
    try:
        with reachable(), engine.begin() as conn:
            actor = act_as(conn, args, "queue")  # an office account: args.office is its own
            items = _items(args.office)
            found = staff_queue_page(
                conn,
                actor,
                args.office,
                items,
                now=utc_now(),
                at=position_of(args),
                size=args.limit,
            )
    except (NotAllowed, StaffError) as exc:
        print(exc.message, file=err)
        return 2
    finally:
        engine.dispose()
    return print_queue(found, args.json, out)


def _behind(engine: Engine) -> bool:
    with reachable(), engine.connect() as conn:
        behind = needs_upgrade(conn)
    if behind:
        engine.dispose()
    return behind


def _items(office: str | None) -> tuple[ItemDef, ...]:
    """The item definitions, which an office's view needs (what it may see); the clerk's
    queue does without them (reading the file costs a fifth of the command)."""
    if office is None:
        return ()
    from policy.items import load_items

    return tuple(load_items())


def print_queue(found: StaffPage, as_json: bool, out: TextIO) -> int:
    rows = found.rows
    if as_json:
        print(json.dumps([row_json(r) for r in rows], ensure_ascii=False, indent=1), file=out)
        return 0
    if not rows:
        print("队列为空。" if not found.earlier else nothing_on(found.page), file=out)
    for r in rows:
        line = f"{r.case_number}  {STATUS.get(r.status, r.status)}  {r.applicant}"
        if r.item and r.office:
            line += f"  事项：{item_name(r.item)}  截止 {local(r.due_at)}"
        elif r.item:
            line += f"  超时事项：{'、'.join(item_name(i) for i in r.item.split(','))}"
        print(line + ("  【已超时】" if r.overdue else ""), file=out)
    if rows:
        after = rows[-1].case_number if found.later else None
        print(page_footer(found.page, found.size, found.total, found.more, after=after), file=out)
    return 0
