"""file blobs: the encrypted files of the postgresql file backend, in parts

Revision ID: 0010_file_blobs
Revises: 0008_page_count
Create Date: 2026-12-02 12:40:00

Files stay where they are: moving a deployment's files into the table is its own step.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010_file_blobs"
down_revision: str | Sequence[str] | None = "0008_page_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "file_blobs",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("address", "part", name=op.f("pk_file_blobs")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("file_blobs")
