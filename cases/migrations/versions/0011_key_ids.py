"""key ids: which data key made an applicant's encrypted numbers and lookup hashes

Revision ID: 0011_key_ids
Revises: 0009_staff_console
Create Date: 2026-11-28 09:00:00

A hash carries no key id of its own, so the row says which key made it; `db rotate-key` finds
the rows it still has to do by this column. Rows from before are NULL: made by the
deployment's only key until then, and taken by the first rotation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011_key_ids"
down_revision: str | Sequence[str] | None = "0009_staff_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # A plain ADD COLUMN, not batch mode: SQLite's batch copies and drops `applicants`, which
    # the foreign keys of a deployment's cases and conversations refuse.
    op.add_column("applicants", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_index(op.f("ix_applicants_key_id"), "applicants", ["key_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_applicants_key_id"), table_name="applicants")
    op.drop_column("applicants", "key_id")  # SQLite 3.35+ drops a column in place
