from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.conftest import api, db  # noqa: F401 - the same fixtures
from tests.e2e.processes import Deployment, postgres_deployment
from tests.fake_bot_api import FakeBotApi


@pytest.fixture
async def deployment(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Deployment]:  # noqa: F811
    """A deployment on a PostgreSQL database of its own, as several workers need (the leader
    lock is per database); tests/e2e/test_case_life.py runs on both databases with its own."""
    async with postgres_deployment(api, tmp_path) as deployment:
        yield deployment
