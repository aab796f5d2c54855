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
    # Sign-in hardening (see docs/security.md): password age. Failed sign-ins are counted per
    # address and per typed username in ``jimu_sign_in_throttle``, not on the user.
    password_changed_at: Mapped[datetime | None] = mapped_column()
    # Away (see docs/notifications.md): assignment skips the user from ``away_from`` until
    # ``away_until`` (either end may be open); see ``jimu.platform.notify.away.is_away``.
    away_from: Mapped[datetime | None] = mapped_column()
    away_until: Mapped[datetime | None] = mapped_column()
    # Set when an administrator gives a temporary password (docs/org.md): every page but the
    # password form sends the user there, and the API refuses them, until they choose one.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


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
    #: created / updated / deleted / restored / purged; schedule / time / unchanged: the firing
    #: of a rule timer (source ``timer``, written processed, see rules/timers.py)
    kind: Mapped[str] = mapped_column(sa.String(16))
    changed_fields: Mapped[list[Any]] = mapped_column(default=list)
    actor_id: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(sa.String(16))
    caused_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    depth: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column()
    #: The changed fields' values before an update (``$old`` in rules); null otherwise.
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: An inbound webhook's JSON body (kind ``webhook``, ``$payload``); null otherwise.
    payload: Mapped[Any] = mapped_column(JSONType, nullable=True)


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
    ``jimu.platform.records.file_owners``). A file uploaded for a process comment has
    ``instance_id`` (and an empty entity and field) instead: a comment or decision on that
    instance claims it (``claimed_at``; see ``jimu.platform.process.comment_files``)."""

    __tablename__ = "jimu_attachment"
    __table_args__ = (
        sa.Index("ix_jimu_attachment_record", "app", "entity", "record_id"),
        sa.Index("ix_jimu_attachment_instance", "instance_id"),
    )

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
    instance_id: Mapped[int | None] = mapped_column(sa.BigInteger)


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


class Invitation(Base):
    """A one-time link (``/invite/<token>``) that lets a user choose their password: an
    invitation to a new user or a password reset; only the token's sha256 hex digest is kept."""

    __tablename__ = "jimu_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(8))  # invite / reset
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


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


class SignInThrottle(Base):
    """Failed password checks remembered for one address or one typed username (``scope``),
    from which the sign-in backoff is computed (see ``jimu.platform.security.throttle``)."""

    __tablename__ = "jimu_sign_in_throttle"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # address / account
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column()
    last_failure_at: Mapped[datetime] = mapped_column(index=True)


