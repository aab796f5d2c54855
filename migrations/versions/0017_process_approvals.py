"""Approvals: who started an instance, the parent of a sub-process instance, and on each task
the comment given and where its people came from (delegation, transfer, added signers, an
automatic approval, the rest of a manager chain).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
INSTANCE = "jimu_process_instance"
TASK = "jimu_process_task"


def upgrade() -> None:
    with op.batch_alter_table(INSTANCE) as batch:
        batch.add_column(sa.Column("initiator_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("parent_token", sa.String(length=16), nullable=True))
    op.create_index("ix_jimu_process_instance_parent", INSTANCE, ["parent_id"])
    op.create_index("ix_jimu_process_instance_initiator", INSTANCE, ["initiator_id", "status"])
    with op.batch_alter_table(TASK) as batch:
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("origin", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TASK) as batch:
        batch.drop_column("origin")
        batch.drop_column("comment")
    op.drop_index("ix_jimu_process_instance_initiator", table_name=INSTANCE)
    op.drop_index("ix_jimu_process_instance_parent", table_name=INSTANCE)
    with op.batch_alter_table(INSTANCE) as batch:
        batch.drop_column("parent_token")
        batch.drop_column("parent_id")
        batch.drop_column("initiator_id")
