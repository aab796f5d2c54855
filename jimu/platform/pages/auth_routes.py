"""``/login`` and ``/logout``: the sign-in form and signing out (the auth logic is the platform's).

The login form is protected against cross-site posting with a double-submit token: ``GET
/login`` sets a random token in a short-lived cookie and in the form, and ``POST /login`` only
proceeds when both match. Sign-out is a POST carrying the session's CSRF token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.platform.auth.cookies import clear_session_cookie, set_session_cookie
from jimu.platform.auth.crypto import new_token, tokens_match
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.auth.sessions import end_session, start_session
from jimu.platform.auth.users import authenticate
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.pages.rendering import Notice, render
from jimu.platform.pages.viewer import AnyViewer, Viewer

router = APIRouter()

LOGIN_CSRF_COOKIE = "jimu_login_csrf"
LOGIN_CSRF_SECONDS = 2 * 3600
HOME = "/apps"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def login_page(
    request: Request,
    viewer: Viewer,
    *,
    next_url: str,
    username: str = "",
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = new_token()
    response = render(
        request,
        viewer,
        "auth/login.html",
        status=status,
        notice=notice,
        login_csrf=token,
        next_url=next_url,
        username=username,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_SECONDS,
        httponly=True,
        samesite="strict",
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def show_login(request: Request, viewer: AnyViewer, next: str | None = None) -> Response:
    if viewer.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = None
    if request.query_params.get("notice") == "signed_out":
        notice = Notice("success", viewer.t("notice.signed_out"))
    return login_page(request, viewer, next_url=safe_next(next), notice=notice)


@router.post("/login", response_class=HTMLResponse)
def submit_login(
    request: Request,
    viewer: AnyViewer,
    db: Db,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    next_url = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not tokens_match(expected, csrf_token):
        notice = Notice("error", viewer.t("login.expired"))
        return login_page(
            request, viewer, next_url=next_url, username=username, notice=notice, status=400
        )
    user = authenticate(db, username.strip(), password)
    if user is None:
        notice = Notice("error", viewer.t("login.failed"))
        return login_page(
            request, viewer, next_url=next_url, username=username, notice=notice, status=401
        )
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, started, settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(principal: CurrentPrincipal, db: Db, settings: SettingsDep) -> Response:
    if principal.session_token is not None:
        end_session(db, principal.session_token)
        db.commit()
    response = RedirectResponse("/login?notice=signed_out", status_code=303)
    clear_session_cookie(response, settings)
    return response
