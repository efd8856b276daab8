"""The loopback Bot API server (tests.fake_bot_api) in a child process for the benchmarks,
so its work is not counted in the bot's: fed and read over its control endpoints."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Server:
    """The loopback Bot API server in a child process, driven over its control endpoints."""

    def __init__(self, limits: bool = False) -> None:
        args = [sys.executable, "-m", "tests.fake_bot_api"]
        self.proc = subprocess.Popen(
            [*args, "--limits"] if limits else args, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def queue(self, updates: list[dict]) -> None:
        body = json.dumps(updates).encode()
        request = urllib.request.Request(
            f"{self.url}/_control/updates", body, {"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request).read()

    async def stats(self) -> dict:
        def get() -> dict:
            return json.loads(urllib.request.urlopen(f"{self.url}/_control/stats").read())

        return await asyncio.to_thread(get)

    async def wait(self, done, timeout: float = 600) -> dict:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = await self.stats()
            if done(stats):
                return stats
            await asyncio.sleep(0.02)
        raise TimeoutError("benchmark did not finish")

    def send_times(self) -> list[float]:
        url = f"{self.url}/_control/stats?times=1"
        return json.loads(urllib.request.urlopen(url).read())["send_times"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()
