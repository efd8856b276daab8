"""`EmbeddedPlatform`: the desks of the embedded platform put together over one database.

One object serves every role: `await platform.submit(request)` is the adapter side
(intake.py); `db.run_blocking(platform.accept, number, actor)` the clerk (clerk.py);
`platform.route_to_town` the clerk assigning a town (routing.py); `platform.answer` an office
(offices.py); `platform.queue` and `platform.show` the views with
least privilege (views.py); `await db.run(platform.flag_overdue)` the clock (dispatch.py).
"""

from __future__ import annotations

from integrations.platform.embedded.birth_date import ArchiveDesk
from integrations.platform.embedded.clerk import ClerkDesk
from integrations.platform.embedded.intake import Intake
from integrations.platform.embedded.offices import OfficeDesk
from integrations.platform.embedded.routing import RoutingDesk
from integrations.platform.embedded.views import Views


class EmbeddedPlatform(Intake, ClerkDesk, RoutingDesk, ArchiveDesk, OfficeDesk, Views):
    """The embedded platform over one `Database` (see `PlatformCore` for the parameters:
    `sink`, an injectable `now`, `items`, `calendar`, `office_hours`). Implements
    `PlatformAdapter`; the staff operations are synchronous use cases `fn(session, ...)`."""
