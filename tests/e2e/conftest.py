from tests.bot.conftest import api, db  # noqa: F401 - the same fixtures
