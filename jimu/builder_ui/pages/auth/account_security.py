"""``/account/security``: change your password and sign out everywhere (docs/security.md).

Password problems are shown per field in the viewer's language, every broken rule at once.
The current password is throttled like signing in: while it must wait, the page says how long
(429 with ``Retry-After``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import throttled_notice
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.auth.cookies import clear_session_cookie
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.auth.sessions import end_user_sessions
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.security.account import change_own_password
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.security.throttle import SignInThrottled
from jimu.platform.settings import Settings

router = APIRouter()
PAGE = "/account/security"


def problem_text(viewer: Viewer, problem: FieldError, policy: PasswordPolicy) -> str:
    key = f"password.{problem.code}"
    text = viewer.t(key, min=policy.min_length)
    return problem.message if text == key else text


def security_page(
    request: Request,
    viewer: Viewer,
    settings: Settings,
    *,
    problems: dict[str, list[str]] | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        viewer,
        "auth/security.html",
        status=status,
        crumbs=[Crumb(viewer.t("security.title"))],
        notice=notice,
        title=viewer.t("security.title"),
        min_length=settings.password_min_length,
        problems=problems or {},
    )


@router.get(PAGE, response_class=HTMLResponse)
def show_security(request: Request, viewer: SignedIn, settings: SettingsDep) -> HTMLResponse:
    notice = None
    if request.query_params.get("notice") == "password_changed":
        notice = Notice("success", viewer.t("security.password_changed"))
    elif viewer.signed_in_user.must_change_password:
        notice = Notice("error", viewer.t("security.must_change"))
    return security_page(request, viewer, settings, notice=notice)


@router.post(PAGE + "/password", response_class=HTMLResponse)
def submit_password(
    request: Request,
    viewer: SignedIn,
    principal: CurrentPrincipal,
    db: Db,
    settings: SettingsDep,
    clock: ClockDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    repeat_password: Annotated[str, Form()] = "",
) -> Response:
    policy = PasswordPolicy.of(settings)
    problems: dict[str, list[str]] = {}
    now = clock()
    refused = False  # nothing was changed, but a failed check was counted and audited
    try:
        change_own_password(
            db,
            principal.user,
            current_password,
            new_password,
            policy,
            ThrottlePolicy.of(settings),
            keep_session=principal.session_token,
            ip=client_ip(request),
            now=now,
        )
    except SignInThrottled as throttled:
        db.commit()
        page = security_page(
            request, viewer, settings, notice=throttled_notice(viewer, throttled, now), status=429
        )
        page.headers["Retry-After"] = str(throttled.retry_after)
        return page
    except ValidationFailed as failed:
        refused = True
        for problem in failed.errors:
            field = problem.pointer.lstrip("/")
            problems.setdefault(field, []).append(problem_text(viewer, problem, policy))
    if new_password != repeat_password:
        problems.setdefault("repeat_password", []).append(viewer.t("security.repeat_differs"))
    if problems:
        if refused:
            db.commit()
        else:
            db.rollback()  # the new password was set, but the repeat differs: undo it
        return security_page(request, viewer, settings, problems=problems, status=422)
    db.commit()
    return RedirectResponse(PAGE + "?notice=password_changed", status_code=303)


@router.post("/logout/everywhere")
def logout_everywhere(
    principal: CurrentPrincipal, request: Request, db: Db, settings: SettingsDep
) -> Response:
    user = principal.user
    ended = end_user_sessions(db, user.id)
    log_event(
        db,
        "sign_out",
        actor_id=user.id,
        username=user.username,
        ip=client_ip(request),
        detail={"everywhere": True, "sessions_ended": ended},
    )
    db.commit()
    response = RedirectResponse("/login?notice=signed_out_everywhere", status_code=303)
    clear_session_cookie(response, settings)
    return response
