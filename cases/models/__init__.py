"""SQLAlchemy 2 models of the case store. Import from here: `from cases.models import Case`."""

from cases.models.aftercare_records import (
    AftercareFailure,
    OnlineStep,
    Rating,
    RatingTally,
    Signature,
)
from cases.models.applicant import Applicant, Conversation
from cases.models.base import (
    Base,
    ItemStatus,
    OutboxStatus,
    PageStatus,
    TaskStatus,
    UtcDateTime,
    utcnow,
)
from cases.models.blobs import FileBlob
from cases.models.case import Case, CaseCounter, ItemResult, MaterialPage
from cases.models.inbound import AlbumPart, InboundFloor, InboundUpdate
from cases.models.outbox import NotificationOutbox, PlatformOutbox, ProcessedUpdate
from cases.models.records import AuditLog, Reminder, StaffTask
from cases.models.staff import StaffAccount, StaffSession
from cases.models.walk_in import WalkInLink

__all__ = [
    "AftercareFailure",
    "AlbumPart",
    "Applicant",
    "AuditLog",
    "Base",
    "Case",
    "CaseCounter",
    "Conversation",
    "FileBlob",
    "InboundFloor",
    "InboundUpdate",
    "ItemResult",
    "ItemStatus",
    "MaterialPage",
    "NotificationOutbox",
    "OnlineStep",
    "OutboxStatus",
    "PageStatus",
    "PlatformOutbox",
    "ProcessedUpdate",
    "Rating",
    "RatingTally",
    "Reminder",
    "Signature",
    "StaffAccount",
    "StaffSession",
    "StaffTask",
    "TaskStatus",
    "UtcDateTime",
    "WalkInLink",
    "utcnow",
]
