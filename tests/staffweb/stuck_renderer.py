"""A render function for the renderer's worker process that never finishes page 2, as PDFium
does on a crafted PDF: module-level, so the spawned worker can import it."""

from __future__ import annotations

import time

from staffweb.pdf_pages import render_page


def stuck_on_page_two(data: bytes, page: int) -> bytes:
    while page == 2:
        time.sleep(60)
    return render_page(data, page)
