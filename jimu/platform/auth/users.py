"""Creating, finding and authenticating users."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.platform.auth.passwords import (
    burn_time,
    hash_password,
    needs_rehash,
    unusable_password_hash,
    verify_password,
)
from jimu.platform.models import User
from jimu.platform.security.password_policy import PasswordPolicy, password_problems

#: Used with ``fullmatch`` (``match`` would let "$" pass a trailing newline).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,150}$")
#: The least length of a password set without a policy (generated ones, e.g. by the demo).
MIN_PASSWORD_LENGTH = 8
LANGUAGES = ("en", "zh")


def _password_errors(
    password: str, username: str, policy: PasswordPolicy | None, pointer: str = "/password"
) -> list[FieldError]:
    """The password's problems: every rule of ``policy`` it breaks, or (without a policy, for
    passwords the platform generates) only a length below ``MIN_PASSWORD_LENGTH``."""
    if policy is not None:
        return password_problems(password, username, policy, pointer)
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            FieldError(pointer, f"Use at least {MIN_PASSWORD_LENGTH} characters.", "min_length")
        ]
    return []


def validate_new_user(
    username: str,
    password: str | None,
    language: str = "en",
    policy: PasswordPolicy | None = None,
) -> None:
    """Raise ``ValidationFailed`` listing every problem with the proposed user at once.

    People's passwords (CLI, users API) are checked against ``policy``; see docs/security.md.
    """
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.fullmatch(username):
        errors.append(
            FieldError(
                "/username",
                "Use 1-150 letters, digits and the characters _ . @ -",
                "pattern",
            )
        )
    if password is not None:
        errors.extend(_password_errors(password, username, policy))
    if language not in LANGUAGES:
        errors.append(FieldError("/language", f"Use one of {', '.join(LANGUAGES)}.", "enum"))
    if errors:
        raise ValidationFailed("The user is not valid.", errors)


def find_user(db: Session, username: str) -> User | None:
    return db.scalars(sa.select(User).where(User.username == username)).one_or_none()


def create_user(
    db: Session,
    username: str,
    password: str | None,
    *,
    is_admin: bool = False,
    display_name: str = "",
    email: str | None = None,
    language: str = "en",
    policy: PasswordPolicy | None = None,
) -> User:
    """Add a user to ``db`` (the caller commits); ``Conflict`` if the username is taken.

    ``password`` None makes an account no password opens (until an administrator sets one):
    users synced from the organisation or signed up through single sign-on."""
    validate_new_user(username, password, language, policy)
    if find_user(db, username) is not None:
        raise Conflict(
            f"The username {username!r} is taken.",
            [FieldError("/username", "This username is taken.", "unique")],
        )
    user = User(
        username=username,
        password_hash=unusable_password_hash() if password is None else hash_password(password),
        is_admin=is_admin,
        display_name=display_name or username,
        email=email,
        language=language,
        password_changed_at=datetime.now(UTC),
    )
    db.add(user)
    db.flush()
    return user


def update_user(
    user: User, changes: dict[str, object], policy: PasswordPolicy | None = None
) -> None:
    """Apply an administrator's changes (display_name, email, is_admin, is_active, language,
    time_zone, password) to ``user``, checking them all first."""
    errors: list[FieldError] = []
    password = changes.get("password")
    if password is not None:
        text = password if isinstance(password, str) else ""
        errors.extend(_password_errors(text, user.username, policy))
    language = changes.get("language")
    if language is not None and language not in LANGUAGES:
        errors.append(FieldError("/language", f"Use one of {', '.join(LANGUAGES)}.", "enum"))
    if errors:
        raise ValidationFailed("The changes are not valid.", errors)
    for key, value in changes.items():
        if key == "password":
            if isinstance(value, str):
                _store_password(user, value)
        elif value is not None:
            setattr(user, key, value)


def set_password(
    user: User, password: str, pointer: str = "/password", policy: PasswordPolicy | None = None
) -> None:
    errors = _password_errors(password, user.username, policy, pointer)
    if errors:
        raise ValidationFailed("The password does not meet the password policy.", errors)
    _store_password(user, password)


def _store_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (in constant-ish time)."""
    user = find_user(db, username)
    if user is None:
        burn_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
