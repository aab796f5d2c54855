"""Invitations: one-time links that let a user choose their password
(``jimu_invitation``, only the token's sha256 kept), and ``must_change_password`` on users
created or reset with a temporary password.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode (see 0009: batch mode rebuilds jimu_user).
    op.add_column(
        "jimu_user",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "jimu_invitation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_invitation_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_jimu_invitation_token_hash")),
    )
    op.create_index(op.f("ix_jimu_invitation_user_id"), "jimu_invitation", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_jimu_invitation_user_id"), table_name="jimu_invitation")
    op.drop_table("jimu_invitation")
    op.drop_column("jimu_user", "must_change_password")
