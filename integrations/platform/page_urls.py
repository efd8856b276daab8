"""Signed, expiring page addresses: how a remote platform fetches the scans of a case.

A submission or supplement names each page by its address (`sha256`, our store's keyed
hash) and, when our side knows its public URL, a `url`:

    {base}/v1/pages/{sha256}?case={case number}&expires={unix seconds}&sig={hex}

`sig` is HMAC-SHA256(PLATFORM__SECRET, "page\\n{case}\\n{sha256}\\n{expires}"). Our callback
endpoint (`platform serve --callback-only`) answers such a URL with the page's bytes only
while it has not expired, the signature matches, the page belongs to that case and was not
purged; anything else is 403 (`integrations/platform/page_route.py`).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

PAGES_PATH = "/v1/pages/"
VALID_SECONDS = 24 * 3600  # long enough for a platform's queue, short enough to leak little


class PageUrlError(Exception):
    """Why a page URL is refused: `code` is bad_signature or expired."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def page_signature(secret: bytes, case_number: str, address: str, expires: int) -> str:
    message = f"page\n{case_number}\n{address}\n{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def page_url(
    secret: bytes,
    base_url: str,
    case_number: str,
    address: str,
    now: float,
    valid_seconds: int = VALID_SECONDS,
) -> str:
    """The URL a platform fetches one page of one case by, valid `valid_seconds` from `now`."""
    expires = int(now) + valid_seconds
    query = urlencode(
        {
            "case": case_number,
            "expires": expires,
            "sig": page_signature(secret, case_number, address, expires),
        }
    )
    return f"{base_url.rstrip('/')}{PAGES_PATH}{address}?{query}"


def check_page_url(
    secret: bytes, case_number: str, address: str, expires: str, sig: str, now: float
) -> None:
    """Raise PageUrlError unless the URL was signed by `secret` and has not expired. The
    signature is compared first (constant time), so an expiry cannot be probed unsigned."""
    if not expires.isdigit() or len(expires) > 12:
        raise PageUrlError("bad_signature")
    expected = page_signature(secret, case_number, address, int(expires))
    if not hmac.compare_digest(expected.encode(), sig.encode()):  # bytes: any text compares
        raise PageUrlError("bad_signature")
    if int(expires) < now:
        raise PageUrlError("expired")
