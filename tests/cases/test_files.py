"""The content-addressed file store."""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.errors import FileTooLarge
from cases.files import FileStore, open_file_store


def _everything(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_page_is_stored_under_its_hash_and_reads_back(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1_000_000)
    data = b"\xff\xd8 a photo of the hukou page" * 1000
    blob = store.put(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert store.read(blob.sha256) == data
    assert blob.path == tmp_path / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256


def test_the_same_page_uploaded_twice_is_stored_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1_000_000)
    first = store.put(b"same page")
    second = store.put(io.BytesIO(b"same page"))
    assert first == second
    assert _everything(tmp_path) == [str(first.path.relative_to(tmp_path))]


def test_an_interrupted_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=10_000_000)

    def download() -> Iterator[bytes]:
        yield b"x" * 100_000
        yield b"y" * 100_000
        raise ConnectionResetError("download cut off mid-file")

    with pytest.raises(ConnectionResetError):
        store.put(download())
    assert _everything(tmp_path) == []


def test_an_oversized_file_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1000)
    with pytest.raises(FileTooLarge, match="1000 bytes"):
        store.put(io.BytesIO(b"z" * 5000))
    assert _everything(tmp_path) == []
    assert store.put(b"z" * 1000).size == 1000  # exactly the limit is fine


def test_temp_files_left_by_a_crash_are_ignored_and_cleaned(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1000)
    leftover = tmp_path / "tmp" / "deadbeef.part"
    leftover.write_bytes(b"half a photo")
    an_hour_ago = time.time() - 7200
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    young = tmp_path / "tmp" / "cafe.part"
    young.write_bytes(b"being written by another process right now")

    assert list(store.all_hashes()) == []  # never mistaken for a stored page
    open_file_store(tmp_path, 1000)
    assert not leftover.exists()
    assert young.exists()


def test_only_hex_digests_name_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1000)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
