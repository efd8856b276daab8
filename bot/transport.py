"""The HTTP under python-telegram-bot: PTB's own HTTPXRequest (its timeouts, its mapping of
errors to NetworkError and TimedOut, httpx's multipart for uploads) over aiohttp's connection
pool, through httpx-aiohttp's transport.

Why: a Bot API call cost 2.1 ms of CPU through httpx's own pool (httpcore, anyio and h11; the
pool checks every connection it holds on each request) and 0.65 ms through aiohttp's, measured
on loopback with PTB's send_message (benchmarks/telegram_channel.py shows the whole channel).
aiohttp is ours already (the webhook server, the platform client).

What the transport leaves out does not concern us: HTTP/2 (PTB speaks 1.1 by default) and a
write timeout (aiohttp has none; the read timeout still ends a call that hangs). Proxies from
the environment (HTTPS_PROXY) still apply: httpx routes those through its own transport."""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport
from telegram.request import HTTPXRequest


def bot_request(
    connections: int,
    *,
    read_timeout: float,
    write_timeout: float = 60.0,
    connect_timeout: float = 10.0,
    pool_timeout: float = 20.0,
) -> HTTPXRequest:
    """A PTB request object with `connections` pooled connections to the Bot API. A call
    waits up to `pool_timeout` for a free connection (PTB's default, one second, would fail
    calls that only had to queue behind a burst)."""
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=connections))
    return HTTPXRequest(
        connection_pool_size=connections,
        read_timeout=read_timeout,
        write_timeout=write_timeout,
        connect_timeout=connect_timeout,
        pool_timeout=pool_timeout,
        httpx_kwargs={"transport": transport},
    )
