"""audit chain: seals on the audit log, and the database refuses to change a sealed row

Revision ID: 0006_audit_chain
Revises: 0005_item_supplement_rounds
Create Date: 2026-12-02 10:20:00

`audit_log.seal_seq` and `audit_log.seal` hold the chain (cases/audit_chain.py). Triggers make
the log append-only: a sealed row can be neither updated nor deleted (an unsealed row may be
sealed, once).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006_audit_chain"
down_revision: str | Sequence[str] | None = "0005_item_supplement_rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE = "audit_log is append-only: a sealed row cannot be changed or deleted"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seal_seq"), ["seal_seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
            BEGIN
                IF OLD.seal_seq IS NOT NULL THEN
                    RAISE EXCEPTION '{REFUSE}';
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"WHEN OLD.seal_seq IS NOT NULL BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
            )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seal_seq"), type_="unique")
        batch_op.drop_column("seal")
        batch_op.drop_column("seal_seq")
