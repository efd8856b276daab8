"""update sequence: updates acknowledged once recorded, handled in the order of their ids

Revision ID: 0018_A_update_sequence
Revises: 0017_B_rating_tallies
Create Date: 2026-12-03 04:00:00

Telegram numbers one bot's updates consecutively across all chats, so a missing id above the
floor (`inbound_floor`, one row per channel) is an update still on its way to some worker: a
newer one waits for it, not for a fixed time. Waiting must not hold Telegram's delivery, so an
update is acknowledged once recorded, its JSON kept encrypted in `inbound_updates.payload`
until handled (by the sweep if its worker dies). bot/shared_intake.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018_A_update_sequence"
down_revision: str | Sequence[str] | None = "0017_B_rating_tallies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("inbound_updates", sa.Column("payload", sa.LargeBinary(), nullable=True))
    op.add_column("inbound_updates", sa.Column("claimed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "inbound_floor",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_inbound_floor")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("inbound_floor")
    with op.batch_alter_table("inbound_updates") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("payload")
