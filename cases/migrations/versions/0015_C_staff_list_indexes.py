"""staff list indexes: an office's inbox and the clerk's open tasks, one page from an index

Revision ID: 0015_C_staff_list_indexes
Revises: 0011_key_ids
Create Date: 2026-12-02 17:00:00

Staff lists read one page at a time (issue 17). An office's inbox reads its page of pending
item ids, soonest due first, from (office, status, due_at, id) without touching the table;
the task list reads its open tasks most urgent first (due time, else creation time) from an
index on that expression; the ratings, newest first, from (rated_at, id), and their counts
by level from an index on the level.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015_C_staff_list_indexes"
down_revision: str | Sequence[str] | None = "0011_key_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        "ix_platform_emb_items_inbox",
        "platform_emb_items",
        ["office", "status", "due_at", "id"],
        if_not_exists=True,  # a platform that made its own tables from today's models
    )
    op.create_index(
        "ix_staff_tasks_open_order",
        "staff_tasks",
        ["status", sa.text("coalesce(due_at, created_at)"), "id"],
    )
    op.create_index("ix_ratings_given", "ratings", ["rated_at", "id"])
    op.create_index("ix_ratings_level_code", "ratings", ["level_code"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_ratings_level_code", table_name="ratings")
    op.drop_index("ix_ratings_given", table_name="ratings")
    op.drop_index("ix_staff_tasks_open_order", table_name="staff_tasks")
    op.drop_index("ix_platform_emb_items_inbox", table_name="platform_emb_items")
