"""The platform door under property-based testing: schemathesis generates requests from
docs/platform-openapi.yaml (valid ones and ones that break the schema), signs each one as a
real client would, sends it to `main.py platform serve` on loopback, and checks every answer
against the same file: no 5xx, status codes, content types and bodies as documented, and
data that breaks the schema refused.

A request that fits the schema may still be refused with 422: a day that does not exist
(YJ-20260231-0001), a code that policy/items.toml does not know, an event that does not fit
the case's state. JSON Schema cannot say these, so schemathesis' "valid data is accepted"
check is left out; every other check runs, "data that breaks the schema is refused" included.

Seeded (derandomize) so that CI runs the same requests every time; a handful of examples per
operation keeps the test within seconds on two shared cores.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from integrations.platform.signing import signed_headers
from tests.log_guard import scan_output

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"schemathesis-secret"


class Signed(requests.auth.AuthBase):
    """Signs the request as sent (method, path with query, exact body bytes)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        assert request.method is not None
        request.headers.update(
            signed_headers(SECRET, request.method, request.path_url, body, time.time())
        )
        return request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`main.py platform serve` on a free loopback port, with its own SQLite database."""
    where = tmp_path_factory.mktemp("door")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "PLATFORM"))},
        "DATABASE_URL": f"sqlite:///{where / 'app.db'}",
        "PLATFORM__SECRET": SECRET.decode(),
        "DATA_DIR": str(where),
        "FILES__DIR": str(where / "files"),
    }
    # The server's log goes to a file: a pipe nobody reads fills up and stops the server.
    log = (where / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "platform", "serve", "--port", str(port)],
        cwd=where,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # start-up runs the migrations first
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    written = (where / "serve.log").read_text()
    scan_output(written, "serve.log of main.py platform serve")
    assert "Traceback" not in written, written[-3000:]


# Loaded once at import (a file read); the base URL is the running server's, given per call.
schema = schemathesis.openapi.from_path(ROOT / "docs" / "platform-openapi.yaml")


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_of_the_door_is_one_the_contract_documents(
    case: schemathesis.Case, door: str
) -> None:
    with requests.Session() as session:
        case.call_and_validate(
            base_url=door,
            session=session,
            auth=Signed(),
            timeout=10,
            excluded_checks=[positive_data_acceptance],
        )