class Notification(Base):
    """One message in a user's in-app inbox, optionally about one record (docs/notifications.md)."""

    __tablename__ = "jimu_notification"
    __table_args__ = (sa.Index("ix_jimu_notification_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("jimu_user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    app: Mapped[str | None] = mapped_column(sa.String(63))
    entity: Mapped[str | None] = mapped_column(sa.String(63))
    record_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Where opening it goes when that is not the record's page (a process task, an instance).
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class Delivery(Base):
    """One external send (email, webhook, group robot), written in the transaction that decided
    it and sent by the delivery worker: at least once, never again after a recorded success."""

    __tablename__ = "jimu_delivery"
    __table_args__ = (sa.Index("ix_jimu_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: email / webhook / dingtalk / wecom / feishu
    channel: Mapped[str] = mapped_column(sa.String(16))
    #: The address (email) or URL (webhook, robot) it goes to.
    target: Mapped[str] = mapped_column(sa.String(2000))
    #: Exactly the bytes sent: the RFC 5322 message or the JSON body.
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: Per channel: the signing secret, the timeout, the email's recipients.
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: pending / sending / sent / dead
    status: Mapped[str] = mapped_column(sa.String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    #: When it is due (pending), or when a claim that never reported back expires (sending).
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: One entry per attempt: when, what was sent (headers), the answer or the error.
    log: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class RuleRun(Base):
    """One run of one rule on one record event: the run log, the retries and dead letters.

    A run that did its work commits with its writes (status ``done``), so an event that is
    handed out again finds it and does nothing twice. ``retry`` runs wait for
    ``next_attempt_at``; ``dead`` ones wait for an administrator's replay.
    """

    __tablename__ = "jimu_rule_run"
    __table_args__ = (
        sa.UniqueConstraint("app", "rule", "event_id"),
        sa.Index("ix_jimu_rule_run_rule", "app", "rule", "id"),
        sa.Index("ix_jimu_rule_run_record", "app", "entity", "record_id"),
        sa.Index("ix_jimu_rule_run_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    rule: Mapped[str] = mapped_column(sa.String(63))
    rule_version: Mapped[int] = mapped_column()
    event_id: Mapped[int] = mapped_column(sa.BigInteger)
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    #: done / skipped (condition false) / stopped (loop safety) / retry / dead
    status: Mapped[str] = mapped_column(sa.String(16))
    condition: Mapped[bool | None] = mapped_column()
    actions: Mapped[list[Any]] = mapped_column(default=list)
    warning: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[float] = mapped_column(sa.Float, default=0.0)


class RuleState(Base):
    """A published rule switched off by an administrator (absent: the rule is on)."""

    __tablename__ = "jimu_rule_state"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    enabled: Mapped[bool] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[int | None] = mapped_column()


class WebhookSecret(Base):
    """The signing secret of a webhook rule's inbound URL, encrypted with the platform's secret
    key (HMAC needs the secret itself; see ``jimu.platform.rules.inbound``)."""

    __tablename__ = "jimu_webhook_secret"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    encrypted: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column()


class WebhookSeen(Base):
    """A signature an inbound webhook accepted, kept for the replay window (refused again)."""

    __tablename__ = "jimu_webhook_seen"
    __table_args__ = (sa.Index("ix_jimu_webhook_seen_at", "seen_at"),)

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    signature: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedView(Base):
    """A user's own saved record list: the list's URL state (search, conditions, sort, columns,
    page size, the published view it follows) under a name of theirs (docs/views.md)."""

    __tablename__ = "jimu_saved_view"
    __table_args__ = (sa.UniqueConstraint("user_id", "app", "entity", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("jimu_user.id", ondelete="CASCADE"))
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(100))
    #: The list's query parameters, ``[[key, value], ...]`` in order (the cursor left out).
    params: Mapped[list[list[str]]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleTimer(Base):
    """A rule's time trigger waiting for ``due_at``: one per record for ``time`` and
    ``unchanged`` triggers (and for each record a ``schedule`` tick selected), one without a
    record per ``schedule`` rule holding its next tick. Claimed by the worker, which runs the
    rule and deletes (or moves on) the row in the same transaction."""

    __tablename__ = "jimu_rule_timer"
    __table_args__ = (
        sa.UniqueConstraint("app", "rule", "record_id"),
        sa.Index("ix_jimu_rule_timer_due", "due_at"),
        sa.Index("ix_jimu_rule_timer_record", "app", "entity", "record_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    rule: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    trigger: Mapped[str] = mapped_column(sa.String(16))  # schedule / time / unchanged
    rule_version: Mapped[int] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleTimerPlan(Base):
    """The published version of a rule (and whether it was on) its timers were planned for:
    the worker plans again when a publish or a switch changes it."""

    __tablename__ = "jimu_rule_timer_plan"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    rule_version: Mapped[int] = mapped_column()
    enabled: Mapped[bool] = mapped_column()
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssignmentPointer(Base):
    """A pool's round-robin pointer: the user a rule last assigned from the pool. Read and
    advanced under a row lock (``SELECT ... FOR UPDATE`` on PostgreSQL) in the run's
    transaction, so two records assigned at once never both go to the same next user."""

    __tablename__ = "jimu_assignment_pointer"

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    pool_key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    last_user_id: Mapped[int | None] = mapped_column()
    #: How many records the pointer handed out (for the explanation and the admin's eye).
    assigned: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """One owner assignment by a rule, with its explanation ("why this rep"): the method, the
    pool, the territory row matched, the candidates and who was skipped and why."""

    __tablename__ = "jimu_assignment"
    __table_args__ = (sa.Index("ix_jimu_assignment_record", "app", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    field: Mapped[str] = mapped_column(sa.String(63))
    user_id: Mapped[int] = mapped_column()
    previous_user_id: Mapped[int | None] = mapped_column()
    method: Mapped[str] = mapped_column(sa.String(16))
    pool_key: Mapped[str] = mapped_column(sa.String(200))
    rule: Mapped[str] = mapped_column(sa.String(63))
    event_id: Mapped[int] = mapped_column(sa.BigInteger)
    #: The record's version the owner write made (its line in the field history).
    version: Mapped[int] = mapped_column()
    explanation_en: Mapped[str] = mapped_column(sa.Text)
    explanation_zh: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class OwnerChange(Base):
    """One change of a record's owner made through the public pool or an assignment (claim,
    return, transfer, assign, a rule's move to the pool), with its reason: the record history
    shows the reason beside the owner change (matched on ``version``), and the earlier owners
    of a record are read from here (``jimu.platform.pool.previous_owners``)."""

    __tablename__ = "jimu_owner_change"
    __table_args__ = (
        sa.Index("ix_jimu_owner_change_record", "app", "entity", "record_id"),
        sa.Index("ix_jimu_owner_change_actor", "app", "entity", "actor_id", "kind", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    entity: Mapped[str] = mapped_column(sa.String(63))
    record_id: Mapped[int] = mapped_column(sa.BigInteger)
    #: The record's version the change made (its history rows have the same).
    version: Mapped[int] = mapped_column()
    #: The owner field (``owner_id`` unless the pool names a user field).
    field: Mapped[str] = mapped_column(sa.String(63))
    #: claim / return / transfer / assign / pool (a rule moved it to the pool)
    kind: Mapped[str] = mapped_column(sa.String(16))
    from_user: Mapped[int | None] = mapped_column()
    to_user: Mapped[int | None] = mapped_column()
    #: A return reason's value (the entity's pool settings list them), or None.
    reason: Mapped[str | None] = mapped_column(sa.String(63))
    note: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(sa.String(16))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    """One running (or ended) process: the flow version it started with, its record, and the
    small part of its state that is not tokens (branch groups, join counters, variables)."""

    __tablename__ = "jimu_process_instance"
    __table_args__ = (
        sa.Index("ix_jimu_process_instance_flow", "app", "flow", "status"),
        sa.Index("ix_jimu_process_instance_record", "app", "entity", "record_id"),
        sa.Index("ix_jimu_process_instance_parent", "parent_id"),
        sa.Index("ix_jimu_process_instance_initiator", "initiator_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app: Mapped[str] = mapped_column(sa.String(63))
    flow: Mapped[str] = mapped_column(sa.String(63))
    flow_version: Mapped[int] = mapped_column()
    entity: Mapped[str | None] = mapped_column(sa.String(63))
    record_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: running / completed / rejected / cancelled
    status: Mapped[str] = mapped_column(sa.String(16))
    seq: Mapped[int] = mapped_column(default=0)
    groups: Mapped[dict[str, Any]] = mapped_column(default=dict)
    joins: Mapped[dict[str, Any]] = mapped_column(default=dict)
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    #: Who started it (approvers relative to the initiator, withdraw, separation of duties).
    initiator_id: Mapped[int | None] = mapped_column()
    #: A sub-process instance's parent and the parent's token waiting for it.
    parent_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    parent_token: Mapped[str | None] = mapped_column(sa.String(16))


class ProcessToken(Base):
    """A token of an instance: the node it is at and what it waits for (one row each, so a
    step writes only the tokens it moved)."""

    __tablename__ = "jimu_process_token"

    instance_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jimu_process_instance.id", ondelete="CASCADE"),
        primary_key=True,
    )  # fmt: skip
    token: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    node: Mapped[str] = mapped_column(sa.String(63))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProcessTask(Base):
    """A person's piece of work in an instance (fill or approve); ``position`` tells the
    instances of a multi-instance task apart."""

    __tablename__ = "jimu_process_task"
    __table_args__ = (
        sa.Index("ix_jimu_process_task_instance", "instance_id", "status"),
        sa.Index("ix_jimu_process_task_open", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jimu_process_instance.id", ondelete="CASCADE")
    )
    token: Mapped[str] = mapped_column(sa.String(16))
    position: Mapped[int] = mapped_column(default=0)
    node: Mapped[str] = mapped_column(sa.String(63))
    kind: Mapped[str] = mapped_column(sa.String(16))  # fill / approval
    assignees: Mapped[list[Any]] = mapped_column(default=list)
    item: Mapped[Any] = mapped_column(JSONType, nullable=True)
    #: open / waiting (an added signer acts first) / done / cancelled
    status: Mapped[str] = mapped_column(sa.String(16))
    outcome: Mapped[str | None] = mapped_column(sa.String(63))
    completed_by: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: Where the task's people came from: ``delegated`` ([{user, for}]), ``transferred``
    #: ([{from, to, by}]), ``added`` ({mode, by, for}), ``auto`` (initiator / repeat),
    #: ``then`` (the rest of a manager chain, in order).
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: When the task is due (its node's ``deadline``), or None.
    due_at: Mapped[datetime | None] = mapped_column()


class ProcessSchedule(Base):
    """A published flow whose start node is ``on: schedule``: its next tick (``due_at``), and
    the version and start node it was planned for (planned again when another version is
    published). Claimed like the rule timers; at a tick the flow starts on each matching
    record, then the row moves to the next tick after now (missed ticks fire once)."""

    __tablename__ = "jimu_process_schedule"
    __table_args__ = (sa.Index("ix_jimu_process_schedule_due", "due_at"),)

    app: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    flow: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    flow_version: Mapped[int] = mapped_column()
    node: Mapped[str] = mapped_column(sa.String(63))
    cron: Mapped[str] = mapped_column(sa.String(200))
    due_at: Mapped[datetime] = mapped_column()
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessTimer(Base):
    """A token waiting for ``due_at`` (a timer node), or a task's deadline timer (``task_id``
    with ``purpose`` remind / escalate / overdue): claimed like the rule timers (a sibling
    table, since those are keyed by rule and record), fired and deleted in one transaction."""

    __tablename__ = "jimu_process_timer"
    __table_args__ = (
        sa.Index("ix_jimu_process_timer_due", "due_at"),
        sa.Index("ix_jimu_process_timer_task", "task_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jimu_process_instance.id", ondelete="CASCADE")
    )
    token: Mapped[str] = mapped_column(sa.String(16))
    due_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    task_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    purpose: Mapped[str | None] = mapped_column(sa.String(16))


class ProcessStep(Base):
    """One step of an instance: the event, the nodes entered (the trace) and the effects."""

    __tablename__ = "jimu_process_step"
    __table_args__ = (sa.Index("ix_jimu_process_step_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jimu_process_instance.id", ondelete="CASCADE")
    )
    event: Mapped[dict[str, Any]] = mapped_column()
    trace: Mapped[list[Any]] = mapped_column(default=list)
    effects: Mapped[list[Any]] = mapped_column(default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessIncident(Base):
    """A step that kept failing: the event it could not take and why; open until resolved."""

    __tablename__ = "jimu_process_incident"
    __table_args__ = (sa.Index("ix_jimu_process_incident_open", "resolved_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jimu_process_instance.id", ondelete="CASCADE")
    )
    event: Mapped[dict[str, Any]] = mapped_column()
    error: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


metadata = Base.metadata
