"""Alembic, driven from code: the migration scripts live inside the package
(`cases/migrations`), so an installed copy finds them wherever it runs.

Alembic itself is imported only when a migration actually runs (importing it costs about
0.14 s): every staff command and every start checks the schema first, and the common answer,
"already at head", costs one query (`needs_upgrade`).

Several processes may start at once on a database that is behind (four `chat --json` on a
brand-new data directory): only one of them migrates. "Check the version, then upgrade" runs
under a migration lock, and the version is checked again once the lock is held: on a SQLite
file an exclusive `flock` on a lock file beside it (`file_lock`), on PostgreSQL a transaction
advisory lock (`advisory_lock`) taken first in the upgrade's own transaction.
"""

from __future__ import annotations

import ast
import fcntl
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
# pg_advisory_xact_lock(int, int): this application's migrations, per schema.
ADVISORY_LOCK_CLASS = 0x52455449  # "RETI"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["connection"] = connection
    return cfg


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    # Alembic announces each of its plugins at INFO when imported: noise in the bot's log.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def downgrade_connection(connection: Connection, revision: str) -> None:
    """Take the schema down to `revision` (`base`: nothing left): `db restore --force`."""
    from alembic import command

    command.downgrade(alembic_config(connection), revision)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@cache
def head_revision() -> str:
    """The newest revision in `migrations/versions`, read once per process without Alembic.

    Each script names its `revision` and `down_revision`; the head is the one that no other
    script revises. `tests/cases/test_migrations.py` holds this equal to Alembic's own answer.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        names = _revision_names(script)
        if "revision" not in names:
            continue
        revisions.add(str(names["revision"]))
        down = names.get("down_revision")
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, (tuple, list)):  # a merge revises several
            revised.update(str(d) for d in down)
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


@cache
def newest_migration_date() -> datetime:
    """When the newest migration script was written (its `Create Date`, UTC): this copy of
    the code cannot be older, so a clock before it is wrong (`main.py doctor`)."""
    dates = [
        datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
        for script in (MIGRATIONS / "versions").glob("*.py")
        if (found := _CREATE_DATE.search(script.read_text(encoding="utf-8")[:2000]))
    ]
    return max(dates)


_CREATE_DATE = re.compile(r"^Create Date: (\d{4}-\d\d-\d\d[ T][\d:]{5,8})", re.MULTILINE)


def _revision_names(script: Path) -> dict[str, object]:
    # The identifiers sit at the top of every script; reading up to `def upgrade` keeps the
    # parse to a few lines however long the migration is.
    source = script.read_text(encoding="utf-8").split("\ndef ", 1)[0]
    names: dict[str, object] = {}
    for node in ast.parse(source).body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            names[target.id] = ast.literal_eval(value)
    return names


def stored_revisions(connection: Connection) -> set[str]:
    """The revisions recorded in the database; empty for a database never migrated.

    Run it on a connection of its own: on PostgreSQL a missing table aborts the transaction.
    """
    try:
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
        return {row[0] for row in rows}
    except DBAPIError:  # no version table yet: an empty database
        connection.rollback()
        return set()


def needs_upgrade(connection: Connection) -> bool:
    """Whether the database is behind the scripts (or has never been migrated)."""
    return stored_revisions(connection) != {head_revision()}


# ---- the migration lock ------------------------------------------------------------------


def lock_file_for(database: Path) -> Path:
    """The lock file beside a SQLite file (kept: removing a lock file races its next user)."""
    return database.with_name(database.name + ".migrate-lock")


@contextmanager
def file_lock(database: Path | None) -> Iterator[None]:
    """Hold the migration lock of a SQLite file; other processes wait here (no lock is needed
    for an in-memory database: no other process sees it)."""
    if database is None:
        yield
        return
    path = lock_file_for(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released on close, and by the OS if we die
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def advisory_lock(connection: Connection) -> None:
    """Take the PostgreSQL migration lock of this schema until the connection's transaction
    ends (other migrating processes wait for it); nothing on other databases."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:cls, hashtext(coalesce(current_schema(), '')))"),
        {"cls": ADVISORY_LOCK_CLASS},
    )


def upgrade_locked(connection: Connection, revision: str = "head", *, if_behind: bool) -> bool:
    """PostgreSQL: in the connection's one transaction, take the advisory lock, then (when
    `if_behind`) look at the version again, since another process may have migrated while this
    one waited, and upgrade. Returns whether it ran Alembic."""
    advisory_lock(connection)
    if if_behind and not needs_upgrade_in_transaction(connection):
        return False
    upgrade_connection(connection, revision)
    return True


def needs_upgrade_in_transaction(connection: Connection) -> bool:
    """`needs_upgrade` inside a savepoint of a transaction that must carry on afterwards."""
    try:
        with connection.begin_nested():
            rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            stored = {row[0] for row in rows}
    except DBAPIError:  # no version table yet: only the savepoint is rolled back
        stored = set()
    return stored != {head_revision()}
