"""`python main.py platform serve`: the embedded platform and our callback endpoint behind
the signed HTTP contract (`docs/platform-openapi.yaml`), with the loops they need."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from cases.db import Database

log = logging.getLogger(__name__)


def run_serve(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from runtime.services import Services

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings)  # migrated on the embedded default (platform tables)
    db = services.db
    try:
        asyncio.run(
            serve(
                settings,
                db,
                args.host,
                args.port,
                args.callback_url or settings.platform.callback_url or None,
                args.callback_only,
                files=services.files,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        services.close_blocking()
    return 0


async def serve(
    settings: Any,
    db: Database,
    host: str,
    port: int,
    callback_url: str | None,
    callback_only: bool = False,
    stop: asyncio.Event | None = None,
    files: Any = None,
) -> None:
    """Run the HTTP app until `stop` is set or the process is interrupted. Background loops
    (overdue flags, callback delivery) are owned here and cancelled on exit."""
    import aiohttp
    from aiohttp import web

    from integrations.platform.callbacks import deliver_callbacks
    from integrations.platform.embedded.platform import EmbeddedPlatform
    from integrations.platform.embedded.sinks import apply_in_same_transaction, queue_for_callback
    from integrations.platform.factory import office_hours, platform_secret
    from integrations.platform.http_server import Security, build_app
    from integrations.platform.page_fetch import PageFetcher
    from integrations.platform.page_route import AccessLog

    secret = platform_secret(settings)
    security = Security(secret, max_age_seconds=settings.platform.callback_max_age_seconds)
    platform = None
    if not callback_only:
        platform = EmbeddedPlatform(
            db,
            sink=queue_for_callback if callback_url else apply_in_same_transaction,
            office_hours=office_hours(settings),
        )
    http = aiohttp.ClientSession()  # callbacks out, and the pages of remote submissions in
    # Pages named by URL are fetched from the bot whose callbacks this side calls; without a
    # callback URL there is no such bot, and pages travel by hash only (a shared store).
    fetcher = None
    if platform is not None and files is not None and callback_url:
        fetcher = PageFetcher(http, files, callback_url)
    app = build_app(
        platform=platform, callback_db=db, files=files, fetcher=fetcher, security=security
    )
    runner = web.AppRunner(app, access_log_class=AccessLog)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"审批平台接口已启动：http://{host}:{port}  (Ctrl+C 停止)", flush=True)
    stop = stop or asyncio.Event()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)

    async def overdue_loop() -> None:
        while platform is not None:
            try:
                flagged = await db.run(platform.flag_overdue)
                if flagged:
                    log.info("flagged %d overdue items to the clerk", len(flagged))
            except Exception:  # the loop outlives a database hiccup
                log.exception("overdue check failed")
            await asyncio.sleep(60)

    async def callback_loop(http: aiohttp.ClientSession) -> None:
        while callback_url:
            try:
                await deliver_callbacks(db, http, callback_url, secret)
            except Exception:
                log.exception("callback delivery failed")
            await asyncio.sleep(1)

    async with http:
        tasks = [asyncio.create_task(overdue_loop()), asyncio.create_task(callback_loop(http))]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await runner.cleanup()
