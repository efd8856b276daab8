"""The embedded approval platform: the default, running in-process on the same database.

It plays the platform's part faithfully enough for a banner to run the reform today, train its
staff and test: it records what was submitted (idempotent on the key), lets the clerk accept or
return a case, dispatches every item to its office on the working-day clock, shows each office
only its item's fields and materials (every view and answer audited), flags overdue items to
the clerk, and reports everything back as `PlatformEvent`s through an `EventSink`.

One module per role, put together in `platform.py`:

    sinks.py     where events go: applied in the same transaction, or queued for a callback
    core.py      configuration, look-ups with plain Chinese errors, the audit log
    dispatch.py  dispatch and clocks: items to offices, due times, waiting items, overdue
    intake.py    the adapter side: submit, withdraw, supplement, status
    clerk.py     accept, or return for correction
    offices.py   answer an item: done with data, needs supplement, refused
    views.py     the queues and the case view, with least privilege
    sealing.py   the ID number sealed at rest, masked in lists

Staff operations are synchronous use cases `fn(session, ...)` so that the CLI runs them with
`db.run_blocking` and async code with `await db.run(...)`; the adapter methods are async.
"""

from integrations.platform.embedded.core import FINAL, Clock
from integrations.platform.embedded.errors import CLERK, StaffError
from integrations.platform.embedded.offices import coerce_result
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.embedded.sinks import (
    EventSink,
    apply_in_same_transaction,
    queue_for_callback,
)
from integrations.platform.embedded.views import CaseView, QueueRow

__all__ = [
    "CLERK",
    "FINAL",
    "CaseView",
    "Clock",
    "EmbeddedPlatform",
    "EventSink",
    "QueueRow",
    "StaffError",
    "apply_in_same_transaction",
    "coerce_result",
    "queue_for_callback",
]
