"""The set-up of the tests that run several `main.py run` webhook workers behind a round-robin
front (tests/e2e/front.py) on one PostgreSQL deployment (the `deployment` fixture of
tests/e2e/conftest.py): each worker's webhook settings, on a port from tests/ports.py."""

from __future__ import annotations

from tests.e2e.front import RoundRobinFront

SECRET = "webhook_workers_secret_0123456789"


def webhook_env(front: RoundRobinFront, port: int) -> dict[str, str]:
    """A worker listening on `port`, its webhook set to the front's address."""
    return {
        "TELEGRAM__MODE": "webhook",
        "TELEGRAM__WEBHOOK_URL": front.url,
        "TELEGRAM__WEBHOOK_SECRET": SECRET,
        "TELEGRAM__LISTEN_PORT": str(port),
    }
