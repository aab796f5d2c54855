"""The public pool: ``jimu_owner_change``, every owner change made by claiming, returning,
transferring or assigning a record, with its reason (docs/pool.md).

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jimu_owner_change",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_user", sa.Integer(), nullable=True),
        sa.Column("to_user", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=63), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_owner_change")),
    )
    op.create_index(
        "ix_jimu_owner_change_record", "jimu_owner_change", ["app", "entity", "record_id"]
    )
    op.create_index(
        "ix_jimu_owner_change_actor",
        "jimu_owner_change",
        ["app", "entity", "actor_id", "kind", "changed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_jimu_owner_change_actor", table_name="jimu_owner_change")
    op.drop_index("ix_jimu_owner_change_record", table_name="jimu_owner_change")
    op.drop_table("jimu_owner_change")
