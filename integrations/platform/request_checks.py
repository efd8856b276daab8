"""The checks of what our side sends the platform (a submission, a supplement, a withdrawal),
field by field, as docs/platform-openapi.yaml documents them: the same discipline as the
events' checks (`limits`), for the other direction.

Found by schemathesis against `platform serve` (tests/platform/test_schemathesis.py): the
requests were signed but taken as they came: a 100,000-character case number, a material code
`../../x`, pages -5, mime `text/html`, `"pages": "abc"` (a 500). Each is now a 422 `invalid`
before anything is written.
"""

from __future__ import annotations

import re
from typing import Any

from integrations.platform import limits
from integrations.platform.limits import WireError

SHA256 = re.compile(r"[0-9a-f]{64}")  # a page's address (the store's keyed hash)
MIMES = frozenset({"image/jpeg", "image/png", "application/pdf"})  # what the store accepts
MAX_PAGES = 100  # of one material: a long handbook as photos, or one PDF of many pages
MAX_FORM_FIELDS = 64
MAX_IDEMPOTENCY_KEY = 128
MAX_URL = 2048
URL = re.compile(r"https?://[!-~]+")  # printable ASCII, no spaces: a page's fetch URL


def idempotency_key(value: str) -> str:
    if len(value) > MAX_IDEMPOTENCY_KEY:
        raise WireError(f"Idempotency-Key longer than {MAX_IDEMPOTENCY_KEY} characters")
    return value


def check_submission(data: dict[str, Any], key: str) -> None:
    """Raise WireError (422) unless `data` is a SubmitRequest as documented."""
    idempotency_key(key)
    limits.case_number(data.get("case_number"))
    form = limits.obj(data.get("form"), "form")
    if len(form) > MAX_FORM_FIELDS:
        raise WireError(f"form has more than {MAX_FORM_FIELDS} fields")
    for name, value in form.items():
        limits.matching(name, "form field", limits.CODE, "birth_date")
        _form_value(value, f"form.{name}")
    for material in limits.bounded_list(data.get("materials"), "materials"):
        _material(limits.obj(material, "material"))


def check_supplement(data: dict[str, Any], key: str) -> None:
    """Raise WireError (422) unless `data` is a SupplementRequest as documented."""
    idempotency_key(key)
    limits.code(data.get("material_code"), "material_code")
    limits.boolean(data.get("lost", False), "lost")
    pages = data.get("pages")
    if not isinstance(pages, list) or len(pages) > MAX_PAGES:
        raise WireError(f"pages must be a list of at most {MAX_PAGES}")
    for page in pages:
        page = limits.obj(page, "page")
        limits.matching(page.get("sha256"), "page sha256", SHA256, "64 hex digits")
        _mime(page.get("mime", "image/jpeg"))
        if "url" in page:
            _url(page["url"])


def check_withdrawal(data: dict[str, Any]) -> str:
    """The reason of a withdrawal (required text, at most limits.MAX_TEXT characters)."""
    return limits.text(data.get("reason"), "reason")


def _material(material: Any) -> None:
    limits.code(material.get("code"), "material code")
    hashes = material.get("sha256", [])
    if not isinstance(hashes, list) or len(hashes) > MAX_PAGES:
        raise WireError(f"material sha256 must be a list of at most {MAX_PAGES}")
    for value in hashes:
        limits.matching(value, "material sha256", SHA256, "64 hex digits")
    _mime(material.get("mime", "image/jpeg"))
    urls = material.get("urls", [])
    if not isinstance(urls, list) or (urls and len(urls) != len(hashes)):
        raise WireError("material urls must be a list with one URL per sha256")
    for url in urls:
        _url(url)
    pages = material.get("pages", len(hashes))
    if isinstance(pages, bool) or not isinstance(pages, int) or not 0 <= pages <= MAX_PAGES:
        raise WireError(f"material pages must be a whole number from 0 to {MAX_PAGES}")
    limits.boolean(material.get("lost", False), "material lost")


def _url(value: Any) -> None:
    if not isinstance(value, str) or len(value) > MAX_URL or not URL.fullmatch(value):
        raise WireError(f"a page url must be an http(s) URL of at most {MAX_URL} characters")


def _mime(value: Any) -> None:
    if not isinstance(value, str) or value not in MIMES:  # {} is unhashable
        raise WireError(f"mime must be one of {', '.join(sorted(MIMES))}")


def _form_value(value: Any, name: str) -> None:
    if isinstance(value, list):
        if len(value) > limits.MAX_LIST:
            raise WireError(f"{name} lists more than {limits.MAX_LIST} values")
        for each in value:
            limits._scalar(each, name)
        return
    limits._scalar(value, name)
