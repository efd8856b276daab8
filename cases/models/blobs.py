"""The encrypted files of the `postgresql` file backend (cases.blobs.postgres).

One file is several rows: its ciphertext cut in parts of at most 1 MiB, written in one
transaction, so that a file is read without holding it whole and is never seen half written.
The table exists on SQLite too (one schema for both databases) and stays empty there.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base


class FileBlob(Base):
    __tablename__ = "file_blobs"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)  # the keyed hash
    part: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
