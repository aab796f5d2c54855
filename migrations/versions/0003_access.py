"""Access: role assignments, record shares, the security audit log, OIDC identities, rate
limits, token scopes, session idle time and sign-in lockout columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=150), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("app", sa.String(length=63), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_audit_event")),
    )
    op.create_index(
        op.f("ix_jimu_audit_event_actor_id"), "jimu_audit_event", ["actor_id"], unique=False
    )
    op.create_index(op.f("ix_jimu_audit_event_at"), "jimu_audit_event", ["at"], unique=False)
    op.create_index(op.f("ix_jimu_audit_event_kind"), "jimu_audit_event", ["kind"], unique=False)
    op.create_table(
        "jimu_rate_limit",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_jimu_rate_limit")),
    )
    op.create_table(
        "jimu_oidc_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_oidc_identity_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_oidc_identity")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_jimu_oidc_identity_issuer_subject")),
    )
    op.create_index(
        op.f("ix_jimu_oidc_identity_user_id"), "jimu_oidc_identity", ["user_id"], unique=False
    )
    op.create_table(
        "jimu_record_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("access", sa.String(length=8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (department_id IS NULL)",
            name=op.f("ck_jimu_record_share_user_or_department"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["jimu_department.id"],
            name=op.f("fk_jimu_record_share_department_id_jimu_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_record_share_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_record_share")),
    )
    op.create_index(
        "ix_jimu_record_share_department",
        "jimu_record_share",
        ["app", "entity", "department_id"],
        unique=False,
    )
    op.create_index(
        "ix_jimu_record_share_record",
        "jimu_record_share",
        ["app", "entity", "record_id"],
        unique=False,
    )
    op.create_index(
        "ix_jimu_record_share_user", "jimu_record_share", ["app", "entity", "user_id"], unique=False
    )
    op.create_table(
        "jimu_role_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("role", sa.String(length=63), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (department_id IS NULL)",
            name=op.f("ck_jimu_role_assignment_user_or_department"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["jimu_department.id"],
            name=op.f("fk_jimu_role_assignment_department_id_jimu_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_role_assignment_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_role_assignment")),
    )
    op.create_index(
        "ix_jimu_role_assignment_app_role", "jimu_role_assignment", ["app", "role"], unique=False
    )
    op.create_index(
        op.f("ix_jimu_role_assignment_department_id"),
        "jimu_role_assignment",
        ["department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_jimu_role_assignment_user_id"), "jimu_role_assignment", ["user_id"], unique=False
    )
    with op.batch_alter_table("jimu_api_token") as batch:
        batch.add_column(
            sa.Column("access", sa.String(length=8), server_default="write", nullable=False)
        )
        batch.add_column(sa.Column("apps", JSON, nullable=True))
        batch.add_column(sa.Column("last_used_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("jimu_session") as batch:
        batch.add_column(sa.Column("last_seen_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("jimu_user") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("locked_until", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("password_changed_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jimu_user") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
    with op.batch_alter_table("jimu_session") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("jimu_api_token") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("apps")
        batch.drop_column("access")
    op.drop_index(op.f("ix_jimu_role_assignment_user_id"), table_name="jimu_role_assignment")
    op.drop_index(op.f("ix_jimu_role_assignment_department_id"), table_name="jimu_role_assignment")
    op.drop_index("ix_jimu_role_assignment_app_role", table_name="jimu_role_assignment")
    op.drop_table("jimu_role_assignment")
    op.drop_index("ix_jimu_record_share_user", table_name="jimu_record_share")
    op.drop_index("ix_jimu_record_share_record", table_name="jimu_record_share")
    op.drop_index("ix_jimu_record_share_department", table_name="jimu_record_share")
    op.drop_table("jimu_record_share")
    op.drop_index(op.f("ix_jimu_oidc_identity_user_id"), table_name="jimu_oidc_identity")
    op.drop_table("jimu_oidc_identity")
    op.drop_table("jimu_rate_limit")
    op.drop_index(op.f("ix_jimu_audit_event_kind"), table_name="jimu_audit_event")
    op.drop_index(op.f("ix_jimu_audit_event_at"), table_name="jimu_audit_event")
    op.drop_index(op.f("ix_jimu_audit_event_actor_id"), table_name="jimu_audit_event")
    op.drop_table("jimu_audit_event")
