"""``jimu_revision``: named counters that caches compare with what they hold (the access
revision: every change to users, departments, memberships, role assignments or shares raises
it in the same transaction; see ``jimu.platform.access.revision``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jimu_revision",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_jimu_revision")),
    )


def downgrade() -> None:
    op.drop_table("jimu_revision")
