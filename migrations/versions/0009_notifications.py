"""Notifications: the in-app inbox (``jimu_notification``), durable external sends
(``jimu_delivery``) and the users' away dates (``away_from``, ``away_until``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: batch mode rebuilds jimu_user, and with foreign keys on
    # dropping the old table would cascade to every row that refers to a user (see 0007).
    op.add_column("jimu_user", sa.Column("away_from", TIMESTAMP, nullable=True))
    op.add_column("jimu_user", sa.Column("away_until", TIMESTAMP, nullable=True))
    op.create_table(
        "jimu_notification",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("app", sa.String(length=63), nullable=True),
        sa.Column("entity", sa.String(length=63), nullable=True),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("read_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_notification_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_notification")),
    )
    op.create_index(
        "ix_jimu_notification_user_read", "jimu_notification", ["user_id", "read_at", "id"]
    )
    op.create_table(
        "jimu_delivery",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("log", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_delivery")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_jimu_delivery_idempotency_key")),
    )
    op.create_index("ix_jimu_delivery_due", "jimu_delivery", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_jimu_delivery_due", table_name="jimu_delivery")
    op.drop_table("jimu_delivery")
    op.drop_index("ix_jimu_notification_user_read", table_name="jimu_notification")
    op.drop_table("jimu_notification")
    op.drop_column("jimu_user", "away_until")
    op.drop_column("jimu_user", "away_from")
