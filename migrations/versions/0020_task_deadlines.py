"""Task deadlines: a task's due time, and process timers that belong to a task (a reminder,
an escalation, an automatic decision when overdue) rather than to a timer node's token.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jimu_process_task") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("jimu_process_timer") as batch:
        batch.add_column(sa.Column("task_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("purpose", sa.String(length=16), nullable=True))
    op.create_index("ix_jimu_process_timer_task", "jimu_process_timer", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_process_timer_task", table_name="jimu_process_timer")
    with op.batch_alter_table("jimu_process_timer") as batch:
        batch.drop_column("purpose")
        batch.drop_column("task_id")
    with op.batch_alter_table("jimu_process_task") as batch:
        batch.drop_column("due_at")
