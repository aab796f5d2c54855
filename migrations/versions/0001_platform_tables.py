"""The platform's own tables: users, sessions, API tokens, documents, record history, outbox,
autonumber counters, archived columns.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
NAME = sa.String(length=63)


def upgrade() -> None:
    _users()
    _documents()
    _records()


def _users() -> None:
    op.create_table(
        "jimu_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_user")),
        sa.UniqueConstraint("username", name=op.f("uq_jimu_user_username")),
    )
    op.create_table(
        "jimu_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_api_token_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_jimu_api_token_token_hash")),
    )
    op.create_index(op.f("ix_jimu_api_token_user_id"), "jimu_api_token", ["user_id"])
    op.create_table(
        "jimu_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["jimu_user.id"],
            name=op.f("fk_jimu_session_user_id_jimu_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_session")),
    )
    op.create_index(op.f("ix_jimu_session_user_id"), "jimu_session", ["user_id"])


def _documents() -> None:
    op.create_table(
        "jimu_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", NAME, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_document")),
        sa.UniqueConstraint(
            "app", "kind", "name", "version", name=op.f("uq_jimu_document_app_kind_name_version")
        ),
    )
    op.create_table(
        "jimu_archived_column",
        sa.Column("app", NAME, nullable=False),
        sa.Column("entity", NAME, nullable=False),
        sa.Column("column_name", NAME, nullable=False),
        sa.Column("field", NAME, nullable=False),
        sa.Column("archived_at", TIMESTAMP, nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.PrimaryKeyConstraint(
            "app", "entity", "column_name", name=op.f("pk_jimu_archived_column")
        ),
    )


def _records() -> None:
    op.create_table(
        "jimu_record_history",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("app", NAME, nullable=False),
        sa.Column("entity", NAME, nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", NAME, nullable=False),
        sa.Column("old_value", JSON, nullable=True),
        sa.Column("new_value", JSON, nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_record_history")),
    )
    op.create_index(op.f("ix_jimu_record_history_change_id"), "jimu_record_history", ["change_id"])
    op.create_index(
        "ix_jimu_record_history_record", "jimu_record_history", ["app", "entity", "record_id"]
    )
    op.create_table(
        "jimu_outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("app", NAME, nullable=False),
        sa.Column("entity", NAME, nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("changed_fields", JSON, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("caused_by", sa.BigInteger(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jimu_outbox")),
    )
    op.create_index("ix_jimu_outbox_pending", "jimu_outbox", ["processed_at", "id"])
    op.create_table(
        "jimu_autonumber",
        sa.Column("app", NAME, nullable=False),
        sa.Column("entity", NAME, nullable=False),
        sa.Column("field", NAME, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "app", "entity", "field", "period", name=op.f("pk_jimu_autonumber")
        ),
    )


def downgrade() -> None:
    for table in (
        "jimu_autonumber",
        "jimu_outbox",
        "jimu_record_history",
        "jimu_archived_column",
        "jimu_document",
        "jimu_session",
        "jimu_api_token",
        "jimu_user",
    ):
        op.drop_table(table)
