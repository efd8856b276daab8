"""The local folder backend (the embedded default): `ab/cd/abcd…` under settings.files.dir.

A file becomes visible by `os.replace` of the staged file (written in `tmp/` of the same
folder, so the rename is atomic) followed by an fsync of its folder: a crash leaves at most a
staged file that nothing refers to. Folders are 0700 and files 0600, whatever the umask.
Only the machine that holds the folder sees these files: several machines need a shared
backend (`postgresql` or `s3`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from app.settings import Settings

DIR_MODE = 0o700
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
FILE_MODE = 0o600


class LocalBlobs:
    name = "local"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._root = str(self.root)
        private_dir(self.root)

    def path_for(self, address: str) -> Path:
        check_address(address)
        return self.root / address[:2] / address[2:4] / address

    def publish(self, staged: Path, address: str) -> bool:
        final = self.path_for(address)
        if final.is_file():
            staged.unlink()  # the same content is already stored
            return False
        private_dir(final.parent.parent)
        private_dir(final.parent)
        os.replace(staged, final)
        _fsync_dir(final.parent)
        return True

    def open(self, address: str) -> BinaryIO:
        return self.path_for(address).open("rb")

    def exists(self, address: str) -> bool:
        return self.path_for(address).is_file()

    def size(self, address: str) -> int | None:
        check_address(address)
        # A string path, not pathlib's three joins: `db purge` asks this of every file.
        path = os.path.join(self._root, address[:2], address[2:4], address)
        try:
            return os.stat(path).st_size
        except FileNotFoundError:
            return None

    def delete(self, address: str) -> int:
        path = self.path_for(address)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def addresses(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    def describe(self) -> str:
        return f"local folder {self.root}"

    def close(self) -> None:
        return None


def check_address(address: str) -> None:
    """Addresses become paths and object keys: only a 64-character hex digest is one."""
    if not HEX_DIGEST.fullmatch(address):
        raise ValueError("not a hex digest")


def private_dir(path: Path) -> None:
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


def from_settings(settings: Settings) -> LocalBlobs:
    return LocalBlobs(settings.files.dir)
