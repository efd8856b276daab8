"""platform tables: the embedded platform's record, the inbox of applied events, nonces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 02:50:50.409957

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    # Before this revision the platform created these tables itself on first use, from the
    # same definitions: an existing install may have some already, so create only the rest.
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if "platform_emb_cases" not in existing:
        op.create_table(
            "platform_emb_cases",
            sa.Column("case_number", sa.String(length=20), nullable=False),
            sa.Column("idempotency_key", sa.String(length=128), nullable=False),
            sa.Column("platform_ref", sa.String(length=40), nullable=False),
            sa.Column("form", JSON, nullable=False),
            sa.Column("materials", JSON, nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("accepted_at", sa.DateTime(), nullable=True),
            sa.Column("accepted_by", sa.String(length=64), nullable=True),
            sa.Column("withdrawn_reason", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("case_number", name=op.f("pk_platform_emb_cases")),
            sa.UniqueConstraint(
                "idempotency_key", name=op.f("uq_platform_emb_cases_idempotency_key")
            ),
            sa.UniqueConstraint("platform_ref", name=op.f("uq_platform_emb_cases_platform_ref")),
        )
        with op.batch_alter_table("platform_emb_cases", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_emb_cases_status"), ["status"], unique=False
            )

    if "platform_emb_events" not in existing:
        op.create_table(
            "platform_emb_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("event_id", sa.String(length=64), nullable=False),
            sa.Column("case_number", sa.String(length=20), nullable=False),
            sa.Column("payload", JSON, nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("delivered_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_emb_events")),
            sa.UniqueConstraint("event_id", name=op.f("uq_platform_emb_events_event_id")),
        )
        with op.batch_alter_table("platform_emb_events", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_emb_events_case_number"), ["case_number"], unique=False
            )
            batch_op.create_index(
                "ix_platform_emb_events_due", ["delivered_at", "next_attempt_at"], unique=False
            )

    if "platform_inbox" not in existing:
        op.create_table(
            "platform_inbox",
            sa.Column("event_id", sa.String(length=64), nullable=False),
            sa.Column("case_number", sa.String(length=20), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("applied_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("event_id", name=op.f("pk_platform_inbox")),
        )
        with op.batch_alter_table("platform_inbox", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_inbox_case_number"), ["case_number"], unique=False
            )

    if "platform_nonces" not in existing:
        op.create_table(
            "platform_nonces",
            sa.Column("nonce", sa.String(length=80), nullable=False),
            sa.Column("seen_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("nonce", name=op.f("pk_platform_nonces")),
        )
        with op.batch_alter_table("platform_nonces", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_nonces_seen_at"), ["seen_at"], unique=False
            )

    if "platform_emb_items" not in existing:
        op.create_table(
            "platform_emb_items",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("case_number", sa.String(length=20), nullable=False),
            sa.Column("item", sa.String(length=48), nullable=False),
            sa.Column("office", sa.String(length=48), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("dispatched_at", sa.DateTime(), nullable=True),
            sa.Column("due_at", sa.DateTime(), nullable=True),
            sa.Column("answered_at", sa.DateTime(), nullable=True),
            sa.Column("answered_by", sa.String(length=64), nullable=True),
            sa.Column("data", JSON, nullable=False),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("overdue_flagged_at", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["case_number"],
                ["platform_emb_cases.case_number"],
                name=op.f("fk_platform_emb_items_case_number_platform_emb_cases"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_emb_items")),
            sa.UniqueConstraint(
                "case_number", "item", name=op.f("uq_platform_emb_items_case_number_item")
            ),
        )
        with op.batch_alter_table("platform_emb_items", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_emb_items_case_number"), ["case_number"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_platform_emb_items_office"), ["office"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_platform_emb_items_status"), ["status"], unique=False
            )

    if "platform_emb_supplements" not in existing:
        op.create_table(
            "platform_emb_supplements",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("idempotency_key", sa.String(length=128), nullable=False),
            sa.Column("case_number", sa.String(length=20), nullable=False),
            sa.Column("material_code", sa.String(length=48), nullable=False),
            sa.Column("pages", JSON, nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_number"],
                ["platform_emb_cases.case_number"],
                name=op.f("fk_platform_emb_supplements_case_number_platform_emb_cases"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_emb_supplements")),
            sa.UniqueConstraint(
                "idempotency_key", name=op.f("uq_platform_emb_supplements_idempotency_key")
            ),
        )
        with op.batch_alter_table("platform_emb_supplements", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_platform_emb_supplements_case_number"),
                ["case_number"],
                unique=False,
            )


def downgrade() -> None:
    """Downgrade schema."""
    # Children first (foreign keys); indexes go with their tables.
    for table in (
        "platform_emb_supplements",
        "platform_emb_items",
        "platform_nonces",
        "platform_inbox",
        "platform_emb_events",
        "platform_emb_cases",
    ):
        op.drop_table(table)
