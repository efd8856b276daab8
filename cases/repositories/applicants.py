"""Applicants: found by channel and user id, or by the keyed hash of an ID or phone number."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.personal_numbers import mask_numbers
from cases.crypto import Vault, normalize, vault_of
from cases.models import Applicant, Case, utcnow
from policy.idcard import mask_number

_PHONE_CONTEXT = b"phone"
_ID_CONTEXT = b"id_number"
PHONE_CONTEXT, ID_CONTEXT = _PHONE_CONTEXT, _ID_CONTEXT  # for the key rotation


def get_applicant(session: Session, applicant_id: int) -> Applicant | None:
    return session.get(Applicant, applicant_id)


# Built once: statement construction cost as much as running it on the hot path.
_BY_USER = select(Applicant).where(
    Applicant.channel == bindparam("channel"),
    Applicant.external_user_id == bindparam("user_id"),
)


@cache
def _create_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Applicant.__table__
    return (
        insert(Applicant)
        .values(
            channel=bindparam("channel"),
            external_user_id=bindparam("user_id"),
            language=bindparam("language"),
            reachable=True,
            created_at=bindparam("created_at", type_=table.c.created_at.type),
        )
        .on_conflict_do_nothing()
    )


def find_applicant(session: Session, channel: str, external_user_id: str) -> Applicant | None:
    """The applicant behind a channel user, or None before first contact."""
    params = {"channel": channel, "user_id": external_user_id}
    return session.scalars(_BY_USER, params).one_or_none()


def get_or_create_applicant(
    session: Session, channel: str, external_user_id: str, *, language: str | None = None
) -> Applicant:
    """The applicant behind a channel user; created on first contact. Two workers meeting a
    new user at once both get the same row (INSERT ... ON CONFLICT DO NOTHING, then read)."""
    found = find_applicant(session, channel, external_user_id)
    if found is not None:
        return found
    params = {
        "channel": channel,
        "user_id": external_user_id,
        "language": language or "zh_CN",
        "created_at": utcnow(),
    }
    statement = _create_statement(session.get_bind().dialect.name)
    session.connection().execute(statement, params)
    return session.scalars(_BY_USER, {"channel": channel, "user_id": external_user_id}).one()


_TABLE = cast(Table, Applicant.__table__)


@cache
def _update_statement(columns: tuple[str, ...]) -> Update:
    """UPDATE applicants SET <columns> WHERE id = :id_, built once per set of columns."""
    table = _TABLE
    values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    return update(table).where(table.c.id == bindparam("id_")).values(values)


def update_applicant(session: Session, applicant: Applicant, **values: Any) -> None:
    """Set columns of an applicant. A stored applicant is written at once by one prebuilt
    UPDATE on the session's connection, and the object is told its new values without change
    history, so the commit has nothing to flush: the conversation sets language, consent and
    identity on the hot path, where an ORM flush of one object cost about four times the
    UPDATE. An applicant not yet flushed (or not in a session) just gets the attributes."""
    if not inspect(applicant).persistent:
        for name, value in values.items():
            setattr(applicant, name, value)
        return
    statement = _update_statement(tuple(sorted(values)))
    session.connection().execute(statement, {"id_": applicant.id, **values})
    for name, value in values.items():
        set_committed_value(applicant, name, value)


def set_language(session: Session, applicant: Applicant, language: str) -> None:
    update_applicant(session, applicant, language=language)


def set_full_name(session: Session, applicant: Applicant, full_name: str) -> None:
    update_applicant(session, applicant, full_name=full_name)


def set_phone(session: Session, applicant: Applicant, phone: str) -> None:
    vault = vault_of(session)
    value = normalize(phone)
    update_applicant(
        session,
        applicant,
        phone_enc=vault.encrypt(value, context=_PHONE_CONTEXT),
        phone_hash=vault.lookup_hash(value),
        phone_tail=value[-4:],
        key_id=_row_key(vault, applicant.id_number_enc),
    )


def set_id_number(session: Session, applicant: Applicant, id_number: str) -> None:
    vault = vault_of(session)
    value = normalize(id_number)
    update_applicant(
        session,
        applicant,
        id_number_enc=vault.encrypt(value, context=_ID_CONTEXT),
        id_number_hash=vault.lookup_hash(value),
        id_number_tail=value[-4:],
        key_id=_row_key(vault, applicant.phone_enc),
    )


def _row_key(vault: Vault, other: bytes | None) -> str | None:
    """The row's `key_id` after one of its two numbers is written with the current key: that
    key when the other number is too (or absent); None (not one key: a rotation's to do)
    while the other is still an old key's."""
    return vault.key_id if other is None or vault.made_by_current_key(other) else None


def phone_of(session: Session, applicant: Applicant) -> str | None:
    """The clear phone number, for the code that must use it (never for a log line)."""
    if applicant.phone_enc is None:
        return None
    return vault_of(session).decrypt(applicant.phone_enc, context=_PHONE_CONTEXT)


def id_number_of(session: Session, applicant: Applicant) -> str | None:
    """The clear ID number, for the platform submission (never for a log line)."""
    if applicant.id_number_enc is None:
        return None
    return vault_of(session).decrypt(applicant.id_number_enc, context=_ID_CONTEXT)


def masked_id_number_of(session: Session, applicant: Applicant) -> str | None:
    """The ID number as the worker and staff see it everywhere: 1506**********0016."""
    number = id_number_of(session, applicant)
    return None if number is None else mask_number(number)


def masked_phone_of(session: Session, applicant: Applicant) -> str | None:
    """The mobile number as everywhere shown: 138****8000."""
    phone = phone_of(session, applicant)
    return None if phone is None else mask_numbers(phone)


def find_applicants_by_id_number(session: Session, id_number: str) -> list[Applicant]:
    """Every applicant (one per channel) who gave this ID number, oldest first."""
    digests = vault_of(session).lookup_hashes(id_number)
    query = select(Applicant).where(Applicant.id_number_hash.in_(digests)).order_by(Applicant.id)
    return list(session.scalars(query))


def find_applicants_by_phone(session: Session, phone: str) -> list[Applicant]:
    digests = vault_of(session).lookup_hashes(phone)
    query = select(Applicant).where(Applicant.phone_hash.in_(digests)).order_by(Applicant.id)
    return list(session.scalars(query))


def record_consent(
    session: Session, applicant: Applicant, *, version: str, scope: str, at: datetime
) -> None:
    update_applicant(
        session,
        applicant,
        consent_version=version,
        consent_scope=scope,
        consented_at=at,
        consent_withdrawn_at=None,
    )


def withdraw_consent(session: Session, applicant: Applicant, *, at: datetime) -> None:
    """Consent withdrawn (/cancel, confirmed). Unless an application of theirs was submitted
    (whose record the offices must keep), the name and numbers are erased too: the
    confirmation promised that what was filled in is deleted."""
    values: dict[str, Any] = {"consent_withdrawn_at": at}
    submitted = select(Case.id).where(Case.applicant_id == applicant.id, Case.status != "draft")
    if session.scalar(submitted.limit(1)) is None:
        values.update(dict.fromkeys(_PERSONAL, None))
    update_applicant(session, applicant, **values)


_PERSONAL = (
    "full_name",
    "phone_enc",
    "phone_hash",
    "phone_tail",
    "id_number_enc",
    "id_number_hash",
    "id_number_tail",
    "card_number_enc",
    "key_id",
)


def mark_unreachable(session: Session, applicant_id: int, *, at: datetime) -> None:
    """The channel refused delivery (e.g. the bot was blocked): staff must phone instead."""
    applicant = session.get(Applicant, applicant_id)
    if applicant is not None and applicant.reachable:
        applicant.reachable = False
        applicant.unreachable_since = at


def mark_reachable(session: Session, applicant_id: int) -> None:
    applicant = session.get(Applicant, applicant_id)
    if applicant is not None:
        applicant.reachable = True
        applicant.unreachable_since = None
