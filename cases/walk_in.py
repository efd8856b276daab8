"""Walk-in cases (一窗受理): a case the clerk registered at the window belongs to an applicant of
the `window` channel; its one-time code lets the worker take it over in a chat later.

The code is ten characters of an alphabet without look-alikes (no 0/O, 1/I), printed in two
groups ("K7PMQ-2XDRT"); only its keyed hash is stored (`Vault.lookup_hash`, the same as phone
and ID numbers), it is good once and for `LINK_DAYS` days. Taking it over moves the case to
the chat's applicant, with the identity the clerk checked. Until then the case's pushes have
no chat to go to: each becomes a phone task for the clerk (`phone_walk_in`, one open per
case, see `cases.repositories.outbox`); once taken over, the next ones reach the chat.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.crypto import vault_of
from cases.models import Applicant, Case, WalkInLink
from cases.models.walk_in import WINDOW_CHANNEL as WINDOW_CHANNEL  # the console imports it here
from cases.repositories.applicants import (
    id_number_of,
    phone_of,
    set_full_name,
    set_id_number,
    set_phone,
)
from cases.repositories.audit import audit
from cases.repositories.case_records import current_case
from cases.repositories.pages import pages_of

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
LINK_DAYS = 30
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def printed(code: str) -> str:
    """The code as printed for the worker: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def normalise(text: str) -> str:
    return re.sub(r"[\s\-_]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(normalise(text)))


# What a mistyped code looks like: letters and digits of about its length (an O for a 0, a
# character left out or doubled), not a case number (the deep link /start YJ-...).
_NEAR_CODE = re.compile(rf"^[A-Z0-9]{{{CODE_LENGTH - 3},{CODE_LENGTH + 3}}}$")


def might_be_code(text: str) -> bool:
    """A /start argument meant as a one-time code, good or mistyped."""
    plain = normalise(text)
    return bool(_NEAR_CODE.match(plain)) and not plain.startswith("YJ2")


def add_link(session: Session, case: Case, code: str, clerk: str, *, at: datetime) -> WalkInLink:
    link = WalkInLink(
        case_id=case.id,
        code_sha256=vault_of(session).lookup_hash(normalise(code)),
        registered_by=clerk[:64],
        created_at=at,
        expires_at=at + timedelta(days=LINK_DAYS),
    )
    session.add(link)
    return link


def _link_of(session: Session, code: str) -> WalkInLink | None:
    digest = vault_of(session).lookup_hash(normalise(code))
    return session.scalars(select(WalkInLink).where(WalkInLink.code_sha256 == digest)).first()


def refusal(session: Session, applicant: Applicant, code: str, *, at: datetime) -> str | None:
    """Why `code` gives `applicant` no case: "wrong" (no such code), "used" (by another chat),
    "expired", "own_case" (this chat has a case of its own under way); None when the code's
    case is already this applicant's (sent again: nothing to explain)."""
    link = _link_of(session, code) if looks_like_code(code) else None
    if link is None:
        return "wrong"
    if link.claimed_at is not None:
        return None if link.claimed_by == applicant.id else "used"
    if link.expires_at <= at:
        return "expired"
    return "own_case"


def claim(session: Session, applicant: Applicant, code: str, *, at: datetime) -> Case | None:
    """Give the walk-in case of `code` to `applicant` (a chat's). None, and nothing changed,
    for an unknown, used or expired code, or when the applicant has a case of their own open."""
    link = _link_of(session, code)
    if link is None or link.claimed_at is not None or link.expires_at <= at:
        return None
    own = current_case(session, applicant.id)
    if own is not None and own.status != "draft":
        return None
    case = session.get(Case, link.case_id)
    window = session.get(Applicant, case.applicant_id) if case is not None else None
    if case is None or window is None or window.channel != WINDOW_CHANNEL:
        return None
    if own is not None:
        # A draft begun in the chat gives way to the case registered at the window.
        for page in pages_of(session, own.id):
            session.delete(page)
        session.flush()
        session.delete(own)
    if window.full_name:
        set_full_name(session, applicant, window.full_name)
    id_number = id_number_of(session, window)
    if id_number:
        set_id_number(session, applicant, id_number)
    phone = phone_of(session, window)
    if phone and applicant.phone_enc is None:
        set_phone(session, applicant, phone)
    case.applicant_id = applicant.id
    link.claimed_at = at
    link.claimed_by = applicant.id
    audit(
        session,
        f"applicant:{applicant.id}",
        "case.walk_in_claimed",
        case_id=case.id,
        detail={"channel": applicant.channel, "from_applicant": window.id},
        at=at,
    )
    session.flush()
    return case
