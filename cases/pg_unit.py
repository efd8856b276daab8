"""One unit of work on PostgreSQL: `fn(session, ...)` in a transaction, committed.

The whole unit (pool checkout, the statements, the commit, the check-in) runs in ONE greenlet
on a synchronous Connection of the async engine, its transaction the unit's, with a
`UnitSession` joined to it for `fn`: `AsyncSession` would spawn a greenlet for `run_sync`, one
for `commit` and one for `close`, about a fifth of a conversation event's client CPU
(benchmarks/event_path.py), and a Session owning the transaction costs its bookkeeping even
for the events that use no ORM object. The statements still go through asyncpg on the event
loop.

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
from cases.unit_session import UnitSession

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")
log = logging.getLogger(__name__)


class _LostAtCommit(Exception):
    def __init__(self, error: DBAPIError) -> None:
        super().__init__("connection lost at commit")
        self.error = error


async def run_unit(
    engine: Engine,
    info: dict[str, Any],
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> T:
    """`engine` is an AsyncEngine's `sync_engine`; `info` the sessions' (the vault)."""
    try:
        return await greenlet_spawn(_once, engine, info, fn, args, kwargs)
    except _LostAtCommit as lost:
        raise lost.error from None
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.info("a pooled database connection had been dropped: running the unit again")
    try:
        return await greenlet_spawn(_once, engine, info, fn, args, kwargs)
    except _LostAtCommit as lost:
        raise lost.error from None


def _once(
    engine: Engine,
    info: dict[str, Any],
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> T:
    # Closing the connection rolls back whatever was not committed, and returns it to the pool.
    with engine.connect() as connection:
        transaction = connection.begin()
        session = UnitSession(connection, info)
        try:
            result = fn(session, *args, **kwargs)
            session.flush()
        except StaleDataError as exc:
            raise stale(exc) from exc
        finally:
            session.close()
        try:
            transaction.commit()
        except DBAPIError as exc:
            raise _LostAtCommit(exc) from exc
        return result
