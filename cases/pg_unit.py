"""One unit of work on PostgreSQL: `fn(session, ...)` in a transaction, committed.

The whole unit (pool checkout, the statements, the commit, the check-in) runs in ONE greenlet
on a synchronous Session over the async engine: `AsyncSession` would spawn one for `run_sync`,
one for `commit` and one for `close`, about a fifth of a conversation event's client CPU
(benchmarks/event_path.py). The statements still go through asyncpg on the event loop.

The pool does not ping a connection before lending it (`pool_pre_ping`: a round trip on every
checkout, about a third of a conversation event's client CPU). A connection the server
dropped while it sat in the pool (a restart) fails its first statement instead; SQLAlchemy
then invalidates the pool, and the unit, which never reached its commit, runs once more on a
fresh connection. A connection lost during the commit is never retried: the outcome is
unknown, and the caller hears of it (StoreUnavailable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.util import greenlet_spawn  # what AsyncSession.run_sync runs on

from cases.availability import stale

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger(__name__)


class _LostAtCommit(Exception):
    def __init__(self, error: DBAPIError) -> None:
        super().__init__("connection lost at commit")
        self.error = error


async def run_unit(
    sessions: sessionmaker[Session],
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> T:
    """`sessions` makes synchronous Sessions bound to an AsyncEngine's `sync_engine`."""
    try:
        return await greenlet_spawn(_once, sessions, fn, args, kwargs)
    except _LostAtCommit as lost:
        raise lost.error from None
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.info("a pooled database connection had been dropped: running the unit again")
    try:
        return await greenlet_spawn(_once, sessions, fn, args, kwargs)
    except _LostAtCommit as lost:
        raise lost.error from None


def _once(
    sessions: sessionmaker[Session],
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> T:
    with sessions() as session:  # closing it rolls back whatever was not committed
        try:
            result = fn(session, *args, **kwargs)
        except StaleDataError as exc:
            session.rollback()
            raise stale(exc) from exc
        try:
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise stale(exc) from exc
        except DBAPIError as exc:
            raise _LostAtCommit(exc) from exc
        return result
