"""A free TCP port on the loopback interface, for a server a test (or a benchmark) starts in
another process or on its own: the operating system picks one that nothing listens on.

The port is free when asked; a process started right after binds it (nothing else on the
test machine races for loopback ports in practice)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
