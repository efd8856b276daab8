"""What an intruder reading the data folder finds: documents in clear, files others can read."""

from __future__ import annotations

import stat
from pathlib import Path

# Signatures long enough never to turn up by chance in megabytes of ciphertext.
IN_CLEAR = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"%PDF-": "PDF",
    b"JFIF\x00": "JPEG (JFIF)",
    b"Exif\x00\x00": "JPEG (EXIF)",
}


def documents_in_clear(root: Path, skip: tuple[str, ...] = (".log",)) -> list[str]:
    """Every file under `root` holding a JPEG, PNG or PDF that can be read as is."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith(skip):
            continue
        data = path.read_bytes()
        kinds = [kind for magic, kind in IN_CLEAR.items() if magic in data]
        if data.startswith(b"\xff\xd8\xff"):
            kinds.append("JPEG")
        if kinds:
            found.append(f"{path.relative_to(root)}: {', '.join(kinds)}")
    return found


def readable_by_others(root: Path, skip: tuple[str, ...] = (".log",)) -> list[str]:
    """Every file or folder under `root` (root included) that group or others may use."""
    found = []
    for path in [root, *sorted(root.rglob("*"))]:
        if path.name.endswith(skip) or path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root) if path != root else '.'}: {oct(mode)}")
    return found
