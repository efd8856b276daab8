"""The content-addressed, encrypted file store."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.crypto import Vault
from cases.errors import FileTooLarge, TamperedFile, WrongFileKey
from cases.files import CHUNK, HEADER_SIZE, FileStore, open_file_store

KEY = Vault(bytes(range(32)))
OTHER_KEY = Vault(bytes(range(1, 33)))
PHOTO = b"\xff\xd8\xff\xe0 a photo of the hukou page" * 1000


def _store(root: Path, max_bytes: int = 1_000_000, vault: Vault = KEY) -> FileStore:
    return FileStore(root, max_bytes, vault=vault)


def _everything(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_page_is_stored_encrypted_under_a_keyed_hash_and_reads_back(tmp_path: Path) -> None:
    store = _store(tmp_path)
    blob = store.put(PHOTO)
    assert blob.size == len(PHOTO)
    assert store.read(blob.address) == PHOTO
    # Named by a keyed hash: the plain sha256 (anyone's to compute) is nowhere.
    plain_sha = hashlib.sha256(PHOTO).hexdigest()
    assert blob.address != plain_sha
    assert _everything(tmp_path) == [f"{blob.address[:2]}/{blob.address[2:4]}/{blob.address}"]
    on_disk = store.path_for(blob.address).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8") and b"hukou" not in on_disk
    # Another key names the same content otherwise: the name reveals nothing without it.
    assert _store(tmp_path / "other", vault=OTHER_KEY).address_of(PHOTO) != blob.address


def test_the_same_page_uploaded_twice_is_stored_once(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = store.put(b"same page")
    second = store.put(io.BytesIO(b"same page"))
    assert first == second
    assert len(_everything(tmp_path)) == 1


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_files_of_any_length_stream_back_chunk_by_chunk(tmp_path: Path, size: int) -> None:
    store = _store(tmp_path, max_bytes=4 * CHUNK)
    data = os.urandom(size)
    blob = store.put(iter([data[: size // 3], data[size // 3 :]]))
    chunks = list(store.chunks(blob.address))
    assert b"".join(chunks) == data
    assert all(len(c) <= CHUNK for c in chunks)


def test_a_changed_byte_fails_loudly(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=4 * CHUNK)
    blob = store.put(os.urandom(2 * CHUNK + 5))
    path = store.path_for(blob.address)
    raw = bytearray(path.read_bytes())
    raw[HEADER_SIZE + CHUNK + 100] ^= 1  # in the second chunk
    path.write_bytes(bytes(raw))
    with pytest.raises(TamperedFile, match="chunk 1"):
        store.read(blob.address)


def test_a_file_cut_short_at_a_chunk_boundary_fails_loudly(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=4 * CHUNK)
    blob = store.put(os.urandom(2 * CHUNK + 5))
    path = store.path_for(blob.address)
    raw = path.read_bytes()
    path.write_bytes(raw[: HEADER_SIZE + CHUNK + 16])  # only the first whole chunk left
    with pytest.raises(TamperedFile):
        store.read(blob.address)


def test_a_file_copied_over_another_fails_loudly(tmp_path: Path) -> None:
    store = _store(tmp_path)
    mine, other = store.put(b"my ID card"), store.put(b"someone else's ID card")
    store.path_for(mine.address).write_bytes(store.path_for(other.address).read_bytes())
    with pytest.raises(TamperedFile, match="another file"):
        store.read(mine.address)


def test_a_plain_file_is_not_handed_out(tmp_path: Path) -> None:
    store = _store(tmp_path)
    blob = store.put(PHOTO)
    store.path_for(blob.address).write_bytes(PHOTO)
    with pytest.raises(TamperedFile, match="encrypted format"):
        store.read(blob.address)


def test_the_wrong_key_fails_loudly_and_names_both_key_ids(tmp_path: Path) -> None:
    blob = _store(tmp_path).put(PHOTO)
    wrong = _store(tmp_path, vault=OTHER_KEY)
    with pytest.raises(WrongFileKey) as caught:
        wrong.read(blob.address)
    assert KEY.key_id in str(caught.value) and OTHER_KEY.key_id in str(caught.value)


def test_folders_are_0700_and_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = _store(tmp_path / "files")
        blob = store.put(PHOTO)
    finally:
        os.umask(old)
    for path in [tmp_path / "files", *(tmp_path / "files").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert store.read(blob.address) == PHOTO


def test_an_interrupted_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=10_000_000)

    def download() -> Iterator[bytes]:
        yield b"x" * 100_000
        yield b"y" * 100_000
        raise ConnectionResetError("download cut off mid-file")

    with pytest.raises(ConnectionResetError):
        store.put(download())
    assert _everything(tmp_path) == []


def test_an_oversized_file_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=1000)
    with pytest.raises(FileTooLarge, match="1000 bytes"):
        store.put(io.BytesIO(b"z" * 5000))
    assert _everything(tmp_path) == []
    assert store.put(b"z" * 1000).size == 1000  # exactly the limit is fine


def test_temp_files_left_by_a_crash_are_ignored_and_cleaned(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=1000)
    leftover = tmp_path / "tmp" / "deadbeef.part"
    leftover.write_bytes(b"half a photo")
    an_hour_ago = time.time() - 7200
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    young = tmp_path / "tmp" / "cafe.part"
    young.write_bytes(b"being written by another process right now")

    assert list(store.all_hashes()) == []  # never mistaken for a stored page
    open_file_store(tmp_path, 1000, KEY)
    assert not leftover.exists()
    assert young.exists()


def test_only_hex_digests_name_files(tmp_path: Path) -> None:
    store = _store(tmp_path, max_bytes=1000)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
