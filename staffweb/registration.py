"""Walk-in registration at the window (一窗受理): what the clerk typed, read into the case's
one form (the vocabulary of `policy/items.toml [form]`, as the chat writes it), and the use
case that files it exactly as a chat submission is filed: an applicant (of the `window`
channel), a case, its pages, the submission and its platform call in one transaction, plus
the one-time code for the worker's chat (`cases.walk_in`).

The files are checked and stored first (`cases.filecheck`, the chat's own checks: EXIF and
trailing data stripped, active PDFs refused), the rows after, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.filecheck import FileCheck
from cases.files import StoredBlob
from cases.models import Case
from cases.platform.outbox import enqueue_submit
from cases.repositories.applicants import set_full_name
from cases.walk_in import WINDOW_CHANNEL, add_link, new_code
from policy.idcard import IdNumberError, parse_id_number
from policy.materials import MATERIAL_CODES
from policy.towns import load_towns

CHOICES: dict[str, tuple[Any, ...]] = {
    "category": ("male", "female_cadre", "female_worker"),
    "retirement_route": ("statutory", "early", "late", "illness", "special_work"),
    "name_matches_archive": (True, False, "unknown"),
    "paid_before_1995_07": (True, False, "unknown"),
    "lump_sum_before_1996": (True, False, "unknown"),
    "handbook": ("have", "lost"),
    "receipts": ("have", "lost"),
    "has_employer": (True, False),
    "veteran": (False, True),
    "illness_disability": (False, True),
}
LOSABLE = ("pension_handbook", "tax_receipts")  # what a worker may have lost (the office looks)


@dataclass
class Reading:
    """The form as read: the case form, the identity, and the problems in plain Chinese."""

    form: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    id_number: str = ""
    phone: str = ""
    problems: list[str] = field(default_factory=list)


def choice_value(raw: str) -> Any:
    """A choice as posted ("true", "false", or a code) -> the form's value."""
    return {"true": True, "false": False}.get(raw, raw)


def read_form(posted: Mapping[str, Any], tr: Any, today: date) -> Reading:
    """The posted fields checked and put into the form's vocabulary."""
    r = Reading()
    text = {k: str(posted.get(k, "")).strip() for k in ("name", "id_number", "phone", "town")}
    r.name = text["name"]
    if not 2 <= len(r.name) <= 20:
        r.problems.append(tr("web.walk_in.bad_name"))
    try:
        ident = parse_id_number(text["id_number"], today)
        r.id_number = ident.number
        r.form.update(
            id_number=ident.masked, sex=str(ident.sex), birth_date=ident.birth_date.isoformat()
        )
    except IdNumberError as exc:
        r.problems.append(tr("web.walk_in.bad_id_number", why=tr(exc.key)))
    digits = "".join(c for c in text["phone"] if c.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        r.problems.append(tr("web.walk_in.bad_phone"))
    r.phone = digits
    r.form["phone"] = f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else ""
    towns = {t.name_zh for t in load_towns()}
    if text["town"] not in towns:
        r.problems.append(tr("web.walk_in.pick", field=tr("documents.form.field.town")))
    r.form.update(name=r.name, town=text["town"])
    for name, allowed in CHOICES.items():
        value = choice_value(str(posted.get(name, "")))
        if value not in allowed:
            r.problems.append(tr("web.walk_in.pick", field=_label(tr, name)))
        r.form[name] = value
    _read_employment(posted, r, tr)
    return r


def _read_employment(posted: Mapping[str, Any], r: Reading, tr: Any) -> None:
    employer = str(posted.get("employer_name", "")).strip()[:100]
    if r.form.get("has_employer") is True:
        if not employer:
            r.problems.append(tr("web.walk_in.employer_needed"))
        r.form["employer_name"] = employer
    months = str(posted.get("contribution_months", "")).strip()
    if months:
        if not months.isdigit() or not 0 <= int(months) <= 720:
            r.problems.append(tr("web.walk_in.bad_months"))
        else:
            r.form["contribution_months"] = int(months)


def _label(tr: Any, name: str) -> str:
    for key in (f"web.field.{name}", f"documents.form.field.{name}"):
        if tr.has(key):
            return str(tr(key))
    return name


@dataclass(frozen=True)
class Stored:
    """One checked and stored file of a material."""

    material: str
    blob: StoredBlob
    check: FileCheck

    # What `repo.add_page` reads of a file besides its hash and size.
    @property
    def sha256(self) -> str:
        return self.blob.sha256

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def mime_type(self) -> str:
        return self.check.mime_type

    @property
    def width(self) -> int | None:
        return self.check.width

    @property
    def height(self) -> int | None:
        return self.check.height

    @property
    def page_count(self) -> int | None:
        return self.check.page_count


def register(
    session: Session,
    reading: Reading,
    files: Sequence[Stored],
    lost: Sequence[str],
    clerk: str,
    *,
    at: datetime,
) -> tuple[str, str]:
    """File a walk-in case; (case number, one-time code). The case then travels the chat's
    way: submitted, its platform call in the outbox, on the clerk's queue once delivered."""
    applicant = repo.get_or_create_applicant(session, WINDOW_CHANNEL, f"walk-in:{new_code()}")
    set_full_name(session, applicant, reading.name)
    repo.set_id_number(session, applicant, reading.id_number)
    repo.set_phone(session, applicant, reading.phone)
    case = Case(applicant_id=applicant.id, status="draft", form=dict(reading.form))
    session.add(case)
    session.flush()
    for f in files:
        repo.add_page(session, case, f.material, f)
    for code in lost:
        if code in MATERIAL_CODES:
            repo.declare_lost(session, case, code)
    repo.submit_case(session, case, at=at, actor=clerk)
    enqueue_submit(session, case, at=at)
    code = new_code()
    add_link(session, case, code, clerk, at=at)
    repo.audit(
        session,
        clerk,
        "case.walk_in_registered",
        case_id=case.id,
        detail={"pages": len(files), "lost": list(lost)},
        at=at,
    )
    assert case.number is not None
    return case.number, code
