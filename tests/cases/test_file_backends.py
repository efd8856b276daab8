"""One file store, three places for its files: the local folder, PostgreSQL and an S3 bucket
(moto's server on loopback). The same contract on each, and two "machines" (two stores with
folders of their own) sharing one backend see each other's files."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cases.blobs import BlobBackend
from cases.crypto import Vault
from cases.errors import TamperedFile, WrongFileKey
from cases.files import CHUNK, FileStore
from tests.cases.blob_backends import BACKENDS, blob_backend, moto_s3

KEY = Vault(bytes(range(32)))
PHOTO = b"\xff\xd8\xff\xe0 a photo of the hukou page" * 1000


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(params=BACKENDS)
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: str
) -> AsyncIterator[BlobBackend]:
    async with blob_backend(request.param, tmp_path, s3_endpoint) as made:
        yield made


def _machine(tmp_path: Path, name: str, backend: BlobBackend, vault: Vault = KEY) -> FileStore:
    return FileStore(tmp_path / name, 4 * CHUNK, vault=vault, backend=backend)


def test_a_file_reads_back_whole_and_is_stored_once(tmp_path: Path, backend: BlobBackend) -> None:
    store = _machine(tmp_path, "a", backend)
    data = os.urandom(2 * CHUNK + 99)  # three encrypted chunks, three PostgreSQL parts
    blob = store.put(data)
    assert store.read(blob.address) == data
    assert store.put(data) == blob  # the same content again: nothing new
    assert list(store.all_hashes()) == [blob.address]
    size = store.stored_size(blob.address)
    assert size is not None and size > len(data)  # ciphertext: headers and tags
    # Nothing of the content is kept in clear, and no staging file is left behind.
    with store.open_encrypted(blob.address) as raw:
        stored = raw.read()
    assert len(stored) == size and data[:64] not in stored
    assert list((tmp_path / "a" / "tmp").iterdir()) == []


def test_two_machines_on_one_backend_see_the_same_pages(
    tmp_path: Path, backend: BlobBackend
) -> None:
    if backend.name == "local":
        pytest.skip("a local folder is one machine's: what the shared backends are for")
    first, second = _machine(tmp_path, "a", backend), _machine(tmp_path, "b", backend)
    blob = first.put(PHOTO)
    assert second.exists(blob.address)
    assert second.read(blob.address) == PHOTO
    # Deleting on one machine deletes for both (what `db purge` relies on).
    size = first.stored_size(blob.address)
    assert size is not None and second.delete(blob.address) == size
    assert not first.exists(blob.address)
    with pytest.raises(FileNotFoundError):
        first.read(blob.address)


def test_missing_files_and_deleting_twice(tmp_path: Path, backend: BlobBackend) -> None:
    store = _machine(tmp_path, "a", backend)
    absent = store.address_of(b"never stored")
    assert not store.exists(absent)
    assert store.stored_size(absent) is None
    assert store.delete(absent) == 0
    with pytest.raises(FileNotFoundError):
        store.read(absent)
    blob = store.put(b"once")
    freed = store.delete(blob.address)
    assert freed > 0 and store.delete(blob.address) == 0


def test_another_key_cannot_read_and_a_wrong_copy_is_refused(
    tmp_path: Path, backend: BlobBackend
) -> None:
    ours = _machine(tmp_path, "a", backend)
    theirs = _machine(tmp_path, "b", backend, vault=Vault(bytes(range(1, 33))))
    blob = ours.put(PHOTO)
    with pytest.raises(WrongFileKey):
        theirs.read(blob.address)
    # Copying ciphertext in (a restore, a move) checks it first: a file under another's
    # address is refused and nothing is stored.
    other = ours.address_of(b"another page")
    with ours.open_encrypted(blob.address) as raw, pytest.raises(TamperedFile):
        ours.put_encrypted(other, raw)
    assert not ours.exists(other)
    assert list((tmp_path / "a" / "tmp").iterdir()) == []


def test_ciphertext_moves_between_backends_unchanged(tmp_path: Path, backend: BlobBackend) -> None:
    """`put_encrypted`: what a restore and a move between backends do, file by file."""
    source = FileStore(tmp_path / "old", 4 * CHUNK, vault=KEY)  # the local default
    blob = source.put(PHOTO)
    target = _machine(tmp_path, "new", backend)
    with source.open_encrypted(blob.address) as raw:
        assert target.put_encrypted(blob.address, raw) is True
    assert target.read(blob.address) == PHOTO
    with source.open_encrypted(blob.address) as raw:
        assert target.put_encrypted(blob.address, raw) is False  # already there
