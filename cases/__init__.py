"""The case store: the record of every application (申请), its conversation, materials,
per-item results, outboxes and audit trail, on SQLite by default and PostgreSQL at scale.

Use cases are plain synchronous functions `fn(session, ...)`; `cases.db.Database.run` gives each
one a session and commits it. Repositories (`cases.repositories`) never commit.
"""
