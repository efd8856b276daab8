"""staff console: walk-in registrations and their one-time codes; the queue's indexes

Revision ID: 0009_staff_console
Revises: 0014_id_card_read (main's head when merged; the lead re-chains)
Create Date: 2026-11-28 09:00:00

`walk_in_links`: a case registered at the window and the sha256 of the code printed for its
worker. Two indexes keep the clerk's queue flat however many cases there are: open cases in
queue order (partial: only open ones), and items by status and due time (the overdue ones).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cases.models.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0009_staff_console"
down_revision: str | Sequence[str] | None = "0014_id_card_read"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_CASES = "status IN ('received', 'returned', 'accepted')"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "walk_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_walk_in_links_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["applicants.id"], name=op.f("fk_walk_in_links_claimed_by_applicants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_in_links")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_walk_in_links_code_sha256")),
    )
    op.create_index(op.f("ix_walk_in_links_case_id"), "walk_in_links", ["case_id"])
    op.create_index(
        "ix_platform_emb_cases_open_queue",
        "platform_emb_cases",
        ["received_at", "case_number", "status"],
        sqlite_where=sa.text(OPEN_CASES),
        postgresql_where=sa.text(OPEN_CASES),
        if_not_exists=True,  # a platform that made its own tables from today's models
    )
    op.create_index(
        "ix_platform_emb_items_status_due",
        "platform_emb_items",
        ["status", "due_at"],
        if_not_exists=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_platform_emb_items_status_due", table_name="platform_emb_items")
    op.drop_index("ix_platform_emb_cases_open_queue", table_name="platform_emb_cases")
    op.drop_index(op.f("ix_walk_in_links_case_id"), table_name="walk_in_links")
    op.drop_table("walk_in_links")
