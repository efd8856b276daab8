"""A loopback round-robin front for webhook workers, as a load balancer stands before them:
each request goes to the next worker; a worker that does not answer (killed) is skipped."""

from __future__ import annotations

import itertools

from aiohttp import ClientError, ClientSession, ClientTimeout, web


class RoundRobinFront:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None
        self.port = 0
        self.served: list[str] = []  # which backend answered each request

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._http = ClientSession(timeout=ClientTimeout(total=60))
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("POST", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._next)]
            try:
                async with self._http.post(
                    backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    self.served.append(backend)
                    return web.Response(status=answer.status, body=await answer.read())
            except (ClientError, OSError):
                continue  # that worker is gone: the next one takes it
        return web.Response(status=502, text="no worker answered")
