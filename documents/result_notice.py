"""The result notice (结果告知单): the one consolidated result that the applicant signs.

`render_result_notice(notice, tr)` gives the PDF bytes of the notice as delivered; with a
`signature` it gives the signed copy (the same notice with the signature block filled in and
the hash of the version that was signed). The bytes are reproducible for the same input, so
`notice_sha256` identifies the version: when any result changes, the hash changes and the
applicant has to sign again.

No database here: `aftercare.notice.build_notice` turns a case into a `NoticeData`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.clock import LOCAL_TZ
from documents.pdfkit import Page
from locales import Translator, when

if TYPE_CHECKING:
    from documents.pdfkit import Page

NOT_APPLICABLE = "not_applicable"
# The offices' free text (a refusal reason, a returned value) wraps over as many pages as it
# needs; only beyond this many characters (ten times what the platform accepts, about 15
# pages of a notice) is it cut, with a visible note that the office holds the full text.
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class NoticeItem:
    """One item's outcome as the notice shows it; names are already in the reader's language."""

    code: str
    name: str
    office: str
    status: str  # cases.models.ItemStatus value, or "not_applicable"
    data: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True)
class NoticeData:
    case_number: str
    applicant_name: str
    id_number_masked: str
    issued_on: date
    items: tuple[NoticeItem, ...]
    medical_payment_howto: str = ""  # how and where to pay a back payment (region text)
    housing_fund_howto: str = ""  # how to withdraw the housing fund online (region text)
    contacts: tuple[str, ...] = ()


CHECK_CODE_LENGTH = 8  # 16^8 values: two versions of one case practically never share one


@dataclass(frozen=True)
class Signature:
    name: str
    signed_at: datetime  # aware
    notice_sha256: str  # the version of the notice that was signed

    def __repr__(self) -> str:
        # A name is personal data; keep it out of logs.
        return f"Signature(notice={self.notice_sha256[:12]}, at={self.signed_at.isoformat()})"

    @property
    def check_code(self) -> str:
        """What the signed copy prints of the version: its first characters, short enough
        to read out and compare with the case record, which keeps the whole value (the
        signature's row, the audit log, `staff notice --json`)."""
        return self.notice_sha256[:CHECK_CODE_LENGTH]


def render_result_notice(
    notice: NoticeData, tr: Translator, signature: Signature | None = None
) -> bytes:

    page = Page(
        title=tr("documents.notice.title"),
        dated=notice.issued_on,
        footer=tr("documents.notice.footer", case_number=notice.case_number),
    )
    page.heading(tr("documents.notice.title"))
    page.para(tr("documents.notice.issuer"), size=9)
    page.ln(2)
    page.fields(
        [
            (tr("documents.notice.applicant"), notice.applicant_name),
            (tr("documents.notice.id_number"), notice.id_number_masked),
            (tr("documents.notice.case_number"), notice.case_number),
            (tr("documents.notice.issued_on"), when.text(tr, when.day(notice.issued_on))),
        ]
    )
    page.subheading(tr("documents.notice.results_heading"))
    rows = [
        (str(n), item.name, item.office, outcome_text(item, tr))
        for n, item in enumerate(notice.items, start=1)
    ]
    page.grid(
        (
            tr("documents.notice.col_no"),
            tr("documents.notice.col_item"),
            tr("documents.notice.col_office"),
            tr("documents.notice.col_result"),
        ),
        rows,
        widths=(12, 44, 38, 84),
    )
    if back_payment_due(notice) and notice.medical_payment_howto:
        page.subheading(tr("documents.notice.medical_heading"))
        page.para(notice.medical_payment_howto)
    if notice.housing_fund_howto:
        page.subheading(tr("documents.notice.housing_heading"))
        page.para(notice.housing_fund_howto)
    if notice.contacts:
        page.subheading(tr("documents.notice.contacts_heading"))
        page.para("\n".join(notice.contacts), size=9.5)
    _signature_block(page, tr, signature)
    return page.bytes()


def notice_sha256(notice: NoticeData, tr: Translator) -> str:
    """The version of a notice: the sha256 of its unsigned PDF."""
    return hashlib.sha256(render_result_notice(notice, tr)).hexdigest()


def back_payment_due(notice: NoticeData) -> Decimal:
    for item in notice.items:
        if item.code == "medical_insurance":
            return _money(item.data.get("back_payment_due")) or Decimal(0)
    return Decimal(0)


def outcome_text(item: NoticeItem, tr: Translator) -> str:
    """Status line, then one line per datum the office returned."""
    key = f"documents.status.{item.status}"
    lines = [tr(key) if tr.has(key) else item.status]
    if item.reason and item.status != "done":
        lines.append(tr("documents.status.reason", reason=bounded(item.reason, tr)))
    for name, value in item.data.items():
        line = _datum(name, value, tr)
        if line:
            lines.append(line)
    if item.code == "housing_fund" and item.status in ("online", "done"):
        lines.append(tr("documents.data.housing_fund_online"))
    return "\n".join(lines)


def _datum(name: str, value: Any, tr: Translator) -> str | None:
    if value is None or value == "":
        return None
    if name == "back_payment_due":
        amount = _money(value)
        if amount is not None and amount <= 0:
            return tr("documents.data.back_payment_none")
        return tr("documents.data.back_payment_due", value=_yuan(value))
    if isinstance(value, bool):
        value = tr("documents.yes") if value else tr("documents.no")
    elif isinstance(value, float) and value.is_integer():
        value = int(value)  # "6 years", not "6.0 years"
    elif name in _MONEY:
        value = _yuan(value)
    value = _as_read(name, value, tr)
    if isinstance(value, str):
        value = bounded(value, tr)
    key = f"documents.data.{name}"
    if tr.has(key):
        return tr(key, value=value)
    return f"{name}: {value}"


def _as_read(name: str, value: Any, tr: Translator) -> Any:
    """Months, days and durations as people read them; anything else unchanged."""
    if name in _MONTHS and isinstance(value, int) and not isinstance(value, bool):
        return when.text(tr, when.duration(value))  # 183 → 15年3个月
    if name in _DATES and isinstance(value, str) and (day := _iso_day(value)) is not None:
        return when.text(tr, when.day(day))  # 1965-03-02 → 1965年3月2日
    if name in _MONTH_FIELDS and isinstance(value, str) and _YEAR_MONTH.fullmatch(value.strip()):
        return when.text(tr, when.month(value))  # 2026-06 → 2026年6月
    return value


def bounded(text: str, tr: Translator) -> str:
    """`text`, or its first TEXT_LIMIT characters and a note saying that it was cut."""
    if len(text) <= TEXT_LIMIT:
        return text
    note = tr("documents.status.cut", shown=f"{TEXT_LIMIT:,}", total=f"{len(text):,}")
    return f"{text[:TEXT_LIMIT]}\n{note}"


_MONEY = frozenset({"monthly_pension", "back_payment_due"})
_MONTHS = frozenset({"contribution_months"})  # counts of months, read in years and months
_DATES = frozenset({"archive_birth_date", "first_employment_date"})  # ISO dates from offices
_MONTH_FIELDS = frozenset({"first_pension_month"})  # YYYY-MM from offices
_YEAR_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None  # an office's own wording ("1965年3月") is shown as it came


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    # "NaN" or "Infinity" from an office is no amount (and NaN cannot even be compared).
    return amount if amount.is_finite() else None


def _yuan(value: Any) -> str:
    amount = _money(value)
    return str(value) if amount is None else f"{amount:,.2f}"


def _signature_block(page: Page, tr: Translator, signature: Signature | None) -> None:
    if page.will_page_break(40):  # keep the statement and the signature on one page
        page.add_page()
    page.subheading(tr("documents.notice.signature_heading"))
    page.para(tr("documents.notice.signature_statement"))
    page.ln(2)
    if signature is None:
        page.para(tr("documents.notice.unsigned"))
        return
    signed = when.text(tr, when.moment(signature.signed_at.astimezone(LOCAL_TZ)))
    page.para(tr("documents.notice.signed", name=signature.name, time=signed))
    page.para(tr("documents.notice.signed_check", code=signature.check_code), size=7.5)
