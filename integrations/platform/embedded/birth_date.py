"""The birth date on file, on the platform's side: when an office answers one (or the clerk
enters one) that differs from the ID card's, the case's form carries it as
`archive_birth_date`, so that the pension office, which sees that field, reads it beside the
ID card's and decides the statutory month from it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from cases.models.platform import EmbCase
from integrations.platform.embedded.core import ENDED, audit, case_stage
from integrations.platform.embedded.dispatch import Dispatch
from integrations.platform.embedded.errors import StaffError

FIELD = "archive_birth_date"


def note_archive_birth_date(case: EmbCase, value: Any) -> bool:
    """Put a differing archive birth date on the form; True when it differs from the ID's."""
    text = str(value).strip()
    if not text or text == str(case.form.get("birth_date") or ""):
        return False
    case.form = {**case.form, FIELD: text}
    return True


class ArchiveDesk(Dispatch):
    def enter_archive_birth_date(
        self, session: Session, case_number: str, value: str, actor: str
    ) -> bool:
        """The clerk enters the birth date on file (from the archive, at the window)."""
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise StaffError("bad_date", f"日期“{value}”格式不对，应类似 1970-08-01。") from None
        case = self._case(session, case_number)
        if case_stage(session, case) in ENDED:
            raise StaffError("case_ended", "该办件已办结或已撤回，不能再录入档案出生日期。")
        differs = note_archive_birth_date(case, day.isoformat())
        audit(
            session,
            actor,
            "platform.archive_birth_date",
            case.case_number,
            None,
            {"differs": differs},
        )
        return differs
