"""aftercare failures: per-case retries

Revision ID: 0004_aftercare_failures
Revises: 0003
Create Date: 2026-12-02 09:45:24.133973

A notice that cannot be rendered, or an online-step check that fails, is retried alone with
backoff; this table records its attempts, last (masked) error, next try and the clerk's task
raised after the third failure. A fresh table: nothing to carry over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_aftercare_failures"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "aftercare_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("staff_task_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "job IN ('notice', 'online_check')", name=op.f("ck_aftercare_failures_job")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_aftercare_failures_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_task_id"],
            ["staff_tasks.id"],
            name=op.f("fk_aftercare_failures_staff_task_id_staff_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftercare_failures")),
        sa.UniqueConstraint(
            "job", "subject_id", name=op.f("uq_aftercare_failures_job_subject_id")
        ),
    )
    with op.batch_alter_table("aftercare_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aftercare_failures_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aftercare_failures_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("aftercare_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aftercare_failures_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_aftercare_failures_case_id"))

    op.drop_table("aftercare_failures")
