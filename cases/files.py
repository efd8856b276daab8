"""The content-addressed file store under settings.files.dir.

Files are named by their sha256 (`ab/cd/abcd…`), never by a name an applicant chose. A write
goes to a temporary file in `tmp/`, is fsynced and renamed into place (os.replace is atomic),
so a crash leaves at most a temporary file that nothing refers to and that the next start
removes. The same page uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cases.errors import FileTooLarge

_CHUNK = 64 * 1024
_TMP_SUFFIX = ".part"


@dataclass(frozen=True)
class StoredBlob:
    """A file completely written to the store. Only `FileStore.put` makes these."""

    sha256: str
    size: int
    path: Path


class FileStore:
    def __init__(self, root: Path | str, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r}, max_bytes={self.max_bytes})"

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def put(self, data: bytes | BinaryIO | Iterable[bytes]) -> StoredBlob:
        """Store bytes, a binary stream or an iterable of chunks. Raises FileTooLarge past
        max_bytes; on any error nothing is left behind, neither temp nor final file."""
        tmp = self._tmp / f"{uuid.uuid4().hex}{_TMP_SUFFIX}"
        digest, size = hashlib.sha256(), 0
        try:
            with tmp.open("xb") as out:
                for chunk in _chunks(data):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FileTooLarge(self.max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.is_file():
                tmp.unlink()  # the same content is already stored
                return StoredBlob(sha, size, final)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredBlob(sha, size, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def delete(self, sha256: str) -> int:
        """Remove a stored file; returns the bytes freed (0 when it was not there)."""
        path = self.path_for(sha256)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def clean_temp(self, older_than_seconds: float = 3600) -> int:
        """Remove temporary files left by a crash. Only old ones: another process may be
        writing a young one right now. Returns how many were removed."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self._tmp.glob(f"*{_TMP_SUFFIX}"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def all_hashes(self) -> Iterable[str]:
        """Every stored file's sha256 (for purging orphans), temp files excluded."""
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name


def _chunks(data: bytes | BinaryIO | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start : start + _CHUNK])
        return
    read = getattr(data, "read", None)
    if read is not None:
        while chunk := read(_CHUNK):
            yield chunk
        return
    yield from data  # type: ignore[misc]


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_file_store(root: Path | str, max_bytes: int) -> FileStore:
    """The store, with the temporary files of a previous crash cleaned (the start command)."""
    store = FileStore(root, max_bytes)
    store.clean_temp()
    return store
