"""Declarative base of the case store's models; the column types are Core's
(`cases.tables.base`), shared with the tables that the quick commands read without the ORM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase

from cases.tables.base import (
    NAMING_CONVENTION,
    STORE_METADATA,
    ItemStatus,
    JsonType,
    OutboxStatus,
    PageStatus,
    TaskStatus,
    UtcDateTime,
    utcnow,
)

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "ItemStatus",
    "JsonType",
    "OutboxStatus",
    "PageStatus",
    "TaskStatus",
    "UtcDateTime",
    "utcnow",
]


class Base(DeclarativeBase):
    metadata = STORE_METADATA
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attr
        datetime: UtcDateTime(),
        dict[str, Any]: JsonType,
    }
