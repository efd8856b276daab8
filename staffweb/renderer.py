"""Every page of a material as a picture a person can look at: photos as they were stored,
PDFs rendered page by page to JPEG (`staffweb.pdf_pages` does the PDF work).

An applicant's PDF is untrusted input to a C library: a crafted file can make PDFium spin
for minutes or crash. So PDFium never runs in the console's process: one worker process
(pebble's ProcessPool, spawned, one task at a time, since PDFium is not thread-safe either)
reads the PDFs, each task with a time limit; a task over its limit has its process killed
and a new one started, and the page is shown as a picture that says, in Chinese, why it is
not there (`unavailable_picture`). Pages are bounded too: at most MAX_PDF_PAGES per PDF, at
most MAX_SIDE px on the longer side. Decryption stays in this process (the key never leaves
it), on a thread, off the event loop.

Files are content-addressed, so what is learnt about one (a PDF's page count) never changes
and is kept in a small cache; rendered pictures are not kept (they are personal data in
clear).
"""

from __future__ import annotations

import asyncio
import html
import multiprocessing
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from pebble import ProcessExpired, ProcessPool

from cases.files import FileStore
from staffweb.pdf_pages import MAX_SIDE, FileKind, NoSuchPage, render_page, sniff

__all__ = ["MAX_SIDE", "FileKind", "NoSuchPage", "PageRenderer", "render_page", "sniff"]

RENDER_SECONDS = 20.0  # one page; an A4 scan takes well under a second
SNIFF_SECONDS = 10.0  # opening a PDF to count its pages


class PageUnavailable(Exception):
    """PDFium took too long on the page, or its process died: the page cannot be shown."""


class PageRenderer:
    """The console's renderer over its file store: one worker process, a cache of kinds.

    `render` and `look` are the functions the worker runs (module-level, so the spawned
    process can import them); a test passes one that never returns, to see the limit hold."""

    def __init__(
        self,
        files: FileStore,
        *,
        cache_entries: int = 4096,
        render_seconds: float = RENDER_SECONDS,
        sniff_seconds: float = SNIFF_SECONDS,
        render: Callable[[bytes, int], bytes] = render_page,
        look: Callable[[bytes], FileKind] = sniff,
    ) -> None:
        self.files = files
        self._pool = ProcessPool(max_workers=1, context=multiprocessing.get_context("spawn"))
        self._kinds: OrderedDict[str, FileKind] = OrderedDict()
        self._cache_entries = cache_entries
        self._limits = (render_seconds, sniff_seconds)
        self._render, self._look = render, look

    async def _in_worker(self, fn: Callable[..., Any], args: tuple[Any, ...], limit: float) -> Any:
        future = self._pool.schedule(fn, args, timeout=limit)
        try:
            return await asyncio.wrap_future(future)
        except (FutureTimeout, ProcessExpired) as exc:  # the worker was killed / died
            raise PageUnavailable(type(exc).__name__) from exc

    async def kind(self, address: str) -> FileKind:
        """What the file at `address` is (read and decrypted once per process). A PDF that
        cannot be opened in time counts as one with no page to show."""
        known = self._kinds.get(address)
        if known is not None:
            self._kinds.move_to_end(address)
            return known
        data = await asyncio.to_thread(self.files.read, address)
        try:
            found = await self._in_worker(self._look, (data,), self._limits[1])
        except PageUnavailable:
            found = FileKind(True, 0)
        self._kinds[address] = found
        if len(self._kinds) > self._cache_entries:
            self._kinds.popitem(last=False)
        return found

    async def page(self, address: str, page: int) -> bytes:
        """Page `page` (from 1) of the PDF at `address`, as a JPEG; NoSuchPage past its end,
        PageUnavailable when it could not be rendered in time."""
        data = await asyncio.to_thread(self.files.read, address)
        picture: bytes = await self._in_worker(self._render, (data, page), self._limits[0])
        return picture

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=5)


def unavailable_picture(message: str) -> bytes:
    """A picture the size of a page that says `message` (an <img> shows it where the page
    would be; the office PC's browser draws the Chinese text with its own fonts)."""
    lines = "".join(
        f'<tspan x="50%" dy="1.6em">{html.escape(line)}</tspan>' for line in message.splitlines()
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800" viewBox="0 0 600 800">'
        '<rect width="600" height="800" fill="#f4f4f4" stroke="#999"/>'
        '<text x="50%" y="340" text-anchor="middle" font-size="24" fill="#333" '
        f'font-family="sans-serif">{lines}</text></svg>'
    )
    return svg.encode()
