"""Personal data at rest: ID and phone numbers encrypted with AES-GCM, found by a keyed hash.

One 32-byte master key (settings.security.data_key, urlsafe base64) gives two derived keys,
one to encrypt and one to hash, so that the hash column reveals nothing about the cipher key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from cases.errors import MissingKey

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger(__name__)

_NONCE = 12
KEY_ID_BYTES = 8


@dataclass(frozen=True)
class FileKeys:
    """The file store's keys: `encrypt` (AES-GCM, per file through a per-file derivation),
    `address` (HMAC of the content: the file's name and de-duplication key) and `key_id`."""

    key_id: bytes
    encrypt: bytes = field(repr=False)
    address: bytes = field(repr=False)


def _derive(master: bytes, purpose: bytes) -> bytes:
    return hmac.new(master, b"retirement-one-thing/" + purpose, hashlib.sha256).digest()


def normalize(value: str) -> str:
    """The form that is hashed: no spaces or dashes, upper-case X, no +86 prefix on phones."""
    text = "".join(value.split()).replace("-", "").upper()
    if text.startswith("+86"):
        text = text[3:]
    return text


class _Key:
    """One master key's derived keys."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self.id = _derive(master_key, b"key-id")[:KEY_ID_BYTES]
        self.aead = AESGCM(_derive(master_key, b"encrypt"))
        self.hash_key = _derive(master_key, b"lookup")
        self.seal_key = _derive(master_key, b"audit-seal")
        self.files = FileKeys(
            key_id=self.id,
            encrypt=_derive(master_key, b"files/encrypt"),
            address=_derive(master_key, b"files/address"),
        )


class Vault:
    """Encrypts, decrypts and hashes personal identifiers. Its repr never shows the key.

    It holds the current key, which makes every new ciphertext, hash and seal, and during a
    key rotation (`cases.key_rotation`) the old keys, which only read what they made: every
    ciphertext names its key (`TOKEN_MAGIC`, key id, nonce, AES-GCM), so the right one is
    picked without trying. Tokens from before key ids (nonce and AES-GCM only) are tried with
    each key in turn; their first bytes are random, and AES-GCM's tag settles any doubt.
    """

    def __init__(self, master_key: bytes, *, old_keys: Sequence[bytes] = ()) -> None:
        self._current = _Key(master_key)
        self._ring = [self._current, *(_Key(k) for k in old_keys)]
        self._by_id = {key.id: key for key in reversed(self._ring)}

    def __repr__(self) -> str:
        return f"Vault(<key hidden>, {len(self._ring) - 1} old)"

    def encrypt(self, value: str, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._current.aead.encrypt(nonce, value.encode(), context or None)
        return TOKEN_MAGIC + self._current.id + nonce + sealed

    def decrypt(self, token: bytes, *, context: bytes = b"") -> str:
        key = self._by_id.get(token[_KEY_ID_AT:_NONCE_AT]) if _is_keyed(token) else None
        if key is not None:
            try:
                return _open(key, token[_NONCE_AT:], context)
            except InvalidTag:
                pass  # a token from before key ids whose random nonce began like a key id
        for key in self._ring:
            try:
                return _open(key, token, context)
            except InvalidTag:
                continue
        raise InvalidTag

    def made_by_current_key(self, token: bytes) -> bool:
        """Whether `token` was made by the current key (a rotation skips it)."""
        return _is_keyed(token) and token[_KEY_ID_AT:_NONCE_AT] == self._current.id

    @property
    def key_id(self) -> str:
        """A short public name of the current key (a hash of it, not the key): stored with
        every ciphertext, so that one made by another key is recognised as such."""
        return self._current.id.hex()

    @property
    def old_key_ids(self) -> list[str]:
        return [key.id.hex() for key in self._ring[1:]]

    def file_keys(self) -> FileKeys:
        """The keys of the file store (cases.files) that new files are written with."""
        return self._current.files

    def file_keys_for(self, key_id: bytes) -> FileKeys | None:
        """The file keys of `key_id` (the current or an old key), None when not held."""
        key = self._by_id.get(key_id)
        return None if key is None else key.files

    def lookup_hash(self, value: str) -> str:
        """Keyed HMAC-SHA256 of the normalized value: equal inputs, equal hashes; without the
        key nobody can test a guessed ID number against the column."""
        return _hmac(self._current.hash_key, normalize(value).encode())

    def lookup_hashes(self, value: str) -> list[str]:
        """The value's hash under every key held: during a rotation a row not yet re-encrypted
        still carries its old key's hash, and must still be found."""
        return [_hmac(key.hash_key, normalize(value).encode()) for key in self._ring]

    def seal(self, data: bytes) -> str:
        """Keyed HMAC-SHA256 for the audit log's chain: without the key, an edited row
        cannot be sealed again to look untouched."""
        return _hmac(self._current.seal_key, data)

    def sealed_by_any_key(self, data: bytes, seal: str) -> bool:
        """Whether `seal` is the seal of `data` under any key held (a rotation's check of the
        rows sealed before it began)."""
        return any(hmac.compare_digest(_hmac(k.seal_key, data), seal) for k in self._ring)


TOKEN_MAGIC = b"k1"
_KEY_ID_AT = len(TOKEN_MAGIC)
_NONCE_AT = _KEY_ID_AT + KEY_ID_BYTES


def _is_keyed(token: bytes) -> bool:
    return token[:_KEY_ID_AT] == TOKEN_MAGIC and len(token) >= _NONCE_AT + _NONCE + 16


def _open(key: _Key, token: bytes, context: bytes) -> str:
    return key.aead.decrypt(token[:_NONCE], token[_NONCE:], context or None).decode()


def _hmac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError as exc:
        raise MissingKey("SECURITY__DATA_KEY is not urlsafe base64") from exc
    if len(key) != 32:
        raise MissingKey("SECURITY__DATA_KEY must decode to 32 bytes (see generate_key())")
    return key


def load_vault(settings: Settings) -> Vault:
    """The vault from settings; on the embedded SQLite default, a key file is created under
    data/ on first start. With PostgreSQL every worker must share one key, so none is invented.

    During a key rotation the old keys stay readable: SECURITY__OLD_DATA_KEYS beside the new
    SECURITY__DATA_KEY, or, with a key file, the new key waiting in `<key file>.next`."""
    configured = settings.security.data_key.get_secret_value()
    if configured:
        old = settings.security.old_data_keys.get_secret_value().split(",")
        return Vault(decode_key(configured), old_keys=[decode_key(k) for k in old if k.strip()])
    key_file = Path(settings.security.key_file)
    if key_file.exists():
        return _file_vault(key_file)
    if not settings.database.url.startswith("sqlite"):
        raise MissingKey(
            "no data key: set SECURITY__DATA_KEY (the same on every worker) when using "
            "PostgreSQL; `python -c 'from cases.crypto import generate_key; "
            "print(generate_key())'` makes one"
        )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if _create_key_file(key_file):
        log.warning(
            "Created a new data key at %s. ID and phone numbers are encrypted with it: back it "
            "up with the database, or they cannot be read again. Set SECURITY__DATA_KEY in "
            "production.",
            key_file,
        )
    # Else another process starting at the same moment created it first: use theirs.
    return _file_vault(key_file)


def next_key_file(key_file: Path) -> Path:
    """Where a rotation keeps the new key until every ciphertext is made with it."""
    return key_file.with_name(key_file.name + ".next")


def _file_vault(key_file: Path) -> Vault:
    current = decode_key(key_file.read_text())
    following = next_key_file(key_file)
    if following.exists():  # a rotation under way: write with the new key, read with both
        return Vault(decode_key(following.read_text()), old_keys=[current])
    return Vault(current)


def begin_file_rotation(key_file: Path) -> bool:
    """Create the new key beside the key file, unless a rotation already made it; True when
    this call made it."""
    return _create_key_file(next_key_file(key_file))


def finish_file_rotation(key_file: Path) -> None:
    """The new key becomes the key file; the old key is gone (atomic rename)."""
    os.replace(next_key_file(key_file), key_file)
    fd = os.open(key_file.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_key_file(key_file: Path) -> bool:
    """Write a new key to `key_file` unless one is there; False when another process won.

    The key is written whole to a private temporary file, then linked into place (an atomic
    create-if-absent): the key file is never seen empty or half written, and of several
    processes starting at once exactly one key wins.
    """
    temporary = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    # Create with 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(generate_key())
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, key_file)
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)


def vault_of(session: Session) -> Vault:
    """The vault of the Database that opened this session."""
    vault = session.info.get("vault")
    if vault is None:
        raise MissingKey("this session's Database was built without a vault (Database(vault=))")
    return vault
