"""item supplement rounds: what each office asked for again, and what came back

Revision ID: 0005_item_supplement_rounds
Revises: 0004_aftercare_failures
Create Date: 2026-11-26 10:00:00

`platform_emb_items.rounds` keeps an office's supplement requests on its item, one entry per
round (what was asked, why, what the applicant sent back, the new due time). Existing items
have none (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0005_item_supplement_rounds"
down_revision: str | Sequence[str] | None = "0004_aftercare_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    # An install whose platform made its own tables before 0002 has them from the current
    # definitions, this column included: add it only where it is missing.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("platform_emb_items")}
    if "rounds" in columns:
        return
    with op.batch_alter_table("platform_emb_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rounds", JSON, nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("platform_emb_items", schema=None) as batch_op:
        batch_op.drop_column("rounds")
