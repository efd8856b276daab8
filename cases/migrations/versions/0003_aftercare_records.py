"""aftercare records: signatures, ratings, online steps (moved out of the audit log)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 03:15:26.119265

Until this revision the signature, the rating and the online-step answers were kept only as
audit entries (`case.sign`, `rating.given`, `rating.comment`, `rating.declined`,
`online_step.answer`). The upgrade copies them into the new tables, so an existing install
keeps its ratings report and its signed cases; the audit entries stay where they are.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = {
    "very_satisfied": 5,
    "satisfied": 4,
    "basically_satisfied": 3,
    "dissatisfied": 2,
    "very_dissatisfied": 1,
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("notice_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_copy_sha256", sa.String(length=64), nullable=False),
        sa.Column("typed_name", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_signatures_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint(
            "case_id", "notice_sha256", name=op.f("uq_signatures_case_id_notice_sha256")
        ),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signatures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "online_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("help_task_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('done', 'not_yet', 'help_requested')",
            name=op.f("ck_online_steps_status"),
        ),
        sa.CheckConstraint(
            "step IN ('housing_fund', 'medical_payment')", name=op.f("ck_online_steps_step")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_online_steps_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["help_task_id"],
            ["staff_tasks.id"],
            name=op.f("fk_online_steps_help_task_id_staff_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_steps")),
        sa.UniqueConstraint("case_id", "step", name=op.f("uq_online_steps_case_id_step")),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.Column("level_code", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.Column("declined_at", sa.DateTime(), nullable=True),
        sa.Column("followup_task_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "level_code IN ('very_satisfied', 'satisfied', 'basically_satisfied', "
            "'dissatisfied', 'very_dissatisfied')",
            name=op.f("ck_ratings_level_code"),
        ),
        sa.CheckConstraint(
            "(level IS NOT NULL AND level_code IS NOT NULL AND rated_at IS NOT NULL"
            " AND declined_at IS NULL)"
            " OR (level IS NULL AND level_code IS NULL AND rated_at IS NULL"
            " AND declined_at IS NOT NULL)",
            name=op.f("ck_ratings_rated_or_declined"),
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_ratings_level_range")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ratings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["followup_task_id"],
            ["staff_tasks.id"],
            name=op.f("fk_ratings_followup_task_id_staff_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("case_id", name=op.f("uq_ratings_case_id")),
    )
    _copy_from_audit_log(op.get_bind())


def downgrade() -> None:
    """Downgrade schema (the audit entries still hold what these tables held before 0003)."""
    op.drop_table("ratings")
    op.drop_table("online_steps")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signatures_case_id"))
    op.drop_table("signatures")


# -- the data of earlier revisions, copied once ----------------------------------------------
# Lightweight tables, not the models: a migration must not change when the models do.
_audit = sa.table(
    "audit_log",
    sa.column("id"),
    sa.column("at"),
    sa.column("action"),
    sa.column("case_id"),
    sa.column("detail"),
)
_cases = sa.table("cases", sa.column("id"), sa.column("applicant_id"), sa.column("form"))
_applicants = sa.table("applicants", sa.column("id"), sa.column("full_name"))
_tasks = sa.table(
    "staff_tasks", sa.column("id"), sa.column("case_id"), sa.column("kind"), sa.column("detail")
)
_ACTIONS = ("case.sign", "rating.given", "rating.comment", "rating.declined", "online_step.answer")


def _json(value: Any) -> dict[str, Any]:
    # JSON text on SQLite, already decoded (or text, by driver) on PostgreSQL.
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _copy_from_audit_log(conn: sa.Connection) -> None:
    query = (
        sa.select(_audit.c.at, _audit.c.action, _audit.c.case_id, _audit.c.detail)
        .where(_audit.c.action.in_(_ACTIONS), _audit.c.case_id.is_not(None))
        .order_by(_audit.c.id)
    )
    entries = list(conn.execute(query))
    if not entries:
        return  # a fresh database: nothing to carry over
    names = _signing_names(conn)
    followups: dict[int, int] = {}
    helps: dict[tuple[int, str], int] = {}
    for task_id, case_id, kind, detail in conn.execute(
        sa.select(_tasks.c.id, _tasks.c.case_id, _tasks.c.kind, _tasks.c.detail).order_by(
            _tasks.c.id
        )
    ):
        if kind == "rating_followup" and case_id is not None:
            followups.setdefault(case_id, task_id)
        elif kind == "online_step_help" and case_id is not None:
            helps[(case_id, str(_json(detail).get("step")))] = task_id

    signatures: dict[tuple[int, str], dict[str, Any]] = {}
    ratings: dict[int, dict[str, Any]] = {}
    steps: dict[tuple[int, str], dict[str, Any]] = {}
    for at, action, case_id, raw in entries:
        detail = _json(raw)
        if action == "case.sign" and detail.get("notice_sha256"):
            key = (case_id, str(detail["notice_sha256"]))
            signatures[key] = {
                "case_id": case_id,
                "notice_sha256": key[1],
                "signed_copy_sha256": str(detail.get("signed_copy_sha256") or ""),
                "typed_name": names.get(case_id, "")[:64],
                "signed_at": at,
            }
        elif action == "rating.given" and detail.get("level") in LEVELS:
            if case_id not in ratings or ratings[case_id]["level"] is None:
                code = str(detail["level"])
                ratings[case_id] = _rating_row(case_id, at, LEVELS[code], code, followups)
        elif action == "rating.comment" and case_id in ratings:
            ratings[case_id]["comment"] = str(detail.get("comment") or "")[:500] or None
        elif action == "rating.declined" and case_id not in ratings:
            ratings[case_id] = _rating_row(case_id, at, None, None, followups)
        elif action == "online_step.answer" and detail.get("step") in (
            "housing_fund",
            "medical_payment",
        ):
            step = str(detail["step"])
            help_task = None if detail.get("done") else helps.get((case_id, step))
            steps[(case_id, step)] = {
                "case_id": case_id,
                "step": step,
                "status": "done"
                if detail.get("done")
                else ("help_requested" if help_task else "not_yet"),
                "answered_at": at,
                "help_task_id": help_task,
            }
    for table, rows in (
        ("signatures", list(signatures.values())),
        ("ratings", list(ratings.values())),
        ("online_steps", list(steps.values())),
    ):
        if rows:
            target = sa.table(table, *(sa.column(name) for name in rows[0]))
            conn.execute(sa.insert(target), rows)


def _rating_row(
    case_id: int, at: Any, level: int | None, code: str | None, followups: dict[int, int]
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "level": level,
        "level_code": code,
        "comment": None,
        "rated_at": at if level is not None else None,
        "declined_at": None if level is not None else at,
        "followup_task_id": followups.get(case_id) if level is not None and level <= 2 else None,
        "created_at": at,
    }


def _signing_names(conn: sa.Connection) -> dict[int, str]:
    """The name each case's notice was made out to, which the signature had to match."""
    query = sa.select(_cases.c.id, _cases.c.form, _applicants.c.full_name).join(
        _applicants, _applicants.c.id == _cases.c.applicant_id
    )
    return {
        case_id: str(_json(form).get("name") or full_name or "")
        for case_id, form, full_name in conn.execute(query)
    }
