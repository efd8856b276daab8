"""key ids: which data key made an applicant's encrypted numbers and lookup hashes

Revision ID: 0011_key_ids
Revises: 0010_file_blobs
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
down_revision: str | Sequence[str] | None = "0010_file_blobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_applicants_key_id"), ["key_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicants_key_id"))
        batch_op.drop_column("key_id")
