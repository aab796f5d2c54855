"""Personal API tokens: ``Authorization: Bearer jimu_...``; only the sha256 digest is stored.

A token has an ``access`` level (``read``: safe methods only, or ``write``) and may be limited to
some published apps (``apps``; None reaches every app). What a token may call is decided in one
place, :func:`jimu.platform.auth.dependencies.check_token_scope` (see docs/api.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform import metadata_store
from jimu.platform.auth.crypto import digest, new_token
from jimu.platform.auth.sessions import as_utc
from jimu.platform.auth.token_cache import TokenCache, generation
from jimu.platform.db import write_after_read
from jimu.platform.models import ApiToken, User
from jimu.platform.security.audit_log import log_event

TOKEN_PREFIX = "jimu_"
ACCESS_LEVELS = ("read", "write")
#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once to the user
    row: ApiToken


def issue_token(
    db: Session,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    *,
    access: str = "write",
    apps: Sequence[str] | None = None,
    ip: str | None = None,
) -> IssuedToken:
    """A new token of ``user`` (audited as ``token_created``); every bad field is reported."""
    errors = []
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("/name", "Give the token a name of 1-200 characters.", "length"))
    if expires_at is not None and as_utc(expires_at) <= datetime.now(UTC):
        errors.append(FieldError("/expires_at", "The expiry must be in the future.", "range"))
    if access not in ACCESS_LEVELS:
        message = f"The access must be 'read' or 'write', not {access!r}."
        errors.append(FieldError("/access", message, "enum"))
    errors.extend(_app_errors(db, apps))
    if errors:
        raise ValidationFailed("The token is not valid.", errors)
    token = TOKEN_PREFIX + new_token()
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=digest(token), access=access)
    row.apps = list(dict.fromkeys(apps)) if apps is not None else None
    row.expires_at = as_utc(expires_at) if expires_at else None
    db.add(row)
    db.flush()
    detail = {"token_id": row.id, "name": row.name, "access": access, "apps": row.apps}
    log_event(db, "token_created", actor_id=user.id, detail=detail, ip=ip, username=user.username)
    return IssuedToken(token=token, row=row)


def _app_errors(db: Session, apps: Sequence[str] | None) -> list[FieldError]:
    if apps is None:
        return []
    if not apps:
        message = "Choose at least one app, or leave apps out to reach every app."
        return [FieldError("/apps", message, "min_items")]
    known = set(metadata_store.apps(db.connection()))
    return [
        FieldError(f"/apps/{i}", f"There is no published app {app!r}.", "unknown_app")
        for i, app in enumerate(apps)
        if app not in known
    ]


def live_token(
    db: Session, token: str, cache: TokenCache | None = None
) -> tuple[ApiToken, User] | None:
    """A live (unrevoked, unexpired) token and its active owner, or None.

    With ``cache``, a lookup made a moment ago is used (see ``token_cache``), and what the
    database says is kept there."""
    key = digest(token)
    if cache is not None and (cached := cache.get(key)) is not None:
        return cached
    read_at = generation()
    row = db.scalars(sa.select(ApiToken).where(ApiToken.token_hash == key)).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and as_utc(row.expires_at) <= datetime.now(UTC):
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if cache is not None:
        cache.put(key, read_at, row, user)
    return row, user


def use_is_stale(row: ApiToken, now: datetime) -> bool:
    """Whether ``last_used_at`` is due to be written (unset, or a minute old)."""
    return row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION


def note_use(db: Session, row: ApiToken, cache: TokenCache | None = None) -> None:
    """Set ``last_used_at`` to now unless it was set less than a minute ago.

    Written in a short transaction of its own (a conditional UPDATE, so concurrent calls write
    once), so it sticks whether or not the request's own work commits. ``db``'s read ends
    first (see :func:`write_after_read`): one connection at a time. ``cache`` (where the token
    may be kept) learns the new time.
    """
    now = datetime.now(UTC)
    if not use_is_stale(row, now):
        return
    table: sa.Table = ApiToken.__table__  # type: ignore[assignment]
    used = table.c.last_used_at
    stale = sa.or_(used.is_(None), used <= now - LAST_USED_RESOLUTION)
    with write_after_read(db) as conn:
        conn.execute(sa.update(table).where(table.c.id == row.id, stale).values(last_used_at=now))
    set_committed_value(row, "last_used_at", now)
    if cache is not None:
        cache.note_used(row.token_hash, now)


def user_for_token(db: Session, token: str) -> User | None:
    """The active owner of a live (unrevoked, unexpired) token, or None."""
    found = live_token(db, token)
    return found[1] if found else None


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(db.scalars(query))


def revoke_token(db: Session, user: User, token_id: int, *, ip: str | None = None) -> ApiToken:
    """Revoke one of ``user``'s tokens (audited as ``token_revoked`` the first time)."""
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"There is no API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        detail = {"token_id": row.id, "name": row.name}
        log_event(
            db, "token_revoked", actor_id=user.id, detail=detail, ip=ip, username=user.username
        )
    return row
