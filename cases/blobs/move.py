"""`db move-files --from DIR`: a deployment's files from a local folder into the configured
backend (a single machine growing into several: FILES__BACKEND=postgresql or s3).

The ciphertext is copied as it is (same key, same addresses: no database row changes), each
file checked on the way to decrypt to its address. The folder is left as it was: remove it
once `main.py doctor` and the staff console show the pages. Running it again copies only what
is not there yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cases.errors import TamperedFile, WrongFileKey
from cases.files import FileStore

log = logging.getLogger(__name__)


@dataclass
class MoveReport:
    copied: int = 0
    present: int = 0
    failed: int = 0


def copy_files(source: FileStore, target: FileStore) -> MoveReport:
    report = MoveReport()
    for address in sorted(source.all_hashes()):
        try:
            with source.open_encrypted(address) as ciphertext:
                if target.put_encrypted(address, ciphertext):
                    report.copied += 1
                else:
                    report.present += 1
        except (TamperedFile, WrongFileKey, FileNotFoundError) as exc:
            log.error("stored file %s not copied: %s", address[:12], type(exc).__name__)
            report.failed += 1
    return report
