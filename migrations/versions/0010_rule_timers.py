"""Time triggers of rules: ``jimu_rule_timer`` (what is due when) and ``jimu_rule_timer_plan``
(which version and switch of each rule its timers were planned for).

Revision ID: 0010
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0016"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jimu_rule_timer",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("planned_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_rule_timer")),
        sa.UniqueConstraint(
            "app", "rule", "record_id", name=op.f("uq_jimu_rule_timer_app_rule_record_id")
        ),
    )
    op.create_index("ix_jimu_rule_timer_due", "jimu_rule_timer", ["due_at"])
    op.create_index("ix_jimu_rule_timer_record", "jimu_rule_timer", ["app", "entity", "record_id"])
    op.create_table(
        "jimu_rule_timer_plan",
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("rule", sa.String(length=63), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("planned_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("app", "rule", name=op.f("pk_jimu_rule_timer_plan")),
    )


def downgrade() -> None:
    op.drop_table("jimu_rule_timer_plan")
    op.drop_index("ix_jimu_rule_timer_record", table_name="jimu_rule_timer")
    op.drop_index("ix_jimu_rule_timer_due", table_name="jimu_rule_timer")
    op.drop_table("jimu_rule_timer")
