"""Owner assignment by rules: ``jimu_assignment_pointer`` (each pool's round-robin pointer) and
``jimu_assignment`` (every assignment with its explanation, "why this rep").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jimu_assignment_pointer",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("pool_key", sa.String(length=200), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=True),
        sa.Column("assigned", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("app", "pool_key", name=op.f("pk_jimu_assignment_pointer")),
    )
    op.create_table(
        "jimu_assignment",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(length=63), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("previous_user_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("pool_key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.Column("explanation_zh", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_assignment")),
    )
    op.create_index("ix_jimu_assignment_record", "jimu_assignment", ["app", "entity", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_assignment_record", table_name="jimu_assignment")
    op.drop_table("jimu_assignment")
    op.drop_table("jimu_assignment_pointer")
