"""Message catalogs. Every text the applicant sees comes from here.

Each language is a folder of TOML files (`locales/zh_CN/*.toml`); the files of one language are
merged into one flat table of keys, and a key defined twice is an error. Feature modules own
their own file, so they never edit each other's catalogs.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from string import Formatter

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
_ROOT = Path(__file__).parent


def _flatten(prefix: str, table: dict[str, object], out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out, source)
        else:
            if full in out:
                raise ValueError(f"locale key {full!r} defined twice (again in {source.name})")
            out[full] = str(value)


@cache
def catalog(language: str) -> dict[str, str]:
    """All keys of one language, loaded once per process."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    out: dict[str, str] = {}
    for path in sorted((_ROOT / language).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), out, path)
    return out


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class Translator:
    """Renders message keys in one language; falls back to Chinese, then to the key itself."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._own = catalog(self.language)
        self._fallback = catalog(DEFAULT_LANGUAGE)

    def has(self, key: str) -> bool:
        return key in self._own or key in self._fallback

    def __call__(self, key: str, /, **params: object) -> str:
        text = self._own.get(key) or self._fallback.get(key)
        if text is None:
            return key
        return text.format(**params) if params else text


def translator(language: str | None) -> Translator:
    return Translator(language or DEFAULT_LANGUAGE)
