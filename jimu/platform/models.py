"""SQLAlchemy 2 models of the platform's own tables (see the contract in docs/architecture).

Entity tables (``<app>_<entity>``) are not here: the form engine builds them from entity
documents. Everything here is migrated by Alembic (``migrations/``); a test checks that the
migrations produce exactly these models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from jimu.engines.form.sqltypes import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON everywhere, stored as JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
#: A 64-bit id that is still SQLite's auto-incrementing rowid alias.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: Timestamps are timezone-aware UTC going in and coming out on both databases (SQLite stores
#: them without the offset; reading one back gives UTC again), so every answer has the offset.
Timestamp = UTCDateTime()


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        datetime: Timestamp,
    }


class User(Base):
    __tablename__ = "jimu_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(320))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Organisation (see docs/org.md): the user's manager, mobile and id in the HR system.
    manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="SET NULL"), index=True
    )
    mobile: Mapped[str | None] = mapped_column(sa.String(32))
    external_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Sign-in hardening (see docs/security.md): failures in a row, lockout, password age.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()


class ApiToken(Base):
    """A personal API token; only the sha256 hex digest of the secret is stored."""

    __tablename__ = "jimu_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: ``read`` (safe methods only) or ``write``.
    access: Mapped[str] = mapped_column(sa.String(8), default="write", server_default="write")
    #: The app names the token may reach; None means every app.
    apps: Mapped[list[Any] | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


class Session(Base):
    """A browser session; ``id`` is the sha256 hex digest of the cookie's token."""

    __tablename__ = "jimu_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    #: When the session was last used (idle expiry).
    last_seen_at: Mapped[datetime | None] = mapped_column()


class Document(Base):
    """One version of one metadata document (app, entity, form, flow, rule, report, dashboard)."""

    __tablename__ = "jimu_document"
    __table_args__ = (sa.UniqueConstraint("app", "kind", "name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(63))
    version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16))  # draft / published / superseded
    body: Mapped[dict[str, Any]] = mapped_column()
    checksum: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)


class RecordHistory(Base):
    """One changed field of one record write; the fields of one write share ``change_id``."""

    __tablename__ = "jimu_record_history"
    __table_args__ = (sa.Index("ix_jimu_record_history_record", "app", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    version: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(sa.String(63))
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    actor_id: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(sa.String(16))  # ui/api/import/rule/process/system
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_id: Mapped[str] = mapped_column(sa.String(36))


class Outbox(Base):
    """One record event, written in the record's transaction, consumed by the workers."""

    __tablename__ = "jimu_outbox"
    __table_args__ = (sa.Index("ix_jimu_outbox_pending", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(16))  # created/updated/deleted/restored/purged
    changed_fields: Mapped[list[Any]] = mapped_column(default=list)
    actor_id: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(sa.String(16))
    caused_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    depth: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column()


class Autonumber(Base):
    """The next counter value of one autonumber field in one period (``"202611"``, ``""``)."""

    __tablename__ = "jimu_autonumber"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    field: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger)


class Revision(Base):
    """A named counter raised, in the same transaction, by every change to what a cache reads
    (``access``: users, departments, memberships, role assignments, shares; see
    ``jimu.platform.access.revision``). Caches in any process compare it to what they hold."""

    __tablename__ = "jimu_revision"

    name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


class ArchivedColumn(Base):
    """A removed field's column, renamed to ``_archived_<field>_<n>`` instead of dropped."""

    __tablename__ = "jimu_archived_column"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    column_name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    field: Mapped[str] = mapped_column(sa.String(63))
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
    definition: Mapped[dict[str, Any]] = mapped_column()


class AttachmentFile(Base):
    """One stored attachment file (``<data dir>/attachments/<key>``): its name, size and type as
    uploaded, who uploaded it for which field, and the record it belongs to. ``record_id`` is
    NULL until the uploader's next write of that field claims it (see
    ``jimu.platform.records.file_owners``)."""

    __tablename__ = "jimu_attachment"
    __table_args__ = (sa.Index("ix_jimu_attachment_record", "app", "entity", "record_id"),)

    key: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    field: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    name: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(127))
    uploaded_by: Mapped[int | None] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()


class Department(Base):
    """One department of the organisation tree; ``external_id`` is its id in DingTalk/WeCom."""

    __tablename__ = "jimu_department"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jimu_department.id", ondelete="RESTRICT"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserDepartment(Base):
    """A user's membership of a department: at most one main department, leader or not."""

    __tablename__ = "jimu_user_department"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_department.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_main: Mapped[bool] = mapped_column(default=False)
    is_leader: Mapped[bool] = mapped_column(default=False)


class RoleAssignment(Base):
    """A role of an app given to one user or to one department (and so its members)."""

    __tablename__ = "jimu_role_assignment"
    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NULL) <> (department_id IS NULL)", name="user_or_department"
        ),
        sa.Index("ix_jimu_role_assignment_app_role", "app", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    role: Mapped[str] = mapped_column(sa.String(63))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jimu_department.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column()


class RecordShare(Base):
    """One record shared with a user or a department, for reading or for writing too."""

    __tablename__ = "jimu_record_share"
    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NULL) <> (department_id IS NULL)", name="user_or_department"
        ),
        sa.Index("ix_jimu_record_share_record", "app", "entity", "record_id"),
        sa.Index("ix_jimu_record_share_user", "app", "entity", "user_id"),
        sa.Index("ix_jimu_record_share_department", "app", "entity", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jimu_user.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jimu_department.id", ondelete="CASCADE")
    )
    access: Mapped[str] = mapped_column(sa.String(8))  # read / write
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column()


class AuditEvent(Base):
    """One security event: sign-in, failed sign-in, role change, token created, export, ..."""

    __tablename__ = "jimu_audit_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    #: The name typed at sign-in (kept even when no such user exists).
    username: Mapped[str | None] = mapped_column(sa.String(150))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    app: Mapped[str | None] = mapped_column(sa.String(63))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OidcIdentity(Base):
    """A user's identity at an OpenID Connect provider (``iss`` + ``sub``)."""

    __tablename__ = "jimu_oidc_identity"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateLimitHit(Base):
    """Hits of one key (e.g. ``public-form:<ip>``) in one fixed window, shared by processes."""

    __tablename__ = "jimu_rate_limit"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)


metadata = Base.metadata
