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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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


class Vault:
    """Encrypts, decrypts and hashes personal identifiers. Its repr never shows the key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._hash_key = _derive(master_key, b"lookup")
        self._seal_key = _derive(master_key, b"audit-seal")
        self._files = FileKeys(
            key_id=_derive(master_key, b"key-id")[:KEY_ID_BYTES],
            encrypt=_derive(master_key, b"files/encrypt"),
            address=_derive(master_key, b"files/address"),
        )

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"

    def encrypt(self, value: str, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, value.encode(), context or None)

    def decrypt(self, token: bytes, *, context: bytes = b"") -> str:
        return self._aead.decrypt(token[:_NONCE], token[_NONCE:], context or None).decode()

    @property
    def key_id(self) -> str:
        """A short public name of the key (a hash of it, not the key): stored with every
        ciphertext, so that a file encrypted with another key is recognised as such."""
        return self._files.key_id.hex()

    def file_keys(self) -> FileKeys:
        """The keys of the file store (cases.files), derived from the same master key."""
        return self._files

    def lookup_hash(self, value: str) -> str:
        """Keyed HMAC-SHA256 of the normalized value: equal inputs, equal hashes; without the
        key nobody can test a guessed ID number against the column."""
        return hmac.new(self._hash_key, normalize(value).encode(), hashlib.sha256).hexdigest()

    def seal(self, data: bytes) -> str:
        """Keyed HMAC-SHA256 for the audit log's chain: without the key, an edited row
        cannot be sealed again to look untouched."""
        return hmac.new(self._seal_key, data, hashlib.sha256).hexdigest()


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
    data/ on first start. With PostgreSQL every worker must share one key, so none is invented."""
    configured = settings.security.data_key.get_secret_value()
    if configured:
        return Vault(decode_key(configured))
    key_file = Path(settings.security.key_file)
    if key_file.exists():
        return Vault(decode_key(key_file.read_text()))
    if not settings.database.url.startswith("sqlite"):
        raise MissingKey(
            "no data key: set SECURITY__DATA_KEY (the same on every worker) when using "
            "PostgreSQL; `python -c 'from cases.crypto import generate_key; "
            "print(generate_key())'` makes one"
        )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not _create_key_file(key_file):
        # Another process starting at the same moment created it first: use theirs.
        return Vault(decode_key(key_file.read_text()))
    log.warning(
        "Created a new data key at %s. ID and phone numbers are encrypted with it: back it up "
        "with the database, or they cannot be read again. Set SECURITY__DATA_KEY in production.",
        key_file,
    )
    return Vault(decode_key(key_file.read_text()))


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
