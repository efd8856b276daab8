"""Where the encrypted files of the store live: one interface, three backends.

- `local` (the embedded default): a folder, `settings.files.dir`. One machine only.
- `postgresql`: rows of the `file_blobs` table in the deployment's own database, so every
  worker on that database sees every page, `db purge` on any machine cleans it, and a
  database backup holds them too.
- `s3`: a bucket of an S3-compatible object store, for deployments with many files.

The store (cases.files) encrypts first: a backend only ever holds ciphertext under its address
(the keyed hash of the plain content). It is handed a finished, encrypted staging file and
its address, and makes it visible under that address in one step or not at all: a reader
never sees half a file, and a second write of the same content changes nothing.

Backends are imported only when selected (their client libraries cost 0.1-0.2 s to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from app.settings import Settings

# FILES__BACKEND -> the module whose `from_settings(settings)` builds it.
MODULES = {
    "local": "cases.blobs.local",
    "postgresql": "cases.blobs.postgres",
    "s3": "cases.blobs.s3",
}


class BlobBackend(Protocol):
    """Stored ciphertext by address. Every method is blocking (call it off the event loop
    where it matters) and safe to call from several threads."""

    name: str  # the FILES__BACKEND value

    def publish(self, staged: Path, address: str) -> bool:
        """Make the encrypted file `staged` visible under `address` (the caller removes
        `staged` afterwards, if it is still there); False when that address was already
        stored (nothing changes then)."""
        ...

    def open(self, address: str) -> BinaryIO:
        """The ciphertext, as a stream to read and close. FileNotFoundError when absent."""
        ...

    def exists(self, address: str) -> bool: ...

    def size(self, address: str) -> int | None:
        """Stored bytes (ciphertext), None when absent."""
        ...

    def delete(self, address: str) -> int:
        """Remove it; returns the bytes freed (0 when it was not there)."""
        ...

    def addresses(self) -> Iterator[str]:
        """Every stored address, in no particular order."""
        ...

    def describe(self) -> str:
        """Where the files are, for logs and `doctor` (never a secret)."""
        ...

    def close(self) -> None: ...


def backend_from_settings(settings: Settings) -> BlobBackend:
    """The backend FILES__BACKEND names (the settings already checked it exists)."""
    module = importlib.import_module(MODULES[settings.files.backend])
    backend: BlobBackend = module.from_settings(settings)
    return backend
