"""The content-addressed, encrypted file store under settings.files.dir.

Files are named by their *address*: a keyed hash (HMAC-SHA256, with a key derived from the
data key) of the plain content, `ab/cd/abcd…`, never by a name an applicant chose and never by
the plain sha256 (which anyone holding a copy of a document could test against the disk or the
database). The database's `sha256` columns hold this address: it is the page's identity for
de-duplication and for the platform contract, which only compares hashes and never reads
files. The same page uploaded twice is stored once.

What is on disk is encrypted (AES-256-GCM), in a streamed format:

    header  = MAGIC "RTOF" | version 0x01 | key id (8 bytes) | file nonce (16 bytes)
    chunk i = AES-GCM(file key, nonce = i (11 bytes, big-endian) | last flag (1 byte),
                      plain chunk of at most 1 MiB, associated data = header) (+16-byte tag)

The file key is derived from the data key's file key and the random file nonce, so every file
has a key of its own and the chunk counter never repeats a nonce under a key. The last flag
and the counter are authenticated: a file cut short, chunks reordered or swapped between files
fail to decrypt. Reading also checks that the content still has the address it is stored
under (a file copied over another one is caught). A wrong key or a changed file raise
`WrongFileKey` / `TamperedFile`, never hand out garbage.

A write goes to a private temporary file in `tmp/`, is fsynced and renamed into place
(os.replace is atomic), so a crash leaves at most a temporary file that nothing refers to and
that the next start removes. Folders are 0700 and files 0600, whatever the umask.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cases.errors import FileTooLarge, TamperedFile, WrongFileKey

if TYPE_CHECKING:
    from cases.crypto import FileKeys, Vault

_READ = 64 * 1024  # reading the caller's stream
CHUNK = 1024 * 1024  # plain bytes per encrypted chunk
_TAG = 16
MAGIC = b"RTOF"
VERSION = 1
_KEY_ID = 8
_FILE_NONCE = 16
HEADER_SIZE = len(MAGIC) + 1 + _KEY_ID + _FILE_NONCE
_TMP_SUFFIX = ".part"
DIR_MODE = 0o700
FILE_MODE = 0o600


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
    def __init__(self, root: Path | str, max_bytes: int, *, vault: Vault) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._vault = vault  # during a key rotation it also reads files of the old key
        self._keys: FileKeys = vault.file_keys()
        self._tmp = self.root / "tmp"
        _private_dir(self.root)
        _private_dir(self._tmp)

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r}, max_bytes={self.max_bytes})"

    @property
    def key_id(self) -> str:
        return self._keys.key_id.hex()

    # -- names -------------------------------------------------------------------------------

    def path_for(self, address: str) -> Path:
        if len(address) != 64 or any(c not in "0123456789abcdef" for c in address):
            raise ValueError("not a hex digest")
        return self.root / address[:2] / address[2:4] / address

    def hasher(self) -> hmac.HMAC:
        return hmac.new(self._keys.address, digestmod=hashlib.sha256)

    def address_of(self, data: bytes) -> str:
        """The address `data` has (or would have) in this store: a page that is refused and
        never stored is still recognised when sent again, without any plain hash of it."""
        return hmac.new(self._keys.address, data, hashlib.sha256).hexdigest()

    def exists(self, address: str) -> bool:
        return self.path_for(address).is_file()

    # -- writing -----------------------------------------------------------------------------

    def put(self, data: bytes | BinaryIO | Iterable[bytes]) -> StoredBlob:
        """Encrypt and store bytes, a binary stream or an iterable of chunks. Raises
        FileTooLarge past max_bytes; on any error nothing is left behind."""
        tmp = self._tmp / f"{uuid.uuid4().hex}{_TMP_SUFFIX}"
        digest, size = self.hasher(), 0
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                writer = _Encryptor(self._keys, out)
                for chunk in _chunks(data):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FileTooLarge(self.max_bytes)
                    digest.update(chunk)
                    writer.write(chunk)
                writer.close()
                out.flush()
                os.fsync(out.fileno())
            address = digest.hexdigest()
            final = self.path_for(address)
            if final.is_file():
                tmp.unlink()  # the same content is already stored
                return StoredBlob(address, size)
            _private_dir(final.parent.parent)
            _private_dir(final.parent)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredBlob(address, size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    # -- reading -----------------------------------------------------------------------------

    def chunks(self, address: str) -> Iterator[bytes]:
        """The plain content, decrypted chunk by chunk (at most 1 MiB held at a time). Raises
        FileNotFoundError, WrongFileKey or TamperedFile; the last chunk only comes once the
        whole file has been authenticated."""
        path = self.path_for(address)
        with path.open("rb") as f:
            yield from self._decrypt(f, address)

    def read(self, address: str) -> bytes:
        """The whole plain content (a document to send, a page to show)."""
        return b"".join(self.chunks(address))

    def _decrypt(self, f: BinaryIO, address: str | None) -> Iterator[bytes]:
        header = f.read(HEADER_SIZE)
        key_id, file_nonce = _parse_header(header)
        keys = self._vault.file_keys_for(key_id)
        if keys is None:
            raise WrongFileKey(key_id.hex(), self._keys.key_id.hex())
        aead = AESGCM(_file_key(keys, file_nonce))
        digest = hmac.new(keys.address, digestmod=hashlib.sha256)  # its key's address
        index = 0
        current = f.read(CHUNK + _TAG)
        while True:
            following = f.read(CHUNK + _TAG) if len(current) == CHUNK + _TAG else b""
            last = not following
            try:
                plain = aead.decrypt(_chunk_nonce(index, last), current, header)
            except InvalidTag:
                raise TamperedFile(
                    f"stored file {address or '?'}: chunk {index} fails authentication "
                    "(changed, cut short or not written by this store)"
                ) from None
            digest.update(plain)
            if last:
                if address is not None and not hmac.compare_digest(digest.hexdigest(), address):
                    raise TamperedFile(f"stored file {address}: content is another file's")
                yield plain
                return
            yield plain
            current, index = following, index + 1

    # -- housekeeping ------------------------------------------------------------------------

    def delete(self, address: str) -> int:
        """Remove a stored file; returns the bytes freed (0 when it was not there)."""
        path = self.path_for(address)
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
        """Every stored file's address (for purging orphans), temp files excluded."""
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    def key_id_of(self, address: str) -> str:
        """The id of the key that encrypted the stored file (a key rotation's progress)."""
        with self.path_for(address).open("rb") as f:
            return _parse_header(f.read(HEADER_SIZE))[0].hex()

    def is_encrypted(self, address: str) -> bool:
        """Whether the file stored under this name is in the encrypted format (a file of a
        deployment from before encryption is not: `db encrypt-files` converts it)."""
        with self.path_for(address).open("rb") as f:
            return is_encrypted_header(f.read(len(MAGIC)))

    def fix_permissions(self) -> int:
        """Folders 0700 and files 0600 throughout the store (a deployment from before);
        returns how many were changed."""
        changed = 0
        for path in [self.root, *self.root.rglob("*")]:
            if path.is_symlink():
                continue
            want = DIR_MODE if path.is_dir() else FILE_MODE
            if path.stat().st_mode & 0o777 != want:
                path.chmod(want)
                changed += 1
        return changed


