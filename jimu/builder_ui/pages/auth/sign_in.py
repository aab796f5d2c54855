"""``/login`` and ``/logout``: the sign-in form and signing out (the auth logic is the platform's).

The login form is protected against cross-site posting with a double-submit token: ``GET
/login`` sets a random token in a short-lived cookie and in the form, and ``POST /login`` only
proceeds when both match. Sign-out is a POST carrying the session's CSRF token.

Sign-in goes through the platform's throttling and audit (docs/security.md); an attempt that
must wait is answered 429 with ``Retry-After`` and told how long, and until when in the
viewer's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.shell.rendering import Notice, render
from jimu.builder_ui.pages.shell.viewer import AnyViewer, Viewer
from jimu.platform.auth.cookies import (
    clear_private_cookie,
    clear_session_cookie,
    set_private_cookie,
    set_session_cookie,
)
from jimu.platform.auth.crypto import new_token, tokens_match
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.auth.origin import check_same_origin
from jimu.platform.auth.sessions import end_session, start_session
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.sign_in import sign_in_with_password
from jimu.platform.security.throttle import SignInThrottled
from jimu.platform.settings import Settings

router = APIRouter()

LOGIN_CSRF_COOKIE = "jimu_login_csrf"
LOGIN_CSRF_SECONDS = 2 * 3600
HOME = "/apps"
#: Notices the login page shows after a redirect (``?notice=``).
NOTICES = {"signed_out": "notice.signed_out", "signed_out_everywhere": "security.signed_out_all"}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def login_page(
    request: Request,
    viewer: Viewer,
    settings: Settings,
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
        sso_label=settings.oidc_label if settings.oidc_issuer and settings.oidc_client_id else "",
    )
    set_private_cookie(
        response,
        LOGIN_CSRF_COOKIE,
        token,
        settings,
        max_age=LOGIN_CSRF_SECONDS,
        path="/login",
        samesite="strict",
    )
    return response


def throttled_notice(viewer: Viewer, refused: SignInThrottled, now: datetime) -> Notice:
    """What a refused attempt is told: until when (in the viewer's time zone) and in how many
    seconds to try again, in the viewer's language."""
    until = refused.wait.until.astimezone(viewer.time_zone).strftime("%Y-%m-%d %H:%M:%S")
    text = viewer.t(
        f"login.throttled_{refused.wait.scope}",
        seconds=refused.wait.seconds(now),
        until=f"{until} ({viewer.zone_name})",
    )
    return Notice("error", text)


@router.get("/login", response_class=HTMLResponse)
def show_login(
    request: Request, viewer: AnyViewer, settings: SettingsDep, next: str | None = None
) -> Response:
    if viewer.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = None
    if request.query_params.get("notice") in NOTICES:
        notice = Notice("success", viewer.t(NOTICES[request.query_params["notice"]]))
    return login_page(request, viewer, settings, next_url=safe_next(next), notice=notice)


@router.post("/login", response_class=HTMLResponse)
def submit_login(
    request: Request,
    viewer: AnyViewer,
    db: Db,
    settings: SettingsDep,
    clock: ClockDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_same_origin(request, settings.base_url)
    next_url = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not tokens_match(expected, csrf_token):
        notice = Notice("error", viewer.t("login.expired"))
        return login_page(
            request,
            viewer,
            settings,
            next_url=next_url,
            username=username,
            notice=notice,
            status=400,
        )
    now = clock()
    attempt = sign_in_with_password(
        db, username.strip(), password, ThrottlePolicy.of(settings), ip=client_ip(request), now=now
    )
    db.commit()
    user = attempt.user
    if user is None:
        notice = Notice("error", viewer.t("login.failed"))
        status = 401
        if attempt.throttled is not None:
            notice, status = throttled_notice(viewer, attempt.throttled, now), 429
        page = login_page(
            request,
            viewer,
            settings,
            next_url=next_url,
            username=username,
            notice=notice,
            status=status,
        )
        if attempt.throttled is not None:
            page.headers["Retry-After"] = str(attempt.throttled.retry_after)
        return page
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, started, settings)
    clear_private_cookie(response, LOGIN_CSRF_COOKIE, settings, path="/login", samesite="strict")
    return response


@router.post("/logout")
def logout(
    principal: CurrentPrincipal, request: Request, db: Db, settings: SettingsDep
) -> Response:
    if principal.session_token is not None:
        end_session(db, principal.session_token)
        user = principal.user
        log_event(
            db,
            "sign_out",
            actor_id=user.id,
            username=user.username,
            ip=client_ip(request),
            detail={"everywhere": False, "sessions_ended": 1},
        )
        db.commit()
    response = RedirectResponse("/login?notice=signed_out", status_code=303)
    clear_session_cookie(response, settings)
    return response
