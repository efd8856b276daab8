"""The schema as SQLAlchemy Core tables: one definition, which the ORM models map onto
(`__table__`) and which the quick staff commands read and write without the ORM.

Importing these costs SQLAlchemy Core only: no mapper is configured, no model class built, so
`python main.py staff queue` starts within twice the time of `import sqlalchemy` (issue 17).
Only the tables that such a command touches live here; the others are still declared on
their models, in the same metadata.
"""
