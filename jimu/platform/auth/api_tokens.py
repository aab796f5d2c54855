"""Personal API tokens: ``Authorization: Bearer jimu_...``; only the sha256 digest is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.auth.crypto import digest, new_token
from jimu.platform.auth.sessions import as_utc
from jimu.platform.models import ApiToken, User

TOKEN_PREFIX = "jimu_"


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once to the user
    row: ApiToken


def issue_token(
    db: Session, user: User, name: str, expires_at: datetime | None = None
) -> IssuedToken:
    errors = []
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("/name", "Give the token a name of 1-200 characters.", "length"))
    if expires_at is not None and as_utc(expires_at) <= datetime.now(UTC):
        errors.append(FieldError("/expires_at", "The expiry must be in the future.", "range"))
    if errors:
        raise ValidationFailed("The token is not valid.", errors)
    token = TOKEN_PREFIX + new_token()
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=digest(token))
    row.expires_at = as_utc(expires_at) if expires_at else None
    db.add(row)
    db.flush()
    return IssuedToken(token=token, row=row)


def live_token(db: Session, token: str) -> tuple[ApiToken, User] | None:
    """A live (unrevoked, unexpired) token and its active owner, or None."""
    row = db.scalars(sa.select(ApiToken).where(ApiToken.token_hash == digest(token))).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and as_utc(row.expires_at) <= datetime.now(UTC):
        return None
    user = db.get(User, row.user_id)
    return (row, user) if user is not None and user.is_active else None


def user_for_token(db: Session, token: str) -> User | None:
    """The active owner of a live (unrevoked, unexpired) token, or None."""
    found = live_token(db, token)
    return found[1] if found else None


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(db.scalars(query))


def revoke_token(db: Session, user: User, token_id: int) -> ApiToken:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"There is no API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row
