"""id card read: a number read from a photo of the ID card, held until confirmed (issue 18)

Revision ID: 0014_id_card_read
Revises: 0010_file_blobs
Create Date: 2026-12-02 13:00:00

Encrypted like the ID number itself; NULL for everyone until a card photo is read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014_id_card_read"
down_revision: str | Sequence[str] | None = "0010_file_blobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_number_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Downgrade schema. A plain DROP COLUMN (SQLite 3.35+, PostgreSQL), not batch mode: on
    SQLite batch mode would copy the applicants table, which every case and conversation
    references, and the enforced foreign keys refuse the drop of the old copy."""
    op.drop_column("applicants", "card_number_enc")
