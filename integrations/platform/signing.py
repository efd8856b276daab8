"""HMAC-SHA256 request signing, both directions of the contract.

The signature covers the method, the path (with its query string), the timestamp, the nonce
and the SHA-256 of the body, one per line:

    POST\\n/v1/cases\\n1790000000\\n6f1c...\\n<hex sha256 of body>

and travels as `X-Signature: v1=<hex>` beside `X-Timestamp` (Unix seconds) and `X-Nonce`.
A receiver refuses a bad signature, a timestamp outside its window and a nonce it has seen.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

TIMESTAMP = "X-Timestamp"
NONCE = "X-Nonce"
SIGNATURE = "X-Signature"
IDEMPOTENCY_KEY = "Idempotency-Key"
_VERSION = "v1="
MAX_TIMESTAMP_DIGITS = 12


class SignatureError(Exception):
    """Why a request was refused: `code` is stable (bad_signature, stale_timestamp,
    replayed_nonce, missing_headers)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()


def sign(secret: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    digest = hmac.new(secret, canonical(method, path, timestamp, nonce, body), hashlib.sha256)
    return _VERSION + digest.hexdigest()


def signed_headers(
    secret: bytes, method: str, path: str, body: bytes, now: float
) -> dict[str, str]:
    """Headers for one outgoing request; a fresh nonce each time."""
    timestamp = str(int(now))
    nonce = secrets.token_hex(16)
    return {
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: sign(secret, method, path, timestamp, nonce, body),
    }


@dataclass(frozen=True)
class Verified:
    timestamp: int
    nonce: str


def verify(
    secret: bytes,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    max_age_seconds: int,
) -> Verified:
    """Check signature and freshness; the caller then records the nonce (replay check).

    The signature is checked first so that an attacker cannot probe the nonce store.
    """
    timestamp = headers.get(TIMESTAMP, "")
    nonce = headers.get(NONCE, "")
    signature = headers.get(SIGNATURE, "")
    if not (timestamp and nonce and signature):
        raise SignatureError("missing_headers")
    if not (8 <= len(nonce) <= 64) or not timestamp.isdigit():
        raise SignatureError("bad_signature")
    expected = sign(secret, method, path, timestamp, nonce, body)
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("bad_signature")
    # Unix seconds have 10 digits until 2286: a longer one is stale whatever it says (and
    # int() of thousands of digits would raise).
    if len(timestamp) > MAX_TIMESTAMP_DIGITS or abs(now - int(timestamp)) > max_age_seconds:
        raise SignatureError("stale_timestamp")
    return Verified(int(timestamp), nonce)
