"""A number read from the ID card's photo, held until the worker confirms it (issue 18).

Held apart from the ID number of record: an unconfirmed reading must never be found by a
staff search or submitted. Encrypted under its own context, like every ID number at rest.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cases.crypto import normalize, vault_of
from cases.models import Applicant
from cases.repositories.applicants import update_applicant

_CONTEXT = b"card_number"
CARD_CONTEXT = _CONTEXT  # for the key rotation


def hold_card_number(session: Session, applicant: Applicant, number: str | None) -> None:
    """Hold `number` (None: forget the one held)."""
    vault = vault_of(session)
    held = None if number is None else vault.encrypt(normalize(number), context=_CONTEXT)
    update_applicant(session, applicant, card_number_enc=held)


def held_card_number(session: Session, applicant: Applicant) -> str | None:
    if applicant.card_number_enc is None:
        return None
    return vault_of(session).decrypt(applicant.card_number_enc, context=_CONTEXT)


def is_id_number_of(session: Session, applicant: Applicant, number: str) -> bool | None:
    """Whether `number` is the applicant's ID number of record (None: none recorded yet),
    compared by keyed hash, without decrypting anything."""
    if applicant.id_number_hash is None:
        return None
    return vault_of(session).lookup_hash(normalize(number)) == applicant.id_number_hash
