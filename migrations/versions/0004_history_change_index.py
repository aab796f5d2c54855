"""Drop the index on ``jimu_record_history.change_id``: nothing looks history up by change id
(a record's history is read through ``ix_jimu_record_history_record`` and grouped by change
id in Python), and the index cost every record write a fifth of its history insert.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_jimu_record_history_change_id"), table_name="jimu_record_history")


def downgrade() -> None:
    op.create_index(op.f("ix_jimu_record_history_change_id"), "jimu_record_history", ["change_id"])
