"""Processes: instances, tokens, tasks, timers, steps (the trace) and incidents.

Revision ID: 0019
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0019"
down_revision = "0012"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANCE = "jimu_process_instance"


def _instance_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["instance_id"],
        [f"{INSTANCE}.id"],
        name=op.f(f"fk_{table}_instance_id_{INSTANCE}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        INSTANCE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("flow", sa.String(length=63), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=True),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("groups", JSON, nullable=False),
        sa.Column("joins", JSON, nullable=False),
        sa.Column("variables", JSON, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{INSTANCE}")),
    )
    op.create_index("ix_jimu_process_instance_flow", INSTANCE, ["app", "flow", "status"])
    op.create_index("ix_jimu_process_instance_record", INSTANCE, ["app", "entity", "record_id"])
    op.create_table(
        "jimu_process_token",
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("node", sa.String(length=63), nullable=False),
        sa.Column("data", JSON, nullable=False),
        _instance_fk("jimu_process_token"),
        sa.PrimaryKeyConstraint("instance_id", "token", name=op.f("pk_jimu_process_token")),
    )
    op.create_table(
        "jimu_process_task",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("assignees", JSON, nullable=False),
        sa.Column("item", JSON, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=63), nullable=True),
        sa.Column("completed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        _instance_fk("jimu_process_task"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_process_task")),
    )
    op.create_index("ix_jimu_process_task_instance", "jimu_process_task", ["instance_id", "status"])
    op.create_index("ix_jimu_process_task_open", "jimu_process_task", ["status", "id"])
    op.create_table(
        "jimu_process_timer",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _instance_fk("jimu_process_timer"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_process_timer")),
    )
    op.create_index("ix_jimu_process_timer_due", "jimu_process_timer", ["due_at"])
    op.create_table(
        "jimu_process_step",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("event", JSON, nullable=False),
        sa.Column("trace", JSON, nullable=False),
        sa.Column("effects", JSON, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        _instance_fk("jimu_process_step"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_process_step")),
    )
    op.create_index("ix_jimu_process_step_instance", "jimu_process_step", ["instance_id", "id"])
    op.create_table(
        "jimu_process_incident",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("event", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        _instance_fk("jimu_process_incident"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_process_incident")),
    )
    op.create_index("ix_jimu_process_incident_open", "jimu_process_incident", ["resolved_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_process_incident_open", table_name="jimu_process_incident")
    op.drop_table("jimu_process_incident")
    op.drop_index("ix_jimu_process_step_instance", table_name="jimu_process_step")
    op.drop_table("jimu_process_step")
    op.drop_index("ix_jimu_process_timer_due", table_name="jimu_process_timer")
    op.drop_table("jimu_process_timer")
    op.drop_index("ix_jimu_process_task_open", table_name="jimu_process_task")
    op.drop_index("ix_jimu_process_task_instance", table_name="jimu_process_task")
    op.drop_table("jimu_process_task")
    op.drop_table("jimu_process_token")
    op.drop_index("ix_jimu_process_instance_record", table_name=INSTANCE)
    op.drop_index("ix_jimu_process_instance_flow", table_name=INSTANCE)
    op.drop_table(INSTANCE)
