"""Setting and clearing the session cookie on a response."""

from __future__ import annotations

from starlette.responses import Response

from jimu.platform.auth.sessions import COOKIE_NAME, StartedSession
from jimu.platform.settings import Settings


def set_session_cookie(response: Response, started: StartedSession, settings: Settings) -> None:
    response.set_cookie(
        COOKIE_NAME,
        started.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=bool(settings.cookie_secure),
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE_NAME, httponly=True, secure=bool(settings.cookie_secure), samesite="lax", path="/"
    )
