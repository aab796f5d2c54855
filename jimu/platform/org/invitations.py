"""One-time links to choose a password: invitations of new users and password resets.

The link's token is shown once to the administrator who made it; only its sha256 digest is
stored, with an expiry. Opening the link shows who it is for; choosing a password (the password
policy's rules) uses it up, clears ``must_change_password`` and is audited. A used, expired or
unknown link is refused with the reason (``InvitationRefused.reason``), and a newer link for the
same user makes the older ones unusable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.platform.auth.crypto import digest, new_token
from jimu.platform.auth.users import set_password
from jimu.platform.models import Invitation, User, utcnow
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.password_policy import PasswordPolicy

PURPOSES = ("invite", "reset")
INVITE_PATH = "/invite/"


class InvitationRefused(Exception):
    """The link cannot be used: ``reason`` is ``unknown``, ``used``, ``expired`` or
    ``inactive`` (the user was deactivated)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return INVITE_PATH + self.token


def issue_link(
    db: Session,
    user: User,
    purpose: str,
    *,
    hours: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> IssuedLink:
    """A new one-time link for ``user`` (the earlier unused ones stop working); audited as
    ``user_invited`` or ``password_reset``. The caller commits."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown invitation purpose {purpose!r}")
    now = now or utcnow()
    db.execute(
        sa.update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = new_token()
    expires_at = now + timedelta(hours=hours)
    db.add(
        Invitation(
            user_id=user.id,
            token_hash=digest(token),
            purpose=purpose,
            created_at=now,
            created_by=actor_id,
            expires_at=expires_at,
        )
    )
    kind = "user_invited" if purpose == "invite" else "password_reset"
    detail = {"user_id": user.id, "method": "link", "expires_at": expires_at.isoformat()}
    log_event(db, kind, actor_id=actor_id, username=user.username, detail=detail)
    db.flush()
    return IssuedLink(token, expires_at)


def open_link(db: Session, token: str, now: datetime | None = None) -> tuple[Invitation, User]:
    """The live invitation of ``token`` and its user, else ``InvitationRefused``."""
    now = now or utcnow()
    invitation = db.scalars(
        sa.select(Invitation).where(Invitation.token_hash == digest(token))
    ).one_or_none()
    if invitation is None:
        raise InvitationRefused("unknown")
    if invitation.used_at is not None:
        raise InvitationRefused("used")
    if invitation.expires_at <= now:
        raise InvitationRefused("expired")
    user = db.get(User, invitation.user_id)
    if user is None or not user.is_active:
        raise InvitationRefused("inactive")
    return invitation, user


def use_link(
    db: Session,
    token: str,
    password: str,
    policy: PasswordPolicy,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> User:
    """Set the password the user chose through the link (``ValidationFailed`` at
    ``/password`` listing every broken rule) and use the link up. The caller commits."""
    now = now or utcnow()
    invitation, user = open_link(db, token, now)
    set_password(user, password, "/password", policy)
    user.must_change_password = False
    invitation.used_at = now
    detail = {"user_id": user.id, "purpose": invitation.purpose}
    log_event(db, "invitation_used", actor_id=user.id, username=user.username, ip=ip, detail=detail)
    return user
