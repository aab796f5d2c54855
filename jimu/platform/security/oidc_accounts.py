"""Which Jimu user an OpenID Connect identity signs in as.

In order: the user already linked to the identity (``iss`` + ``sub``); else the one user whose
email is the token's *verified* email (then linked); else a new user, when
``oidc_create_users`` is on, named after the configured claim (then linked). Users created so
get a random password nobody knows: they sign in through the provider only.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.platform.auth.users import USERNAME_PATTERN, create_user, find_user
from jimu.platform.models import OidcIdentity, User
from jimu.platform.security.oidc import OidcConfig, OidcError

_NOT_USERNAME = re.compile(r"[^A-Za-z0-9_.@-]+")


def user_for_identity(db: Session, config: OidcConfig, claims: dict[str, Any]) -> User:
    """The active user of these (checked) ID-token claims, linking or creating as needed."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    linked = db.scalars(
        sa.select(User)
        .join(OidcIdentity, OidcIdentity.user_id == User.id)
        .where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    ).one_or_none()
    user = linked or _by_verified_email(db, claims) or _created(db, config, claims)
    if not user.is_active:
        raise OidcError("inactive", "Your Jimu account is deactivated; ask an administrator.")
    if linked is None:
        db.add(OidcIdentity(issuer=issuer, subject=subject, user_id=user.id))
        db.flush()
    return user


def claimed_username(config: OidcConfig, claims: dict[str, Any]) -> str | None:
    value = claims.get(config.username_claim)
    return value if isinstance(value, str) and value else None


def _by_verified_email(db: Session, claims: dict[str, Any]) -> User | None:
    email = claims.get("email")
    if not isinstance(email, str) or not email or claims.get("email_verified") is not True:
        return None
    found = list(db.scalars(sa.select(User).where(sa.func.lower(User.email) == email.lower())))
    return found[0] if len(found) == 1 else None


def _created(db: Session, config: OidcConfig, claims: dict[str, Any]) -> User:
    if not config.create_users:
        raise OidcError(
            "no_account",
            "There is no Jimu account for you yet; ask an administrator to create one.",
        )
    wanted = claimed_username(config, claims)
    if wanted is None:
        raise OidcError(
            "no_username", f"The ID token has no {config.username_claim!r} to name the account."
        )
    username = _free_username(db, _NOT_USERNAME.sub("-", wanted).strip("-")[:140] or "user")
    email = claims.get("email") if claims.get("email_verified") is True else None
    name = claims.get("name")
    return create_user(
        db,
        username,
        None,
        display_name=name if isinstance(name, str) else "",
        email=email if isinstance(email, str) else None,
    )


def _free_username(db: Session, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... if it is taken by someone else."""
    candidate, n = base, 1
    while find_user(db, candidate) is not None or not USERNAME_PATTERN.fullmatch(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate
