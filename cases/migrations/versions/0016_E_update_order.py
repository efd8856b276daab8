"""update order: updates taken in but not yet handled, and album parts, shared by workers

Revision ID: 0016_E_update_order
Revises: 0015_C_staff_list_indexes
Create Date: 2026-12-02 17:00:00

Several `main.py run` workers on one database keep one applicant's updates in order and an
album whole through these two tables (bot/shared_intake.py). Rows live seconds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016_E_update_order"
down_revision: str | Sequence[str] | None = "0015_C_staff_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "inbound_updates",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id", name=op.f("pk_inbound_updates")),
    )
    op.create_index(
        "ix_inbound_updates_user", "inbound_updates", ["channel", "user_id", "update_id"]
    )
    op.create_table(
        "album_parts",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("channel", "update_id", name=op.f("pk_album_parts")),
    )
    op.create_index("ix_album_parts_group", "album_parts", ["channel", "group_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_album_parts_group", table_name="album_parts")
    op.drop_table("album_parts")
    op.drop_index("ix_inbound_updates_user", table_name="inbound_updates")
    op.drop_table("inbound_updates")
