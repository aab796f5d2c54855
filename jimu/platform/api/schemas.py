"""Pydantic models of the auth and user API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jimu.platform.api.notifications import IsoDateTime
from jimu.platform.api.params import StrictBody
from jimu.platform.auth.users import LANGUAGES, USERNAME_PATTERN
from jimu.platform.models import ApiToken, User


class LoginRequest(StrictBody):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    is_active: bool
    language: str
    time_zone: str
    away_from: datetime | None = Field(
        None, description="Away from then (docs/notifications.md); assignment skips them."
    )
    away_until: datetime | None = Field(None, description="Away until then (exclusive).")

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user)


class MeOut(BaseModel):
    user: UserOut
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token with unsafe requests authenticated by the cookie."
    )


class TokenRequest(StrictBody):
    name: str = Field(min_length=1, max_length=200)
    expires_at: datetime | None = Field(default=None, strict=False)
    access: Literal["read", "write"] = Field(
        "write", description="read: GET/HEAD/OPTIONS only; write: every method."
    )
    apps: list[str] | None = Field(
        None, description="The published apps the token may reach; null or absent: every app."
    )


class TokenOut(BaseModel):
    id: int
    name: str
    access: str
    apps: list[str] | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenOut:
        return cls(
            id=row.id,
            name=row.name,
            access=row.access,
            apps=row.apps,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret; shown only this once.")


class UserCreate(StrictBody):
    username: str = Field(json_schema_extra={"pattern": USERNAME_PATTERN.pattern})
    password: str
    display_name: str = ""
    email: str | None = None
    is_admin: bool = False
    language: str = Field(default="en", json_schema_extra={"enum": list(LANGUAGES)})


class UserUpdate(StrictBody):
    """Changes an administrator makes to a user; only the keys given change."""

    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    is_admin: bool | None = None
    is_active: bool | None = None
    language: str | None = Field(default=None, json_schema_extra={"enum": [*LANGUAGES, None]})
    time_zone: str | None = Field(default=None, max_length=64)
    password: str | None = None
    mobile: str | None = Field(default=None, max_length=32, description="Empty clears it.")
    away_from: IsoDateTime | None = Field(
        default=None, description="Away from then (docs/notifications.md); null clears it."
    )
    away_until: IsoDateTime | None = Field(default=None, description="null clears it.")


class PasswordChange(StrictBody):
    current_password: str
    new_password: str
