"""The metadata and the column types both databases must agree on (no ORM import here)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# Stable constraint names, so Alembic migrations (batch mode on SQLite) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The case store's tables (`cases.models.Base`) and the embedded platform's own
# (`cases.models.platform.PlatformBase`): see `cases.schema`.
STORE_METADATA = MetaData(naming_convention=NAMING_CONVENTION)
PLATFORM_METADATA = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases.

    SQLite drops time zones, so values are stored as naive UTC everywhere and come back aware:
    the same test gives the same result on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the case store; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JsonDocument(TypeDecorator[Any]):
    """JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.

    The PostgreSQL type is looked up when a PostgreSQL database asks for it, so that a
    command on SQLite never imports the PostgreSQL dialect (`JSON().with_variant(JSONB())`
    would, at import: about a tenth of `staff queue`'s start-up)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB  # loaded with the dialect

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


# The JSON columns' type: one instance, which the models track as a mutable dict.
JsonType = JsonDocument()


class PageStatus(StrEnum):
    ok = "ok"
    lost = "lost"  # the original is lost; the office will look it up itself
    rejected = "rejected"


class ItemStatus(StrEnum):
    pending = "pending"
    waiting = "waiting"
    done = "done"
    supplement = "supplement"
    refused = "refused"
    online = "online"  # the applicant completes it online (housing fund, medical fee)


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # given up: a person has to look at it


class TaskStatus(StrEnum):
    open = "open"
    done = "done"
