"""The towns (镇) an applicant may live in, from `policy/towns.toml` (configuration, not code).

The community registration item is done by the applicant's town; the conversation offers these
towns as choices (`ask_town`), the one form carries the chosen town's official name, and the
"other / not sure" option (`clerk_resolves`) leaves it to the clerk.

Each town's government is its own office (`town_<code>`): its staff accounts have that role and
see only its residents' items. The clerk-resolves option has no office: the clerk assigns the
town (`staff route`), then the item goes to that town's office.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policy.item_defs import ItemDef

DEFAULT_TOWNS_FILE = Path(__file__).with_name("towns.toml")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,23}$")
OFFICE_PREFIX = "town_"  # a town's office code is this and the town's code


class TownsFileError(ValueError):
    """The towns file is malformed; the message names the file and the town."""


@dataclass(frozen=True)
class Town:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    clerk_resolves: bool = False

    def label(self, language: str | None) -> str:
        """The button's text: the official name; in English with the Chinese beside it."""
        return self.name_zh if language in (None, "zh_CN") else f"{self.name_en} ({self.name_zh})"

    @property
    def office(self) -> str | None:
        """The town's office code; None for the option the clerk resolves."""
        return None if self.clerk_resolves else f"{OFFICE_PREFIX}{self.code}"

    @property
    def office_name_zh(self) -> str:
        return f"{self.name_zh}人民政府（党群服务中心）"


def parse_towns(path: Path) -> tuple[Town, ...]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    raw = data.get("towns")
    if not isinstance(raw, list) or not raw:
        raise TownsFileError(f"{path}: no [[towns]]")
    towns: list[Town] = []
    for entry in raw:
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not _CODE.match(code):
            raise TownsFileError(f"{path}: every town needs a short lowercase code, got {code!r}")
        for key in ("name_zh", "name_en"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise TownsFileError(f"{path}: town {code}: {key} is required")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise TownsFileError(f"{path}: town {code}: aliases must be a list of strings")
        towns.append(
            Town(
                code,
                entry["name_zh"],
                entry["name_en"],
                tuple(aliases),
                entry.get("clerk_resolves") is True,
            )
        )
    if len({t.code for t in towns}) != len(towns):
        raise TownsFileError(f"{path}: a town code is used twice")
    if sum(t.clerk_resolves for t in towns) != 1:
        raise TownsFileError(f"{path}: exactly one town must be the clerk_resolves option")
    return tuple(towns)


@cache
def _default() -> tuple[Town, ...]:
    return parse_towns(DEFAULT_TOWNS_FILE)


def load_towns(path: Path | None = None) -> tuple[Town, ...]:
    """The towns in file order (the default file is read once per process)."""
    return _default() if path is None else parse_towns(path)


def town(code: str) -> Town | None:
    return next((t for t in load_towns() if t.code == code), None)


def town_codes() -> tuple[str, ...]:
    return tuple(t.code for t in load_towns())


def official_name(value: str) -> str:
    """The form's town: the official name of a town code; any other value unchanged."""
    found = town(value)
    return found.name_zh if found is not None else value


def match_town(text: str) -> str | None:
    """The town code a typed answer names ("阿镇", "住在乌兰木伦镇"), or None."""
    s = text.strip().rstrip("。.!！~").lower()
    if not s:
        return None
    hits: list[str] = []
    for t in load_towns():
        names = (t.code, t.name_zh, t.name_en.lower(), *t.aliases)
        if s in names:
            return t.code
        if not t.clerk_resolves and any(len(n) >= 2 and n in s for n in (t.name_zh, *t.aliases)):
            hits.append(t.code)
    if len(set(hits)) == 1:
        return hits[0]
    return None


def town_offices() -> tuple[str, ...]:
    """The office codes of the towns, in file order (not the clerk-resolves option)."""
    return tuple(t.office for t in load_towns() if t.office is not None)


def offices_of(definition: ItemDef) -> tuple[str, ...]:
    """The offices that may handle the item: its own, or for an item routed by the town,
    each town's office."""
    return town_offices() if definition.office_routed_by is not None else (definition.office,)


def town_of_office(office: str) -> Town | None:
    """The town whose office this is, or None."""
    return next((t for t in load_towns() if t.office == office), None)


def find_town(value: str) -> Town | None:
    """The town a form value or the clerk names: its code, office code, official name, or a
    nickname people type (阿镇); None when it names none."""
    text = value.strip()
    for t in load_towns():
        if text in (t.code, t.office, t.name_zh):
            return t
    code = match_town(text)
    return town(code) if code is not None else None
