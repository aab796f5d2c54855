"""Setting and clearing the platform's cookies on a response.

Every cookie the platform sets for signing in is HttpOnly (no script reads it), SameSite=Lax
or Strict, and Secure (sent over HTTPS only) when ``cookie_secure`` is on, which it is by
default when ``base_url`` is https.
"""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from jimu.platform.auth.sessions import COOKIE_NAME, StartedSession
from jimu.platform.settings import Settings

SameSite = Literal["lax", "strict"]


def set_private_cookie(
    response: Response,
    name: str,
    value: str,
    settings: Settings,
    *,
    max_age: int,
    path: str = "/",
    samesite: SameSite = "lax",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=bool(settings.cookie_secure),
        samesite=samesite,
        path=path,
    )


def clear_private_cookie(
    response: Response,
    name: str,
    settings: Settings,
    *,
    path: str = "/",
    samesite: SameSite = "lax",
) -> None:
    response.delete_cookie(
        name, httponly=True, secure=bool(settings.cookie_secure), samesite=samesite, path=path
    )


def set_session_cookie(response: Response, started: StartedSession, settings: Settings) -> None:
    set_private_cookie(
        response, COOKIE_NAME, started.token, settings, max_age=settings.session_hours * 3600
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    clear_private_cookie(response, COOKIE_NAME, settings)
