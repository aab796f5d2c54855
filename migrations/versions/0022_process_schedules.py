"""Flows started on a schedule: one row per published flow whose start node is
``on: schedule``, holding its next tick.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_process_schedule",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("flow", sa.String(length=63), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=63), nullable=False),
        sa.Column("cron", sa.String(length=200), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("planned_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("app", "flow", name=op.f("pk_jimu_process_schedule")),
    )
    op.create_index("ix_jimu_process_schedule_due", "jimu_process_schedule", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_jimu_process_schedule_due", table_name="jimu_process_schedule")
    op.drop_table("jimu_process_schedule")
