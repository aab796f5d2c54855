"""Creating, finding and authenticating users."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.platform.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from jimu.platform.models import User

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,150}$")
MIN_PASSWORD_LENGTH = 8
LANGUAGES = ("en", "zh")


def validate_new_user(username: str, password: str, language: str = "en") -> None:
    """Raise ``ValidationFailed`` listing every problem with the proposed user at once."""
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.match(username):
        errors.append(
            FieldError(
                "/username",
                "Use 1-150 letters, digits and the characters _ . @ -",
                "pattern",
            )
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(
            FieldError("/password", f"Use at least {MIN_PASSWORD_LENGTH} characters.", "min_length")
        )
    if language not in LANGUAGES:
        errors.append(FieldError("/language", f"Use one of {', '.join(LANGUAGES)}.", "enum"))
    if errors:
        raise ValidationFailed("The user is not valid.", errors)


def find_user(db: Session, username: str) -> User | None:
    return db.scalars(sa.select(User).where(User.username == username)).one_or_none()


def create_user(
    db: Session,
    username: str,
    password: str,
    *,
    is_admin: bool = False,
    display_name: str = "",
    email: str | None = None,
    language: str = "en",
) -> User:
    """Add a user to ``db`` (the caller commits); ``Conflict`` if the username is taken."""
    validate_new_user(username, password, language)
    if find_user(db, username) is not None:
        raise Conflict(
            f"The username {username!r} is taken.",
            [FieldError("/username", "This username is taken.", "unique")],
        )
    user = User(
        username=username,
        password_hash=hash_password(password),
        is_admin=is_admin,
        display_name=display_name or username,
        email=email,
        language=language,
    )
    db.add(user)
    db.flush()
    return user


def update_user(user: User, changes: dict[str, object]) -> None:
    """Apply an administrator's changes (display_name, email, is_admin, is_active, language,
    time_zone, password) to ``user``, checking them all first."""
    errors: list[FieldError] = []
    password = changes.get("password")
    if password is not None and (
        not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH
    ):
        errors.append(
            FieldError("/password", f"Use at least {MIN_PASSWORD_LENGTH} characters.", "min_length")
        )
    language = changes.get("language")
    if language is not None and language not in LANGUAGES:
        errors.append(FieldError("/language", f"Use one of {', '.join(LANGUAGES)}.", "enum"))
    if errors:
        raise ValidationFailed("The changes are not valid.", errors)
    for key, value in changes.items():
        if key == "password":
            if isinstance(value, str):
                user.password_hash = hash_password(value)
        elif value is not None:
            setattr(user, key, value)


def set_password(user: User, password: str, pointer: str = "/password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "The password is too short.",
            [FieldError(pointer, f"Use at least {MIN_PASSWORD_LENGTH} characters.", "min_length")],
        )
    user.password_hash = hash_password(password)


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
