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
    errors.py    StaffError: what a staff operation refuses, in plain Chinese
    staff_queue.py, queue_page.py, inbox_page.py, overdue.py
                 the staff queue and the overdue flags, on Core tables (no ORM)

Staff operations are synchronous use cases `fn(session, ...)` so that the CLI runs them with
`db.run_blocking` and async code with `await db.run(...)`; the adapter methods are async.

This package imports nothing itself: import from its modules (`...embedded.platform import
EmbeddedPlatform`), so that `staff queue` loads the queue's modules only, never the ORM.
"""
