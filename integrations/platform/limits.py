"""What a request of the contract may carry: every limit in one place, and the checks that
enforce them before anything is written.

A signed request is authentic, not necessarily sensible: a platform with a bug (or a leaked
secret) may send a 100,000-character reason, JSON nested 10,000 levels deep, a timestamp in
the year 275760 or an item code nobody knows. Each of these is refused with a 4xx and a
stable code, never a 500, and never after a partial change:

- 413 `body_too_large`: the body is over `MAX_EVENT_BODY_BYTES` (events) or `MAX_BODY_BYTES`
  (the transport limit of every route, enforced while reading);
- 400 `malformed_body`: not UTF-8 JSON, not an object, or nested deeper than `MAX_JSON_DEPTH`
  (checked on the raw bytes before parsing, so the parser never recurses deeply);
- 422 `invalid`: a field of the wrong type, too long, outside its pattern or range, or a code
  that `policy/items.toml` / `policy.materials` does not know.

docs/platform-contract.md ("Limits") and docs/platform-openapi.yaml state the same figures;
keep the three in step.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

# -- the limits ------------------------------------------------------------------------------

MAX_BODY_BYTES = 2 * 1024 * 1024  # transport limit of every route (a submission's form)
MAX_EVENT_BODY_BYTES = 64 * 1024  # one event; a real one is well under 4 KiB
MAX_JSON_DEPTH = 8  # an event needs 3 (event > items > item); a submission 4
CASE_NUMBER = re.compile(r"YJ-([0-9]{8})-[0-9]{4,8}")  # YJ-YYYYMMDD-NNNN, at most 20 chars
EVENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # the inbox key (64 characters)
CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")  # item, office, material and data-key codes
MAX_TEXT = 2000  # a reason, a data value that is text
MAX_DATA_KEYS = 32  # fields of an office's answer data
MAX_LIST = 32  # items of an acceptance, materials of a return, codes in answer data
MAX_TIMESTAMP_CHARS = 35  # "2026-04-30T01:00:00.123456+08:00" is 32
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # timestamps outside [EARLIEST, LATEST) are absurd
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_SAFE_INTEGER = 2**53 - 1  # what every JSON reader (and a JavaScript one) keeps exactly

# Control characters are refused in text (PostgreSQL cannot store NUL), except tab and newline
# in a reason; lone surrogates ("\ud800") cannot be stored as UTF-8 at all.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


class WireError(ValueError):
    """A request that does not follow the contract: `status` and `code` are what the
    receiver answers (422 invalid unless a subclass says otherwise)."""

    status = 422
    code = "invalid"


class MalformedBody(WireError):
    status = 400
    code = "malformed_body"


class BodyTooLarge(WireError):
    status = 413
    code = "body_too_large"


# -- the body ----------------------------------------------------------------------------------

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects deeper than `limit`, found without parsing
    (strings are blanked first, so brackets inside them do not count)."""
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b'""', raw)):
        if bracket[0] in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not a JSON number")


def parse_object(raw: bytes, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object; an empty body is {}. Raises BodyTooLarge / MalformedBody."""
    if len(raw) > max_bytes:
        raise BodyTooLarge(f"body is {len(raw)} bytes; the limit is {max_bytes}")
    if not raw.strip():
        return {}
    if json_depth_exceeds(raw):
        raise MalformedBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as exc:  # not reachable after the depth check; kept as a guard
        raise MalformedBody("JSON nested too deeply") from exc
    except ValueError as exc:  # also UnicodeDecodeError and over-long integers
        raise MalformedBody("body is not JSON (UTF-8)") from exc
    if not isinstance(data, dict):
        raise MalformedBody("body must be a JSON object")
    return data


# -- fields ------------------------------------------------------------------------------------


def text(value: Any, name: str, max_chars: int = MAX_TEXT, *, required: bool = True) -> str:
    """A string of at most `max_chars` without control characters (tab and newline allowed)."""
    if not isinstance(value, str):
        raise WireError(f"field {name!r} must be a string")
    if required and not value.strip():
        raise WireError(f"field {name!r} must not be empty")
    if len(value) > max_chars:
        raise WireError(f"field {name!r} is {len(value)} characters; the limit is {max_chars}")
    if _BAD_CHARS.search(value):
        raise WireError(f"field {name!r} contains control characters")
    return value


def optional_text(value: Any, name: str, max_chars: int = MAX_TEXT) -> str | None:
    return None if value is None else text(value, name, max_chars, required=False)


def matching(value: Any, name: str, pattern: re.Pattern[str], example: str) -> str:
    if not isinstance(value, str):
        raise WireError(f"field {name!r} must be a string")
    if len(value) > 64 or not pattern.fullmatch(value):
        raise WireError(f"field {name!r} is not like {example} ({value[:64]!r})")
    return value


def case_number(value: Any, name: str = "case_number") -> str:
    number = matching(value, name, CASE_NUMBER, "YJ-20260430-0001")
    try:
        date(int(number[3:7]), int(number[7:9]), int(number[9:11]))
    except ValueError as exc:
        raise WireError(f"field {name!r} names no real day ({number!r})") from exc
    return number


def event_id(value: Any) -> str:
    return matching(value, "event_id", EVENT_ID, "64 letters, digits or ._:-")


def code(value: Any, name: str) -> str:
    return matching(value, name, CODE, "pension_claim (lower case, digits, _)")


def timestamp(value: Any, name: str) -> datetime:
    """RFC 3339 with a time zone, between 2000 and 2100; in UTC."""
    if not isinstance(value, str):
        raise WireError(f"field {name!r} must be an RFC 3339 string")
    if len(value) > MAX_TIMESTAMP_CHARS:
        raise WireError(f"field {name!r} is not a timestamp ({len(value)} characters)")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise WireError(f"field {name!r}: timestamp without time zone {value!r}")
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"field {name!r}: bad timestamp {value!r}") from exc
    if not EARLIEST <= parsed < LATEST:
        raise WireError(f"field {name!r}: timestamp {value!r} is outside 2000-2099")
    return parsed


def optional_timestamp(value: Any, name: str) -> datetime | None:
    return None if value is None else timestamp(value, name)


def boolean(value: Any, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise WireError(f"field {name!r} must be true or false")
    return value


def bounded_list(value: Any, name: str, *, min_items: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise WireError(f"field {name!r} must be a list")
    if not min_items <= len(value) <= MAX_LIST:
        raise WireError(f"field {name!r} must have {min_items} to {MAX_LIST} entries")
    return value


def obj(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{name} must be an object")
    return value


def _scalar(value: Any, name: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise WireError(f"{name} is too large a number")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER:
            raise WireError(f"{name} is not a sensible number")
        return value
    if isinstance(value, str):
        return text(value, name, required=False)
    raise WireError(f"{name} must be text, a number, true/false or null")


def answer_data(value: Any) -> dict[str, Any]:
    """An office's answer data: at most MAX_DATA_KEYS code-like keys, each value a scalar or a
    short list of scalars (the codes of materials to send again)."""
    if value is None:
        return {}
    data = obj(value, "data")
    if len(data) > MAX_DATA_KEYS:
        raise WireError(f"data has {len(data)} fields; the limit is {MAX_DATA_KEYS}")
    out: dict[str, Any] = {}
    for key, item in data.items():
        code(key, "data key")
        name = f"data.{key}"
        if isinstance(item, list):
            out[key] = [_scalar(v, name) for v in bounded_list(item, name)]
        else:
            out[key] = _scalar(item, name)
    return out
