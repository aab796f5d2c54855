"""Attachments on process comments: a stored file may belong to a process instance (a comment
or a decision on its timeline) instead of a record's field.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jimu_attachment") as batch:
        batch.add_column(sa.Column("instance_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_jimu_attachment_instance", "jimu_attachment", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_attachment_instance", table_name="jimu_attachment")
    with op.batch_alter_table("jimu_attachment") as batch:
        batch.drop_column("instance_id")
