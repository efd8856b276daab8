"""The platform's tables come from the migrations, never from first use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import inspect

from cases.db import Database
from cases.models.platform import PlatformBase
from cases.schema import ensure_schema


def _tables(connection: object) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_an_unmigrated_database_gets_a_clear_error_naming_the_command(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        await db.upgrade("0001")  # the case store only, as before revision 0002
        with pytest.raises(RuntimeError, match=re.escape("python main.py db upgrade")):
            await ensure_schema(db)
        # The check created nothing behind the operator's back.
        assert not (await db.run_on_connection(_tables)) & set(PlatformBase.metadata.tables)
        await db.upgrade()
        await ensure_schema(db)  # migrated: the check passes
    finally:
        await db.close()
