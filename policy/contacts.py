"""The offices' contacts (address, phone, hours), read from an operator-edited data file
(`policy/contacts.toml`, or SERVICE__CONTACTS_FILE). Nothing is invented: a field not yet
filled stays empty, and the guide and the notice say 请咨询窗口 there."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONTACTS_FILE = Path(__file__).with_name("contacts.toml")
DETAILS = ("address", "phone", "hours")


class ContactsFileError(ValueError):
    """The contacts file is malformed; the message names the file and the office."""


@dataclass(frozen=True)
class Contact:
    office: str
    name_zh: str
    role_zh: str
    address: str = ""
    phone: str = ""
    hours: str = ""

    @property
    def missing(self) -> tuple[str, ...]:
        """The details not yet filled in (of address, phone, hours)."""
        return tuple(d for d in DETAILS if not getattr(self, d))


def _text(raw: dict[str, object], key: str, where: str, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ContactsFileError(f"{where}: {key} must be {'a non-empty ' if required else ''}text")
    return value.strip()


def load_contacts(path: Path | None = None) -> tuple[Contact, ...]:
    """The offices of a contacts file, in file order; raises ContactsFileError."""
    path = path or DEFAULT_CONTACTS_FILE
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    raw_offices = data.get("offices", [])
    if not isinstance(raw_offices, list):
        raise ContactsFileError(f"{path}: offices must be [[offices]] entries")
    out: list[Contact] = []
    for raw in raw_offices:
        if not isinstance(raw, dict):
            raise ContactsFileError(f"{path}: each [[offices]] must be a table")
        where = f"{path}: office {raw.get('office', '?')}"
        code, name, role = (_text(raw, k, where, True) for k in ("office", "name_zh", "role_zh"))
        details = {d: _text(raw, d, where, False) for d in DETAILS}
        out.append(Contact(code, name, role, **details))
    codes = [c.office for c in out]
    if len(set(codes)) != len(codes):
        raise ContactsFileError(f"{path}: an office is listed twice")
    return tuple(out)
