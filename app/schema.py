"""The application's database schema: every table metadata that the migrations manage.

One database, one migration history (`cases/migrations`). The case store's tables and the
platform integration's own (`platform_*`) keep separate metadata, so that the integration can
be replaced without touching the case store; this list is the one place that puts them
together, for Alembic (`target_metadata`), for `Database.create_all` (tests) and for the test
that the migrations build exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import MetaData


def schema_metadata() -> list[MetaData]:
    """Every metadata of the application's tables, the case store first (its tables are
    referenced by the others' use cases, never the other way round)."""
    # Imported here: the models are heavy and nothing stateful should happen at import time.
    from cases.models import Base
    from integrations.platform.store import PlatformBase

    return [Base.metadata, PlatformBase.metadata]


def table_names() -> set[str]:
    """The names of every table the migrations must create (besides `alembic_version`)."""
    return {name for metadata in schema_metadata() for name in metadata.tables}
