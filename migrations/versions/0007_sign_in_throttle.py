"""Sign-in throttling: ``jimu_sign_in_throttle`` remembers failed password checks per client
address and per typed username, from which a growing wait (backoff) is computed. It replaces
the hard lockout, so the user's ``failed_logins`` and ``locked_until`` columns go (a lock in
progress ends with the upgrade).

The columns are dropped with ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35+), not in batch
mode: batch mode rebuilds ``jimu_user``, and with foreign keys on, dropping the old table would
cascade to every row that references a user.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_sign_in_throttle",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_jimu_sign_in_throttle")),
    )
    op.create_index(
        op.f("ix_jimu_sign_in_throttle_last_failure_at"),
        "jimu_sign_in_throttle",
        ["last_failure_at"],
        unique=False,
    )
    op.drop_column("jimu_user", "locked_until")
    op.drop_column("jimu_user", "failed_logins")


def downgrade() -> None:
    op.add_column(
        "jimu_user",
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("jimu_user", sa.Column("locked_until", TIMESTAMP, nullable=True))
    op.drop_index(
        op.f("ix_jimu_sign_in_throttle_last_failure_at"), table_name="jimu_sign_in_throttle"
    )
    op.drop_table("jimu_sign_in_throttle")