class _Encryptor:
    """Buffers the plain stream into CHUNK-sized pieces; a piece is encrypted once the next
    byte is seen (only then is it known not to be the last)."""

    def __init__(self, keys: FileKeys, out: BinaryIO) -> None:
        file_nonce = os.urandom(_FILE_NONCE)
        self.header = MAGIC + bytes([VERSION]) + keys.key_id + file_nonce
        self.aead = AESGCM(_file_key(keys, file_nonce))
        self.out = out
        self.out.write(self.header)
        self.buffer = bytearray()
        self.index = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # more than a chunk: the first one is not the last
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]

    def close(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = _chunk_nonce(self.index, last)
        self.out.write(self.aead.encrypt(nonce, plain, self.header))
        self.index += 1


def is_encrypted_header(start: bytes) -> bool:
    return start[: len(MAGIC)] == MAGIC


def _parse_header(header: bytes) -> tuple[bytes, bytes]:
    if len(header) < HEADER_SIZE or not is_encrypted_header(header):
        raise TamperedFile(
            "stored file is not in the encrypted format (cut short, or kept in clear by an "
            "older version: run `python main.py db encrypt-files`)"
        )
    if header[len(MAGIC)] != VERSION:
        raise TamperedFile(f"stored file has format version {header[len(MAGIC)]}, not {VERSION}")
    start = len(MAGIC) + 1
    return header[start : start + _KEY_ID], header[start + _KEY_ID : HEADER_SIZE]


def _file_key(keys: FileKeys, file_nonce: bytes) -> bytes:
    return hmac.new(keys.encrypt, b"file-key/" + file_nonce, hashlib.sha256).digest()


def _chunk_nonce(index: int, last: bool) -> bytes:
    if index >= 1 << 88:
        raise ValueError("file too long for the chunk counter")
    return index.to_bytes(11, "big") + struct.pack("B", 1 if last else 0)


def _chunks(data: bytes | BinaryIO | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    read = getattr(data, "read", None)
    if read is not None:
        while chunk := read(_READ):
            yield chunk
        return
    yield from data  # type: ignore[misc]


def _private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_file_store(root: Path | str, max_bytes: int, vault: Vault) -> FileStore:
    """The store, with the temporary files of a previous crash cleaned (the start command)."""
    store = FileStore(root, max_bytes, vault=vault)
    store.clean_temp()
    return store
