"""The organisation: departments, memberships, and each user's manager, mobile and external id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("jimu_user") as batch:
        batch.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mobile", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_jimu_user_manager_id_jimu_user"),
            "jimu_user",
            ["manager_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(op.f("uq_jimu_user_external_id"), ["external_id"])
        batch.create_index(op.f("ix_jimu_user_manager_id"), ["manager_id"], unique=False)
    op.create_table(
        "jimu_department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["jimu_department.id"],
            name=op.f("fk_jimu_department_parent_id_jimu_department"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_department")),
        sa.UniqueConstraint("external_id", name=op.f("uq_jimu_department_external_id")),
    )
    op.create_index(
        op.f("ix_jimu_department_parent_id"), "jimu_department", ["parent_id"], unique=False
    )
    op.create_table(
        "jimu_user_department",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["jimu_department.id"],
            name=op.f("fk_jimu_user_department_department_id_jimu_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_user_department_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "department_id", name=op.f("pk_jimu_user_department")),
    )
    op.create_index(
        op.f("ix_jimu_user_department_department_id"),
        "jimu_user_department",
        ["department_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_jimu_user_department_department_id"), "jimu_user_department")
    op.drop_table("jimu_user_department")
    op.drop_index(op.f("ix_jimu_department_parent_id"), "jimu_department")
    op.drop_table("jimu_department")
    with op.batch_alter_table("jimu_user") as batch:
        batch.drop_index(op.f("ix_jimu_user_manager_id"))
        batch.drop_constraint(op.f("uq_jimu_user_external_id"), type_="unique")
        batch.drop_constraint(op.f("fk_jimu_user_manager_id_jimu_user"), type_="foreignkey")
        batch.drop_column("external_id")
        batch.drop_column("mobile")
        batch.drop_column("manager_id")
