"""Inbound webhooks of rules: ``jimu_webhook_secret`` (each webhook rule's signing secret,
encrypted), ``jimu_webhook_seen`` (accepted signatures within the replay window) and the
outbox's ``payload`` (the posted JSON body, ``$payload``).

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015"
down_revision = "0019"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_webhook_secret",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("app", "rule", name=op.f("pk_jimu_webhook_secret")),
    )
    op.create_table(
        "jimu_webhook_seen",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("signature", sa.String(length=80), nullable=False),
        sa.Column("seen_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("app", "rule", "signature", name=op.f("pk_jimu_webhook_seen")),
    )
    op.create_index("ix_jimu_webhook_seen_at", "jimu_webhook_seen", ["seen_at"])
    op.add_column("jimu_outbox", sa.Column("payload", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jimu_outbox") as batch:
        batch.drop_column("payload")
    op.drop_index("ix_jimu_webhook_seen_at", table_name="jimu_webhook_seen")
    op.drop_table("jimu_webhook_seen")
    op.drop_table("jimu_webhook_secret")
