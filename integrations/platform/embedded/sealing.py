"""The ID number on the platform's side: sealed at rest, shown masked in lists.

The platform keeps what the applicant sent (`EmbCase.form`) with the ID number encrypted by
the case store's key and its masked form beside it; the clear number only exists in the view
of an office whose item needs it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from policy.idcard import mask_number

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_SEALED = "id_number_sealed"
_ID_CONTEXT = b"platform.id_number"
# For the key rotation, which makes the sealed number again with a new key.
SEALED, ID_CONTEXT = _SEALED, _ID_CONTEXT


def seal(session: Session, form: dict[str, Any]) -> dict[str, Any]:
    """Replace the clear ID number by its sealed and masked forms (changes `form`)."""
    number = form.pop("id_number", None)
    if number:
        vault = session.info.get("vault")
        form["id_number_masked"] = mask_number(str(number))
        if vault is not None:
            token = vault.encrypt(str(number), context=_ID_CONTEXT)
            form[_SEALED] = base64.b64encode(token).decode()
    return form


def unseal(session: Session, form: Mapping[str, Any]) -> dict[str, Any]:
    """The form as an authorised viewer reads it: the ID number in clear (masked without a
    key), the sealing fields gone."""
    out = {k: v for k, v in form.items() if k not in (_SEALED, "id_number_masked")}
    vault = session.info.get("vault")
    if _SEALED in form and vault is not None:
        out["id_number"] = vault.decrypt(base64.b64decode(form[_SEALED]), context=_ID_CONTEXT)
    elif "id_number_masked" in form:
        out["id_number"] = form["id_number_masked"]
    return out


def applicant_label(form: Mapping[str, Any]) -> str:
    """Name and masked ID number, for staff lists (never the full number)."""
    name = str(form.get("name") or "")
    number = form.get("id_number_masked") or form.get("id_number")
    masked = mask_number(str(number)) if number else ""
    return " ".join(p for p in (name, masked) if p)
