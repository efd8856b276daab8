"""The embedded platform's sealed ID numbers under a data key rotation (`cases.key_rotation`):
each case's `id_number_sealed` made again with the current key, one case per transaction."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.crypto import vault_of
from cases.models.platform import EmbCase
from integrations.platform.embedded.sealing import ID_CONTEXT, SEALED


class SealedForms:
    name = "platform_emb_cases"

    def pending(self, session: Session) -> list[Any]:
        vault = vault_of(session)
        rows = session.execute(select(EmbCase.case_number, EmbCase.form))
        return [
            number
            for number, form in rows
            if SEALED in (form or {})
            and not vault.made_by_current_key(base64.b64decode(form[SEALED]))
        ]

    def rotate(self, session: Session, row_id: Any) -> None:
        vault = vault_of(session)
        case = session.get(EmbCase, row_id, with_for_update=True)
        if case is None or SEALED not in case.form:
            return
        token = base64.b64decode(case.form[SEALED])
        if vault.made_by_current_key(token):
            return
        number = vault.decrypt(token, context=ID_CONTEXT)
        fresh = vault.encrypt(number, context=ID_CONTEXT)
        case.form = {**case.form, SEALED: base64.b64encode(fresh).decode()}
