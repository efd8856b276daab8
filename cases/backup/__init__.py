"""`db backup PATH` and `db restore PATH`: the database and the files of a deployment in one
archive, and back, for SQLite and PostgreSQL and any file backend.

**The data key is not in the backup, and nothing personal is in clear in it.** The archive
holds the stored files as they are stored (encrypted with the data key) and the database dump
encrypted in the same format with the same key; only a manifest (table names, row counts,
the schema revision, the key *id*) and a note are readable. So a stolen backup tape gives
nothing away, and the key, which every PostgreSQL worker already holds as SECURITY__DATA_KEY
(or `data/secret.key` on the embedded default), must be kept apart from the backups: in the
password safe, and on paper in the office safe. Restoring needs the same key; `db restore`
refuses a backup whose key id is not the configured key's, before it changes anything.

Why not the key inside, wrapped by a passphrase: it would add a second secret to keep apart
(a passphrase written next to the tape undoes it), and lose nothing less when forgotten.
Without the key the backup is as unreadable as the live database without it: that is the
point, and the note inside the archive says so.

The dump is logical (rows as JSON lines, per table, in primary-key order), read from one
snapshot (PostgreSQL: a REPEATABLE READ, READ ONLY transaction; SQLite: an online copy made
with SQLite's backup API). It restores into either database: a SQLite deployment moves to
PostgreSQL by a backup and a restore.
"""
