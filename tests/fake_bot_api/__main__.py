"""Run the loopback Bot API server alone (for benchmarks): prints its port."""

import asyncio
import contextlib
import sys

from tests.fake_bot_api.server import serve_alone

with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(serve_alone("--limits" in sys.argv))
