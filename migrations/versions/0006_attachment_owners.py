"""``jimu_attachment``: which record and field each stored attachment file belongs to, with its
name, size and type as uploaded. Files that records already hold are adopted: each key goes to
the first record (by entity, field, then id) that holds it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_attachment",
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("app", sa.String(length=63), nullable=False),
        sa.Column("entity", sa.String(length=63), nullable=False),
        sa.Column("field", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", TIMESTAMP, nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_jimu_attachment")),
    )
    op.create_index("ix_jimu_attachment_record", "jimu_attachment", ["app", "entity", "record_id"])
    from jimu.platform.records.file_holders import adopt_held_files

    adopt_held_files(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_jimu_attachment_record", table_name="jimu_attachment")
    op.drop_table("jimu_attachment")
