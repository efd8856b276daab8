"""The content-addressed, encrypted file store: pages, notices, signed copies.

Files are named by their *address*: a keyed hash (HMAC-SHA256, with a key derived from the
data key) of the plain content, never by a name an applicant chose and never by the plain
sha256 (which anyone holding a copy of a document could test against the store or the
database). The database's `sha256` columns hold this address: it is the page's identity for
de-duplication and for the platform contract, which only compares hashes and never reads
files. The same page uploaded twice is stored once.

What is stored is encrypted (AES-256-GCM, chunked: the format is in cases.filecrypt), and
where it is stored is the backend's business (cases.blobs: a local folder, PostgreSQL or an
S3 bucket). A write is encrypted into a private staging file in `tmp/` under
settings.files.dir, fsynced, then handed to the backend, which publishes it whole or not at
all. A crash leaves at most a staging file that nothing refers to and that the next start
removes. The store is written before the database row that refers to a file, and purged
after the row was marked (cases.retention): whatever the backend, a committed row never
points at a file that was not yet written.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cases import filecrypt
from cases.blobs.local import DIR_MODE, FILE_MODE, LocalBlobs, private_dir
from cases.errors import FileTooLarge
from cases.filecrypt import CHUNK, HEADER_SIZE, MAGIC, is_encrypted_header

if TYPE_CHECKING:
    from cases.blobs import BlobBackend
    from cases.crypto import FileKeys, Vault

__all__ = [
    "CHUNK",
    "DIR_MODE",
    "FILE_MODE",
    "HEADER_SIZE",
    "MAGIC",
    "FileStore",
    "StoredBlob",
    "is_encrypted_header",
    "open_file_store",
]

_TMP_SUFFIX = ".part"


@dataclass(frozen=True)
class StoredBlob:
    """A file completely written to the store. Only `FileStore.put` makes these."""

    address: str  # the keyed hash of the content: the file's name, kept in `sha256` columns
    size: int  # plain bytes

    @property
    def sha256(self) -> str:
        """The value the database's `sha256` columns hold: the address (a keyed digest)."""
        return self.address


class FileStore:
    def __init__(
        self,
        root: Path | str,
        max_bytes: int,
        *,
        vault: Vault,
        backend: BlobBackend | None = None,
    ) -> None:
        self.root = Path(root)  # the local folder; with a shared backend, staging only
        self.max_bytes = max_bytes
        self._keys: FileKeys = vault.file_keys()
        self._tmp = self.root / "tmp"
        private_dir(self.root)
        private_dir(self._tmp)
        self.backend: BlobBackend = backend if backend is not None else LocalBlobs(self.root)

    def __repr__(self) -> str:
        return f"FileStore({self.backend.describe()!r}, max_bytes={self.max_bytes})"

    @property
    def key_id(self) -> str:
        return self._keys.key_id.hex()

    # -- names -------------------------------------------------------------------------------

    def path_for(self, address: str) -> Path:
        """Where a file is on disk: only for the local folder backend (tests, encrypt-files)."""
        if not isinstance(self.backend, LocalBlobs):
            raise TypeError(f"files are not on this machine's disk ({self.backend.describe()})")
        return self.backend.path_for(address)

    def hasher(self) -> hmac.HMAC:
        return filecrypt.hasher(self._keys)

    def address_of(self, data: bytes) -> str:
        """The address `data` has (or would have) in this store: a page that is refused and
        never stored is still recognised when sent again, without any plain hash of it."""
        digest = self.hasher()
        digest.update(data)
        return digest.hexdigest()

    def exists(self, address: str) -> bool:
        return self.backend.exists(address)

    def stored_size(self, address: str) -> int | None:
        """Bytes the file takes in the store (encrypted), None when it is not there."""
        return self.backend.size(address)

    # -- writing -----------------------------------------------------------------------------

    def put(self, data: bytes | BinaryIO | Iterable[bytes]) -> StoredBlob:
        """Encrypt and store bytes, a binary stream or an iterable of chunks. Raises
        FileTooLarge past max_bytes; on any error nothing is left behind."""
        digest, size = self.hasher(), 0
        with self._staging() as (tmp, out):
            writer = filecrypt.Encryptor(self._keys, out)
            for chunk in filecrypt.plain_chunks(data):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FileTooLarge(self.max_bytes)
                digest.update(chunk)
                writer.write(chunk)
            writer.close()
        address = digest.hexdigest()
        self._publish(tmp, address)
        return StoredBlob(address, size)

    def put_encrypted(self, address: str, ciphertext: BinaryIO) -> bool:
        """Store a file already encrypted by a store with this key (a backup being restored,
        files moved between backends), after checking that it decrypts to that address.
        False when the address was already stored."""
        if self.backend.exists(address):
            return False
        with self._staging() as (tmp, out):
            shutil.copyfileobj(ciphertext, out, CHUNK)
        try:
            with tmp.open("rb") as staged:
                for _ in filecrypt.decrypt(self._keys, staged, address):
                    pass  # TamperedFile / WrongFileKey stop it here, before it is stored
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self._publish(tmp, address)

    @contextlib.contextmanager
    def _staging(self) -> Iterator[tuple[Path, BinaryIO]]:
        tmp = self._tmp / f"{uuid.uuid4().hex}{_TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                yield tmp, out
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _publish(self, tmp: Path, address: str) -> bool:
        try:
            return self.backend.publish(tmp, address)
        finally:
            tmp.unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------------------------

    def chunks(self, address: str) -> Iterator[bytes]:
        """The plain content, decrypted chunk by chunk (at most 1 MiB held at a time). Raises
        FileNotFoundError, WrongFileKey or TamperedFile; the last chunk only comes once the
        whole file has been authenticated."""
        with contextlib.closing(self.backend.open(address)) as f:
            yield from filecrypt.decrypt(self._keys, f, address)

    def read(self, address: str) -> bytes:
        """The whole plain content (a document to send, a page to show)."""
        return b"".join(self.chunks(address))

    def open_encrypted(self, address: str) -> BinaryIO:
        """The stored ciphertext as it is (a backup copies it without decrypting)."""
        return self.backend.open(address)

    # -- housekeeping ------------------------------------------------------------------------

    def delete(self, address: str) -> int:
        """Remove a stored file; returns the bytes freed (0 when it was not there)."""
        return self.backend.delete(address)

    def clean_temp(self, older_than_seconds: float = 3600) -> int:
        """Remove staging files left by a crash. Only old ones: another process may be
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
        """Every stored file's address (for purging orphans), staging files excluded."""
        return self.backend.addresses()

    def is_encrypted(self, address: str) -> bool:
        """Whether the file stored under this name is in the encrypted format (a file of a
        deployment from before encryption is not: `db encrypt-files` converts it)."""
        with contextlib.closing(self.backend.open(address)) as f:
            return is_encrypted_header(f.read(len(MAGIC)))

    def fix_permissions(self) -> int:
        """Folders 0700 and files 0600 throughout the local folder (a deployment from
        before); returns how many were changed."""
        changed = 0
        for path in [self.root, *self.root.rglob("*")]:
            if path.is_symlink():
                continue
            want = DIR_MODE if path.is_dir() else FILE_MODE
            if path.stat().st_mode & 0o777 != want:
                path.chmod(want)
                changed += 1
        return changed

    def close(self) -> None:
        self.backend.close()


def open_file_store(
    root: Path | str, max_bytes: int, vault: Vault, backend: BlobBackend | None = None
) -> FileStore:
    """The store, with the staging files of a previous crash cleaned (the start command)."""
    store = FileStore(root, max_bytes, vault=vault, backend=backend)
    store.clean_temp()
    return store
