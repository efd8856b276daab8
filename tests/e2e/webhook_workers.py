"""The set-up of the tests that run several `main.py run` webhook workers behind a round-robin
front (tests/e2e/front.py) on one PostgreSQL deployment (the `deployment` fixture of
tests/e2e/conftest.py): a free loopback port per worker, and each worker's webhook settings."""

from __future__ import annotations

import socket

from tests.e2e.front import RoundRobinFront

SECRET = "webhook_workers_secret_0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webhook_env(front: RoundRobinFront, port: int) -> dict[str, str]:
    """A worker listening on `port`, its webhook set to the front's address."""
    return {
        "TELEGRAM__MODE": "webhook",
        "TELEGRAM__WEBHOOK_URL": front.url,
        "TELEGRAM__WEBHOOK_SECRET": SECRET,
        "TELEGRAM__LISTEN_PORT": str(port),
    }
