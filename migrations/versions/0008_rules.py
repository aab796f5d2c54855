"""The rule engine's tables: ``jimu_rule_run`` (run log, retries, dead letters) and
``jimu_rule_state`` (rules switched off); ``jimu_outbox.old_values`` for ``$old`` in rules.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("jimu_outbox") as batch:
        batch.add_column(sa.Column("old_values", JSON, nullable=True))
    op.create_table(
        "jimu_rule_run",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("condition", sa.Boolean(), nullable=True),
        sa.Column("actions", JSON, nullable=False),
        sa.Column("warning", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_rule_run")),
        sa.UniqueConstraint(
            "app", "rule", "event_id", name=op.f("uq_jimu_rule_run_app_rule_event_id")
        ),
    )
    op.create_index("ix_jimu_rule_run_rule", "jimu_rule_run", ["app", "rule", "id"])
    op.create_index("ix_jimu_rule_run_record", "jimu_rule_run", ["app", "entity", "record_id"])
    op.create_index("ix_jimu_rule_run_due", "jimu_rule_run", ["status", "next_attempt_at"])
    op.create_table(
        "jimu_rule_state",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("app", "rule", name=op.f("pk_jimu_rule_state")),
    )


def downgrade() -> None:
    op.drop_table("jimu_rule_state")
    op.drop_index("ix_jimu_rule_run_due", table_name="jimu_rule_run")
    op.drop_index("ix_jimu_rule_run_record", table_name="jimu_rule_run")
    op.drop_index("ix_jimu_rule_run_rule", table_name="jimu_rule_run")
    op.drop_table("jimu_rule_run")
    with op.batch_alter_table("jimu_outbox") as batch:
        batch.drop_column("old_values")
