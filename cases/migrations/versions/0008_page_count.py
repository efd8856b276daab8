"""page count: the number of pages in an uploaded file (a PDF may hold several)

Revision ID: 0008_page_count
Revises: 0007_staff_accounts
Create Date: 2026-11-27 09:00:00

Pages stored before this revision have none (NULL), read as one page, as they were counted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008_page_count"
down_revision: str | Sequence[str] | None = "0007_staff_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("material_pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_count", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("material_pages", schema=None) as batch_op:
        batch_op.drop_column("page_count")
