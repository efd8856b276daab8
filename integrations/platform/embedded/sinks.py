"""Where the embedded platform's events go (`EventSink`).

In the same database they are applied in the very transaction that caused them, so a staff
command and its push to the applicant commit together; behind `platform serve` with a remote
bot they wait in `platform_emb_events` for the signed callback.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from cases.models.platform import EmbEvent
from cases.platform.events import PlatformEvent
from cases.platform.handlers import apply_event
from integrations.platform.wire import event_to_json

EventSink = Callable[[Session, PlatformEvent], None]


def apply_in_same_transaction(session: Session, event: PlatformEvent) -> None:
    """Default sink: our case store lives in this database; apply the event right here."""
    apply_event(session, event)


def queue_for_callback(session: Session, event: PlatformEvent) -> None:
    """Sink for `platform serve` with a remote bot: the event waits for the signed callback."""
    session.add(
        EmbEvent(
            event_id=event.event_id,
            case_number=event.case_number,
            payload=event_to_json(event),
            next_attempt_at=event.at,  # due at once, on the platform's own clock
        )
    )
