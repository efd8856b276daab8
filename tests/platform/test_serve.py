"""`python main.py platform serve` on a real loopback port: the HTTP client talks to it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from cases.platform.port import PlatformRejected, SubmitRequest, UnknownCase
from integrations.platform.http_client import HttpPlatformClient
from tests.log_guard import scan_output
from tests.ports import free_port

MAIN = Path(__file__).resolve().parents[2] / "main.py"
SECRET = "serve-test-secret"


async def test_platform_serve_answers_the_signed_contract(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "PLATFORM__SECRET": SECRET,
        "DATA_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, str(MAIN), "platform", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):  # start-up runs the migrations first
                try:
                    async with http.get(base + "/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            client = HttpPlatformClient(http, base, SECRET.encode())
            request = SubmitRequest("YJ-20261126-0001", {"name": "王建国"}, (), "submit:one")
            first = await client.submit(request)
            again = await client.submit(request)
            assert not first.duplicate and again.duplicate
            assert again.platform_ref == first.platform_ref
            assert (await client.status("YJ-20261126-0001")).status == "received"
            with pytest.raises(UnknownCase):
                await client.status("YJ-20261126-0002")
            wrong = HttpPlatformClient(http, base, b"wrong-secret", retries=0)
            with pytest.raises(PlatformRejected, match="bad_signature"):
                await wrong.status("YJ-20261126-0001")
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    scan_output(err, "stderr of main.py platform serve")
    assert server.returncode == 0, err
    assert "审批平台接口已启动" in out
