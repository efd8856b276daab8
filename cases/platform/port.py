"""The approval platform (审批平台) behind one interface, in our own types: the port.

What the case record needs from the platform: the calls we make (`PlatformAdapter`), what
they return and how they fail. The events that come back are in `cases.platform.events`.
The implementations live in `integrations.platform` (the embedded platform and the signed
HTTP client); this package never imports them, they import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class PlatformError(Exception):
    """Base of every error an adapter raises."""


class PlatformUnavailable(PlatformError):
    """The platform could not be reached or answered 5xx: try again later (the outbox will)."""


class PlatformRejected(PlatformError):
    """The platform refused the call for good (4xx): retrying the same call cannot help."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class UnknownCase(PlatformRejected):
    def __init__(self, case_number: str) -> None:
        super().__init__("unknown_case", case_number)


# --- calls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialRef:
    """One material of a submission: its pages travel by hash (the file store is shared or
    fetched separately); `lost` means the office looks the original up itself."""

    code: str
    sha256: tuple[str, ...] = ()  # one hash per page, in page order
    mime: str = "image/jpeg"
    pages: int = 0
    lost: bool = False
    urls: tuple[str, ...] = ()  # where the platform fetches each page (signed), when known


@dataclass(frozen=True)
class SubmitRequest:
    case_number: str
    form: dict[str, Any]
    materials: tuple[MaterialRef, ...]
    idempotency_key: str

    def __repr__(self) -> str:
        # The form holds personal data: never in a repr.
        return f"SubmitRequest(case_number={self.case_number!r}, key={self.idempotency_key!r})"


@dataclass(frozen=True)
class SubmitReceipt:
    case_number: str
    platform_ref: str
    received_at: datetime
    duplicate: bool = False  # True when the same idempotency key had already been received


@dataclass(frozen=True)
class PageRef:
    sha256: str
    mime: str = "image/jpeg"
    url: str | None = None  # where the platform fetches it (signed), when known


@dataclass(frozen=True)
class SupplementRequest:
    """New pages of one material; no pages and `lost` when the applicant said it is lost
    (the office looks it up itself)."""

    case_number: str
    material_code: str
    pages: tuple[PageRef, ...]
    idempotency_key: str
    lost: bool = False


@dataclass(frozen=True)
class SupplementReceipt:
    case_number: str
    material_code: str
    duplicate: bool = False


@dataclass(frozen=True)
class ItemState:
    item: str
    office: str
    status: str  # waiting | dispatched | done | supplement | refused | online
    due_at: datetime | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class PlatformStatus:
    case_number: str
    status: str  # received | accepted | returned | withdrawn | results_ready
    items: tuple[ItemState, ...] = ()


class PlatformAdapter(Protocol):
    """What the project needs from an approval platform. Submit and supplement are idempotent on
    their key; withdraw is idempotent by nature; status is a read."""

    async def submit(self, request: SubmitRequest) -> SubmitReceipt: ...

    async def withdraw(self, case_number: str, reason: str) -> None: ...

    async def supplement(self, request: SupplementRequest) -> SupplementReceipt: ...

    async def status(self, case_number: str) -> PlatformStatus: ...
