"""The backup archive: an uncompressed tar (its large members, the files, are ciphertext and
do not compress) with

    NOTE.txt                           the key is not inside (Chinese and English)
    database/<table>.jsonl.gz.enc      rows as JSON lines, gzip, then the files' encryption
    files/<address>                    each stored file, the ciphertext as the store holds it
    MANIFEST.json                      format, revision, key id, per-table rows and addresses

A member of the dump is known by its address (the keyed hash of its gzip bytes), kept in the
manifest: reading it back checks the key, the integrity and that it is that table's member.
Members are never extracted to disk: they are streamed out by name.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from cases import filecrypt

if TYPE_CHECKING:
    from cases.crypto import FileKeys

FORMAT = "retirement-one-thing backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
NOTE = "NOTE.txt"


def note(key_id: str) -> str:
    return (
        "本备份不含数据密钥。身份证号、电话号码、材料照片和数据库内容均已用数据密钥加密；\n"
        f"恢复时必须使用同一把密钥（密钥编号 {key_id}）。请把密钥与备份分开妥善保管。\n\n"
        "This backup does not contain the data key. ID and phone numbers, document photos and\n"
        "the database dump are encrypted with it; restoring needs the same key (key id\n"
        f"{key_id}), set as SECURITY__DATA_KEY. Keep the key apart from the backups.\n"
    )


class _Sealer:
    """What gzip writes into: hashed (the member's address) and encrypted on the way."""

    def __init__(self, keys: FileKeys, out: BinaryIO) -> None:
        self.digest = filecrypt.hasher(keys)
        self.encryptor = filecrypt.Encryptor(keys, out)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.encryptor.write(bytes(data))

    def flush(self) -> None:
        return None


class ArchiveWriter:
    def __init__(self, path: Path, keys: FileKeys) -> None:
        self.path, self.keys = path, keys
        self.partial = path.with_name(path.name + ".part")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._out = os.fdopen(fd, "wb")  # closed by close(), after the tar's end blocks
        self.tar = tarfile.open(fileobj=self._out, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self._scratch = tempfile.TemporaryDirectory(prefix="backup-", dir=path.parent)

    @contextlib.contextmanager
    def table(self, name: str) -> Iterator[tuple[IO[str], dict[str, str]]]:
        """A text stream for one table's JSON lines; the dict gets its `address` on exit."""
        scratch = Path(self._scratch.name) / f"{name}.enc"
        result: dict[str, str] = {}
        with scratch.open("wb") as raw:
            sealer = _Sealer(self.keys, raw)
            with (
                gzip.GzipFile(fileobj=cast(BinaryIO, sealer), mode="wb", mtime=0) as gz,
                io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as text,
            ):
                yield text, result
            sealer.encryptor.close()
            result["address"] = sealer.digest.hexdigest()
        self.tar.add(scratch, arcname=f"database/{name}.jsonl.gz.enc")
        scratch.unlink()

    def add_stream(self, name: str, size: int, stream: BinaryIO) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode = size, 0o600
        self.tar.addfile(info, stream)

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add_stream(name, len(data), io.BytesIO(data))

    def finish(self, manifest: dict[str, Any]) -> None:
        self.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        self.close()
        os.replace(self.partial, self.path)

    def close(self) -> None:
        self.tar.close()  # writes the end blocks; the file itself stays ours to close
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        self._scratch.cleanup()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
        self.partial.unlink(missing_ok=True)


class ArchiveReader:
    def __init__(self, path: Path, keys: FileKeys) -> None:
        self.keys = keys
        self.tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by close()
        member = self.tar.extractfile(MANIFEST)
        if member is None:
            raise ValueError(f"{path}: no {MANIFEST}: not a backup of this service")
        self.manifest: dict[str, Any] = json.loads(member.read())
        if self.manifest.get("format") != FORMAT or self.manifest.get("version") != VERSION:
            raise ValueError(f"{path}: not a backup of this service (or of a newer version)")

    def rows(self, table: str) -> Iterator[str]:
        """The JSON lines of a table, decrypted and checked against the manifest."""
        address = self.manifest["tables"][table]["address"]
        member = self.tar.extractfile(f"database/{table}.jsonl.gz.enc")
        if member is None:
            raise ValueError(f"the backup lacks table {table}")
        plain = filecrypt.IterReader(filecrypt.decrypt(self.keys, cast(BinaryIO, member), address))
        with (
            gzip.GzipFile(fileobj=cast(BinaryIO, plain), mode="rb") as gz,
            io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as text,
        ):
            yield from text

    def files(self) -> Iterator[tuple[str, BinaryIO]]:
        """(address, ciphertext stream) of every stored file in the backup."""
        for member in self.tar:
            if not member.isfile() or not member.name.startswith("files/"):
                continue
            stream = self.tar.extractfile(member)
            if stream is not None:
                yield member.name.removeprefix("files/"), cast(BinaryIO, stream)

    def close(self) -> None:
        self.tar.close()
