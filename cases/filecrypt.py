"""The encrypted format of stored files (and of a backup's database dump), streamed:

    header  = MAGIC "RTOF" | version 0x01 | key id (8 bytes) | file nonce (16 bytes)
    chunk i = AES-GCM(file key, nonce = i (11 bytes, big-endian) | last flag (1 byte),
                      plain chunk of at most 1 MiB, associated data = header) (+16-byte tag)

The file key is derived from the data key's file key and the random file nonce, so every file
has a key of its own and the chunk counter never repeats a nonce under a key. The last flag
and the counter are authenticated: a file cut short, chunks reordered or swapped between files
fail to decrypt. Decrypting also checks that the content still has the address (keyed hash)
it is known by (a file copied over another one is caught). A wrong key or a changed file raise
`WrongFileKey` / `TamperedFile`, never hand out garbage.

Kept apart from the store (cases.files) and its backends (cases.blobs): the format does not
care where the bytes live, on a disk, in PostgreSQL, in an S3 bucket or in a backup.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cases.errors import TamperedFile, WrongFileKey

if TYPE_CHECKING:
    from cases.crypto import FileKeys

_READ = 64 * 1024  # reading the caller's stream
CHUNK = 1024 * 1024  # plain bytes per encrypted chunk
TAG = 16
MAGIC = b"RTOF"
VERSION = 1
_KEY_ID = 8
_FILE_NONCE = 16
HEADER_SIZE = len(MAGIC) + 1 + _KEY_ID + _FILE_NONCE


def hasher(keys: FileKeys) -> hmac.HMAC:
    """The keyed hash that names a file by its plain content (its address)."""
    return hmac.new(keys.address, digestmod=hashlib.sha256)


class Encryptor:
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

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # more than a chunk: the first one is not the last
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def flush(self) -> None:
        """For writers layered on top (gzip): chunks are sealed only once known."""

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = _chunk_nonce(self.index, last)
        self.out.write(self.aead.encrypt(nonce, plain, self.header))
        self.index += 1


def decrypt(keys: FileKeys, f: BinaryIO, address: str | None) -> Iterator[bytes]:
    """The plain content of the encrypted stream `f`, chunk by chunk (at most 1 MiB held at a
    time). The last chunk only comes once the whole file has been authenticated and, when
    `address` is given, found to have that address."""
    header = f.read(HEADER_SIZE)
    key_id, file_nonce = parse_header(header)
    if key_id != keys.key_id:
        raise WrongFileKey(key_id.hex(), keys.key_id.hex())
    aead = AESGCM(_file_key(keys, file_nonce))
    digest = hasher(keys)
    index = 0
    current = f.read(CHUNK + TAG)
    while True:
        following = f.read(CHUNK + TAG) if len(current) == CHUNK + TAG else b""
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


def is_encrypted_header(start: bytes) -> bool:
    return start[: len(MAGIC)] == MAGIC


def parse_header(header: bytes) -> tuple[bytes, bytes]:
    """(key id, file nonce) of an encrypted file's header."""
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


def plain_chunks(data: bytes | BinaryIO | Iterable[bytes]) -> Iterable[bytes]:
    """Bytes, a binary stream or an iterable of chunks, as an iterable of chunks."""
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


class IterReader:
    """A read-only stream over an iterator of byte strings of any sizes: what a decryptor or
    gzip wants to `read(n)` from, where the bytes arrive in parts (rows, decrypted chunks)."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = iter(parts)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            part = next(self._parts, None)
            if part is None:
                self._done = True
            else:
                self._buffer += part
        cut = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        out = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return out

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        close = getattr(self._parts, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> IterReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
